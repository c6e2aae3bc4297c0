package com.customercaregpt.backup.pipeline;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Comparator;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/** Removing folder trees and making them durable: links are handled as links, never followed. */
public final class Folders {

    /**
     * Flushes of one tree in flight at once: the file system folds their journal commits together
     * (the reference uploads, 500 files, flush in a third of the time they take one at a time).
     */
    private static final int SYNCS_IN_FLIGHT = 16;

    private Folders() {
    }

    /** Receives one regular file of a walk. */
    public interface FileVisit {
        void file(Path file) throws IOException;
    }

    /**
     * Every regular file under {@code root} (links not followed), in walk order. A name removed or
     * renamed while the walk passes (another writer's temporary file) is skipped, not an error.
     */
    public static void eachRegularFile(Path root, FileVisit visit) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                if (attributes.isRegularFile()) {
                    visit.file(file);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }
        });
    }

    /** Removes {@code path} and everything below it; nothing to do when it is absent. */
    public static void deleteTree(Path path) throws IOException {
        if (path == null || !Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> tree = Files.walk(path)) {
            for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** As {@link #deleteTree}, for scratch and prepared copies: a leftover is reported, not thrown. */
    public static boolean deleteTreeQuietly(Path path) {
        try {
            deleteTree(path);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Flushes every file and folder of a tree to disk, so that a tree about to be swapped in by
     * rename is complete on disk before it replaces anything (a power cut after the swap must not
     * leave empty files where the old ones were). A file this user may not open (mode 000) is
     * covered by flushing its whole file system instead. The flushes run {@link #SYNCS_IN_FLIGHT}
     * at a time while the tree is walked (the walk's paths are not held, so memory stays bounded);
     * the first that fails stops the rest and is thrown.
     */
    public static void syncTree(Path root) throws IOException {
        AtomicBoolean unreadable = new AtomicBoolean();
        AtomicReference<IOException> failure = new AtomicReference<>();
        Semaphore slots = new Semaphore(SYNCS_IN_FLIGHT);
        ExecutorService flushers = Executors.newFixedThreadPool(SYNCS_IN_FLIGHT, DaemonThreads.named("fsync"));
        try (Stream<Path> tree = Files.walk(root)) {
            for (Path p : (Iterable<Path>) tree::iterator) {
                if (failure.get() != null) {
                    break;
                }
                if (Files.isSymbolicLink(p) || !(Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                        || Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))) {
                    continue;
                }
                slots.acquire();
                flushers.execute(() -> {
                    try (FileChannel channel = FileChannel.open(p, StandardOpenOption.READ)) {
                        channel.force(true);
                    } catch (AccessDeniedException e) {
                        unreadable.set(true);
                    } catch (IOException e) {
                        failure.compareAndSet(null, e);
                    } finally {
                        slots.release();
                    }
                });
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while flushing " + root + " to disk", e);
        } finally {
            awaitFlushes(flushers, root);
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        if (unreadable.get()) {
            syncFileSystem(root);
        }
    }

    private static void awaitFlushes(ExecutorService flushers, Path root) throws IOException {
        flushers.shutdown();
        try {
            if (!flushers.awaitTermination(10, TimeUnit.MINUTES)) {
                throw new IOException("flushing " + root + " to disk took over 10 minutes");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while flushing " + root + " to disk", e);
        }
    }

    /** Makes a rename in {@code folder} durable: without it a crash can forget the new name. */
    public static void syncDirectory(Path folder) throws IOException {
        try (FileChannel dir = FileChannel.open(folder, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (NoSuchFileException gone) {
            // nothing to make durable
        }
    }

    private static void syncFileSystem(Path root) throws IOException {
        Process sync = new ProcessBuilder("sync", "--file-system", root.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            if (!sync.waitFor(10, TimeUnit.MINUTES) || sync.exitValue() != 0) {
                sync.destroyForcibly();
                throw new IOException("sync --file-system " + root + " failed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while flushing " + root + " to disk", e);
        }
    }
}
