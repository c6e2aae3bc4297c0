package com.customercaregpt.backup.wal;

import com.customercaregpt.backup.fixtures.Cli;
import com.customercaregpt.backup.fixtures.WalCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The spool's partial segment (where pg_receivewal resumes) is one the server has removed, as after
 * its slot was dropped: the streamer names the gap once, alerts, and streams again from the
 * server's current position instead of retrying forever.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WalLostSegmentTest {

    private WalCluster cluster;

    @BeforeAll
    void start() throws Exception {
        cluster = new WalCluster("wal-lost-test");
    }

    @AfterAll
    void stop() {
        cluster.close();
    }

    @Test
    void aSegmentTheServerNoLongerHasIsAGapNamedOnceAndStreamingResumes() throws Exception {
        WalStreamer first = cluster.startStreamer();
        cluster.postgres().execute(WalCluster.DATABASE, "INSERT INTO orders VALUES (2, 'streamed')");
        cluster.awaitArchivedPast(cluster.serverNow());
        assertEquals(0, cluster.cli("create", "--type", "full").exitCode());
        first.close();
        Path spool = cluster.work().resolve("repo/.wal-spool");
        String partial = partials(spool).get(0).getFileName().toString().replace(".partial", "");

        // the server moves on without the slot and removes the segment pg_receivewal would resume from
        cluster.postgres().execute("postgres", "SELECT pg_drop_replication_slot('backup_manager')");
        for (int i = 0; i < 3; i++) {
            cluster.postgres().execute(WalCluster.DATABASE, "INSERT INTO orders VALUES (" + (10 + i) + ", 'unarchived')");
            cluster.postgres().execute("postgres", "SELECT pg_switch_wal()");
            cluster.postgres().execute("postgres", "CHECKPOINT");
        }
        assertEquals(0, cluster.postgres().queryLong("postgres",
                "SELECT count(*) FROM pg_ls_waldir() WHERE name = '" + partial + "'"), "the server removed " + partial);
        cluster.postgres().execute("postgres", "SELECT pg_create_physical_replication_slot('backup_manager', true)");

        List<String> gaps = new CopyOnWriteArrayList<>();
        WalStreamer again = cluster.startStreamer(new WalStreamer.Listener() {
            @Override
            public void down(String cause, Instant since) {
            }

            @Override
            public void back(Instant since) {
            }

            @Override
            public void lost(String segment, String cause) {
                gaps.add(segment + ": " + cause);
            }
        });
        cluster.postgres().execute(WalCluster.DATABASE, "INSERT INTO orders VALUES (20, 'streamed again')");
        cluster.awaitArchivedPast(cluster.serverNow());

        assertEquals(1, gaps.size(), gaps.toString());
        assertTrue(gaps.get(0).startsWith(partial + ": the server no longer has WAL segment " + partial), gaps.get(0));
        assertTrue(gaps.get(0).contains("take a full backup"), gaps.get(0));
        assertEquals(partial, again.lostFrom());
        Instant deadline = Instant.now().plusSeconds(30);
        while (!again.isStreaming() && Instant.now().isBefore(deadline)) {
            Thread.sleep(200); // counted as streaming once pg_receivewal has stayed up a few seconds
        }
        assertTrue(again.isStreaming(), again.lastError());
        assertTrue(partials(spool).stream().noneMatch(p -> p.getFileName().toString().startsWith(partial)),
                "the unreachable partial is set aside: " + partials(spool));
        try (Stream<Path> aside = Files.find(spool, 2, (p, a) -> p.getFileName().toString().equals(partial + ".partial"))) {
            assertEquals(1, aside.count(), "and kept");
        }
        Cli.Result verify = cluster.cli("wal", "verify");
        assertEquals(1, verify.exitCode(), verify.toString());
        assertTrue(verify.stderr().contains(partial), verify.stderr());
    }

    private static List<Path> partials(Path spool) throws Exception {
        try (Stream<Path> files = Files.list(spool)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".partial")).toList();
        }
    }
}
