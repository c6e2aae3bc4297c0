package com.customercaregpt.backup.repository;

import com.customercaregpt.backup.backup.UsageError;
import com.customercaregpt.backup.repository.store.SharedLock;
import com.customercaregpt.backup.repository.store.Store;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
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

/**
 * The conformance suite: the contract of {@link Store} and of the repository rules on top of it.
 * Each backend's test extends this and supplies a fresh, empty store.
 */
public abstract class RepositoryContractTest {

    protected Store store;
    protected Repository repository;

    protected abstract Store newStore() throws Exception;

    @BeforeEach
    void open() throws Exception {
        store = newStore();
        repository = new StoreRepository(store);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void aRangeReadGivesThoseBytesAndStopsAtTheEnd() throws Exception {
        byte[] content = "0123456789".getBytes(StandardCharsets.UTF_8);
        store.save("backups/range/object.bin", content);
        try (InputStream middle = store.openRange("backups/range/object.bin", 3, 4);
             InputStream tail = store.openRange("backups/range/object.bin", 8, 100)) {
            assertEquals("3456", new String(middle.readAllBytes(), StandardCharsets.UTF_8));
            assertEquals("89", new String(tail.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void aMissingObjectIsNotFoundEverywhereAndRemovingItIsFine() throws Exception {
        String missing = "backups/none/missing.bin";
        NoSuchFileException open = assertThrows(NoSuchFileException.class, () -> store.open(missing).close());
        assertTrue(open.getMessage().contains(missing), open.getMessage());
        assertThrows(NoSuchFileException.class, () -> store.openRange(missing, 0, 1).close());
        assertEquals(Optional.empty(), store.read(missing));
        assertEquals(Optional.empty(), store.stat(missing));
        store.remove(missing);
        store.removeFolder("backups/none/");
    }

    @Test
    void statGivesTheSizeAndTheChecksumRecordedWithTheObject() throws Exception {
        try (Repository.ArtifactStream out = store.create("backups/stat/a.bin", "ab".repeat(32))) {
            out.write(new byte[1234]);
        }
        Store.Stat stat = store.stat("backups/stat/a.bin").orElseThrow();
        assertEquals(1234, stat.sizeBytes());
        assertTrue(stat.sha256() == null || stat.sha256().equals("ab".repeat(32)), stat.sha256());
    }

    @Test
    void keysAreListedSortedUpToTheLimitAndFoldersByName() throws Exception {
        for (String key : List.of("backups/f/b/2.bin", "backups/f/a.bin", "backups/f/b/1.bin", "backups/g/x.bin")) {
            store.save(key, new byte[] {1});
        }
        assertEquals(List.of("backups/f/a.bin", "backups/f/b/1.bin", "backups/f/b/2.bin"), store.keys("backups/f/", 10));
        assertEquals(List.of("backups/f/a.bin"), store.keys("backups/f/", 1));
        assertEquals(Set.of("f", "g"), Set.copyOf(store.folders("backups/", "")));
        assertEquals(List.of("g"), store.folders("backups/", "g"));
    }

    @Test
    void aFolderIsReservedOnceAndRemovedWithEverythingInIt() throws Exception {
        assertTrue(store.reserveFolder("backups/place/"));
        assertFalse(store.reserveFolder("backups/place/"));
        store.save("backups/place/deep/object.bin", new byte[] {1});
        store.removeFolder("backups/place/");
        assertEquals(List.of(), store.keys("backups/place/", 10));
        assertEquals(List.of(), store.folders("backups/", "place"));
        assertTrue(store.reserveFolder("backups/place/"), "free again once removed");
    }

    @Test
    void theLockHasOneHolderAtATimeAndNamesItToTheOthers() throws Exception {
        String[] holder = new String[1];
        Optional<? extends AutoCloseable> first = repository.lock(Duration.ofMinutes(2)).tryAcquire("backup", holder);
        assertTrue(first.isPresent());
        SharedLock other = repository.lock(Duration.ofMinutes(2));
        assertEquals(Optional.empty(), other.tryAcquire("cleanup", holder));
        assertTrue(holder[0].startsWith("backup on " + Owners.hostName()), holder[0]);
        first.get().close();
        Optional<? extends AutoCloseable> second = other.tryAcquire("cleanup", holder);
        assertTrue(second.isPresent(), "free once released");
        second.get().close();
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
    void anArtifactBeingWrittenIsNotListed() throws Exception {
        BackupId id = repository.allocate(Instant.now());
        Repository.ArtifactStream out = repository.createArtifact(id, "wal/segment.zst");
        out.write("half".getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of(), store.keys("", 1000).stream().filter(k -> k.contains("segment")).toList());
        out.close();
        assertEquals(1, store.keys("", 1000).stream().filter(k -> k.contains("segment")).count());
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
