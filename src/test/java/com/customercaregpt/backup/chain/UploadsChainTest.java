package com.customercaregpt.backup.chain;

import com.customercaregpt.backup.fixtures.Cli;
import com.customercaregpt.backup.fixtures.Fingerprints;
import com.customercaregpt.backup.fixtures.TestStack;
import com.customercaregpt.backup.pipeline.crypto.KeyFile;
import com.customercaregpt.backup.repository.Manifest;
import com.customercaregpt.backup.repository.ManifestCodec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Incremental and differential backups of an uploads folder of its own (GNU tar's listed-incremental
 * archives): each stores only what changed, and a restore applies the chain in order, giving back
 * added, changed, deleted and renamed files exactly.
 */
class UploadsChainTest {

    @TempDir
    Path work;

    private Path uploads;
    private Path repository;
    private Path config;

    @BeforeEach
    void ownUploadsFolder() throws Exception {
        uploads = Files.createDirectories(work.resolve("uploads"));
        repository = work.resolve("repo");
        config = properties(Map.of());
        Files.createDirectories(uploads.resolve("tenant-a/docs"));
        Files.createDirectories(uploads.resolve("tenant-b"));
        for (int i = 0; i < 20; i++) {
            Files.writeString(uploads.resolve("tenant-a/docs/file-" + i + ".txt"), "document " + i + "\n".repeat(i * 100));
        }
        Files.writeString(uploads.resolve("tenant-b/keep.txt"), "kept");
        Files.writeString(uploads.resolve("tenant-b/old-name.txt"), "renamed later");
        Files.writeString(uploads.resolve("tenant-b/doomed.txt"), "deleted later");
        Files.createSymbolicLink(uploads.resolve("tenant-b/link"), Path.of("keep.txt"));
    }

    private Path properties(Map<String, String> overrides) throws Exception {
        Properties properties = new Properties();
        properties.putAll(TestStack.shared().settings(repository));
        properties.put("backup.uploads.path", uploads.toString());
        properties.putAll(overrides);
        return TestStack.store(properties, work.resolve("uploads.properties"));
    }

    private Manifest create(String type) throws Exception {
        Cli.Result result = Cli.withConfig(config, "create", "--type", type, "--components", "uploads", "--output", "json");
        assertEquals(0, result.exitCode(), result.toString());
        return ManifestCodec.JSON.readValue(result.stdout(), Manifest.class);
    }

    private static Map<String, Object> facts(Manifest manifest) {
        return manifest.components().get(0).facts();
    }

    private static long stored(Manifest manifest, String suffix) {
        return manifest.components().get(0).artifacts().stream().filter(a -> a.path().contains(suffix))
                .mapToLong(Manifest.Artifact::rawSizeBytes).sum();
    }

    /** Adds, changes, deletes and renames files and folders. */
    private void firstChanges() throws Exception {
        Files.writeString(uploads.resolve("tenant-a/docs/file-3.txt"), "changed after the full");
        Files.writeString(uploads.resolve("tenant-a/new.txt"), "added after the full");
        Files.delete(uploads.resolve("tenant-b/doomed.txt"));
        Files.move(uploads.resolve("tenant-b/old-name.txt"), uploads.resolve("tenant-b/new-name.txt"));
        Files.createDirectories(uploads.resolve("tenant-c/empty"));
    }

    private void secondChanges() throws Exception {
        Files.writeString(uploads.resolve("tenant-a/new.txt"), "changed again");
        for (int i = 10; i < 20; i++) {
            Files.delete(uploads.resolve("tenant-a/docs/file-" + i + ".txt"));
        }
        Files.move(uploads.resolve("tenant-c"), uploads.resolve("tenant-c-renamed"));
        Files.delete(uploads.resolve("tenant-b/link"));
        Files.createSymbolicLink(uploads.resolve("tenant-b/link"), Path.of("new-name.txt"));
    }

    @Test
    void fullThenTwoIncrementalsRestoreToTheLastStateAndStoreOnlyTheChanges() throws Exception {
        Manifest full = create("full");
        firstChanges();
        Manifest first = create("incremental");
        secondChanges();
        Map<String, String> last = Fingerprints.tree(uploads);
        Manifest second = create("incremental");

        assertEquals(true, facts(first).get("incremental"));
        assertEquals(3L, ((Number) facts(first).get("changed_file_count")).longValue(),
                "file-3, new.txt and the renamed file (a rename changes its ctime): " + facts(first));
        assertTrue(stored(first, "uploads.tar") < stored(full, "uploads.tar") / 2,
                "the incremental archive is far smaller than the full one");
        assertEquals(first.backupId(), second.dependsOn());

        // the live folder changes again; the restore must bring back the state of the second incremental
        Files.writeString(uploads.resolve("after-backup.txt"), "not in any backup");
        Files.delete(uploads.resolve("tenant-b/keep.txt"));
        Cli.Result dryRun = Cli.withConfig(config, "restore", second.backupId(), "--dry-run");
        assertEquals(0, dryRun.exitCode(), dryRun.toString());
        assertTrue(dryRun.stdout().contains("chain: " + full.backupId() + " (full) -> " + first.backupId()
                + " (incremental) -> " + second.backupId() + " (incremental)"), dryRun.stdout());
        Cli.Result restore = Cli.withConfig(config, "restore", second.backupId(), "--yes");
        assertEquals(0, restore.exitCode(), restore.toString());
        Fingerprints.assertSame(last, Fingerprints.tree(uploads), "uploads after the chain's restore");
    }

