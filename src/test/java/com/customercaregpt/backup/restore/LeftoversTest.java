package com.customercaregpt.backup.restore;

import com.customercaregpt.backup.component.PostgresTools;
import com.customercaregpt.backup.config.Settings;
import com.customercaregpt.backup.fixtures.TestStack;
import com.customercaregpt.backup.repository.BuildRecord;
import com.customercaregpt.backup.repository.ManifestCodec;
import com.customercaregpt.backup.repository.Owners;
import com.customercaregpt.backup.repository.RepositoryLock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The build record on its own: an owner on another host counts as running while it holds the
 * repository lock; a dead owner's folders and private servers are removed, never what a finished
 * operation kept beside them, nor a name that does not carry the operation's label.
 */
class LeftoversTest {

    private static final String LABEL = "20261206_040000";

    private Path work;
    private Path records;
    private Leftovers leftovers;

    @BeforeEach
    void setUp() throws Exception {
        work = Files.createTempDirectory("leftovers-test-");
        records = Files.createDirectories(work.resolve("repo/pre-restore"));
        Settings settings = Settings.of(TestStack.projectHome(), Map.of());
        RepositoryLock lock = new RepositoryLock(work.resolve("repo"), Duration.ofSeconds(120), Duration.ZERO);
        leftovers = new Leftovers(records, new PostgresTools(settings), lock);
    }

    @AfterEach
    void tearDown() {
        TestStack.deleteTree(work);
    }

    private void record(String host, long pid, List<Map<String, Object>> items) throws Exception {
        writeRecord(records, LABEL, host, pid, items);
    }

    /** Writes building.json as a restore labelled {@code label} of {@code host}/{@code pid} would have. */
    static void writeRecord(Path records, String label, String host, long pid, List<Map<String, Object>> items)
            throws Exception {
        Map<String, Object> content = new LinkedHashMap<>();
        content.put("operation", "restore");
        content.put("label", label);
        content.put("backup_id", "backup_20261206_030000");
        content.put("started_at", Instant.now().toString());
        content.put("owner", Map.of("host", host, "pid", pid, "process_started_at", ""));
        content.put("building", items);
        Files.createDirectories(records.resolve(label));
        Files.write(records.resolve(label).resolve(BuildRecord.FILE), ManifestCodec.JSON.writeValueAsBytes(content));
    }

    private void lockHeldBy(String host, long pid, Instant heartbeat) throws Exception {
        Files.write(work.resolve("repo/lock.json"), ManifestCodec.JSON.writeValueAsBytes(Map.of("token", "t",
                "operation", "restore", "host", host, "pid", pid, "acquired_at", heartbeat.toString(),
                "heartbeat_at", heartbeat.toString())));
    }

    static long deadPid() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        return gone.pid();
    }

    @Test
    void aRestoreOnAnotherHostIsRunningWhileItHoldsTheLockAndALeftoverOnceItsLockIsStale() throws Exception {
        Path folder = Files.createDirectories(work.resolve("uploads.restore-" + LABEL));
        Files.writeString(folder.resolve("half.bin"), "half written");
        record("another-host", 4242, List.of(Map.of("kind", "folder", "name", folder.toString())));

        lockHeldBy("another-host", 4242, Instant.now());
        assertEquals(List.of(), leftovers.find(), "a running restore on another host builds nothing left over");
        assertEquals(List.of(), leftovers.remove(false));
        assertTrue(Files.exists(folder.resolve("half.bin")), "the running restore's folder stays");

        lockHeldBy("another-host", 4242, Instant.now().minus(Duration.ofHours(1)));
        List<Leftovers.Leftover> found = leftovers.find();
        assertEquals(1, found.size(), found.toString());
        assertEquals("folder " + folder, found.get(0).what());
        assertEquals("half written".length(), found.get(0).bytes());
        assertEquals(1, leftovers.remove(false).size());
        assertFalse(Files.exists(folder));
        assertFalse(Files.exists(records.resolve(LABEL)), "the record goes with what it listed");
    }

    @Test
    void aRestoreThatDiedBetweenTheSwapsRenamesGetsTheLiveFolderBack() throws Exception {
        Path live = work.resolve("uploads");
        Path kept = Files.createDirectories(work.resolve("uploads.pre-restore-" + LABEL));
        Files.writeString(kept.resolve("live.txt"), "the live data");
        Path copy = Files.createDirectories(work.resolve("uploads.restore-" + LABEL));
        Files.writeString(copy.resolve("restored.txt"), "restored");
        record(Owners.hostName(), deadPid(), List.of(Map.of("kind", "folder", "name", copy.toString())));

        leftovers.remove(false);

        assertEquals("the live data", Files.readString(live.resolve("live.txt")));
        assertFalse(Files.exists(kept), "the old data is back at its path, not beside it");
        assertFalse(Files.exists(copy), "the half-swapped restore's copy goes");
    }

    @Test
    void aDeadOwnersServerAndFoldersGoButWhatItKeptAndNamesWithoutItsLabelStay() throws Exception {
        Path serverFolder = Files.createDirectories(work.resolve("drill-cluster-" + LABEL));
        Process server = new ProcessBuilder("sleep", "600").start();
        Path folder = Files.createDirectories(work.resolve("uploads.restore-" + LABEL));
        Path notOurs = Files.createDirectories(work.resolve("uploads"));
        Path keptArea = records.resolve(LABEL);
        record(Owners.hostName(), deadPid(), List.of(
                Map.of("kind", "server", "name", serverFolder.toString(), "pid", server.pid(),
                        "process_started_at", server.toHandle().info().startInstant().orElseThrow().toString()),
                Map.of("kind", "folder", "name", folder.toString()),
                Map.of("kind", "folder", "name", notOurs.toString())));
        Files.writeString(keptArea.resolve("kept.json"), "{\"backup_id\":\"b\",\"kept\":[\"" + keptArea.resolve("redis-dump.rdb") + "\"]}");
        Files.writeString(keptArea.resolve("redis-dump.rdb"), "REDIS0011");
        try {
            List<String> dryRun = leftovers.remove(true).stream().map(Leftovers.Leftover::what).toList();
            assertEquals(List.of("server " + serverFolder, "folder " + folder), dryRun);
            assertTrue(server.isAlive() && Files.exists(folder), "a dry run removes nothing");

            leftovers.remove(false);
            assertTrue(server.waitFor(60, TimeUnit.SECONDS), "the dead restore's private server is stopped");
            assertFalse(Files.exists(serverFolder));
            assertFalse(Files.exists(folder));
            assertTrue(Files.isDirectory(notOurs), "a name without the restore's label is never removed");
            assertTrue(Files.exists(keptArea.resolve("kept.json")) && Files.exists(keptArea.resolve("redis-dump.rdb")),
                    "what the restore kept stays for cleanup --pre-restore");
            assertFalse(Files.exists(keptArea.resolve(BuildRecord.FILE)));
        } finally {
            server.destroyForcibly();
        }
    }
}
