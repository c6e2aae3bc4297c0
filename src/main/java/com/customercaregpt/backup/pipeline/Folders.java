package com.customercaregpt.backup.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removing folder trees: links are removed as links, never followed. */
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
}
