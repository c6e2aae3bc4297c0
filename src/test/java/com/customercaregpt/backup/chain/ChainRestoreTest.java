package com.customercaregpt.backup.chain;

import com.customercaregpt.backup.component.ChromaClient;
import com.customercaregpt.backup.demo.DemoStack;
import com.customercaregpt.backup.demo.SampleData;
import com.customercaregpt.backup.fixtures.Cli;
import com.customercaregpt.backup.fixtures.Fingerprints;
import com.customercaregpt.backup.fixtures.TestStack;
import com.customercaregpt.backup.repository.Manifest;
import com.customercaregpt.backup.repository.ManifestCodec;
import com.customercaregpt.backup.restore.RestoreReport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import redis.clients.jedis.Jedis;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Chains on a stack of their own (restores replace live data): full -> incremental -> incremental
 * and full -> differential, each restored equal to the state of its last backup: database rows,
 * Redis keys, ChromaDB records, uploads (added, changed, deleted, renamed) and config files.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChainRestoreTest {

    private Path work;
    private DemoStack stack;
    private Path config;
    private Path liveEnv;
    private int round;

    @BeforeAll
    void ownStack() throws Exception {
        work = Files.createTempDirectory("chain-restore-test-");
        work.toFile().setExecutable(true, false);
        stack = DemoStack.start(work.resolve("stack"));
        Properties properties = new Properties();
        properties.putAll(stack.settings(work.resolve("repo")));
        properties.putAll(stack.chromaServiceCommands());
        config = TestStack.store(properties, work.resolve("chain.properties"));
        liveEnv = stack.configFiles().stream().filter(p -> p.toString().endsWith("platform.env")).findFirst().orElseThrow();
    }

    @AfterAll
    void stopTheStack() {
        stack.close();
        TestStack.deleteTree(work);
    }

    private Manifest create(String type) throws Exception {
        Cli.Result result = Cli.withConfig(config, "create", "--type", type, "--output", "json");
        assertEquals(0, result.exitCode(), result.toString());
        Manifest manifest = ManifestCodec.JSON.readValue(result.stdout(), Manifest.class);
        assertEquals(Manifest.COMPLETED, manifest.status(), result.toString());
        return manifest;
    }

    private static Manifest.ComponentRecord record(Manifest manifest, String component) {
        return manifest.components().stream().filter(c -> c.name().equals(component)).findFirst().orElseThrow();
    }

    /** Changes the data of every component but config: rows, keys, records, files (added, changed, deleted, renamed). */
    private void changeData() throws Exception {
        round++;
        stack.postgres().execute(DemoStack.DATABASE, "INSERT INTO customers (display_name, email, locale, signed_up_at)"
                + " VALUES ('round " + round + "', 'round" + round + "@example.com', 'en', now())");
        try (Jedis redis = stack.redis().client()) {
            redis.set("chain:round:" + round, "value " + round);
            redis.del("chain:round:" + (round - 1) + ":doomed");
            redis.set("chain:round:" + round + ":doomed", "deleted next round");
        }
        ChromaClient chroma = stack.chroma().client();
        String collection = chroma.createCollection("chain_round_" + round, Map.of("round", round));
        chroma.add(collection, List.of("r" + round + "a", "r" + round + "b"),
                List.of(new float[]{0.1f * round, 0.2f, 0.3f}, new float[]{0.3f, 0.2f, 0.1f * round}),
                List.of("first of round " + round, "second of round " + round), List.of(Map.of("n", 1), Map.of("n", 2)));
        Path uploads = stack.uploads();
        for (String name : List.of("a", "b", "c")) {
            Files.writeString(uploads.resolve("added " + round + name + ".txt"), "round " + round + name);
        }
        if (round == 1) {
            Files.writeString(uploads.resolve(SampleData.UPLOADS_DASH_FILE), "changed in round 1");
            Files.delete(uploads.resolve(SampleData.UPLOADS_EMPTY_FILE));
            Files.move(uploads.resolve("large"), uploads.resolve("large renamed"));
        } else if (Files.exists(uploads.resolve("added " + (round - 1) + "a.txt"))) {
            // (after a restore, the previous round's files are gone with the rest of that round)
            Files.writeString(uploads.resolve("added " + (round - 1) + "a.txt"), "changed in round " + round);
            Files.move(uploads.resolve("added " + (round - 1) + "b.txt"), uploads.resolve("renamed " + (round - 1) + "b.txt"));
            Files.delete(uploads.resolve("added " + (round - 1) + "c.txt"));
        }
    }

    private record State(Map<String, String> database, Map<String, String> redis, Map<String, String> uploads,
                         Map<String, Long> chroma, String env) {
    }

    private State state() throws Exception {
        return new State(Fingerprints.database(stack, DemoStack.DATABASE), Fingerprints.redis(stack),
                Fingerprints.tree(stack.uploads()), stack.chroma().client().recordCounts(), Files.readString(liveEnv));
    }

    private void restoreAndCompare(Manifest last, State expected) throws Exception {
        changeData(); // the live systems move on after the last backup
        assertNotEquals(expected.redis(), Fingerprints.redis(stack));
        Cli.Result restore = Cli.withConfig(config, "restore", last.backupId(), "--yes", "--output", "json");
        assertEquals(0, restore.exitCode(), restore.toString());
        RestoreReport report = ManifestCodec.JSON.readValue(restore.stdout(), RestoreReport.class);
        Fingerprints.assertSame(expected.database(), Fingerprints.database(stack, DemoStack.DATABASE), "database");
        Fingerprints.assertSame(expected.redis(), Fingerprints.redis(stack), "redis keys, values and TTLs");
        Fingerprints.assertSame(expected.uploads(), Fingerprints.tree(stack.uploads()), "uploads");
        assertEquals(expected.chroma(), stack.chroma().client().recordCounts(), "chromadb collections and records");
        // config is written beside the live file, secrets filled from it: the content of the last backup
        assertEquals(expected.env(), Files.readString(Path.of(liveEnv + ".restored-" + report.label())));
    }

    @Test
    void aFullAndTwoIncrementalsRestoreEveryComponentToTheStateOfTheLast() throws Exception {
        Manifest full = create("full");
        changeData();
        Manifest first = create("incremental");
        // config did not change: nothing stored, the full holds it
        assertEquals(List.of(), record(first, "config").artifacts());
        assertEquals(full.backupId(), record(first, "config").facts().get("unchanged_since"));
        assertEquals(true, record(first, "uploads").facts().get("incremental"));
        assertEquals(false, record(first, "redis").facts().get("incremental"));

        changeData();
        Files.writeString(liveEnv, Files.readString(liveEnv).replace("APP_ENV=production", "APP_ENV=staging"));
        State last = state();
        Manifest second = create("incremental");
        assertEquals(first.backupId(), second.dependsOn());
        assertEquals(1, record(second, "config").artifacts().size(), "changed config is stored whole");

        restoreAndCompare(second, last);
    }

    @Test
    void aFullAndADifferentialRestoreEveryComponentToTheStateOfTheDifferential() throws Exception {
        Manifest full = create("full");
        changeData();
        create("incremental");
        changeData();
        State last = state();
        Manifest differential = create("differential");
        assertEquals(full.backupId(), differential.dependsOn());
        assertTrue(record(differential, "config").facts().containsKey("unchanged_since")
                || !record(differential, "config").artifacts().isEmpty());

        restoreAndCompare(differential, last);
    }
}
