package com.customercaregpt.backup.repository;

import com.customercaregpt.backup.fixtures.Cli;
import com.customercaregpt.backup.fixtures.S3Server;
import com.customercaregpt.backup.fixtures.TestStack;
import com.customercaregpt.backup.repository.store.SharedLock;
import com.customercaregpt.backup.repository.store.s3.S3Settings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The repository lock in the bucket, which hosts that share it see: one holder at a time, the
 * holder named to the others, a stale claim taken over, and a second host's backup waiting for it.
 * "Hosts" here are separate local repositories sharing one bucket and prefix.
 */
class BucketLockTest {
    private final S3Server server = S3Server.shared();
    private String bucket;
    private S3Repository repository;
    private Path work;

    @BeforeEach
    void openBucket() throws Exception {
        bucket = server.createBucket();
        repository = new S3Repository(server.settings(bucket, "prod", S3Settings.MIN_PART_SIZE));
        work = Files.createTempDirectory("bucket-lock-");
    }

    @AfterEach
    void close() {
        repository.close();
        TestStack.deleteTree(work);
    }

    @Test
    void oneHolderAtATimeAndTheOthersAreToldWho() throws Exception {
        SharedLock hostA = repository.lock(Duration.ofMinutes(2));
        SharedLock hostB = repository.lock(Duration.ofMinutes(2));
        String[] holder = new String[1];
        Optional<? extends AutoCloseable> a = hostA.tryAcquire("backup", holder);
        assertTrue(a.isPresent());
        assertTrue(hostB.tryAcquire("cleanup", holder).isEmpty());
        assertTrue(holder[0].startsWith("backup on " + Owners.hostName() + " (pid " + ProcessHandle.current().pid()),
                holder[0]);
        a.get().close();
        Optional<? extends AutoCloseable> b = hostB.tryAcquire("cleanup", holder);
        assertTrue(b.isPresent());
        b.get().close();
        assertTrue(server.blobStore().list(bucket, org.jclouds.blobstore.options.ListContainerOptions.Builder
                .prefix("prod/locks/").recursive()).isEmpty(), "released claims are gone");
    }

    @Test
    void aClaimWhoseHeartbeatStoppedIsTakenOver() throws Exception {
        String stale = "{\"token\":\"t\",\"operation\":\"backup\",\"host\":\"gone-host\",\"pid\":1,"
                + "\"acquired_at\":\"2026-11-30T03:00:00Z\",\"heartbeat_at\":\"" + Instant.now().minusSeconds(600) + "\"}";
        server.blobStore().putBlob(bucket, server.blobStore().blobBuilder("prod/locks/t.json")
                .payload(stale.getBytes(StandardCharsets.UTF_8)).build());
        String[] holder = new String[1];
        Optional<? extends AutoCloseable> taken = repository.lock(Duration.ofMinutes(2)).tryAcquire("cleanup", holder);
        assertTrue(taken.isPresent(), "a claim silent for 10 minutes is stale after 2");
        assertFalse(server.blobStore().blobExists(bucket, "prod/locks/t.json"));
        taken.get().close();
    }

    @Test
    void aSecondHostsBackupWaitsForTheHolderThenFailsNamingIt() throws Exception {
        Properties properties = new Properties();
        properties.putAll(TestStack.shared().settings(work.resolve("host-b-repository")));
        properties.putAll(Map.of("backup.s3.enabled", "true", "backup.s3.endpoint", server.endpoint(),
                "backup.s3.bucket", bucket, "backup.s3.prefix", "prod", "backup.s3.access-key", server.accessKey(),
                "backup.s3.secret-key", server.secretKey(), "backup.lock.wait-seconds", "1"));
        Path hostB = TestStack.store(properties, work.resolve("host-b.properties"));

        String[] holder = new String[1];
        AutoCloseable hostA = repository.lock(Duration.ofMinutes(2)).tryAcquire("cleanup", holder).orElseThrow();
        try {
            Cli.Result create = Cli.run("--config", hostB.toString(), "create", "--components", "config");
            assertEquals(1, create.exitCode(), create.toString());
            assertTrue(create.stderr().contains("prod is locked by cleanup on " + Owners.hostName()), create.stderr());
            assertTrue(create.stderr().contains("(waited 1 s)"), create.stderr());
        } finally {
            hostA.close();
        }
        Cli.Result create = Cli.run("--config", hostB.toString(), "create", "--components", "config");
        assertEquals(0, create.exitCode(), create.toString());
    }
}
