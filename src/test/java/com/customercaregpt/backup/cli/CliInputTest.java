package com.customercaregpt.backup.cli;

import com.customercaregpt.backup.fixtures.Cli;
import com.customercaregpt.backup.fixtures.TestStack;
import com.customercaregpt.backup.repository.ManifestCodec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Command-line input that used to be ignored or bent: refused in one line, or resolved and said. */
class CliInputTest {

    private static Path work;
    private static String config;

    @BeforeAll
    static void setUp() throws Exception {
        work = Files.createTempDirectory("cli-input-test-");
        Properties properties = new Properties();
        properties.putAll(TestStack.shared().settings(work.resolve("repo")));
        config = TestStack.store(properties, work.resolve("cli.properties")).toString();
    }

    @AfterAll
    static void tearDown() {
        TestStack.deleteTree(work);
    }

    private static void assertOneLineError(Cli.Result result, int exit, String expected) {
        assertEquals(exit, result.exitCode(), result.toString());
        assertEquals(1, result.stderr().lines().count(), result.toString());
        assertTrue(result.stderr().startsWith("backup-manager: error: ") && result.stderr().contains(expected),
                result.toString());
    }

    @Test
    void aListLimitBelowOneIsBadUsage() {
        for (String limit : new String[]{"0", "-5"}) {
            assertOneLineError(Cli.run("--config", config, "list", "--limit", limit), 2, "--limit must be at least 1, got " + limit);
        }
        assertEquals(0, Cli.run("--config", config, "list", "--limit", "1").exitCode());
    }

    @Test
    void replicateWithoutS3FailsAtOnceInOneLineWithoutAnAlert() {
        Cli.Result result = Cli.run("--config", config, "replicate");
        assertOneLineError(result, 1, "S3 is not enabled");
        assertFalse(result.stderr().contains("ALERT"), result.toString());
    }

    @Test
    void aRelativeTargetDirIsResolvedAgainstTheCurrentDirectoryAndPrinted() throws Exception {
        Cli.Result created = Cli.run("--config", config, "create", "--components", "config", "--output", "json");
        assertEquals(0, created.exitCode(), created.toString());
        String backupId = ManifestCodec.JSON.readTree(created.stdout()).get("backup_id").asText();
        String relative = "restore-target-" + System.nanoTime() + "/../restore-target";
        Path resolved = Path.of(relative).toAbsolutePath().normalize();
        Cli.Result plan = Cli.run("--config", config, "restore", backupId, "--components", "config",
                "--target-dir", relative, "--dry-run");
        assertEquals(0, plan.exitCode(), plan.toString());
        assertTrue(plan.stderr().contains("--target-dir is " + resolved), plan.toString());
        assertTrue(plan.stdout().contains("write " + resolved.resolve("config")), "the plan names the absolute path: " + plan);
        assertFalse(Files.exists(resolved), "a dry run writes nothing");
    }
}
