package com.customercaregpt.backup.backup;

import com.customercaregpt.backup.fixtures.ChildJvm;
import com.customercaregpt.backup.fixtures.Cli;
import com.customercaregpt.backup.fixtures.TestStack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** kill -9 half-way through a backup: nothing is listed as completed, and the next backup clears the remains. */
class KilledBackupTest {

    private Path work;

    @BeforeEach
    void setUp() throws IOException {
        work = Files.createTempDirectory("killed-backup-test-");
    }

    @AfterEach
    void tearDown() {
        TestStack.deleteTree(work);
    }

    @Test
    void aBackupKilledWhileWritingIsNeverListedAsCompletedAndIsRemovedByTheNextRun() throws Exception {
        Path uploads = Files.createDirectories(work.resolve("uploads"));
        try (RandomAccessFile big = new RandomAccessFile(uploads.resolve("big.bin").toFile(), "rw")) {
            big.setLength(8L << 30); // sparse: tar reads 8 GiB of zeros, which takes a while
        }
        Path repository = work.resolve("repo");
        Properties properties = new Properties();
        properties.putAll(TestStack.shared().settings(repository));
        properties.put("backup.uploads.path", uploads.toString());
        properties.put("backup.compression", "gzip");
        Path config = TestStack.store(properties, work.resolve("kill.properties"));

        Process child = new ProcessBuilder(ChildJvm.command(config, "create", "--components", "uploads"))
                .redirectErrorStream(true).redirectOutput(work.resolve("child.log").toFile()).start();
        Path part = waitForPartialArtifact(repository, child);
        ChildJvm.kill(child); // SIGKILL: no shutdown hook, no finally block runs
        assertTrue(Files.exists(part), "killed while the artifact was being written");

        Path folder = part.getParent().getParent();
        String id = folder.getFileName().toString();
        assertFalse(Files.exists(folder.resolve("manifest.json")));
        Cli.Result completed = Cli.run("--config", config.toString(), "list", "--status", "completed");
        assertFalse(completed.stdout().contains(id), completed.stdout());
        Cli.Result all = Cli.run("--config", config.toString(), "list");
        assertTrue(all.stdout().lines().anyMatch(l -> l.startsWith(id) && l.contains("incomplete")), all.stdout());

        Files.writeString(uploads.resolve("big.bin"), "small now");
        Cli.Result next = Cli.run("--config", config.toString(), "create", "--components", "uploads");
        assertEquals(0, next.exitCode(), next.toString());
        assertFalse(Files.exists(folder), "the abandoned backup was removed");
        assertTrue(next.stderr().contains("Removing unfinished backup " + id), next.stderr());
    }

    private static Path waitForPartialArtifact(Path repository, Process child) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            if (!child.isAlive()) {
                throw new AssertionError("the backup ended before it could be killed, exit " + child.exitValue());
            }
            if (Files.isDirectory(repository.resolve("backups"))) {
                try (Stream<Path> files = Files.walk(repository.resolve("backups"))) {
                    List<Path> parts = files.filter(p -> p.toString().endsWith(".part")).toList();
                    if (!parts.isEmpty() && Files.size(parts.get(0)) > 0) {
                        return parts.get(0);
                    }
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no artifact was started within 60 s");
    }
}
