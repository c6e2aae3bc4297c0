package com.customercaregpt.backup.verify;

import com.customercaregpt.backup.fixtures.ChildJvm;
import com.customercaregpt.backup.fixtures.Cli;
import com.customercaregpt.backup.fixtures.TestStack;
import com.customercaregpt.backup.repository.ManifestCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A backup deleted while it is verified is reported as deleted, never as missing or corrupt artifacts. */
class VerifyWhileDeletedTest {

    private Path work;

    @BeforeEach
    void setUp() throws Exception {
        work = Files.createTempDirectory("verify-deleted-test-");
    }

    @AfterEach
    void tearDown() {
        TestStack.deleteTree(work);
    }

    @Test
    void aDeleteDuringAVerifyIsReportedAsADeleteNotAsCorruption() throws Exception {
        Path uploads = Files.createDirectories(work.resolve("uploads"));
        try (RandomAccessFile big = new RandomAccessFile(uploads.resolve("big.bin").toFile(), "rw")) {
            big.setLength(4L << 30); // sparse: reading back 4 GiB of zeros keeps the verify busy a while
        }
        Path repository = work.resolve("repo");
        Properties properties = new Properties();
        properties.putAll(TestStack.shared().settings(repository));
        properties.put("backup.uploads.path", uploads.toString());
        Path config = TestStack.store(properties, work.resolve("verify.properties"));
        Cli.Result create = Cli.run("--config", config.toString(), "create", "--components", "uploads", "config",
                "--output", "json");
        assertEquals(0, create.exitCode(), create.toString());
        String id = ManifestCodec.JSON.readTree(create.stdout()).get("backup_id").asText();

        Path log = work.resolve("verify.log");
        Process verify = new ProcessBuilder(ChildJvm.command(config, "verify", id))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Path reading = repository.resolve(".scratch").resolve("verify-" + id + "-uploads");
        Instant deadline = Instant.now().plusSeconds(120);
        while (!Files.exists(reading)) {
            assertTrue(verify.isAlive(), "the verify ended before the delete: " + Files.readString(log));
            assertTrue(Instant.now().isBefore(deadline), "the verify never started reading uploads");
            Thread.sleep(5);
        }
        Cli.Result delete = Cli.run("--config", config.toString(), "delete", id, "--force");
        assertEquals(0, delete.exitCode(), delete.toString());
        assertTrue(verify.waitFor(300, TimeUnit.SECONDS), "the verify ends");

        String output = Files.readString(log);
        assertEquals(1, verify.exitValue(), output);
        assertTrue(output.contains("backup-manager: error: " + id + " was deleted while it was being verified"), output);
        assertFalse(output.contains("missing") || output.contains("corrupt"), output);
        assertFalse(output.lines().anyMatch(l -> l.contains(" ERROR ")), "nothing logged as an error: " + output);
        assertFalse(Files.exists(repository.resolve("backups").resolve(id)));
    }
}
