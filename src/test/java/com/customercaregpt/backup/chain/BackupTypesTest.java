package com.customercaregpt.backup.chain;

import com.customercaregpt.backup.fixtures.Cli;
import com.customercaregpt.backup.fixtures.TestStack;
import com.customercaregpt.backup.repository.Manifest;
import com.customercaregpt.backup.repository.ManifestCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `create --type incremental|differential`: which backup each builds on, and what a component without an incremental form records. */
class BackupTypesTest {

    @TempDir
    Path work;

    private Path config;

    private Cli.Result cli(String... args) {
        return Cli.withConfig(config, args);
    }

    private Manifest create(String type, String... components) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("create", "--type", type, "--output", "json", "--components"));
        args.addAll(List.of(components));
        Cli.Result result = cli(args.toArray(String[]::new));
        assertEquals(0, result.exitCode(), result.toString());
        return ManifestCodec.JSON.readValue(result.stdout(), Manifest.class);
    }

    private static Map<String, Object> facts(Manifest manifest, String component) {
        return manifest.components().stream().filter(c -> c.name().equals(component)).findFirst().orElseThrow().facts();
    }

    @Test
    void anIncrementalWithNoBackupToBuildOnIsRefusedInOneLineAndLeavesNothing() throws Exception {
        Path repository = work.resolve("repo");
        config = TestStack.shared().writeProperties(work.resolve("stack.properties"), repository);
        for (String type : List.of("incremental", "differential")) {
            Cli.Result result = cli("create", "--type", type, "--components", "config");
            assertEquals(2, result.exitCode(), result.toString());
            List<String> lines = result.stderr().lines().toList();
            assertEquals(1, lines.size(), result.toString());
            assertTrue(lines.get(0).contains("backup holds config to build a")
                    && lines.get(0).contains("run `create --type full` first"), lines.get(0));
        }
        Path backups = repository.resolve("backups");
        assertTrue(!Files.exists(backups) || Files.list(backups).findAny().isEmpty(), "no backup folder is left");
    }

    @Test
    void anIncrementalBuildsOnTheNewestCompletedBackupAndADifferentialOnTheNewestFull() throws Exception {
        config = TestStack.shared().writeProperties(work.resolve("stack.properties"), work.resolve("repo"));
        Manifest full = create("full", "database", "config");
        Manifest first = create("incremental", "database", "config");
        Manifest second = create("incremental", "config");
        Manifest differential = create("differential", "config");
        Manifest afterDifferential = create("incremental", "config");

        assertNull(full.dependsOn());
        // a version-2 reader would restore an incremental's changes alone: it must refuse them
        assertEquals(Manifest.FORMAT_VERSION, first.formatVersion());
        assertEquals("incremental", first.type());
        assertEquals(full.backupId(), first.dependsOn());
        assertEquals(first.backupId(), second.dependsOn(), "the newest completed backup holding the components");
        assertEquals(full.backupId(), differential.dependsOn(), "a differential skips the incrementals");
        assertEquals(differential.backupId(), afterDifferential.dependsOn());
        assertFalse(facts(full, "database").containsKey("incremental"), "a full records no incremental fact");

        // Without WAL archiving the database part of an incremental is a whole logical dump, said so.
        Map<String, Object> database = facts(first, "database");
        assertEquals(false, database.get("incremental"));
        assertTrue(String.valueOf(database.get("reason")).contains("full logical dump"), database.toString());
        assertTrue(first.components().get(0).artifacts().stream().anyMatch(a -> a.path().startsWith("database/")));

        // The stored manifest records the parent too (the repository is the truth).
        Manifest stored = ManifestCodec.JSON.readValue(work.resolve("repo/backups").resolve(second.backupId())
                .resolve("manifest.json").toFile(), Manifest.class);
        assertEquals(first.backupId(), stored.dependsOn());
    }

    @Test
    void anIncrementalOfComponentsTheNewestBackupLacksBuildsOnAnOlderOneHoldingThemAll() throws Exception {
        config = TestStack.shared().writeProperties(work.resolve("stack.properties"), work.resolve("repo"));
        Manifest both = create("full", "database", "config");
        create("full", "config");
        Manifest incremental = create("incremental", "database", "config");
        assertEquals(both.backupId(), incremental.dependsOn());
    }
}
