package com.customercaregpt.backup.repository;

import com.customercaregpt.backup.backup.UsageError;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The contract of {@link Repository}; every implementation's test extends this and supplies one. */
public abstract class RepositoryContractTest {

    protected Repository repository;

    protected abstract Repository newRepository() throws Exception;

    @BeforeEach
    void open() throws Exception {
        repository = newRepository();
    }

    @Test
    void allocateGivesDistinctIdsForTheSameSecond() throws Exception {
        Instant now = Instant.parse("2026-11-24T03:00:00Z");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        Set<BackupId> ids = ConcurrentHashMap.newKeySet();
        List<Future<?>> calls = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            calls.add(pool.submit(() -> ids.add(repository.allocate(now))));
        }
        for (Future<?> call : calls) {
            call.get();
        }
        pool.shutdown();
        assertEquals(8, ids.size());
        assertTrue(ids.contains(new BackupId("backup_20261124_030000")));
        assertTrue(ids.contains(new BackupId("backup_20261124_030000_7")));
    }

    @Test
    void anArtifactAppearsOnlyWhenClosed() throws Exception {
        BackupId id = repository.allocate(Instant.now());
        Repository.ArtifactStream out = repository.createArtifact(id, "database/database.dump.zst");
        out.write("half".getBytes(StandardCharsets.UTF_8));
        assertThrows(java.io.IOException.class, () -> repository.openArtifact(id, "database/database.dump.zst").close());
        out.write(" and whole".getBytes(StandardCharsets.UTF_8));
        out.close();
        try (InputStream in = repository.openArtifact(id, "database/database.dump.zst")) {
            assertEquals("half and whole", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void aFileIsStoredWholeOnlyWhenItsChecksumMatches() throws Exception {
        // 12 MiB: several parts for a store that sends a file in parts
        byte[] content = new byte[12 << 20];
        new java.util.Random(11).nextBytes(content);
        java.nio.file.Path file = java.nio.file.Files.createTempFile("put-file-", ".bin");
        try {
            java.nio.file.Files.write(file, content);
            String sha256 = java.util.HexFormat.of().formatHex(
                    java.security.MessageDigest.getInstance("SHA-256").digest(content));
            BackupId id = repository.allocate(Instant.now());

            String wrong = sha256.replace(sha256.charAt(0), sha256.charAt(0) == 'a' ? 'b' : 'a');
            java.io.IOException refused = assertThrows(java.io.IOException.class,
                    () -> repository.putFile(id, "uploads/uploads.tar.zst", file, wrong));
            assertTrue(refused.getMessage().contains("manifest says " + wrong), refused.getMessage());
            assertThrows(java.io.IOException.class, () -> repository.openArtifact(id, "uploads/uploads.tar.zst").close());

            repository.putFile(id, "uploads/uploads.tar.zst", file, sha256);
            try (InputStream in = repository.openArtifact(id, "uploads/uploads.tar.zst")) {
                assertArrayEquals(content, in.readAllBytes());
            }
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
    }

    @Test
    void anAbortedArtifactLeavesNothing() throws Exception {
        BackupId id = repository.allocate(Instant.now());
        Repository.ArtifactStream out = repository.createArtifact(id, "redis/dump.rdb");
        out.write(new byte[1024]);
        out.abort();
        assertThrows(java.io.IOException.class, () -> repository.openArtifact(id, "redis/dump.rdb").close());
    }

    @Test
    void manifestIsReplacedWhole() throws Exception {
        BackupId id = repository.allocate(Instant.now());
        assertEquals(Optional.empty(), repository.readManifest(id));
        repository.writeManifest(id, "{\"v\":1}".getBytes(StandardCharsets.UTF_8));
        repository.writeManifest(id, "{\"v\":2}".getBytes(StandardCharsets.UTF_8));
        assertArrayEquals("{\"v\":2}".getBytes(StandardCharsets.UTF_8), repository.readManifest(id).orElseThrow());
    }

    @Test
    void listShowsEveryBackupOldestFirst() throws Exception {
        BackupId later = repository.allocate(Instant.parse("2026-11-24T05:00:00Z"));
        BackupId earlier = repository.allocate(Instant.parse("2026-11-23T05:00:00Z"));
        assertEquals(List.of(earlier, later), repository.list());
    }

    @Test
    void suffixesSortAsNumbers() throws Exception {
        Instant second = Instant.parse("2026-11-24T06:00:00Z");
        for (int i = 0; i < 12; i++) {
            repository.allocate(second);
        }
        List<BackupId> ids = repository.list();
        assertEquals(new BackupId("backup_20261124_060000_2"), ids.get(2));
        assertEquals(new BackupId("backup_20261124_060000_11"), ids.get(11));
        assertEquals(second, ids.get(11).startedAt());
    }

    @Test
    void deleteRemovesEverythingAndIsIdempotent() throws Exception {
        BackupId id = repository.allocate(Instant.now());
        try (Repository.ArtifactStream out = repository.createArtifact(id, "uploads/uploads.tar")) {
            out.write(1);
        }
        repository.writeManifest(id, "{}".getBytes(StandardCharsets.UTF_8));
        repository.delete(id);
        repository.delete(id);
        assertFalse(repository.list().contains(id));
        assertEquals(Optional.empty(), repository.readManifest(id));
    }

    @Test
    void progressMarkerCanBeWrittenReadAndRemoved() throws Exception {
        BackupId id = repository.allocate(Instant.now());
        repository.writeProgressMarker(id, "{\"pid\":1}".getBytes(StandardCharsets.UTF_8));
        assertArrayEquals("{\"pid\":1}".getBytes(StandardCharsets.UTF_8), repository.readProgressMarker(id).orElseThrow());
        repository.removeProgressMarker(id);
        assertEquals(Optional.empty(), repository.readProgressMarker(id));
    }

    @Test
    void unsafePathsAreRefused() throws Exception {
        BackupId id = repository.allocate(Instant.now());
        assertThrows(UsageError.class, () -> repository.createArtifact(id, "../../etc/passwd"));
        assertThrows(UsageError.class, () -> repository.createArtifact(id, "/etc/passwd"));
        assertThrows(UsageError.class, () -> repository.openArtifact(id, "a/../../x"));
    }

    @Test
    void backupIdsThatAreNotIdsAreRefused() {
        assertThrows(UsageError.class, () -> new BackupId("../../etc"));
        assertThrows(UsageError.class, () -> new BackupId("backup_2026_x"));
        assertThrows(UsageError.class, () -> new BackupId("backup_20261124_030000/.."));
    }
}
