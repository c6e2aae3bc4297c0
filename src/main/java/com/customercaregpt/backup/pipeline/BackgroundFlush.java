package com.customercaregpt.backup.pipeline;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Flushes a folder's files to disk every interval while something fills the folder, so that the disk writes
 * overlap the filling instead of all waiting for the fsync that follows it (PostgreSQL's of every file when a
 * restored data folder starts). Only the folder's own files: a whole-file-system flush would also wait for
 * every other writer on the disk. Durability still comes from the final fsync: a failed flush is only logged.
 */
public final class BackgroundFlush implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BackgroundFlush.class);

    private final Path folder;
    private final Duration interval;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicInteger flushes = new AtomicInteger();
    private final Thread thread;

    private BackgroundFlush(Path folder, Duration interval) {
        this.folder = folder;
        this.interval = interval;
        this.thread = DaemonThreads.named("flush " + folder.getFileName()).newThread(this::flushUntilClosed);
    }

    /** Starts flushing {@code folder}'s files every {@code interval} until closed. */
    public static BackgroundFlush start(Path folder, Duration interval) {
        BackgroundFlush flush = new BackgroundFlush(folder, interval);
        flush.thread.start();
        return flush;
    }

    /** How many flushes have completed. */
    public int flushes() {
        return flushes.get();
    }

    private void flushUntilClosed() {
        try {
            while (!closed.await(interval.toMillis(), TimeUnit.MILLISECONDS)) {
                Folders.syncTree(folder); // a file flushed before and unchanged since costs next to nothing
                flushes.incrementAndGet();
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("Flushing {} to disk in the background failed ({}); its final fsync will do it", folder,
                    e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops flushing; waits for a flush under way (its writes are the ones the final fsync would wait for). */
    @Override
    public void close() throws InterruptedException {
        closed.countDown();
        thread.join();
    }
}
