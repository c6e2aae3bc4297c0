package com.customercaregpt.backup.chain;

import com.customercaregpt.backup.fixtures.Cli;
import com.customercaregpt.backup.fixtures.TestStack;
import com.customercaregpt.backup.repository.Manifest;
import com.customercaregpt.backup.repository.ManifestCodec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Retention and delete never break a chain: what a kept backup restores on top of stays, and deleting it is refused. */
class ChainRetentionTest {

    @TempDir
    Path work;

    private Path config;
    private Path backups;

    @BeforeEach
    void repository() throws Exception {
        Properties properties = new Properties();
        properties.putAll(TestStack.shared().settings(work.resolve("repo")));
        properties.put("backup.retention.incremental-days", "3");
        config = TestStack.store(properties, work.resolve("chain.properties"));
        backups = work.resolve("repo/backups");
    }

    private Manifest create(String type) throws Exception {
        Cli.Result result = Cli.withConfig(config, "create", "--type", type, "--components", "config", "uploads",
                "--output", "json");
        assertEquals(0, result.exitCode(), result.toString());
        return ManifestCodec.JSON.readValue(result.stdout(), Manifest.class);
    }

    private void expire(String id) throws Exception {
        Path manifest = backups.resolve(id).resolve("manifest.json");
        Files.writeString(manifest, Files.readString(manifest)
                .replaceFirst("\"expires_at\" : \"[^\"]+\"", "\"expires_at\" : \"2020-01-01T00:00:00Z\""));
    }

    private long catalogRows(String id) {
        return TestStack.shared().postgres().queryLong("backup_catalog", "SELECT count(*) FROM backup WHERE backup_id = '"
                + id + "' AND repository = '" + work.resolve("repo").toAbsolutePath().normalize() + "'");
    }

    @Test
    void anExpiredChainStaysWhileTheIncrementalOnItIsKeptAndStillRestores() throws Exception {
        Manifest full = create("full");
        Manifest first = create("incremental");
        Manifest second = create("incremental");
        assertEquals(3, second.retentionDays(), "backup.retention.incremental-days");
        expire(full.backupId());
        expire(first.backupId());

        Cli.Result dryRun = Cli.withConfig(config, "cleanup", "--dry-run");
        assertEquals(0, dryRun.exitCode(), dryRun.toString());
        for (Manifest kept : List.of(full, first)) {
            assertTrue(dryRun.stdout().contains("keep " + kept.backupId() + ": expired on 2020-01-01T00:00:00Z but kept: "
                    + second.backupId() + " (incremental, kept until "), dryRun.stdout());
        }
        Cli.Result cleanup = Cli.withConfig(config, "cleanup", "--yes");
        assertEquals(0, cleanup.exitCode(), cleanup.toString());
        for (Manifest kept : List.of(full, first, second)) {
            assertTrue(Files.exists(backups.resolve(kept.backupId()).resolve("manifest.json")), kept.backupId());
        }
        Cli.Result restore = Cli.withConfig(config, "restore", second.backupId(), "--components", "uploads",
                "--target-dir", work.resolve("isolated").toString(), "--yes");
        assertEquals(0, restore.exitCode(), restore.toString());

        // once the incremental expires too (and is not the newest backup), the whole chain goes
        create("full");
        expire(second.backupId());
        Cli.Result again = Cli.withConfig(config, "cleanup", "--yes");
        assertEquals(0, again.exitCode(), again.toString());
        for (Manifest gone : List.of(full, first, second)) {
            assertFalse(Files.exists(backups.resolve(gone.backupId())), gone.backupId());
        }
    }

    @Test
    void deletingABackupOthersDependOnIsRefusedNamingThemUnlessWithDependents() throws Exception {
        Manifest full = create("full");
        Manifest first = create("incremental");
        Manifest second = create("incremental");
        Manifest differential = create("differential");

        Cli.Result refused = Cli.withConfig(config, "delete", first.backupId(), "--force");
        assertEquals(2, refused.exitCode(), refused.toString());
        List<String> errors = refused.stderr().lines().filter(l -> l.startsWith("backup-manager: error: ")).toList();
        assertEquals(1, errors.size(), refused.toString());
        assertTrue(errors.get(0).contains("refusing to delete " + first.backupId() + ": " + second.backupId()
                + " depends on it"), errors.get(0));
        assertTrue(Files.exists(backups.resolve(first.backupId()).resolve("manifest.json")));

        Cli.Result all = Cli.withConfig(config, "delete", full.backupId(), "--force", "--with-dependents");
        assertEquals(0, all.exitCode(), all.toString());
        for (Manifest gone : List.of(full, first, second, differential)) {
            assertFalse(Files.exists(backups.resolve(gone.backupId())), gone.backupId());
            assertEquals(0, catalogRows(gone.backupId()), "catalog row of " + gone.backupId());
        }
    }
}
