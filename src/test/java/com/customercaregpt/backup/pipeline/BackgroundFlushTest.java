package com.customercaregpt.backup.pipeline;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The flush that overlaps a restore's extraction: it syncs the folder's file system while open, and never after close. */
class BackgroundFlushTest {

    @Test
    void flushesTheFolderRepeatedlyWhileOpenAndStopsWhenClosed(@TempDir Path folder) throws Exception {
        int afterClose;
        try (BackgroundFlush flush = BackgroundFlush.start(folder, Duration.ofMillis(50))) {
            Files.write(folder.resolve("data"), new byte[1 << 20]);
            Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
            while (flush.flushes() < 2 && Instant.now().isBefore(deadline)) {
                Thread.sleep(20);
            }
            assertTrue(flush.flushes() >= 2, "flushed " + flush.flushes() + " times while open");
            flush.close();
            afterClose = flush.flushes();
            Thread.sleep(500); // ten intervals: a flush still running would have counted by now
            assertEquals(afterClose, flush.flushes(), "no flush after close");
        }
    }
}
