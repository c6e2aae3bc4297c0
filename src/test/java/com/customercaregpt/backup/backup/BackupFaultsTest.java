package com.customercaregpt.backup.backup;

import com.customercaregpt.backup.demo.DemoStack;
import com.customercaregpt.backup.fixtures.Cli;
import com.customercaregpt.backup.fixtures.TestStack;
import com.customercaregpt.backup.repository.Manifest;
import com.customercaregpt.backup.repository.ManifestCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input changes nothing and says so in one line; a broken system fails only its own component. */
class BackupFaultsTest {

    private Path work;
    private Path repository;
    private DemoStack stack;

    @BeforeEach
    void setUp() throws IOException {
        stack = TestStack.shared();
        work = Files.createTempDirectory("faults-test-");
        repository = work.resolve("repo");
    }

    @AfterEach
    void tearDown() {
        TestStack.deleteTree(work);
    }

    private Path config(Map<String, String> overrides) throws IOException {
        Map<String, String> values = new HashMap<>(stack.settings(repository));
        values.putAll(overrides);
        Properties properties = new Properties();
        properties.putAll(values);
        Path file = TestStack.store(properties, work.resolve("test-" + System.nanoTime() + ".properties"));
        return file;
    }

    private List<Path> backupFolders() throws IOException {
        Path backups = repository.resolve("backups");
        if (!Files.isDirectory(backups)) {
            return List.of();
        }
        try (var list = Files.list(backups)) {
            return list.toList();
        }
    }

    private static void assertOneLineError(Cli.Result result, int exitCode, String... fragments) {
        assertEquals(exitCode, result.exitCode(), result.toString());
        String errorLine = result.stderr().lines().filter(l -> l.startsWith("backup-manager: error: "))
                .findFirst().orElseThrow(() -> new AssertionError("no error line in " + result));
        for (String fragment : fragments) {
            assertTrue(errorLine.contains(fragment), errorLine + " lacks " + fragment);
        }
    }

    @Test
    void unknownComponentIsAUsageErrorAndCreatesNothing() throws IOException {
        Cli.Result result = Cli.run("--config", config(Map.of()).toString(), "create", "--components", "database", "mongodb");
        assertOneLineError(result, 2, "unknown component 'mongodb'", "database, redis, chromadb, uploads, config");
        assertEquals(List.of(), backupFolders());
    }

    @Test
    void unknownTypeIsAUsageError() throws IOException {
        Cli.Result result = Cli.run("--config", config(Map.of()).toString(), "create", "--type", "weekly");
        assertOneLineError(result, 2, "unknown backup type 'weekly'");
        assertEquals(List.of(), backupFolders());
    }

    @Test
    void aPathInsteadOfABackupIdIsRefusedBeforeAnythingIsRead() throws IOException {
        Path config = config(Map.of());
        assertOneLineError(Cli.run("--config", config.toString(), "show", "../../etc"), 2, "not a backup id", "../../etc");
        assertOneLineError(Cli.run("--config", config.toString(), "delete", "--force", "../../etc/passwd"), 2,
                "not a backup id");
        assertOneLineError(Cli.run("--config", config.toString(), "show", "backup_20200101_000000"), 1,
                "no backup backup_20200101_000000");
    }

    @Test
    void badSettingsAreUsageErrors() throws IOException {
        assertOneLineError(Cli.run("--config", work.resolve("missing.properties").toString(), "list"), 2,
                "config file not found");
        assertOneLineError(Cli.run("--config", config(Map.of("backup.compression", "lz4")).toString(), "list"), 2,
                "backup.compression must be zstd, gzip or none");
        assertOneLineError(Cli.run("--config", config(Map.of()).toString(), "list", "--output", "xml"), 2,
                "--output must be table or json");
    }

    @Test
    void anUnreachableServerFailsOnlyItsComponentAndRaisesAnAlert() throws Exception {
        Cli.Result result = Cli.run("--config", config(Map.of("backup.redis.port", "1")).toString(), "create",
                "--components", "redis", "uploads", "config", "--output", "json");
        assertEquals(1, result.exitCode(), result.toString());
        Manifest manifest = ManifestCodec.JSON.readValue(result.stdout(), Manifest.class);
        assertEquals(Manifest.PARTIAL, manifest.status());
        Manifest.ComponentRecord redis = manifest.components().get(0);
        assertEquals(Manifest.FAILED, redis.status());
        assertTrue(redis.error().startsWith("redis: connect: cannot reach Redis at 127.0.0.1:1"), redis.error());
        assertEquals(Manifest.COMPLETED, manifest.components().get(1).status());
        assertEquals(Manifest.COMPLETED, manifest.components().get(2).status());
        assertTrue(result.stderr().contains("ALERT backup " + manifest.backupId() + " is partial: redis: connect"),
                result.stderr());
        Path onDisk = repository.resolve("backups").resolve(manifest.backupId()).resolve("manifest.json");
        assertTrue(Files.readString(onDisk).contains("cannot reach Redis"), "the manifest records the error");
    }

