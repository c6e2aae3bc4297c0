package com.customercaregpt.backup.pipeline;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * Backups yield the CPU: the threads that run them get a higher nice value (backup.nice), and
 * on Linux what a thread starts inherits it (zstd's worker threads, pg_dump, tar). The platform
 * and the REST API keep answering while a backup compresses; on an idle machine nothing changes.
 */
public final class CpuPriority {

    private static final Logger LOG = LoggerFactory.getLogger(CpuPriority.class);

    private CpuPriority() {
    }

    /** Threads from {@code threads} that lower their own priority to {@code nice} (0: unchanged) when they start. */
    public static ThreadFactory lowered(int nice, ThreadFactory threads) {
        if (nice <= 0) {
            return threads;
        }
        return runnable -> threads.newThread(() -> {
            lowerCurrentThread(nice);
            runnable.run();
        });
    }

    /** Sets the calling thread's nice value (Linux: per thread, via its id in /proc/thread-self). */
    static void lowerCurrentThread(int nice) {
        try {
            Path self = Files.readSymbolicLink(Path.of("/proc/thread-self"));
            String tid = self.getFileName().toString();
            Process renice = new ProcessBuilder("renice", "-n", String.valueOf(nice), "-p", tid)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!renice.waitFor(5, TimeUnit.SECONDS) || renice.exitValue() != 0) {
                LOG.debug("renice of thread {} did not succeed; backups run at normal priority", tid);
            }
        } catch (IOException | UnsupportedOperationException e) {
            LOG.debug("cannot lower the priority of backup threads here: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
