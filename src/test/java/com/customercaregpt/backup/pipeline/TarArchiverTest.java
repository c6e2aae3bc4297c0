package com.customercaregpt.backup.pipeline;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The facts of a tar archive count its members by type, read from the stream as it passes into the artifact. */
class TarArchiverTest {

    @Test
    void countsEveryKindOfMemberAndPassesTheWholeArchiveOn(@TempDir Path work) throws Exception {
        Path tree = Files.createDirectories(work.resolve("tree"));
        Files.writeString(tree.resolve("a.txt"), "hello");                                   // file, 5 bytes
        Path deep = Files.createDirectories(tree.resolve("d".repeat(60)).resolve("e".repeat(60)));
        Files.write(deep.resolve("f".repeat(120) + ".bin"), new byte[70_000]);                // file, path > 100 chars
        Files.writeString(tree.resolve("spa ce & ü ñ 'q' \"dq\" $x\\y\ttab\nnewline.txt"), "üñ"); // file, 4 bytes
        Files.createDirectories(tree.resolve("empty"));
        Files.createDirectories(tree.resolve("nested/also-empty"));
        Files.createLink(tree.resolve("hard-a.txt"), tree.resolve("a.txt"));                  // one of the two is a hard link
        Files.createSymbolicLink(tree.resolve("link-to-a"), Path.of("a.txt"));
        Files.createSymbolicLink(tree.resolve("dangling"), Path.of("missing/" + "x".repeat(110)));
        assertEquals(0, new ProcessBuilder("mkfifo", tree.resolve("pipe").toString()).start().waitFor());

        Path archive = work.resolve("tree.tar");
        Map<String, Object> facts;
        try (OutputStream out = Files.newOutputStream(archive)) {
            facts = new TarArchiver("uploads", List.of("--format=posix")).archive(List.of(TarArchiver.Source.whole(tree)), out, work);
        }

        // folders: ".", d..., d.../e..., empty, nested, nested/also-empty
        assertEquals(6L, facts.get("directory_count"));
        // a.txt and hard-a.txt (one stored, one a link), the long-named file, the special-character file
        assertEquals(4L, facts.get("file_count"));
        assertEquals(2L, facts.get("symlink_count"));
        assertEquals(1L, facts.get("other_count"));
        assertEquals(13L, facts.get("tar_entries"));
        assertEquals(5L + 70_000L + 4L, facts.get("total_bytes"));
        // the artifact is the whole archive: tar itself lists as many members, in full
        List<String> listed = listMembers(archive, work);
        assertEquals(13, listed.size(), String.join("\n", listed));
        assertTrue(listed.contains("./" + "d".repeat(60) + "/" + "e".repeat(60) + "/" + "f".repeat(120) + ".bin"));
    }

    @Test
    void anEmptyFolderIsOneDirectory(@TempDir Path work) throws Exception {
        Path tree = Files.createDirectories(work.resolve("empty"));
        Path archive = work.resolve("empty.tar");
        Map<String, Object> facts;
        try (OutputStream out = Files.newOutputStream(archive)) {
            facts = new TarArchiver("uploads", List.of("--format=posix")).archive(List.of(TarArchiver.Source.whole(tree)), out, work);
        }

        assertEquals(Map.of("tar_entries", 1L, "file_count", 0L, "directory_count", 1L, "symlink_count", 0L,
                "other_count", 0L, "total_bytes", 0L), facts);
        assertEquals(List.of("./"), listMembers(archive, work));
    }

    /** Member names as GNU tar reads them back (a newline in a name is listed as \\n). */
    private static List<String> listMembers(Path archive, Path work) throws IOException, InterruptedException {
        Path names = work.resolve("names");
        Process tar = new ProcessBuilder("tar", "--list", "--file=" + archive).redirectOutput(names.toFile()).start();
        assertEquals(0, tar.waitFor(), "tar --list exit code");
        return List.of(Files.readString(names, StandardCharsets.UTF_8).split("\n"));
    }
}
