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

/** cleanup removes expired backups, says why, and never the newest completed full backup. */
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
            Cli.Result create = Cli.run("--config", config.toString(), "create", "--components", "config",
                    "--retention-days", "3", "--output", "json");
            assertEquals(0, create.exitCode(), create.toString());
            ids.add(ManifestCodec.JSON.readValue(create.stdout(), Manifest.class).backupId());
        }
        // All three expire: their expiry is rewritten into the past.
        for (String id : List.of(ids.get(0), ids.get(1), ids.get(2))) {
            Path manifest = folder(id).resolve("manifest.json");
            Files.writeString(manifest, Files.readString(manifest)
                    .replaceFirst("\"expires_at\" : \"[^\"]+\"", "\"expires_at\" : \"2020-01-01T00:00:00Z\""));
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
                + "the newest completed full backup"), dryRun.stdout());
        ids.forEach(id -> assertTrue(Files.exists(folder(id))));
    }

    @Test
    void cleanupRemovesExpiredBackupsButNeverTheNewestFull() {
        assertEquals(2, Cli.run("--config", config.toString(), "cleanup").exitCode(), "no terminal, no --yes");
        ids.forEach(id -> assertTrue(Files.exists(folder(id))));

        Cli.Result cleanup = Cli.run("--config", config.toString(), "cleanup", "--yes");
        assertEquals(0, cleanup.exitCode(), cleanup.toString());
        assertFalse(Files.exists(folder(ids.get(0))));
        assertFalse(Files.exists(folder(ids.get(1))));
        assertTrue(Files.exists(folder(ids.get(2))), "the newest completed full backup stays");
        assertEquals(0, TestStack.shared().postgres().queryLong("backup_catalog", "SELECT count(*) FROM backup WHERE "
                + "backup_id IN ('" + ids.get(0) + "', '" + ids.get(1) + "') AND repository = '"
                + work.resolve("repo").toAbsolutePath().normalize() + "'"));
    }
}
