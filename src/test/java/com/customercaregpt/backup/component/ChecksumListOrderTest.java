package com.customercaregpt.backup.component;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Checksum lists are sorted in memory when small and by sort(1) when large: both orders must be
 * the same byte order (LC_ALL=C), or a list could not be read beside another.
 */
class ChecksumListOrderTest {

    @TempDir
    Path work;

    @Test
    void theInMemorySortAndSortOneGiveTheSameByteOrder() throws Exception {
        List<String> lines = new ArrayList<>();
        String[] parts = {"a", "a/b", "a.txt", "A", "é", "ü/x", "\uD83D\uDE00", "\uFFFD", "b\\\\n", "z\u0000", "-", " "};
        Random random = new Random(7);
        for (int i = 0; i < 3000; i++) {
            StringBuilder line = new StringBuilder();
            for (int j = 0; j < 1 + random.nextInt(4); j++) {
                line.append(parts[random.nextInt(parts.length)]);
            }
            lines.add(line.append('\u0000').append(i).toString());
        }
        Path unsorted = Files.write(work.resolve("unsorted"), lines, StandardCharsets.UTF_8);
        FileChecksums.sortByBytes("test", unsorted, work.resolve("memory"), 0);
        FileChecksums.sortByBytes("test", unsorted, work.resolve("sort"), FileChecksums.SORTED_IN_MEMORY + 1);
        assertEquals(Files.readAllLines(work.resolve("sort"), StandardCharsets.UTF_8),
                Files.readAllLines(work.resolve("memory"), StandardCharsets.UTF_8));
    }
}
