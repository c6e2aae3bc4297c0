package com.customercaregpt.backup.pipeline;

import com.customercaregpt.backup.backup.StepFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ExternalToolTest {

    @Test
    void aFailedTarIsExplainedByItsFirstErrorNotItsClosingSummary(@TempDir Path work) throws Exception {
        Path tree = Files.createDirectories(work.resolve("tree"));
        Files.writeString(tree.resolve("a.txt"), "a");
        Path archive = work.resolve("tree.tar");
        assertEquals(0, new ProcessBuilder("tar", "-cf", archive.toString(), "-C", tree.toString(), "a.txt")
                .start().waitFor());

        StepFailure failure = assertThrows(StepFailure.class, () -> new ExternalTool("uploads", "extract")
                .streamTo(List.of("tar", "-xf", archive.toString(), "-C", work.toString(), "missing.txt"),
                        Map.of(), work, OutputStream.nullOutputStream()));

        assertEquals("uploads: extract: tar exited with 2: tar: missing.txt: Not found in archive",
                failure.getMessage());
    }

    @Test
    void aToolWhoseLastLineSaysWhatWentWrongIsExplainedByThatLine(@TempDir Path work) {
        StepFailure failure = assertThrows(StepFailure.class, () -> new ExternalTool("redis", "rdb snapshot")
                .streamTo(List.of("sh", "-c", "echo starting >&2; echo 'connection refused' >&2; exit 1"),
                        Map.of(), work, OutputStream.nullOutputStream()));

        assertEquals("redis: rdb snapshot: sh exited with 1: connection refused", failure.getMessage());
    }
}
