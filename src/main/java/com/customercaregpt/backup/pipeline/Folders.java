package com.customercaregpt.backup.pipeline;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Removing folder trees and making them durable: links are handled as links, never followed. */
public final class Folders {

    private Folders() {
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
     * covered by flushing its whole file system instead.
     */
    public static void syncTree(Path root) throws IOException {
        boolean unreadable = false;
        try (Stream<Path> tree = Files.walk(root)) {
            for (Path p : (Iterable<Path>) tree::iterator) {
                if (Files.isSymbolicLink(p) || !(Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                        || Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))) {
                    continue;
                }
                try (FileChannel channel = FileChannel.open(p, StandardOpenOption.READ)) {
                    channel.force(true);
                } catch (AccessDeniedException e) {
                    unreadable = true;
                }
            }
        }
        if (unreadable) {
            syncFileSystem(root);
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
