package com.customercaregpt.backup.component;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GNU tar's incremental archives of folders whose inodes moved to other names, extracted in order. */
class TarSnapshotTest {

    /** x and x/y swap inodes: to tar, as it is, "x renamed into x/y and x/y into x", which it cannot extract. */
    private static void swapNestedFolders(Path source) throws IOException {
        Files.move(source.resolve("x"), source.resolve("tmp"));
        Files.move(source.resolve("tmp/y"), source.resolve("x"));
        Files.move(source.resolve("tmp"), source.resolve("x/y"));
        Files.writeString(source.resolve("x/new.txt"), "added after the full");
    }

    private static Path fullThenIncremental(Path work, boolean byName) throws Exception {
        Path source = Files.createDirectories(work.resolve("source/x/y"));
        source = work.resolve("source");
        Files.writeString(source.resolve("x/f1"), "one");
        Files.writeString(source.resolve("x/y/f2"), "two");
        Path snapshot = work.resolve("tree.snar");
        run(work, "tar", "--create", "--file=" + work.resolve("0.tar"), "--listed-incremental=" + snapshot, "-C", source.toString(), ".");
        swapNestedFolders(source);
        if (byName) {
            TarSnapshot.identifyFoldersByName(snapshot, source);
        }
        run(work, "tar", "--create", "--file=" + work.resolve("1.tar"), "--listed-incremental=" + snapshot, "-C", source.toString(), ".");
        Path restored = Files.createDirectories(work.resolve("restored"));
        run(work, "tar", "--extract", "--incremental", "--file=" + work.resolve("0.tar"), "-C", restored.toString());
        int exit = run(work, "tar", "--extract", "--incremental", "--file=" + work.resolve("1.tar"), "-C", restored.toString());
        return exit == 0 ? restored : null;
    }

    @Test
    void foldersKnownByNameExtractToTheLastState(@TempDir Path work) throws Exception {
        Path restored = fullThenIncremental(work, true);

        assertEquals(listing(work.resolve("source")), listing(restored));
        assertEquals("two", Files.readString(restored.resolve("x/f2")));
        assertEquals("one", Files.readString(restored.resolve("x/y/f1")));
    }

    @Test
    void foldersKnownByInodeAloneCannotBeExtracted(@TempDir Path work) throws Exception {
        // why the rewrite exists: if GNU tar ever learns this case, the rewrite only costs bytes
        assertNull(fullThenIncremental(work, false));
    }

    @Test
    void aSnapshotKeepsEveryByteButTheIdentities(@TempDir Path work) throws Exception {
        Path source = Files.createDirectories(work.resolve("source/a b/ü"));
        source = work.resolve("source");
        Files.writeString(source.resolve("a b/ü/f"), "f");
        Files.createDirectories(source.resolve("empty"));
        Path snapshot = work.resolve("tree.snar");
        run(work, "tar", "--create", "--file=/dev/null", "--listed-incremental=" + snapshot, "-C", source.toString(), ".");
        byte[] before = Files.readAllBytes(snapshot);
        Files.delete(source.resolve("a b/ü/f"));
        Files.delete(source.resolve("a b/ü"));

        TarSnapshot.identifyFoldersByName(snapshot, source);

        byte[] after = Files.readAllBytes(snapshot);
        assertEquals(fieldsWithoutIdentities(before), fieldsWithoutIdentities(after));
        assertNotEquals(new String(before), new String(after)); // "./a b/ü" is gone: it got device 0
        assertTrue(new String(after, StandardCharsets.UTF_8).contains("\0" + "0\0" + Long.toUnsignedString(-1L) + "\0./a b/ü\0"));
    }

    /** The snapshot's NUL-separated fields with each record's device and inode left out. */
    private static List<String> fieldsWithoutIdentities(byte[] snapshot) {
        String[] fields = new String(snapshot, StandardCharsets.UTF_8).split("\0", -1);
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < fields.length; i++) {
            boolean beforeAName = i > 2 && i + 1 < fields.length
                    && (fields[i + 1].equals(".") || fields[i + 1].startsWith("./"));
            if (beforeAName) { // fields[i] is the inode, the one before it the device
                kept.set(kept.size() - 1, "<dev>");
                kept.add("<ino>");
                continue;
            }
            kept.add(fields[i]);
        }
        return kept;
    }

    private static List<String> listing(Path root) throws IOException {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted().toList()) {
                lines.add(root.relativize(path) + (Files.isRegularFile(path) ? " " + Files.readString(path) : "/"));
            }
        }
        return lines;
    }

    private static int run(Path work, String... command) throws Exception {
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(work.resolve("tar.log").toFile()).start().waitFor();
    }
}
