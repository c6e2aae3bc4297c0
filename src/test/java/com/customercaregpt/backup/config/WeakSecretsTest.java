package com.customercaregpt.backup.config;

import com.customercaregpt.backup.app.BackupApplication;
import com.customercaregpt.backup.fixtures.ApiClient;
import com.customercaregpt.backup.fixtures.Cli;
import com.customercaregpt.backup.fixtures.TestService;
import com.customercaregpt.backup.fixtures.TestStack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A token or key file others may read, or a short API token: warned about once, and a short token stops `serve`. */
class WeakSecretsTest {

    private Path work;

    @BeforeEach
    void setUp() throws Exception {
        work = Files.createTempDirectory("weak-secrets-test-");
    }

    @AfterEach
    void tearDown() {
        TestStack.deleteTree(work);
    }

    private Path secret(String name, String content, String mode) throws Exception {
        Path file = Files.writeString(work.resolve(name), content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        return file;
    }

    private static long linesWith(String text, String... parts) {
        return text.lines().filter(line -> java.util.Arrays.stream(parts).allMatch(line::contains)).count();
    }

    @Test
    void everyCommandWarnsOnceAboutATokenOrKeyFileOthersMayReadAndAShortToken() throws Exception {
        Path keyFile = work.resolve("backup.key");
        assertEquals(0, Cli.run("key", "generate", keyFile.toString()).exitCode());
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-r--r--"));
        Path tokenFile = secret("api.token", "short-token\n", "rw-r-----");
        Properties properties = new Properties();
        properties.putAll(TestStack.shared().settings(work.resolve("repo")));
        properties.put("backup.encryption.key-file", keyFile.toString());
        properties.put("backup.api.token-file", tokenFile.toString());
        Path config = TestStack.store(properties, work.resolve("weak.properties"));

        Cli.Result list = Cli.run("--config", config.toString(), "list");
        assertEquals(0, list.exitCode(), list.toString());
        assertEquals(1, linesWith(list.stderr(), "WARN", "key file " + keyFile + " has mode 644", "chmod 600"), list.stderr());
        assertEquals(1, linesWith(list.stderr(), "WARN", "token file " + tokenFile + " has mode 640"), list.stderr());
        assertEquals(1, linesWith(list.stderr(), "WARN", "the API token (token file " + tokenFile + ") has 11 characters"),
                list.stderr());

        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(tokenFile, "a-token-of-enough-characters\n");
        Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("r--------"));
        Cli.Result quiet = Cli.run("--config", config.toString(), "list");
        assertEquals(0, linesWith(quiet.stderr(), "WARN"), "nothing to warn about: " + quiet.stderr());
    }

    @Test
    void serveRefusesATokenUnder16CharactersUnlessAllowedAndThenWarnsOnce() throws Exception {
        Path tokenFile = secret("api.token", "fifteen-chars-x\n", "rw-------");
        Settings.SettingsException refused = assertThrows(Settings.SettingsException.class, () -> BackupApplication.start(
                TestStack.settings(work.resolve("repo"), Map.of("backup.api.token-file", tokenFile.toString(),
                        "camel.server.port", "0")), BackupApplication.Mode.SERVICE));
        assertTrue(refused.getMessage().contains("token file " + tokenFile + ") has 15 characters")
                && refused.getMessage().contains("backup.api.allow-weak-token=true"), refused.getMessage());

        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        TestService service;
        try {
            service = TestService.start("weak-token-service", Map.of("backup.api.token", "",
                    "backup.api.token-file", tokenFile.toString(), "backup.api.allow-weak-token", "true"));
        } finally {
            System.setErr(err);
        }
        try (service) {
            String log = captured.toString(StandardCharsets.UTF_8);
            assertEquals(1, linesWith(log, "WARN", "token file " + tokenFile + ") has 15 characters"), log);
            assertEquals(200, new ApiClient(service.port(), "fifteen-chars-x").call("GET", "/backup/list", null).statusCode());
        }
    }

    @Test
    void aShortManagementTokenIsWarnedAboutByEveryCommandAndRefusedByServe() throws Exception {
        Properties properties = new Properties();
        properties.putAll(TestStack.shared().settings(work.resolve("repo")));
        properties.put("backup.management.token", "mgmt-short-1");
        Path config = TestStack.store(properties, work.resolve("weak-management.properties"));
        Cli.Result list = Cli.run("--config", config.toString(), "list");
        assertEquals(0, list.exitCode(), list.toString());
        assertEquals(1, linesWith(list.stderr(), "WARN", "the management token (backup.management.token) has 12 characters"),
                list.stderr());
        assertTrue(!list.stderr().contains("mgmt-short-1"), list.stderr());

        Settings.SettingsException refused = assertThrows(Settings.SettingsException.class, () -> BackupApplication.start(
                TestStack.settings(work.resolve("repo"), Map.of("backup.management.token", "mgmt-short-1",
                        "backup.api.token", "an-api-token-of-enough-characters", "camel.server.port", "0",
                        "camel.management.port", "0")), BackupApplication.Mode.SERVICE));
        assertTrue(refused.getMessage().contains("the management token (backup.management.token) has 12 characters")
                && refused.getMessage().contains("backup.api.allow-weak-token=true"), refused.getMessage());
    }
}