    @Test
    void aDifferentialHoldsEverythingSinceTheFullAndRestoresWithItAlone() throws Exception {
        Manifest full = create("full");
        firstChanges();
        create("incremental");
        secondChanges();
        Map<String, String> last = Fingerprints.tree(uploads);
        Manifest differential = create("differential");
        assertEquals(full.backupId(), differential.dependsOn());
        assertEquals(3L, ((Number) facts(differential).get("changed_file_count")).longValue(),
                "file-3, new.txt and the renamed file, all since the full: " + facts(differential));

        Path target = work.resolve("isolated");
        Cli.Result restore = Cli.withConfig(config, "restore", differential.backupId(), "--target-dir", target.toString(),
                "--yes");
        assertEquals(0, restore.exitCode(), restore.toString());
        Fingerprints.assertSame(last, Fingerprints.tree(target.resolve("uploads")), "uploads from full + differential");
    }

    @Test
    void anEncryptedChainIsReadWithEachBackupsOwnDataKey() throws Exception {
        Path keyFile = work.resolve("backup.key");
        KeyFile.generate(keyFile);
        config = properties(Map.of("backup.encryption.key-file", keyFile.toString()));
        Manifest full = create("full");
        firstChanges();
        Manifest incremental = create("incremental");
        assertNotEquals(full.dataKey().wrappedKey(), incremental.dataKey().wrappedKey(), "a data key per backup");
        assertTrue(incremental.components().get(0).artifacts().stream().allMatch(a -> a.path().endsWith(".enc")));
        Map<String, String> last = Fingerprints.tree(uploads);

        Path target = work.resolve("isolated");
        Cli.Result restore = Cli.withConfig(config, "restore", incremental.backupId(), "--target-dir", target.toString(),
                "--yes");
        assertEquals(0, restore.exitCode(), restore.toString());
        Fingerprints.assertSame(last, Fingerprints.tree(target.resolve("uploads")), "uploads from an encrypted chain");
    }

    @Test
    void aCorruptArchiveInTheMiddleOfTheChainRefusesTheRestoreBeforeAnythingIsTouched() throws Exception {
        create("full");
        firstChanges();
        Manifest middle = create("incremental");
        secondChanges();
        Manifest last = create("incremental");
        Map<String, String> live = Fingerprints.tree(uploads);
        Manifest.Artifact archive = middle.components().get(0).artifacts().stream()
                .filter(a -> a.path().contains("uploads.tar")).findFirst().orElseThrow();
        try (RandomAccessFile file = new RandomAccessFile(repository.resolve("backups").resolve(middle.backupId())
                .resolve(archive.path()).toFile(), "rw")) {
            file.seek(file.length() / 2);
            int b = file.read();
            file.seek(file.length() / 2);
            file.write(b ^ 0xff);
        }

        Cli.Result restore = Cli.withConfig(config, "restore", last.backupId(), "--yes");
        assertNotEquals(0, restore.exitCode(), restore.toString());
        List<String> lines = restore.stderr().lines().filter(l -> l.startsWith("backup-manager: error: ")).toList();
        assertEquals(1, lines.size(), restore.toString());
        assertTrue(lines.get(0).contains(archive.path()) && lines.get(0).contains(middle.backupId()), lines.get(0));
        Fingerprints.assertSame(live, Fingerprints.tree(uploads), "the live folder is untouched");
        try (Stream<Path> siblings = Files.list(work)) {
            assertFalse(siblings.anyMatch(p -> p.getFileName().toString().startsWith("uploads.restore-")
                    || p.getFileName().toString().startsWith("uploads.pre-restore-")),
                    "nothing was built beside the live folder");
        }
        Cli.Result verify = Cli.withConfig(config, "verify", last.backupId());
        assertNotEquals(0, verify.exitCode(), verify.toString());
        assertTrue(verify.stdout().contains(middle.backupId()) || verify.stderr().contains(middle.backupId()),
                "verify of the last backup checks its chain: " + verify);
    }
}
