package com.customercaregpt.backup.wal;

import com.customercaregpt.backup.fixtures.S3Server;
import com.customercaregpt.backup.fixtures.WalCluster;
import com.customercaregpt.backup.pipeline.crypto.KeyFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An encrypted repository copied to S3: a host that has only the bucket, the key file and a new empty local
 * repository folder recovers the database to a moment between two transactions, row-exact.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FreshHostPointInTimeTest {

    private WalCluster cluster;

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
    void stop() {
        cluster.close();
    }

    @Test
    void aHostWithOnlyTheBucketAndTheKeyRecoversToAMomentBetweenTwoTransactions() throws Exception {
        cluster.startStreamer();
        cluster.createFullBackup();
        Instant moment = cluster.momentBetween("INSERT INTO orders VALUES (2, 'before the moment')",
                "INSERT INTO orders VALUES (3, 'after the moment')");
        List<ArchivedSegment> archived = WalArchive.from(cluster.settings()).list();
        assertTrue(archived.stream().allMatch(s -> s.dataKey() != null && s.path().endsWith(".enc")),
                "segments are encrypted: " + archived);

        // the fresh host: a new, empty local repository; the bucket and the key file only
        cluster.with("backup.repository.path", cluster.work().resolve("fresh-repo").toString())
                .with("backup.wal.spool-path", cluster.work().resolve("fresh-spool").toString());
        WalCluster.RestoredCopy copy = cluster.restoreCopy("recovered", "--to-time", moment.toString());
        assertEquals(0, copy.result().exitCode(), copy.result().toString());
        assertTrue(Files.notExists(cluster.work().resolve("fresh-repo").resolve("wal")), "segments were read from S3");

        assertEquals(List.of("1 first", "2 before the moment"), cluster.orders(copy.port()));
    }
}
