package com.customercaregpt.backup.app;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * How `serve` ends on SIGTERM or Ctrl-C at any moment, also while it is starting: the process is
 * gone within {@link #LIMIT} (plus a short grace). An idle service stops cleanly; work still running
 * at the limit is left as a kill leaves it (no manifest, so the next backup removes it; its
 * operation is marked abandoned when a service starts again), and the tools it started are ended.
 */
public final class ServiceStop {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceStop.class);
    static final Duration LIMIT = Duration.ofSeconds(10);
    /** Beyond the limit, other shutdown hooks of the JVM get this long before the process halts. */
    private static final Duration GRACE = Duration.ofSeconds(3);
    /** The exit status of a JVM ended by SIGTERM (128 + 15). */
    private static final int SIGTERM_STATUS = 143;

    private final CountDownLatch startEnded = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile BackupApplication app;

    private ServiceStop() {
    }

    /** Registered before the service starts, so that a signal during the start is handled too. */
    public static ServiceStop onSignal() {
        ServiceStop stop = new ServiceStop();
        Runtime.getRuntime().addShutdownHook(new Thread(stop::stop, "backup-manager-stop"));
        return stop;
    }

    /** The start has ended: with the running service, or null when it failed. */
    public void started(BackupApplication started) {
        this.app = started;
        startEnded.countDown();
    }

    /** Blocks until a signal has stopped the service. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    private void stop() {
        if (startEnded.getCount() == 0 && app == null) {
            return; // the start failed: nothing runs, and other hooks of the JVM keep their time
        }
        long deadline = System.nanoTime() + LIMIT.toNanos();
        Thread halt = new Thread(() -> {
            sleepUntil(deadline + GRACE.toNanos());
            Runtime.getRuntime().halt(SIGTERM_STATUS);
        }, "backup-manager-halt");
        halt.setDaemon(true);
        halt.start();
        boolean clean = false;
        try {
            if (!startEnded.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                LOG.warn("Stopped while still starting after {} s", LIMIT.toSeconds());
            } else {
                clean = app == null || closedBefore(app, deadline);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stopped.countDown();
        }
        if (!clean) {
            // As a kill leaves it: the tools of unfinished work (pg_dump, tar...) would outlive the JVM,
            // and halting at once leaves the work no time to record anything after they end.
            ProcessHandle.current().descendants().forEach(ProcessHandle::destroy);
            Runtime.getRuntime().halt(SIGTERM_STATUS);
        }
    }

    /** Stops the service, waiting for running work until the deadline at most; false when it did not stop in time. */
    private static boolean closedBefore(BackupApplication app, long deadline) throws InterruptedException {
        Thread closing = new Thread(() -> {
            try {
                app.close();
            } catch (Exception e) {
                System.err.println("backup-manager: error: stopping the service: " + e.getMessage());
            }
        }, "backup-manager-close");
        closing.setDaemon(true);
        closing.start();
        closing.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        if (closing.isAlive()) {
            LOG.warn("Work still running after {} s is left as after a kill (the next backup removes its remains)",
                    LIMIT.toSeconds());
            return false;
        }
        return true;
    }

    private static void sleepUntil(long nanoTime) {
        try {
            long left = nanoTime - System.nanoTime();
            if (left > 0) {
                TimeUnit.NANOSECONDS.sleep(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
