package com.customercaregpt.backup.restore;

import com.customercaregpt.backup.fixtures.ChildJvm;
import com.customercaregpt.backup.fixtures.Cli;
import com.customercaregpt.backup.fixtures.Fingerprints;
import com.customercaregpt.backup.fixtures.TestStack;
import com.customercaregpt.backup.repository.Manifest;
import com.customercaregpt.backup.repository.ManifestCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** kill -9 in the middle of a restore: the live data is exactly as it was. */
class KilledRestoreTest {

    private Path work;

    @BeforeEach
    void setUp() throws Exception {
        work = Files.createTempDirectory("killed-restore-test-");
        work.toFile().setExecutable(true, false);
    }

    @AfterEach
    void tearDown() {
        TestStack.deleteTree(work);
    }

    @Test
    void aRestoreKilledWhileExtractingLeavesTheLiveFolderAsItWas() throws Exception {
        Path uploads = Files.createDirectories(work.resolve("uploads"));
        try (RandomAccessFile big = new RandomAccessFile(uploads.resolve("big.bin").toFile(), "rw")) {
            big.setLength(3L << 30); // sparse: backs up fast, but extracting writes 3 GiB
        }
        Files.writeString(uploads.resolve("note.txt"), "as backed up");
        Properties properties = new Properties();
        properties.putAll(TestStack.shared().settings(work.resolve("repo")));
        properties.put("backup.uploads.path", uploads.toString());
        Path config = TestStack.store(properties, work.resolve("kill.properties"));
        Cli.Result create = Cli.run("--config", config.toString(), "create", "--components", "uploads", "--output", "json");
        assertEquals(0, create.exitCode(), create.toString());
        String id = ManifestCodec.JSON.readValue(create.stdout(), Manifest.class).backupId();

        Files.writeString(uploads.resolve("note.txt"), "changed after the backup");
        Files.delete(uploads.resolve("big.bin"));
        Map<String, String> live = Fingerprints.tree(uploads);

        Process child = new ProcessBuilder(ChildJvm.command(config, "restore", id, "--yes"))
                .redirectErrorStream(true).redirectOutput(work.resolve("child.log").toFile()).start();
        waitForExtraction(uploads.getParent(), child);
        ChildJvm.kill(child);

        Fingerprints.assertSame(live, Fingerprints.tree(uploads), "the live uploads after a killed restore");
        try (Stream<Path> siblings = Files.list(work)) {
            assertTrue(siblings.noneMatch(p -> p.getFileName().toString().startsWith("uploads.pre-restore-")),
                    "no swap happened");
        }
    }

    private static void waitForExtraction(Path parent, Process child) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            if (!child.isAlive()) {
                throw new AssertionError("the restore ended before it could be killed: "
                        + Files.readString(parent.resolve("child.log")));
            }
            try (Stream<Path> siblings = Files.list(parent)) {
                for (Path p : siblings.filter(p -> p.getFileName().toString().startsWith("uploads.restore-")).toList()) {
                    Path big = p.resolve("big.bin");
                    if (Files.exists(big) && Files.size(big) > 0) {
                        return;
                    }
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("extraction did not start within 60 s");
    }

}
