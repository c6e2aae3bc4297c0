package com.customercaregpt.backup.recovery;

import com.customercaregpt.backup.demo.DemoStack;
import com.customercaregpt.backup.fixtures.Cli;
import com.customercaregpt.backup.fixtures.Fingerprints;
import com.customercaregpt.backup.fixtures.TestStack;
import com.customercaregpt.backup.repository.Owners;
import com.customercaregpt.backup.repository.ManifestCodec;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Drills run a plan in isolation on the shared stack: every component is restored into private
 * places and validated there, the live systems stay exactly as they were, and nothing of the
 * drill is left afterwards (nor of a drill that was killed, once the next one runs).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DrillTest {

    private Path work;
    private Path config;
    private DemoStack stack;

    @BeforeAll
    void backUp() throws Exception {
        stack = TestStack.shared();
        work = Files.createTempDirectory("drill-test-");
        java.util.Properties properties = new java.util.Properties();
        properties.putAll(stack.settings(work.resolve("repo")));
        properties.put("backup.scratch.path", work.resolve("scratch").toString());
        config = TestStack.store(properties, work.resolve("drill.properties"));
        Cli.Result create = Cli.run("--config", config.toString(), "create", "--output", "json");
        assertEquals(0, create.exitCode(), create.toString());
    }

    @AfterAll
    void removeWork() {
        TestStack.deleteTree(work);
    }

    private Cli.Result cli(String... args) {
        List<String> all = new ArrayList<>(List.of("--config", config.toString()));
        all.addAll(List.of(args));
        return Cli.run(all.toArray(String[]::new));
    }

    private long drillDatabases() {
        return stack.postgres().queryLong("postgres", "SELECT count(*) FROM pg_database WHERE datname LIKE '%\\_drill\\_%'");
    }

    @Test
    void aFullSystemDrillValidatesPrivateCopiesAndLeavesLiveDataAsItWas() throws Exception {
        Map<String, String> live = Fingerprints.live(stack);

        Cli.Result drill = cli("disaster-recovery", "test", "full_system_recovery", "--output", "json");
        assertEquals(0, drill.exitCode(), drill.toString());
        JsonNode run = ManifestCodec.JSON.readTree(drill.stdout());
        assertEquals("drill", run.path("kind").asText());
        assertEquals("completed", run.path("status").asText());
        assertEquals(List.of("database", "redis", "chromadb", "uploads", "config"), DisasterRecoveryTest.passedChecks(run));
        // The checks looked at private copies: a scratch database, a private Redis and Chroma on other ports.
        String details = run.path("checks").toString();
        assertTrue(details.contains("_drill_"), details);
        assertEquals("[]", run.path("swapped").toString());
        assertTrue(run.path("rto").path("achieved_seconds").asLong() >= 0);

        Fingerprints.assertSame(live, Fingerprints.live(stack), "the live systems");
        assertEquals(0, drillDatabases(), "the scratch database is gone");
        assertEquals(List.of(), drillFolders(), "the sandbox and the build record are gone");

        // status: the last drill's recovery time against the plan's RTO.
        Cli.Result status = cli("disaster-recovery", "status", "--output", "json");
        JsonNode plans = ManifestCodec.JSON.readTree(status.stdout());
        JsonNode full = null;
        for (JsonNode plan : plans) {
            if (plan.path("plan_id").asText().equals("full_system_recovery")) {
                full = plan;
            }
        }
        assertTrue(full != null, status.toString());
        assertEquals(run.path("rto").path("achieved_seconds").asLong(), full.path("last_drill_rto_seconds").asLong());
        assertTrue(full.path("rto_met").asBoolean());
        assertTrue(full.path("rpo_met").asBoolean(), full.toString());
    }

    /**
     * Each plan's drill: its components restored into private places and checked there; every live
     * system (the application included: its stop and start commands leave marks) exactly as it was.
     */
    @ParameterizedTest
    @CsvSource({"database_recovery, database", "data_recovery, uploads chromadb", "application_recovery, config"})
    void eachPlansDrillChecksItsComponentsAndLeavesEveryLiveSystemAsItWas(String plan, String components)
            throws Exception {
        Path marks = work.resolve(plan + "-marks.txt");
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(config)) {
            properties.load(in);
        }
        properties.put("backup.application.stop-command", "echo stopped >> " + marks);
        properties.put("backup.application.start-command", "echo started >> " + marks);
        Path withApplication = TestStack.store(properties, work.resolve(plan + ".properties"));
        Map<String, String> live = Fingerprints.live(stack);

        Cli.Result drill = Cli.run("--config", withApplication.toString(), "disaster-recovery", "test", plan,
                "--output", "json");
        assertEquals(0, drill.exitCode(), drill.toString());
        JsonNode run = ManifestCodec.JSON.readTree(drill.stdout());
        assertEquals("completed", run.path("status").asText(), run.toString());
        assertEquals(List.of(components.split(" ")), DisasterRecoveryTest.passedChecks(run));
        // The scratch database is checked once: the restore counted its rows against the backup's, table by table.
        run.path("checks").forEach(check -> assertEquals(check.path("name").asText().equals("database"),
                check.path("detail").asText().contains("counted by the restore"), check.toString()));
        assertEquals("[]", run.path("swapped").toString());

        Fingerprints.assertSame(live, Fingerprints.live(stack), "the live systems");
        assertFalse(Files.exists(marks), "the application was neither stopped nor started");
        assertEquals(0, drillDatabases(), "the scratch database is gone");
        assertEquals(List.of(), drillFolders(), "the sandbox and the build record are gone");
    }

    @Test
    void whatAKilledDrillLeftIsRemovedByTheNextDrill() throws Exception {
        String label = "20200101_000000_dead00";
        String leftover = DemoStack.DATABASE + "_drill_" + label;
        stack.postgres().execute("postgres", "CREATE DATABASE " + leftover);
        Process dead = new ProcessBuilder("true").start();
        dead.waitFor();
        Path record = Files.createDirectories(work.resolve("repo/pre-restore/drill-" + label)).resolve("building.json");
        Files.writeString(record, ManifestCodec.JSON.writeValueAsString(Map.of("operation", "drill", "label", label,
                "backup_id", "backup_20200101_000000", "started_at", "2020-01-01T00:00:00Z",
                "owner", Map.of("host", Owners.hostName(), "pid", dead.pid(), "process_started_at", "2020-01-01T00:00:00Z"),
                "building", List.of(Map.of("kind", "database", "name", leftover)))));
        assertEquals(1, drillDatabases());

        Cli.Result drill = cli("disaster-recovery", "test", "database_recovery");
        assertEquals(0, drill.exitCode(), drill.toString());
        assertEquals(0, drillDatabases(), "the dead drill's database and this drill's are gone");
        assertFalse(Files.exists(record), "the dead drill's record is gone");
    }

    @Test
    void aPlanChecksOnlyTheComponentsInUse() throws Exception {
        Path subset = work.resolve("subset.properties");
        java.util.Properties properties = new java.util.Properties();
        properties.putAll(stack.settings(work.resolve("repo")));
        properties.put("backup.scratch.path", work.resolve("scratch").toString());
        properties.put("backup.components", "database,uploads");
        TestStack.store(properties, subset);
        Cli.Result drill = Cli.run("--config", subset.toString(), "disaster-recovery", "test", "full_system_recovery",
                "--output", "json");
        assertEquals(0, drill.exitCode(), drill.toString());
        List<String> checked = new ArrayList<>();
        ManifestCodec.JSON.readTree(drill.stdout()).path("checks").forEach(c -> checked.add(c.path("name").asText()));
        assertEquals(List.of("database", "uploads"), checked);
    }

    private List<String> drillFolders() throws Exception {
        List<String> found = new ArrayList<>();
        for (Path root : List.of(work.resolve("scratch"), work.resolve("repo/pre-restore"))) {
            if (Files.isDirectory(root)) {
                try (Stream<Path> children = Files.list(root)) {
                    children.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("drill-")).forEach(found::add);
                }
            }
        }
        return found;
    }
}
