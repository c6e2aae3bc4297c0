package com.customercaregpt.backup.wal;

import com.customercaregpt.backup.component.PostgresTools;
import com.customercaregpt.backup.config.Settings;
import com.customercaregpt.backup.fixtures.Cli;
import com.customercaregpt.backup.fixtures.S3Server;
import com.customercaregpt.backup.fixtures.WalCluster;
import com.customercaregpt.backup.pipeline.crypto.KeyFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An encrypted repository copied to S3: a host that has only the bucket, the key file and a new empty local
 * repository folder recovers the database to a moment between two transactions, row-exact.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FreshHostPointInTimeTest {

    private WalCluster cluster;
    private WalStreamer streamer;
    private Path copy;

    @BeforeAll
    void start() throws Exception {
        S3Server s3 = S3Server.shared();
        String bucket = s3.createBucket();
        cluster = new WalCluster("fresh-host-pitr");
        Path key = cluster.work().resolve("backup.key");
        KeyFile.generate(key);
        cluster.with("backup.encryption.key-file", key.toString()).with("backup.s3.enabled", "true")
                .with("backup.s3.endpoint", s3.endpoint()).with("backup.s3.bucket", bucket)
                .with("backup.s3.prefix", "prod").with("backup.s3.access-key", s3.accessKey())
                .with("backup.s3.secret-key", s3.secretKey()).with("backup.s3.retry-backoff-seconds", "0");
    }

    @AfterAll
    void stop() throws Exception {
        if (copy != null) {
            String pgCtl = "/usr/lib/postgresql/15/bin/pg_ctl -D " + copy + " -m immediate -w stop";
            new ProcessBuilder("sh", "-c", new com.sun.security.auth.module.UnixSystem().getUid() == 0
                    ? "runuser -u postgres -- " + pgCtl : pgCtl).start().waitFor();
        }
        if (streamer != null) {
            streamer.close();
        }
        cluster.close();
    }

    @Test
    void aHostWithOnlyTheBucketAndTheKeyRecoversToAMomentBetweenTwoTransactions() throws Exception {
        Settings settings = cluster.settings();
        streamer = new WalStreamer(WalSettings.from(settings), WalArchive.from(settings), new PostgresTools(settings),
                new WalStreamer.Listener() {
                    @Override
                    public void down(String cause, Instant since) {
                    }

                    @Override
                    public void back(Instant since) {
                    }
                }).start();
        Cli.Result create = cluster.cli("create", "--type", "full");
        assertEquals(0, create.exitCode(), create.toString());
        cluster.postgres().execute(WalCluster.DATABASE, "INSERT INTO orders VALUES (2, 'before the moment')");
        Thread.sleep(1100); // commit timestamps a second apart from the chosen moment, on either side
        Instant moment = cluster.serverNow();
        Thread.sleep(1100);
        cluster.postgres().execute(WalCluster.DATABASE, "INSERT INTO orders VALUES (3, 'after the moment')");
        List<ArchivedSegment> archived = cluster.awaitArchivedPast(cluster.serverNow());
        assertTrue(archived.stream().allMatch(s -> s.dataKey() != null && s.path().endsWith(".enc")),
                "segments are encrypted: " + archived);

        // the fresh host: a new, empty local repository; the bucket and the key file only
        cluster.with("backup.repository.path", cluster.work().resolve("fresh-repo").toString())
                .with("backup.wal.spool-path", cluster.work().resolve("fresh-spool").toString());
        copy = cluster.work().resolve("recovered");
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Cli.Result restore = cluster.cli("restore", "--to-time", moment.toString(), "--components", "database",
                "--target-dir", copy.toString(), "--target-port", String.valueOf(port), "--yes");
        assertEquals(0, restore.exitCode(), restore.toString());
        assertTrue(Files.notExists(cluster.work().resolve("fresh-repo").resolve("wal")), "segments were read from S3");

        Properties login = new Properties();
        login.setProperty("user", cluster.postgres().user());
        login.setProperty("password", cluster.postgres().password());
        List<String> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + WalCluster.DATABASE,
                login); ResultSet rs = c.createStatement().executeQuery("SELECT id || ' ' || item FROM orders ORDER BY id")) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        assertEquals(List.of("1 first", "2 before the moment"), rows);
    }
}
