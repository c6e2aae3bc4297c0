package com.customercaregpt.backup.cli;

import com.customercaregpt.backup.fixtures.Cli;
import com.customercaregpt.backup.fixtures.TestStack;
import com.customercaregpt.backup.pipeline.crypto.KeyFile;
import com.customercaregpt.backup.repository.LockClaims;
import com.customercaregpt.backup.repository.ManifestCodec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every error of the command line, usage or operational, is exactly one line on stderr with its exit code. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CliErrorsTest {

    private Path work;
    private Path config;
    private Path keyFile;
    private String backupId;

    @BeforeAll
    void oneEncryptedBackup() throws Exception {
        work = Files.createTempDirectory("cli-errors-test-");
        keyFile = work.resolve("backup.key");
        KeyFile.generate(keyFile);
        config = properties("errors.properties", Map.of("backup.encryption.key-file", keyFile.toString(),
                "backup.lock.wait-seconds", "0"));
        Cli.Result create = Cli.run("--config", config.toString(), "create", "--components", "config", "redis",
                "--output", "json");
        assertEquals(0, create.exitCode(), create.toString());
        backupId = ManifestCodec.JSON.readTree(create.stdout()).get("backup_id").asText();
    }

    @AfterAll
    void removeWork() {
        TestStack.deleteTree(work);
    }

    private Path properties(String name, Map<String, String> overrides) {
        Properties properties = new Properties();
        properties.putAll(TestStack.shared().settings(work.resolve("repo")));
        properties.putAll(overrides);
        return TestStack.store(properties, work.resolve(name));
    }

    /** The whole of stderr is the one error line, and the exit code is the one documented. */
    private static void assertOneLine(Cli.Result result, int exitCode, String fragment) {
        assertEquals(exitCode, result.exitCode(), result.toString());
        List<String> lines = result.stderr().lines().toList();
        assertEquals(1, lines.size(), "stderr is one line: " + result);
        assertTrue(lines.get(0).startsWith("backup-manager: error: "), result.toString());
        assertTrue(lines.get(0).contains(fragment), lines.get(0) + " lacks " + fragment);
    }

    @Test
    void usageErrorsAreOneLineAndExitTwo() {
        assertOneLine(Cli.run("--config", config.toString(), "create", "--components", "mongodb"), 2,
                "unknown component 'mongodb'");
        assertOneLine(Cli.run("--config", config.toString(), "create", "--type", "weekly"), 2,
                "unknown backup type 'weekly'");
        assertOneLine(Cli.run("--config", config.toString(), "create", "--retention-days", "0"), 2,
                "retention days must be at least 1");
        assertOneLine(Cli.run("--config", config.toString(), "show", "../../etc/passwd"), 2, "not a backup id");
    }

    @Test
    void aMistypedOptionIsOneLinePointingAtTheHelp() {
        assertOneLine(Cli.run("--config", config.toString(), "create", "--retention", "7"), 2,
                "(see `backup-manager create --help`)");
    }

    @Test
    void anUnknownBackupIsOneLineAndExitsOne() {
        assertOneLine(Cli.run("--config", config.toString(), "show", "backup_20200101_000000"), 1,
                "no backup backup_20200101_000000");
    }

    @Test
    void aLockTimeoutIsOneLineAndExitsOne() throws Exception {
        Path lockFile = work.resolve("repo/lock.json");
        Files.write(lockFile, ManifestCodec.JSON.writeValueAsBytes(LockClaims.newClaim("held-by-test", "backup")));
        try {
            assertOneLine(Cli.run("--config", config.toString(), "create", "--components", "config"), 1,
                    "repository: lock: ");
        } finally {
            Files.delete(lockFile);
        }
    }

    @Test
    void aWrongKeyIsOneLineAndExitsOne() throws Exception {
        Path otherKey = work.resolve("other.key");
        KeyFile.generate(otherKey);
        Path wrong = properties("wrong.properties", Map.of("backup.encryption.key-file", otherKey.toString()));
        assertOneLine(Cli.run("--config", wrong.toString(), "restore", backupId, "--dry-run"), 1,
                KeyFile.load(otherKey).keyId());
    }

    /** Settings whose Redis is down: a port nobody listens on. */
    private Path redisDown() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        return properties("redis-down.properties", Map.of("backup.encryption.key-file", keyFile.toString(),
                "backup.redis.port", String.valueOf(closed), "backup.components", "config,redis"));
    }

    @Test
    void aRestoreWhoseServerIsDownIsOneLineWithoutCamelsReport() throws Exception {
        Cli.Result restore = Cli.withConfig(redisDown(), "restore", backupId, "--components", "redis", "--yes");
        assertOneErrorLineBesideLogs(restore, "redis: connect: cannot reach Redis");
    }

    @Test
    void aRecoveryPlanFailingInAStepIsOneLineWithoutCamelsReport() throws Exception {
        Cli.Result initiate = Cli.withConfig(redisDown(), "disaster-recovery", "initiate", "--plan-id",
                "full_system_recovery", "--backup-id", backupId, "--yes");
        assertOneErrorLineBesideLogs(initiate, "full_system_recovery: step restore: redis: connect: cannot reach Redis");
    }

    /**
     * A command that ran (and logged its progress) fails with one error line, exit 1: every other line
     * on stderr is one of its own log lines, never Camel's message history nor a stack trace.
     */
    private static void assertOneErrorLineBesideLogs(Cli.Result result, String fragment) {
        assertEquals(1, result.exitCode(), result.toString());
        List<String> errors = result.stderr().lines().filter(l -> l.startsWith("backup-manager: error: ")).toList();
        assertEquals(1, errors.size(), result.toString());
        assertTrue(errors.get(0).contains(fragment), errors.get(0) + " lacks " + fragment);
        assertTrue(result.stderr().lines().allMatch(l -> l.startsWith("backup-manager: error: ")
                || LOG_LINE.matcher(l).matches()), "only log lines beside the error: " + result);
        assertTrue(result.stderr().lines().noneMatch(l -> l.contains("Message History") || l.contains("DefaultErrorHandler")
                || l.strip().startsWith("at com.") || l.strip().startsWith("at org.")), result.toString());
    }

    /** A line of the project's own log (src/main/resources/simplelogger.properties). */
    private static final Pattern LOG_LINE = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\S+ (INFO|WARN|ERROR) \\S+ - .*");

    @Test
    void verboseAddsTheStackTrace() {
        Cli.Result result = Cli.run("--config", config.toString(), "show", "backup_20200101_000000", "--verbose");
        assertEquals(1, result.exitCode(), result.toString());
        assertTrue(result.stderr().lines().anyMatch(l -> l.startsWith("backup-manager: error: no backup")), result.toString());
        assertTrue(result.stderr().contains("\tat "), "a stack trace with --verbose: " + result);
    }
}
