package com.customercaregpt.backup.health;

import com.customercaregpt.backup.app.BackupApplication;
import com.customercaregpt.backup.fixtures.Cli;
import com.customercaregpt.backup.fixtures.TestStack;
import com.customercaregpt.backup.repository.ManifestCodec;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** health tells what is up, what is down, and how old the newest backups are. */
class HealthTest {

    private Path work;

    @BeforeEach
    void setUp() throws Exception {
        work = Files.createTempDirectory("health-test-");
    }

    @AfterEach
    void tearDown() {
        TestStack.deleteTree(work);
    }

    private Path config(Map<String, String> overrides) throws Exception {
        Properties properties = new Properties();
        properties.putAll(TestStack.shared().settings(work.resolve("repo")));
        properties.putAll(overrides);
        Path file = TestStack.store(properties, work.resolve("health-" + System.nanoTime() + ".properties"));
        return file;
    }

    private static Map<String, JsonNode> checks(Cli.Result result) throws Exception {
        Map<String, JsonNode> checks = new HashMap<>();
        ManifestCodec.JSON.readTree(result.stdout()).get("checks").forEach(c -> checks.put(c.get("name").asText(), c));
        return checks;
    }

    @Test
    void aHealthyStackWithAFreshBackupIsOk() throws Exception {
        Path config = config(Map.of());
        assertEquals(0, Cli.run("--config", config.toString(), "create").exitCode());
        Cli.Result health = Cli.run("--config", config.toString(), "health", "--output", "json");
        assertEquals(0, health.exitCode(), health.toString());
        Map<String, JsonNode> checks = checks(health);
        for (String name : new String[]{"repository", "catalog", "server database", "server redis", "server chromadb",
                "uploads folder", "config files", "newest backup database", "newest backup config"}) {
            assertEquals("ok", checks.get(name).get("status").asText(), name + ": " + checks.get(name));
        }
        assertTrue(checks.get("newest backup redis").get("detail").asText().contains(" h 0 min old")
                || checks.get("newest backup redis").get("detail").asText().contains(" min old"));
    }

    @Test
    void aServerThatIsDownFailsItsCheckAndTheCommand() throws Exception {
        Path config = config(Map.of("backup.redis.port", "1", "backup.catalog.url",
                "jdbc:postgresql://127.0.0.1:1/backup_catalog"));
        Cli.Result health = Cli.run("--config", config.toString(), "health", "--output", "json");
        assertEquals(1, health.exitCode(), health.toString());
        Map<String, JsonNode> checks = checks(health);
        assertEquals("fail", checks.get("server redis").get("status").asText());
        assertEquals("fail", checks.get("catalog").get("status").asText());
        assertEquals("ok", checks.get("server database").get("status").asText());
        assertEquals("warn", checks.get("newest backup database").get("status").asText(), "no backup in this repository");
    }

    @Test
    void camelsHealthRegistryHoldsOneCheckPerDependencyAndComponentWithTheSameVerdicts() throws Exception {
        try (BackupApplication app = BackupApplication.start(TestStack.settings(work.resolve("repo"),
                Map.of("backup.redis.port", "1")))) {
            HealthReport report = app.request("direct:health", null, Map.of(), HealthReport.class);
            Map<String, HealthCheck.State> camel = new HashMap<>();
            for (HealthCheck.Result result : HealthCheckHelper.invoke(app.context(), "full")) {
                if (BackupHealthCheck.GROUP.equals(result.getCheck().getGroup())) {
                    camel.put(result.getCheck().getId(), result.getState());
                }
            }
            assertEquals(Set.of("repository", "free-space", "restore-leftovers", "catalog", "server-database",
                    "server-redis", "server-chromadb", "uploads-folder", "config-files",
                    // one per recovery plan of routes/disaster-recovery/
                    "recovery-plan-full_system_recovery", "recovery-plan-database_recovery",
                    "recovery-plan-data_recovery", "recovery-plan-application_recovery"), camel.keySet());
            assertEquals(HealthCheck.State.DOWN, camel.get("server-redis"));
            assertEquals(HealthCheck.State.UP, camel.get("server-database"));
            for (HealthReport.Check line : report.checks()) {
                HealthCheck.State state = camel.get(line.name().replace(' ', '-'));
                if (state != null) {
                    assertEquals(HealthReport.FAIL.equals(line.status()), state == HealthCheck.State.DOWN, line.toString());
                }
            }
        }
    }
}
