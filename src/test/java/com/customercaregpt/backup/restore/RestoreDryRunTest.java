package com.customercaregpt.backup.restore;

import com.customercaregpt.backup.fixtures.Cli;
import com.customercaregpt.backup.fixtures.TestStack;
import com.customercaregpt.backup.repository.Manifest;
import com.customercaregpt.backup.repository.ManifestCodec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A dry run checks every artifact a restore would use (presence, size, checksum) and names a bad one. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestoreDryRunTest {

    private Path work;
    private Path config;
    private Manifest manifest;
    private Path folder;

    @BeforeAll
    void backUp() throws Exception {
        work = Files.createTempDirectory("restore-dry-run-test-");
        Properties properties = new Properties();
        properties.putAll(TestStack.shared().settings(work.resolve("repo")));
        config = TestStack.store(properties, work.resolve("dry-run.properties"));
        Cli.Result create = Cli.run("--config", config.toString(), "create", "--components", "uploads", "config",
                "--output", "json");
        assertEquals(0, create.exitCode(), create.toString());
        manifest = ManifestCodec.JSON.readValue(create.stdout(), Manifest.class);
        folder = work.resolve("repo/backups").resolve(manifest.backupId());
    }

    @AfterAll
    void removeWork() {
        TestStack.deleteTree(work);
    }

    private Path artifact(String component) {
        return folder.resolve(manifest.components().stream().filter(c -> c.name().equals(component)).findFirst()
                .orElseThrow().artifacts().get(0).path());
    }

    private Cli.Result dryRun() {
        return Cli.run("--config", config.toString(), "restore", manifest.backupId(), "--dry-run");
    }

    /** Exit 1, and stderr is exactly one line naming the artifact and what is wrong with it. */
    private static void assertNamed(Cli.Result result, String... fragments) {
        assertEquals(1, result.exitCode(), result.toString());
        List<String> lines = result.stderr().lines().toList();
        assertEquals(1, lines.size(), result.toString());
        for (String fragment : fragments) {
            assertTrue(lines.get(0).contains(fragment), lines.get(0) + " lacks " + fragment);
        }
    }

    @Test
    void aGoodBackupIsPlanned() {
        Cli.Result result = dryRun();
        assertEquals(0, result.exitCode(), result.toString());
        assertTrue(result.stdout().contains("planned"), result.stdout());
    }

    @Test
    void aCorruptArtifactIsNamed() throws Exception {
        Path file = artifact("config");
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(f.length() / 2);
            int b = f.read();
            f.seek(f.length() / 2);
            f.write(b ^ 1);
            try {
                assertNamed(dryRun(), "backup-manager: error: config: verify checksum: ",
                        folder.relativize(file) + " of " + manifest.backupId() + " is corrupt");
            } finally {
                f.seek(f.length() / 2);
                f.write(b);
            }
        }
    }

    @Test
    void aShortArtifactIsNamedWithItsSize() throws Exception {
        Path file = artifact("uploads");
        byte[] whole = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(whole, whole.length - 1));
        try {
            assertNamed(dryRun(), "uploads: verify checksum: ", (whole.length - 1) + " bytes; the manifest says");
        } finally {
            Files.write(file, whole);
        }
    }

    @Test
    void aMissingArtifactIsNamed() throws Exception {
        Path file = artifact("config");
        Path aside = work.resolve("aside");
        Files.move(file, aside);
        try {
            assertNamed(dryRun(), "config: read artifact: " + folder.relativize(file) + " is missing from "
                    + manifest.backupId());
        } finally {
            Files.move(aside, file);
        }
    }
}
