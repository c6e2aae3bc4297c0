package com.customercaregpt.backup.repository;

import com.customercaregpt.backup.pipeline.PrivateFiles;
import com.customercaregpt.backup.backup.StepFailure;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The repository lock ({@code <repository>/lock.json}): one writing operation (backup, cleanup,
 * delete) at a time, across processes and hosts sharing the folder. It names its holder and keeps
 * a heartbeat; a lock whose holder died (same host, pid gone) or stopped beating is taken over.
 *
 * <p>Creation is atomic: the content is written to a private file that is then hard-linked to
 * lock.json, which fails when a lock exists. A takeover first renames the stale lock away, which
 * only one contender can do.
 */
public final class RepositoryLock {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RepositoryLock.class);

    private final Path root;
    private final Path lockFile;
    private final Duration staleAfter;
    private final Duration wait;

    /** The lock in the bucket other hosts share, taken after the local one; null when there is none. */
    private final java.util.function.Supplier<SharedLock> shared;

    public RepositoryLock(Path repositoryRoot, Duration staleAfter, Duration wait) {
        this(repositoryRoot, staleAfter, wait, null);
    }

    public RepositoryLock(Path repositoryRoot, Duration staleAfter, Duration wait,
                          java.util.function.Supplier<SharedLock> shared) {
        this.shared = shared;
        this.root = repositoryRoot;
        this.lockFile = repositoryRoot.resolve("lock.json");
        this.staleAfter = staleAfter;
        this.wait = wait;
    }

    /** A held lock; close() is idempotent. */
    public final class Held extends LockClaims.Lease {
        private final String token;
        /** The shared lock held with this one, if any. */
        private AutoCloseable sharedHeld;

        private Held(String token, Map<String, Object> content) {
            super(content);
            this.token = token;
        }

        @Override
        protected void renew(byte[] claimJson) throws IOException {
            if (ours()) {
                Path temp = root.resolve(".lock-" + token + ".tmp");
                PrivateFiles.write(temp, claimJson);
                Files.move(temp, lockFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
        }

        @Override
        protected void remove() throws IOException {
            if (sharedHeld != null) {
                try {
                    sharedHeld.close();
                } catch (Exception ignored) {
                    // a leftover shared claim is stale once its heartbeat stops
                }
            }
            if (ours()) {
                Files.deleteIfExists(lockFile);
            }
        }

        private boolean ours() {
            try {
                return token.equals(JSON.readTree(Files.readAllBytes(lockFile)).path("token").asText());
            } catch (IOException e) {
                return false;
            }
        }
    }

    /** Takes the lock for {@code operation}, waiting up to the configured time for its holder. */
    public Held acquire(String operation) {
        Instant deadline = Instant.now().plus(wait);
        while (true) {
            try {
                PrivateFiles.createDirectories(root);
                Held held = tryCreate(operation);
                if (held != null) {
                    return shared == null ? held : withShared(held, operation, deadline);
                }
                JsonNode holder = readHolder();
                if (holder == null) {
                    continue; // released meanwhile
                }
                if (stale(holder)) {
                    takeOver(holder.path("token").asText());
                    continue;
                }
                if (!Instant.now().isBefore(deadline)) {
                    throw new StepFailure("repository", "lock", root + " is locked by " + describe(holder)
                            + (wait.isZero() ? "" : " (waited " + wait.toSeconds() + " s)"));
                }
                Thread.sleep(500);
            } catch (IOException e) {
                throw new StepFailure("repository", "lock", "cannot lock " + root + ": " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StepFailure("repository", "lock", "interrupted while waiting for the lock of " + root);
            }
        }
    }

    /**
     * Adds the shared lock to a held local one, waiting until {@code deadline} for another host's
     * claim to go. A bucket that cannot be reached does not stop the operation (a backup still
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
                var sharedHeld = lock.tryAcquire(operation, holder);
                if (sharedHeld.isPresent()) {
                    held.sharedHeld = sharedHeld.get();
                    return held;
                }
            } catch (IOException | RuntimeException unreachable) {
                LOG.warn("{} is not locked ({}); {} goes on under the local lock only", lock.location(),
                        unreachable.getMessage(), operation);
                return held;
            }
            if (!Instant.now().isBefore(deadline)) {
                held.close();
                throw new StepFailure("repository", "lock", lock.location() + " is locked by " + holder[0]
                        + (wait.isZero() ? "" : " (waited " + wait.toSeconds() + " s)"));
            }
            Thread.sleep(300 + java.util.concurrent.ThreadLocalRandom.current().nextInt(400));
        }
    }

    /** Who holds the lock now, if a live holder does (for a quick "busy" answer instead of waiting). */
    public java.util.Optional<String> liveHolder() {
        try {
            JsonNode holder = readHolder();
            return holder == null || stale(holder) ? java.util.Optional.empty() : java.util.Optional.of(describe(holder));
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    /** True when the lock is held, with a fresh heartbeat, by process {@code pid} of {@code host}. */
    public boolean heldLiveBy(String host, long pid) {
        try {
            JsonNode holder = readHolder();
            return holder != null && !stale(holder) && holder.path("host").asText().equals(host)
                    && holder.path("pid").asLong() == pid;
        } catch (IOException e) {
            return false;
        }
    }

    private Held tryCreate(String operation) throws IOException {
        String token = UUID.randomUUID().toString();
        Map<String, Object> content = LockClaims.newClaim(token, operation);
        Path temp = root.resolve(".lock-" + token + ".tmp");
        PrivateFiles.write(temp, JSON.writeValueAsBytes(content));
        try {
            Files.createLink(lockFile, temp);
            return new Held(token, content);
        } catch (FileAlreadyExistsException held) {
            return null;
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private JsonNode readHolder() throws IOException {
        try {
            return JSON.readTree(Files.readAllBytes(lockFile));
        } catch (NoSuchFileException released) {
            return null;
        } catch (com.fasterxml.jackson.core.JsonProcessingException unreadable) {
            return JSON.createObjectNode(); // half-written by a dying holder: stale below
        }
    }

    private boolean stale(JsonNode holder) {
        if (holder.path("host").asText().equals(Owners.hostName()) && holder.has("pid")
                && !Owners.isAlive(holder.path("pid").asLong())) {
            return true;
        }
        return LockClaims.heartbeatStopped(holder, staleAfter);
    }

    /**
     * Moves the stale lock away. If what was moved is not the lock judged stale (another contender
     * took over and locked in between), it is linked back at once.
     */
    private void takeOver(String staleToken) throws IOException {
        Path moved = root.resolve(".lock-stale-" + UUID.randomUUID());
        try {
            Files.move(lockFile, moved, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException anotherContenderWasFaster) {
            return;
        }
        JsonNode movedHolder;
        try {
            movedHolder = JSON.readTree(Files.readAllBytes(moved));
        } catch (com.fasterxml.jackson.core.JsonProcessingException unreadable) {
            movedHolder = JSON.createObjectNode();
        }
        if (!movedHolder.path("token").asText().equals(staleToken)) {
            try {
                Files.createLink(lockFile, moved);
            } catch (FileAlreadyExistsException raced) {
                // a third contender locked meanwhile; the fresh holder notices at its next beat
            }
        }
        try (var stale = Files.list(root)) {
            for (Path p : stale.filter(p -> p.getFileName().toString().startsWith(".lock-stale-")).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static String describe(JsonNode holder) {
        return LockClaims.describe(holder);
    }

}
