package com.customercaregpt.backup.wal;

import com.customercaregpt.backup.fixtures.WalCluster;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A max-lag shorter than pg_receivewal takes to start: starting raises no alert; a server that stops does,
 * and a "back" follows when it streams again; a streamer that never streamed is down since its start.
 */
class WalStreamerAlertTest {

    /** What the listener heard, in order: "down: <cause>" or "back". */
    private final List<String> heard = new CopyOnWriteArrayList<>();

    private final WalStreamer.Listener listener = new WalStreamer.Listener() {
        @Override
        public void down(String cause, Instant since) {
            heard.add("down: " + cause);
        }

        @Override
        public void back(Instant since) {
            heard.add("back");
        }
    };

    @Test
    void startingIsNotDownButAStoppedServerIsAndItsReturnIsHeard() throws Exception {
        try (WalCluster cluster = new WalCluster("wal-alert-start").with("backup.wal.max-lag-seconds", "1")) {
            WalStreamer streamer = cluster.startStreamer(listener);
            cluster.postgres().execute(WalCluster.DATABASE, "INSERT INTO orders VALUES (2, 'streamed')");
            cluster.awaitArchivedPast(cluster.serverNow());
            await(streamer::isStreaming, "the streamer streams");
            assertEquals(List.of(), heard, "a start is not an outage");

            assertEquals(0, pgCtl(cluster, "stop"));
            await(() -> heard.size() >= 1, "the stopped server is heard as down");
            assertTrue(heard.get(0).startsWith("down: WAL streaming has been down since "), heard.toString());
            assertEquals(0, pgCtl(cluster, "start"));
            await(() -> heard.size() >= 2, "the server back is heard");
            assertEquals("back", heard.get(1), heard.toString());
        }
    }

    @Test
    void aStreamerThatNeverStreamedIsDownSinceItsStart() throws Exception {
        try (WalCluster cluster = new WalCluster("wal-alert-never").with("backup.wal.max-lag-seconds", "1")) {
            assertEquals(0, pgCtl(cluster, "stop"));
            Instant before = Instant.now();
            cluster.startStreamer(listener);
            Instant after = Instant.now();
            await(() -> !heard.isEmpty(), "a streamer that cannot start is heard as down");
            Instant since = Instant.parse(heard.get(0).substring("down: WAL streaming has been down since ".length())
                    .split(": ")[0]);
            assertTrue(!since.isBefore(before) && !since.isAfter(after), "down since its start: " + heard);
            assertEquals(0, pgCtl(cluster, "start"));
        }
    }

    @Test
    void aStreamerThatIsDownSwitchesNoSegmentForTheServerToKeep() throws Exception {
        // each forced switch would leave a 16 MB segment on the server that nothing archives
        try (WalCluster cluster = new WalCluster("wal-alert-no-switch").with("backup.wal.max-lag-seconds", "1")
                .with("backup.wal.replication-user", "no_such_role")) {
            cluster.startStreamer(listener);
            await(() -> !heard.isEmpty(), "the refused streamer is heard as down");
            String before = currentSegment(cluster);
            for (int i = 0; i < 8; i++) {
                cluster.postgres().execute(WalCluster.DATABASE, "INSERT INTO orders VALUES (" + (10 + i) + ", 'written')");
                Thread.sleep(500); // the streamer looks for an idle segment every half max-lag
            }
            assertEquals(before, currentSegment(cluster), "no segment switched while the streamer is down");
        }
    }

    private static String currentSegment(WalCluster cluster) throws Exception {
        return cluster.rows(cluster.postgres().port(), "SELECT pg_walfile_name(pg_current_wal_lsn())").get(0);
    }

    private static int pgCtl(WalCluster cluster, String action) throws Exception {
        return new ProcessBuilder("sh", "-c", cluster.pgCtl(action)).inheritIO().start().waitFor();
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (!condition.getAsBoolean() && Instant.now().isBefore(deadline)) {
            Thread.sleep(100);
        }
        assertTrue(condition.getAsBoolean(), what + " within two minutes");
    }
}
