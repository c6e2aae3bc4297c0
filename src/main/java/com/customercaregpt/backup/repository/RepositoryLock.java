package com.customercaregpt.backup.repository;

import com.customercaregpt.backup.backup.StepFailure;
import com.customercaregpt.backup.repository.store.SharedLock;
import com.customercaregpt.backup.repository.store.local.LockFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The repository lock: one writing operation (backup, cleanup, delete, restore) at a time, across
 * processes and hosts. It is the local repository's lock file ({@code <repository>/lock.json}) and,
 * with S3 enabled, the bucket's lock too; both are {@link SharedLock}s, tried here in turn until
 * the configured wait is over.
 */
public final class RepositoryLock {

    private static final Logger LOG = LoggerFactory.getLogger(RepositoryLock.class);

    private final LockFile local;
    private final Duration wait;
    /** The lock in the storage other hosts share, taken after the local one; null when there is none. */
    private final Supplier<SharedLock> shared;
    /** Told of each stale lock of a dead owner taken over (an alert); it must not fail the caller. */
    private volatile Consumer<LockClaims.Takeover> takeovers = takeover -> { };

    public RepositoryLock(Path repositoryRoot, Duration staleAfter, Duration wait) {
        this(repositoryRoot, staleAfter, wait, null);
    }

    public RepositoryLock(Path repositoryRoot, Duration staleAfter, Duration wait, Supplier<SharedLock> shared) {
        this.local = new LockFile(repositoryRoot, staleAfter);
        this.wait = wait;
        this.shared = shared;
    }

    /** Who is told when a lock of a dead owner is taken over. */
    public void onTakeover(Consumer<LockClaims.Takeover> listener) {
        this.takeovers = listener;
    }

    /** Tells the listener about the dead owner whose stale claim {@code lock} replaced, if any. */
    private void reportTakeover(AutoCloseable lock) {
        if (lock instanceof LockClaims.Lease lease && lease.takenOver().isPresent()) {
            LockClaims.Takeover takeover = lease.takenOver().get();
            LOG.warn("took over the lock of {} from a dead owner: {} on {} (pid {}, since {}, last heartbeat {})",
                    takeover.location(), takeover.operation(), takeover.host(), takeover.pid(), takeover.since(),
                    takeover.lastHeartbeat());
            try {
                takeovers.accept(takeover);
            } catch (RuntimeException e) {
                LOG.warn("the takeover of {} was not reported: {}", takeover.location(), e.getMessage());
            }
        }
    }

    /** A held lock (the local one, and the shared one if any); close() is idempotent. */
    public static final class Held implements AutoCloseable {
        private final AutoCloseable local;
        private AutoCloseable shared;

        private Held(AutoCloseable local) {
            this.local = local;
        }

        @Override
        public synchronized void close() {
            closeQuietly(shared);
            shared = null;
            closeQuietly(local);
        }

        private static void closeQuietly(AutoCloseable lock) {
            if (lock == null) {
                return;
            }
            try {
                lock.close();
            } catch (Exception ignored) {
                // a leftover claim is stale once its heartbeat stops
            }
        }
    }

    /** Takes the lock for {@code operation}, waiting up to the configured time for its holder. */
    public Held acquire(String operation) {
        Instant deadline = Instant.now().plus(wait);
        String[] holder = new String[1];
        while (true) {
            try {
                Optional<? extends AutoCloseable> held = local.tryAcquire(operation, holder);
                if (held.isPresent()) {
                    reportTakeover(held.get());
                    Held both = new Held(held.get());
                    return shared == null ? both : withShared(both, operation, deadline);
                }
                if (!Instant.now().isBefore(deadline)) {
                    throw lockedBy(local.location(), holder[0]);
                }
                Thread.sleep(500);
            } catch (IOException e) {
                throw new StepFailure("repository", "lock", "cannot lock " + local.location() + ": " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StepFailure("repository", "lock", "interrupted while waiting for the lock of "
                        + local.location());
            }
        }
    }

    /**
     * Adds the shared lock to a held local one, waiting until {@code deadline} for another host's
     * claim to go. Storage that cannot be reached does not stop the operation (a backup still
     * completes locally): it goes on under the local lock alone, with a warning.
     */
    private Held withShared(Held held, String operation, Instant deadline) throws InterruptedException {
        SharedLock lock;
        try {
            lock = shared.get();
        } catch (RuntimeException misconfigured) {
            LOG.warn("the shared lock cannot be made ({}); {} goes on under the local lock only",
                    misconfigured.getMessage(), operation);
            return held;
        }
        String[] holder = new String[1];
        while (true) {
            try {
                Optional<? extends AutoCloseable> sharedHeld = lock.tryAcquire(operation, holder);
                if (sharedHeld.isPresent()) {
                    reportTakeover(sharedHeld.get());
                    held.shared = sharedHeld.get();
                    return held;
                }
            } catch (IOException | RuntimeException unreachable) {
                LOG.warn("{} is not locked ({}); {} goes on under the local lock only", lock.location(),
                        unreachable.getMessage(), operation);
                return held;
            }
            if (!Instant.now().isBefore(deadline)) {
                held.close();
                throw lockedBy(lock.location(), holder[0]);
            }
            Thread.sleep(300 + ThreadLocalRandom.current().nextInt(400));
        }
    }

    private StepFailure lockedBy(String location, String holder) {
        return new StepFailure("repository", "lock", location + " is locked by " + holder
                + (wait.isZero() ? "" : " (waited " + wait.toSeconds() + " s)"));
    }

    /** Who holds the lock now, if a live holder does (for a quick "busy" answer instead of waiting). */
    public Optional<String> liveHolder() {
        return local.liveHolder();
    }

    /** True when the lock is held, with a fresh heartbeat, by process {@code pid} of {@code host}. */
    public boolean heldLiveBy(String host, long pid) {
        return local.heldLiveBy(host, pid);
    }
}
