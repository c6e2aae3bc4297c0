package com.customercaregpt.backup.restore;

import com.customercaregpt.backup.fixtures.Cli;
import com.customercaregpt.backup.fixtures.TestStack;
import com.customercaregpt.backup.repository.ManifestCodec;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** cleanup --pre-restore judges each kept item on its own, and a dry run decides as the real run does. */
class PreRestoreCleanupTest {

    private static final String LABEL = "20261206_041500";

    private Path work;
    private Path config;
    private Path area;

    @BeforeEach
    void setUp() throws Exception {
        work = Files.createTempDirectory("pre-restore-cleanup-test-");
        Properties properties = new Properties();
        properties.putAll(TestStack.shared().settings(work.resolve("repo")));
        config = TestStack.store(properties, work.resolve("cleanup.properties"));
        area = Files.createDirectories(work.resolve("repo/pre-restore").resolve(LABEL));
    }

    @AfterEach
    void tearDown() {
        TestStack.deleteTree(work);
    }

    private void keep(Path... items) throws Exception {
        Files.write(area.resolve("kept.json"), ManifestCodec.JSON.writeValueAsBytes(Map.of(
                "backup_id", "backup_20261206_030000", "restored_components", List.of("uploads", "redis"),
                "kept", List.of(items).stream().map(Path::toString).toList())));
    }

    private Cli.Result cli(String... args) {
        List<String> all = new ArrayList<>(List.of("--config", config.toString(), "cleanup", "--pre-restore"));
        all.addAll(List.of(args));
        return Cli.run(all.toArray(String[]::new));
    }

    private static void assertOneErrorNaming(Cli.Result result, Path bad) {
        List<String> errors = result.stderr().lines().filter(l -> l.contains("error:")).toList();
        assertEquals(1, errors.size(), result.toString());
        assertTrue(errors.get(0).contains("refusing to remove " + bad), errors.get(0));
    }

    @Test
    void aBadEntryIsNamedWhileTheOthersAreRemovedExactlyAsTheDryRunSaid() throws Exception {
        Path keptFolder = Files.createDirectories(work.resolve("uploads.pre-restore-" + LABEL));
        Files.writeString(keptFolder.resolve("old.txt"), "replaced by the restore");
        Path notKept = Files.createDirectories(work.resolve("precious"));
        Files.writeString(notKept.resolve("data.txt"), "never kept by a restore");
        Path savedRedis = Files.writeString(area.resolve("redis-dump.rdb"), "REDIS0011");
        keep(keptFolder, notKept, savedRedis);

        Cli.Result dryRun = cli("--dry-run");
        assertEquals(1, dryRun.exitCode(), dryRun.toString());
        assertOneErrorNaming(dryRun, notKept);
        assertTrue(dryRun.stdout().contains("would remove " + keptFolder), dryRun.stdout());
        assertTrue(dryRun.stdout().contains("would remove " + savedRedis), dryRun.stdout());
        assertTrue(Files.exists(keptFolder.resolve("old.txt")) && Files.exists(savedRedis), "a dry run removes nothing");

        Cli.Result real = cli("--yes");
        assertEquals(1, real.exitCode(), real.toString());
        assertOneErrorNaming(real, notKept);
        assertTrue(real.stdout().contains("removed " + keptFolder), real.stdout());
        assertFalse(Files.exists(keptFolder), "the good entries went as the dry run said");
        assertFalse(Files.exists(savedRedis));
        assertEquals("never kept by a restore", Files.readString(notKept.resolve("data.txt")));
        JsonNode left = ManifestCodec.JSON.readTree(area.resolve("kept.json").toFile());
        assertEquals(List.of(notKept.toString()), ManifestCodec.JSON.convertValue(left.path("kept"), List.class),
                "only the refused entry stays listed");
    }

    @Test
    void anItemRemovedByHandIsReportedGoneAndDroppedFromTheList() throws Exception {
        Path keptFolder = Files.createDirectories(work.resolve("uploads.pre-restore-" + LABEL));
        Path removedByHand = work.resolve("chroma.pre-restore-" + LABEL);
        keep(keptFolder, removedByHand);

        Cli.Result dryRun = cli("--dry-run");
        assertEquals(0, dryRun.exitCode(), dryRun.toString());
        assertTrue(dryRun.stdout().contains("would remove " + keptFolder), dryRun.stdout());
        assertFalse(dryRun.stdout().contains("would remove " + removedByHand), dryRun.stdout());
        assertTrue(dryRun.stdout().contains("gone (dropped from kept.json by a real run) " + removedByHand), dryRun.stdout());
        assertTrue(Files.exists(area.resolve("kept.json")));

        Cli.Result real = cli("--yes");
        assertEquals(0, real.exitCode(), real.toString());
        assertTrue(real.stdout().contains("gone (dropped from kept.json) " + removedByHand), real.stdout());
        assertFalse(Files.exists(keptFolder));
        assertFalse(Files.exists(area), "nothing is left to list: kept.json and its folder went");
    }
}
