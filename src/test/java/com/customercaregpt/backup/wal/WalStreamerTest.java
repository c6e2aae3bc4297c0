package com.customercaregpt.backup.wal;

import com.customercaregpt.backup.fixtures.ChildJvm;
import com.customercaregpt.backup.fixtures.Cli;
import com.customercaregpt.backup.fixtures.WalCluster;
import com.customercaregpt.backup.repository.Manifest;
import com.customercaregpt.backup.repository.ManifestCodec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The streamer in a JVM of its own (`wal stream`): killed with SIGKILL while the database goes on writing,
 * the next streamer archives every segment written meanwhile (the slot kept them), so the archive has no gap;
 * cleanup then removes the segments before the oldest kept base backup and nothing after it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WalStreamerTest {

    private WalCluster cluster;
    private WalStreamer restarted;
    private int rows;

    @BeforeAll
    void start() throws Exception {
        cluster = new WalCluster("wal-stream-test").with("backup.retention.wal-days", "0");
    }

    @AfterAll
    void stop() {
        cluster.close();
    }

    @Test
    @Order(1)
    void aStreamerKilledWithSigkillLeavesNoGapInTheArchive() throws Exception {
        Process child = new ProcessBuilder(ChildJvm.command(cluster.config(), "wal", "stream"))
                .redirectErrorStream(true).redirectOutput(cluster.work().resolve("stream-1.log").toFile()).start();
        writeAndAwaitArchived(); // the streamer holds its slot from here on
        List<String> beforeKill = switchSegments(2);
        writeAndAwaitArchived();
        Cli.Result create = cluster.cli("create", "--type", "full");
        assertEquals(0, create.exitCode(), create.toString());
        child.destroyForcibly().waitFor(); // SIGKILL: its pg_receivewal is left behind, as after kill -9 of serve

        List<String> whileDown = switchSegments(3);
        restarted = cluster.startStreamer();
        writeAndAwaitArchived();

        Set<String> archived = WalArchive.from(cluster.settings()).list().stream().map(ArchivedSegment::name)
                .collect(Collectors.toSet());
        List<String> expected = new ArrayList<>(beforeKill);
        expected.addAll(whileDown);
        assertEquals(List.of(), expected.stream().filter(s -> !archived.contains(s)).toList(),
                "segments completed before and while the streamer was down are archived");
        Cli.Result verify = cluster.cli("wal", "verify");
        assertEquals(0, verify.exitCode(), verify.toString());
        Map<?, ?> status = ManifestCodec.JSON.readValue(cluster.cli("wal", "status", "--output", "json").stdout(),
                Map.class);
        assertEquals(List.of(), status.get("gaps"));
        Instant deadline = Instant.now().plusSeconds(60);
        while (!"streaming".equals(((Map<?, ?>) status.get("streamer")).get("state")) && Instant.now().isBefore(deadline)) {
            Thread.sleep(500); // the restarted pg_receivewal counts as streaming once it has stayed up a few seconds
            status = ManifestCodec.JSON.readValue(cluster.cli("wal", "status", "--output", "json").stdout(), Map.class);
        }
        assertEquals("streaming", ((Map<?, ?>) status.get("streamer")).get("state"), status.toString());
        assertEquals(Boolean.TRUE, ((Map<?, ?>) status.get("slot")).get("active"), status.toString());
    }

    @Test
    @Order(2)
    void cleanupRemovesOnlyTheSegmentsBeforeTheOldestKeptBaseBackup() throws Exception {
        List<Manifest> backups = new ArrayList<>();
        for (Object row : ManifestCodec.JSON.readValue(cluster.cli("list", "--output", "json").stdout(), List.class)) {
            String id = (String) ((Map<?, ?>) row).get("backup_id");
            backups.add(ManifestCodec.JSON.readValue(cluster.cli("show", id, "--output", "json").stdout(), Manifest.class));
        }
        BasePoint base = BasePoint.of(backups.get(0).backupId(), backups.get(0).components().get(0).facts()).orElseThrow();
        WalArchive archive = WalArchive.from(cluster.settings());
        long first = Lsn.numberOf(base.startSegment(), base.segmentSize());
        List<String> before = archive.list().stream().filter(ArchivedSegment::isSegment)
                .filter(s -> Lsn.numberOf(s.name(), base.segmentSize()) < first).map(ArchivedSegment::name).toList();
        List<String> after = archive.list().stream().filter(ArchivedSegment::isSegment)
                .filter(s -> Lsn.numberOf(s.name(), base.segmentSize()) >= first).map(ArchivedSegment::name).toList();
        assertFalse(before.isEmpty(), "segments were archived before the base backup");
        assertEquals(0, cluster.cli("catalog", "rebuild").exitCode()); // the index holds every segment

        Cli.Result cleanup = cluster.cli("cleanup", "--yes");
        assertEquals(0, cleanup.exitCode(), cleanup.toString());

        List<String> left = archive.list().stream().filter(ArchivedSegment::isSegment).map(ArchivedSegment::name).toList();
        assertTrue(left.containsAll(after), "every segment from the base backup's start is kept: " + left);
        assertEquals(List.of(), left.stream().filter(before::contains).toList());
        assertEquals(0, cluster.cli("wal", "verify").exitCode());
        assertEquals(0, indexed("name IN ('" + String.join("', '", before) + "')"), "removed segments leave the index");
        assertEquals(after.size(), indexed("name IN ('" + String.join("', '", after) + "')"), "kept segments stay");
    }

    @Test
    @Order(3)
    void anIncrementalWithWalOnIsARestorePointThatRestoresItsBaseBackupUpToIt() throws Exception {
        cluster.postgres().execute(WalCluster.DATABASE, "INSERT INTO orders VALUES (90001, 'in the incremental')");
        Cli.Result create = cluster.cli("create", "--type", "incremental", "--output", "json");
        assertEquals(0, create.exitCode(), create.toString());
        Manifest incremental = ManifestCodec.JSON.readValue(create.stdout(), Manifest.class);
        Manifest.ComponentRecord database = incremental.components().get(0);
        assertEquals(WalPoint.KIND, database.facts().get("backup_kind"));
        assertEquals(List.of(), database.artifacts(), "the WAL since its parent is in the archive: no data artifact");
        cluster.postgres().execute(WalCluster.DATABASE, "INSERT INTO orders VALUES (90002, 'after the incremental')");

        WalCluster.RestoredCopy copy = cluster.restoreCopy("copy-of-incremental", incremental.backupId());
        assertEquals(0, copy.result().exitCode(), copy.result().toString());
        assertEquals(List.of("in the incremental"),
                cluster.rows(copy.port(), "SELECT item FROM orders WHERE id > 90000 ORDER BY id"));
        WalCluster.stopServer(copy.dir()); // checked: one server less on a loaded machine for the tests after it
    }

    @Test
    @Order(4)
    void serveIndexesEachArchivedFileAndAfterItsSigkillTheNextStreamerLeavesNoGap() throws Exception {
        restarted.close(); // serve's streamer takes the slot over
        restarted = null;
        int port = WalCluster.freePort();
        cluster.with("camel.server.port", String.valueOf(port)).with("camel.management.port", "0")
                .with("backup.api.token", "wal-index-test-token-0123456789")
                .with("backup.schedules.file", java.nio.file.Files.writeString(cluster.work().resolve("none.camel.yaml"),
                        "[]\n").toString());
        Process serve = new ProcessBuilder(ChildJvm.command(cluster.config(), "serve")).redirectErrorStream(true)
                .redirectOutput(cluster.work().resolve("serve.log").toFile()).start();
        String segment;
        try {
            segment = switchSegments(1).get(0);
            Instant deadline = Instant.now().plusSeconds(120);
            while (indexed("name = '" + segment + "'") == 0 && Instant.now().isBefore(deadline)) {
                Thread.sleep(250);
            }
        } finally {
            ChildJvm.kill(serve); // SIGKILL: no shutdown hook runs
        }
        assertEquals(1, indexed("name = '" + segment + "' AND size_bytes > 0 AND sha256 ~ '^[0-9a-f]{64}$'"),
                "serve indexed " + segment + " as it archived it");

        List<String> whileDown = switchSegments(2); // the slot keeps them for the next streamer
        restarted = cluster.startStreamer();
        writeAndAwaitArchived();
        // the first segment archived may be an older one whose end is already past the write: wait for these
        Instant deadline = Instant.now().plusSeconds(120);
        while (!archivedNames().containsAll(whileDown) && Instant.now().isBefore(deadline)) {
            Thread.sleep(250);
        }
        Set<String> archived = archivedNames();
        assertEquals(List.of(), whileDown.stream().filter(s -> !archived.contains(s)).toList(),
                "segments completed after serve was killed are archived by the next streamer");
        assertEquals(0, cluster.cli("wal", "verify").exitCode());

        cluster.postgres().execute("backup_catalog", "DELETE FROM wal_segment");
        Cli.Result rebuild = cluster.cli("catalog", "rebuild");
        assertEquals(0, rebuild.exitCode(), rebuild.toString());
        int files = WalArchive.from(cluster.settings()).list().size();
        assertTrue(rebuild.stdout().contains(" and " + files + " WAL files indexed"), rebuild.stdout());
        assertEquals(files, indexed("true"));
        assertEquals(1, indexed("name = '" + segment + "'"));
    }

    private Set<String> archivedNames() throws IOException {
        return WalArchive.from(cluster.settings()).list().stream().map(ArchivedSegment::name).collect(Collectors.toSet());
    }

    private long indexed(String condition) {
        return cluster.postgres().queryLong("backup_catalog", "SELECT count(*) FROM wal_segment WHERE " + condition);
    }

    /** Writes a row and waits until the streamer has archived it (an idle database's segment is switched for it). */
    private void writeAndAwaitArchived() throws Exception {
        cluster.postgres().execute(WalCluster.DATABASE, "INSERT INTO orders VALUES (" + (100 + rows++) + ", 'y')");
        cluster.awaitArchivedPast(cluster.serverNow());
    }

    /** Writes a row and completes its segment, {@code count} times; returns the completed segments' names. */
    private List<String> switchSegments(int count) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            names.add(cluster.postgres().query(WalCluster.DATABASE, "INSERT INTO orders VALUES ("
                    + (100 + rows++) + ", 'x') RETURNING pg_walfile_name(pg_switch_wal())",
                    rs -> {
                        rs.next();
                        return rs.getString(1);
                    }));
        }
        return names;
    }
}
