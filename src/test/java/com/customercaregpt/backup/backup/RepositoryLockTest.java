package com.customercaregpt.backup.backup;

import com.customercaregpt.backup.fixtures.ChildJvm;
import com.customercaregpt.backup.fixtures.Cli;
import com.customercaregpt.backup.fixtures.TestStack;
import com.customercaregpt.backup.repository.RepositoryLock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One writer at a time per repository: a second backup or a cleanup waits, then fails naming the holder. */
class RepositoryLockTest {

    private Path work;

    @BeforeEach
    void setUp() throws Exception {
        work = Files.createTempDirectory("lock-test-");
    }

    @AfterEach
    void tearDown() {
        TestStack.deleteTree(work);
    }

    @Test
    void concurrentHoldersNeverOverlap() throws Exception {
        Path root = work.resolve("repo");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(8);
        for (int i = 0; i < 8; i++) {
            pool.submit(() -> {
                RepositoryLock lock = new RepositoryLock(root, Duration.ofSeconds(60), Duration.ofSeconds(30));
                try (RepositoryLock.Held held = lock.acquire("test")) {
                    if (inside.incrementAndGet() > 1) {
                        overlaps.incrementAndGet();
                    }
                    Thread.sleep(50);
                    inside.decrementAndGet();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    done.countDown();
                }
                return null;
            });
        }
        assertTrue(done.await(60, TimeUnit.SECONDS));
        pool.shutdown();
        assertEquals(0, overlaps.get());
        assertFalse(Files.exists(root.resolve("lock.json")), "released");
    }

    @Test
    void aSecondBackupAndACleanupFailNamingTheHolderAndTheLockOfAKilledHolderIsTakenOver() throws Exception {
        Path uploads = Files.createDirectories(work.resolve("uploads"));
        try (RandomAccessFile big = new RandomAccessFile(uploads.resolve("big.bin").toFile(), "rw")) {
            big.setLength(16L << 30); // sparse; with gzip the first backup holds the lock for a while
        }
        Properties properties = new Properties();
        properties.putAll(TestStack.shared().settings(work.resolve("repo")));
        properties.put("backup.uploads.path", uploads.toString());
        properties.put("backup.compression", "gzip");
        properties.put("backup.lock.wait-seconds", "1");
        Path config = TestStack.store(properties, work.resolve("lock.properties"));
        Cli.Result earlier = Cli.run("--config", config.toString(), "create", "--components", "config", "--output", "json");
        assertEquals(0, earlier.exitCode(), earlier.toString());
        String earlierId = com.customercaregpt.backup.repository.ManifestCodec.JSON.readTree(earlier.stdout())
                .get("backup_id").asText();
        Process first = new ProcessBuilder(ChildJvm.command(config, "create", "--components", "uploads"))
                .redirectErrorStream(true).redirectOutput(work.resolve("first.log").toFile()).start();
        Path lockFile = work.resolve("repo/lock.json");
        Instant deadline = Instant.now().plusSeconds(60);
        while (!Files.exists(lockFile) && Instant.now().isBefore(deadline) && first.isAlive()) {
            Thread.sleep(20);
        }
        assertTrue(Files.exists(lockFile), "the first backup holds the lock");

        Cli.Result second = Cli.run("--config", config.toString(), "create", "--components", "config");
        assertEquals(1, second.exitCode(), second.toString());
        assertTrue(second.stderr().contains("is locked by backup on ") && second.stderr().contains("pid " + first.pid()),
                second.stderr());
        Cli.Result cleanup = Cli.run("--config", config.toString(), "cleanup", "--yes");
        assertEquals(1, cleanup.exitCode(), cleanup.toString());
        assertTrue(cleanup.stderr().contains("is locked by backup"), cleanup.stderr());

        Cli.Result restore = Cli.run("--config", config.toString(), "restore", earlierId, "--components", "config",
                "--target-dir", work.resolve("restored").toString());
        assertEquals(1, restore.exitCode(), restore.toString());
        assertTrue(restore.stderr().contains("is locked by backup"), restore.stderr());
        assertFalse(Files.exists(work.resolve("restored")), "nothing restored");
        Cli.Result delete = Cli.run("--config", config.toString(), "delete", earlierId, "--force");
        assertEquals(1, delete.exitCode(), delete.toString());
        assertTrue(delete.stderr().contains("is locked by backup"), delete.stderr());
        assertTrue(Files.exists(work.resolve("repo/backups/" + earlierId + "/manifest.json")), "the backup stays");
        Cli.Result dryRun = Cli.run("--config", config.toString(), "restore", earlierId, "--dry-run");
        assertEquals(0, dryRun.exitCode(), "a dry run reads only: " + dryRun);

        ChildJvm.kill(first);
        Files.writeString(uploads.resolve("big.bin"), "small now");
        Cli.Result after = Cli.run("--config", config.toString(), "create", "--components", "config");
        assertEquals(0, after.exitCode(), "the dead holder's lock is taken over: " + after);
        assertFalse(Files.exists(lockFile));
    }
}
