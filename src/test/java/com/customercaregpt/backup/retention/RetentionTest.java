package com.customercaregpt.backup.retention;

import com.customercaregpt.backup.fixtures.Cli;
import com.customercaregpt.backup.fixtures.TestStack;
import com.customercaregpt.backup.repository.Manifest;
import com.customercaregpt.backup.repository.ManifestCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** cleanup removes expired backups, says why, and never the newest backup of any component. */
class RetentionTest {

    private Path work;
    private Path config;
    private final List<String> ids = new ArrayList<>();

    @BeforeEach
    void threeExpiredBackups() throws Exception {
        work = Files.createTempDirectory("retention-test-");
        Properties properties = new Properties();
        properties.putAll(TestStack.shared().settings(work.resolve("repo")));
        config = TestStack.store(properties, work.resolve("retention.properties"));
        for (int i = 0; i < 3; i++) {
            ids.add(create("config"));
        }
        // All three expire: their expiry is rewritten into the past.
        for (String id : ids) {
            expire(id);
        }
    }

    @AfterEach
    void tearDown() {
        TestStack.deleteTree(work);
    }

    private Path folder(String id) {
        return work.resolve("repo/backups").resolve(id);
    }

    @Test
    void aDryRunListsWhatWouldGoAndWhyAndRemovesNothing() {
        Cli.Result dryRun = Cli.run("--config", config.toString(), "cleanup", "--dry-run");
        assertEquals(0, dryRun.exitCode(), dryRun.toString());
        assertTrue(dryRun.stdout().contains("would remove " + ids.get(0) + ": expired on 2020-01-01"), dryRun.stdout());
        assertTrue(dryRun.stdout().contains("keep " + ids.get(2) + ": expired on 2020-01-01T00:00:00Z but kept: "
                + "the newest backup of config"), dryRun.stdout());
        ids.forEach(id -> assertTrue(Files.exists(folder(id))));
    }

    @Test
    void cleanupRemovesExpiredBackupsButNeverTheNewestOfAComponent() {
        assertEquals(2, Cli.run("--config", config.toString(), "cleanup").exitCode(), "no terminal, no --yes");
        ids.forEach(id -> assertTrue(Files.exists(folder(id))));

        Cli.Result cleanup = Cli.run("--config", config.toString(), "cleanup", "--yes");
        assertEquals(0, cleanup.exitCode(), cleanup.toString());
        assertFalse(Files.exists(folder(ids.get(0))));
        assertFalse(Files.exists(folder(ids.get(1))));
        assertTrue(Files.exists(folder(ids.get(2))), "the newest backup of config stays");
        assertEquals(0, TestStack.shared().postgres().queryLong("backup_catalog", "SELECT count(*) FROM backup WHERE "
                + "backup_id IN ('" + ids.get(0) + "', '" + ids.get(1) + "') AND repository = '"
                + work.resolve("repo").toAbsolutePath().normalize() + "'"));
    }