    @Test
    void aMissingUploadsFolderFailsTheComponentNamingTheFolder() throws Exception {
        Path missing = work.resolve("no-such-uploads");
        Cli.Result result = Cli.run("--config", config(Map.of("backup.uploads.path", missing.toString())).toString(),
                "create", "--components", "uploads", "--output", "json");
        assertEquals(1, result.exitCode(), result.toString());
        Manifest manifest = ManifestCodec.JSON.readValue(result.stdout(), Manifest.class);
        assertEquals(Manifest.FAILED, manifest.status());
        assertEquals("uploads: tar: folder not found: " + missing, manifest.components().get(0).error());
        assertEquals(List.of(), manifest.components().get(0).artifacts());
        try (var files = Files.walk(repository.resolve("backups").resolve(manifest.backupId()))) {
            assertTrue(files.noneMatch(p -> p.toString().endsWith(".part")), "no partial artifact left");
        }
    }

    @Test
    void withTheCatalogDownBackupAndListStillWorkWithAWarning() throws Exception {
        Path config = config(Map.of("backup.catalog.url", "jdbc:postgresql://127.0.0.1:1/backup_catalog"));
        Cli.Result create = Cli.run("--config", config.toString(), "create", "--components", "config");
        assertEquals(0, create.exitCode(), create.toString());
        assertTrue(create.stderr().contains("Catalog not updated"), create.stderr());
        Cli.Result list = Cli.run("--config", config.toString(), "list", "--status", "completed");
        assertEquals(0, list.exitCode(), list.toString());
        assertEquals(2, list.stdout().lines().count(), list.stdout());
    }

    @Test
    void deleteNeedsConfirmationOrForceAndRemovesFromRepositoryAndCatalog() throws Exception {
        Path config = config(Map.of());
        Cli.Result create = Cli.run("--config", config.toString(), "create", "--components", "config", "--output", "json");
        String id = ManifestCodec.JSON.readValue(create.stdout(), Manifest.class).backupId();

        assertOneLineError(Cli.run("--config", config.toString(), "delete", id), 2, "add --force");
        assertTrue(Files.exists(repository.resolve("backups").resolve(id).resolve("manifest.json")));

        Cli.Result delete = Cli.run("--config", config.toString(), "delete", id, "--force");
        assertEquals(0, delete.exitCode(), delete.toString());
        assertFalse(Files.exists(repository.resolve("backups").resolve(id)));
        assertEquals(0, stack.postgres().queryLong(DemoStack.CATALOG_DATABASE,
                "SELECT count(*) FROM backup WHERE backup_id = '" + id + "' AND repository = '" + repository + "'"));
        assertOneLineError(Cli.run("--config", config.toString(), "delete", id, "--force"), 1, "no backup " + id);
    }

    @Test
    void aBackupBeingWrittenIsListedAsRunningAndCannotBeDeleted() throws Exception {
        Path folder = Files.createDirectories(repository.resolve("backups/backup_20260101_000000"));
        String marker = "{\"backup_id\":\"backup_20260101_000000\",\"host\":\"" + ProgressMarkers.hostName()
                + "\",\"pid\":" + ProcessHandle.current().pid() + ",\"started_at\":\"2026-01-01T00:00:00Z\","
                + "\"heartbeat_at\":\"" + java.time.Instant.now() + "\"}";
        Files.writeString(folder.resolve("in-progress.json"), marker);
        Path config = config(Map.of());

        Cli.Result list = Cli.run("--config", config.toString(), "list");
        assertTrue(list.stdout().lines().anyMatch(l -> l.startsWith("backup_20260101_000000") && l.contains("running")),
                list.stdout());
        assertOneLineError(Cli.run("--config", config.toString(), "delete", "--force", "backup_20260101_000000"), 2,
                "still being written");
        assertTrue(Files.exists(folder));
        Cli.Result next = Cli.run("--config", config.toString(), "create", "--components", "config");
        assertEquals(0, next.exitCode(), next.toString());
        assertTrue(Files.exists(folder), "a running backup is never cleaned up by another");
    }
}
