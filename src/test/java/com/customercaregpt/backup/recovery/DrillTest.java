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

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
        Map<String, String> database = Fingerprints.database(stack, DemoStack.DATABASE);
        Map<String, String> redis = Fingerprints.redis(stack);
        Map<String, String> uploads = Fingerprints.tree(stack.uploads());
        Map<String, Long> chroma = stack.chroma().client().recordCounts();

        Cli.Result drill = cli("disaster-recovery", "test", "full_system_recovery", "--output", "json");
        assertEquals(0, drill.exitCode(), drill.toString());
        JsonNode run = ManifestCodec.JSON.readTree(drill.stdout());
        assertEquals("drill", run.path("kind").asText());
        assertEquals("completed", run.path("status").asText());
        List<String> checked = new ArrayList<>();
        run.path("checks").forEach(check -> {
            assertEquals("ok", check.path("status").asText(), check.toString());
            checked.add(check.path("name").asText());
        });
        assertEquals(List.of("database", "redis", "chromadb", "uploads", "config"), checked);
        // The checks looked at private copies: a scratch database, a private Redis and Chroma on other ports.
        String details = run.path("checks").toString();
        assertTrue(details.contains("_drill_"), details);
        assertEquals("[]", run.path("swapped").toString());
        assertTrue(run.path("rto").path("achieved_seconds").asLong() >= 0);

        Fingerprints.assertSame(database, Fingerprints.database(stack, DemoStack.DATABASE), "the live database");
        Fingerprints.assertSame(redis, Fingerprints.redis(stack), "live Redis");
        Fingerprints.assertSame(uploads, Fingerprints.tree(stack.uploads()), "the live uploads");
        assertEquals(chroma, stack.chroma().client().recordCounts(), "live ChromaDB");
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