    @Test
    void aBackupThatAKeptIncrementalDependsOnIsKeptWithItsWholeChain() throws Exception {
        // A chain full <- differential <- incremental, as their manifests record it (depends_on):
        // ids 0 and 1 expired, the incremental made now and kept for 3 days.
        String incremental = create("config");
        dependsOn(ids.get(1), "differential", ids.get(0));
        dependsOn(incremental, "incremental", ids.get(1));

        Cli.Result dryRun = Cli.run("--config", config.toString(), "cleanup", "--dry-run");
        assertEquals(0, dryRun.exitCode(), dryRun.toString());
        for (String base : List.of(ids.get(0), ids.get(1))) {
            assertTrue(dryRun.stdout().contains("keep " + base + ": expired on 2020-01-01T00:00:00Z but kept: "
                    + incremental + " (incremental, kept until "), dryRun.stdout());
        }
        Cli.Result cleanup = Cli.run("--config", config.toString(), "cleanup", "--yes");
        assertEquals(0, cleanup.exitCode(), cleanup.toString());
        for (String id : List.of(ids.get(0), ids.get(1), incremental)) {
            assertTrue(Files.exists(folder(id)), id + " stays");
        }
        assertFalse(Files.exists(folder(ids.get(2))), "expired, and no kept backup needs it");

        // Expired, the incremental is still the newest backup of config: it stays with its chain.
        expire(incremental);
        Cli.Result why = Cli.run("--config", config.toString(), "cleanup", "--dry-run");
        assertTrue(why.stdout().contains("keep " + ids.get(0) + ": expired on 2020-01-01T00:00:00Z but kept: " + incremental
                + " (incremental, the newest backup of config) depends on it"), why.stdout());
        Cli.Result expired = Cli.run("--config", config.toString(), "cleanup", "--yes");
        assertEquals(0, expired.exitCode(), expired.toString());
        for (String id : List.of(ids.get(0), ids.get(1), incremental)) {
            assertTrue(Files.exists(folder(id)), id + " stays");
        }

        // Once a newer backup of config exists, the whole expired chain goes.
        String newer = create("config");
        Cli.Result later = Cli.run("--config", config.toString(), "cleanup", "--yes");
        assertEquals(0, later.exitCode(), later.toString());
        for (String id : List.of(ids.get(0), ids.get(1), incremental)) {
            assertFalse(Files.exists(folder(id)), id + " removed");
        }
        assertTrue(Files.exists(folder(newer)));
    }

    @Test
    void aLaterBackupOfOtherComponentsNeverLetsTheNewestDatabaseBackupGo() throws Exception {
        String database = create("database");
        String configOnly = create("config");
        expire(database);
        expire(configOnly);

        Cli.Result dryRun = Cli.run("--config", config.toString(), "cleanup", "--dry-run");
        assertEquals(0, dryRun.exitCode(), dryRun.toString());
        assertTrue(dryRun.stdout().contains("keep " + database + ": expired on 2020-01-01T00:00:00Z but kept: "
                + "the newest backup of database"), dryRun.stdout());
        assertTrue(dryRun.stdout().contains("keep " + configOnly + ": expired on 2020-01-01T00:00:00Z but kept: "
                + "the newest backup of config"), dryRun.stdout());

        Cli.Result cleanup = Cli.run("--config", config.toString(), "cleanup", "--yes");
        assertEquals(0, cleanup.exitCode(), cleanup.toString());
        assertTrue(Files.exists(folder(database).resolve("manifest.json")), "the only database backup stays");
        assertTrue(Files.exists(folder(configOnly).resolve("manifest.json")));
        for (String older : ids) {
            assertFalse(Files.exists(folder(older)), older + " removed: a newer backup of config exists");
        }
    }

    private String create(String components) throws Exception {
        Cli.Result create = Cli.run("--config", config.toString(), "create", "--components", components,
                "--retention-days", "3", "--output", "json");
        assertEquals(0, create.exitCode(), create.toString());
        return ManifestCodec.JSON.readValue(create.stdout(), Manifest.class).backupId();
    }

    private void dependsOn(String id, String type, String base) throws Exception {
        Path manifest = folder(id).resolve("manifest.json");
        String json = Files.readString(manifest);
        String changed = json.replaceFirst("\"type\" : \"full\",",
                "\"type\" : \"" + type + "\",\n  \"depends_on\" : \"" + base + "\",");
        assertFalse(json.equals(changed), json);
        Files.writeString(manifest, changed);
        assertEquals(base, ManifestCodec.JSON.readValue(changed, Manifest.class).dependsOn());
    }

    private void expire(String id) throws Exception {
        Path manifest = folder(id).resolve("manifest.json");
        Files.writeString(manifest, Files.readString(manifest)
                .replaceFirst("\"expires_at\" : \"[^\"]+\"", "\"expires_at\" : \"2020-01-01T00:00:00Z\""));
    }
}
