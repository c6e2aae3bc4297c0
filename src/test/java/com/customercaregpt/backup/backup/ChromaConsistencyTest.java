package com.customercaregpt.backup.backup;

import com.customercaregpt.backup.component.ChromaClient;
import com.customercaregpt.backup.demo.LocalChroma;
import com.customercaregpt.backup.demo.SampleData;
import com.customercaregpt.backup.fixtures.Cli;
import com.customercaregpt.backup.fixtures.TestStack;
import com.customercaregpt.backup.fixtures.Tools;
import com.customercaregpt.backup.repository.Manifest;
import com.customercaregpt.backup.repository.ManifestCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A ChromaDB backup taken while the server writes is consistent: a server started on the restored
 * folder serves exactly the records the manifest's facts name. With stop/start commands the server
 * is stopped for the copy and answers again afterwards.
 */
class ChromaConsistencyTest {

    private Path work;
    private LocalChroma chroma;
    private LocalChroma restored;

    @BeforeEach
    void setUp() throws Exception {
        work = Files.createTempDirectory("chroma-consistency-");
        chroma = LocalChroma.start(work.resolve("live-data"), work.resolve("live"));
        SampleData.seedChroma(chroma.client());
    }

    @AfterEach
    void tearDown() {
        if (restored != null) {
            restored.close();
        }
        chroma.close();
        TestStack.deleteTree(work);
    }

    @Test
    void anOnlineBackupUnderConcurrentWritesRestoresToExactlyItsFacts() throws Exception {
        ChromaClient client = chroma.client();
        String collection = client.createCollection("live_writes", Map.of("purpose", "written during backup"));
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger batches = new AtomicInteger();
        Thread writer = new Thread(() -> {
            Random random = new Random(7);
            while (writing.get()) {
                int batch = batches.getAndIncrement();
                List<String> ids = new ArrayList<>();
                List<float[]> embeddings = new ArrayList<>();
                List<String> documents = new ArrayList<>();
                List<Map<String, Object>> metadatas = new ArrayList<>();
                for (int i = 0; i < 25; i++) {
                    ids.add("w" + batch + "-" + i);
                    float[] e = new float[SampleData.CHROMA_DIMENSION];
                    for (int d = 0; d < e.length; d++) {
                        e[d] = random.nextFloat();
                    }
                    embeddings.add(e);
                    documents.add("written during the backup " + batch + "/" + i);
                    metadatas.add(Map.of("batch", batch));
                }
                client.add(collection, ids, embeddings, documents, metadatas);
            }
        });
        writer.start();
        while (batches.get() < 5) {
            Thread.sleep(20);
        }
        Manifest manifest = backUp(Map.of());
        writing.set(false);
        writer.join();

        Map<String, Object> facts = manifest.components().get(0).facts();
        assertEquals("online-sqlite-snapshot", facts.get("consistency"));
        Map<String, Long> backedUp = counts(facts.get("record_counts"));
        assertTrue(backedUp.get("live_writes") > 0, "writes before the snapshot are in it");
        assertTrue(backedUp.get("live_writes") < client.count(collection), "writes went on after the snapshot");

        Map<String, Long> served = restoreAndCount(manifest);
        assertEquals(backedUp, served);
    }

    @Test
    void withStopAndStartCommandsTheServerIsStoppedForTheCopyAndAnswersAfter() throws Exception {
        long pidBefore = chroma.pid();
        Manifest manifest = backUp(Map.of(
                "backup.chromadb.stop-command", chroma.stopCommand(),
                "backup.chromadb.start-command", chroma.startCommand()));
        Map<String, Object> facts = manifest.components().get(0).facts();
        assertEquals("server-stopped", facts.get("consistency"));
        assertTrue(chroma.client().heartbeat(), "the server answers after the backup");
        assertNotEquals(pidBefore, chroma.pid(), "it was restarted by the start command");
        Map<String, Long> live = new TreeMap<>(chroma.client().recordCounts());
        assertEquals(live, counts(facts.get("record_counts")));
        assertEquals(live, restoreAndCount(manifest));
    }

    @Test
    void aStartCommandThatFailsMarksTheComponentFailed() throws Exception {
        Cli.Result result = run(Map.of(
                "backup.chromadb.stop-command", "true",
                "backup.chromadb.start-command", "exit 3"));
        assertEquals(1, result.exitCode(), result.toString());
        Manifest manifest = ManifestCodec.JSON.readValue(result.stdout(), Manifest.class);
        assertEquals(Manifest.FAILED, manifest.components().get(0).status());
        assertTrue(manifest.components().get(0).error().startsWith("chromadb: "), manifest.components().get(0).error());
    }

    private Manifest backUp(Map<String, String> overrides) throws Exception {
        Cli.Result result = run(overrides);
        assertEquals(0, result.exitCode(), result.toString());
        return ManifestCodec.JSON.readValue(result.stdout(), Manifest.class);
    }

    private Cli.Result run(Map<String, String> overrides) throws Exception {
        Properties properties = new Properties();
        properties.putAll(TestStack.shared().settings(work.resolve("repo")));
        properties.put("backup.chromadb.url", chroma.url());
        properties.put("backup.chromadb.path", chroma.persistFolder().toString());
        properties.putAll(overrides);
        Path config = TestStack.store(properties, work.resolve("chroma-" + System.nanoTime() + ".properties"));
        return Cli.run("--config", config.toString(), "create", "--components", "chromadb", "--output", "json");
    }

    /** Extracts the artifact with the real tools, starts a server on it, and asks it for its counts. */
    private Map<String, Long> restoreAndCount(Manifest manifest) throws Exception {
        Path artifact = work.resolve("repo/backups").resolve(manifest.backupId()).resolve("chromadb/chromadb.tar.zst");
        Path data = Files.createDirectories(work.resolve("restored-data"));
        Tools.Run extract = Tools.run("sh", "-c", "zstd -q -dc \"$0\" | tar -x -C \"$1\"", artifact.toString(),
                data.toString());
        assertEquals(0, extract.exitCode(), extract.output());
        restored = LocalChroma.start(data, work.resolve("restored"));
        return new TreeMap<>(restored.client().recordCounts());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Long> counts(Object value) {
        Map<String, Long> result = new TreeMap<>();
        ((Map<String, Number>) value).forEach((k, v) -> result.put(k, v.longValue()));
        return result;
    }
}
