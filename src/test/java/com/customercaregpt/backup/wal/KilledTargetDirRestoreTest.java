package com.customercaregpt.backup.wal;

import com.customercaregpt.backup.fixtures.ChildJvm;
import com.customercaregpt.backup.fixtures.Cli;
import com.customercaregpt.backup.fixtures.WalCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 of a `restore --to-time --target-dir` while its private server recovers: the next cleanup stops
 * that server and removes the half-built folder, and leaves alone a finished --target-dir copy whose server
 * the operator uses.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KilledTargetDirRestoreTest {

    private WalCluster cluster;

    @BeforeAll
    void start() throws Exception {
        cluster = new WalCluster("killed-target-dir");
        cluster.startStreamer();
    }

    @AfterAll
    void stop() {
        cluster.close();
    }

    @Test
    void aKilledIsolatedRestoreLeavesNothingAfterTheNextCleanupAndAFinishedCopyIsKept() throws Exception {
        String first = cluster.createFullBackup();
        WalCluster.RestoredCopy finished = cluster.restoreCopy("finished-copy", first);
        assertEquals(0, finished.result().exitCode(), finished.result().toString());

        // The next base backup holds a replay delay of an hour: its recovery waits at the first commit after it.
        cluster.postgres().execute(WalCluster.DATABASE, "ALTER SYSTEM SET recovery_min_apply_delay = '1h'");
        cluster.createFullBackup();
        Instant moment = cluster.momentBetween("INSERT INTO orders VALUES (2, 'before the moment')",
                "INSERT INTO orders VALUES (3, 'after the moment')");
        Path killed = cluster.restoredServer(cluster.work().resolve("killed-copy"));
        Process child = new ProcessBuilder(ChildJvm.command(cluster.config(), "restore", "--to-time", moment.toString(),
                "--components", "database", "--target-dir", killed.toString(), "--yes"))
                .redirectErrorStream(true).redirectOutput(cluster.work().resolve("child.log").toFile()).start();
        long serverPid = awaitRecordedServer(child);
        ChildJvm.kill(child);
        assertTrue(ProcessHandle.of(serverPid).map(ProcessHandle::isAlive).orElse(false),
                "the killed restore left its private server running");
        assertTrue(Files.isDirectory(killed));

        Cli.Result cleanup = cluster.cli("cleanup", "--pre-restore", "--yes");
        assertEquals(0, cleanup.exitCode(), cleanup.toString());
        assertFalse(Files.exists(killed), "the half-built target dir is removed");
        assertFalse(ProcessHandle.of(serverPid).map(ProcessHandle::isAlive).orElse(false), "its server is stopped");
        assertEquals(List.of("1 first"), cluster.orders(finished.port()), "the finished copy still serves");
        assertTrue(Files.isRegularFile(finished.dir().resolve("PG_VERSION")));
        assertEquals(List.of(), buildRecords(), "no build record is left");
    }

    /** Waits until the child's build record lists its private server (it then recovers, delayed); returns its pid. */
    private long awaitRecordedServer(Process child) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        while (Instant.now().isBefore(deadline) && child.isAlive()) {
            for (Path record : buildRecords()) {
                for (var item : com.customercaregpt.backup.repository.ManifestCodec.JSON.readTree(record.toFile())
                        .path("building")) {
                    if ("server".equals(item.path("kind").asText())) {
                        return item.path("pid").asLong();
                    }
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the restore never recorded its private server: "
                + Files.readString(cluster.work().resolve("child.log")));
    }

    private List<Path> buildRecords() throws Exception {
        Path root = cluster.work().resolve("repo").resolve("pre-restore");
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> folders = Files.list(root)) {
            return folders.map(f -> f.resolve("building.json")).filter(Files::isRegularFile).toList();
        }
    }
}
