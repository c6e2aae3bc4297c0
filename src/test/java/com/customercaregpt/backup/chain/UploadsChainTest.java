package com.customercaregpt.backup.chain;

import com.customercaregpt.backup.component.FileChecksums;
import com.customercaregpt.backup.fixtures.Cli;
import com.customercaregpt.backup.fixtures.Fingerprints;
import com.customercaregpt.backup.fixtures.TestStack;
import com.customercaregpt.backup.fixtures.Tools;
import com.customercaregpt.backup.pipeline.crypto.KeyFile;
import com.customercaregpt.backup.repository.Manifest;
import com.customercaregpt.backup.repository.ManifestCodec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
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
    void foldersThatTradePlacesAcrossLevelsRestoreToTheLastState() throws Exception {
        // GNU tar knows folders by inode: left to itself it records "tenant-a renamed to tenant-a/docs and
        // back", which tar --extract --incremental cannot replay; the chain must restore all the same
        create("full");
        Files.move(uploads.resolve("tenant-a"), uploads.resolve("swap"));
        Files.move(uploads.resolve("swap/docs"), uploads.resolve("tenant-a"));
        Files.move(uploads.resolve("swap"), uploads.resolve("tenant-a/docs"));
        Files.writeString(uploads.resolve("tenant-a/docs/new.txt"), "added after the swap");
        Map<String, String> last = Fingerprints.tree(uploads);
        Manifest incremental = create("incremental");
        Files.writeString(uploads.resolve("after-backup.txt"), "not in any backup");

        Cli.Result restore = Cli.withConfig(config, "restore", incremental.backupId(), "--yes");

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

    /** The checksum list a backup stored, decompressed with the real zstd. */
    private Path checksumList(Manifest manifest, String name) {
        Manifest.Artifact list = manifest.components().get(0).artifacts().stream()
                .filter(a -> a.path().startsWith("uploads/uploads.sha256")).findFirst().orElseThrow(
                        () -> new AssertionError(manifest.backupId() + " has no checksum list"));
        assertEquals("sha256sum", list.format());
        return Tools.zstdDecompress(repository.resolve("backups").resolve(manifest.backupId()).resolve(list.path()),
                work.resolve(name));
    }

    /** `sha256sum -c --strict LIST` in {@code folder}, with the real sha256sum. */
    private static Tools.Run sha256sumCheck(Path folder, Path list) {
        return Tools.run("sh", "-c", "cd \"$0\" && sha256sum --check --strict \"$1\"", folder.toString(), list.toString());
    }

    @Test
    void fullAndIncrementalBackupsListEveryFileWithItsSha256AndSha256sumChecksTheRestoredFolder() throws Exception {
        Files.writeString(uploads.resolve("tenant-b/odd \\ name.txt"), "a backslash and spaces");
        Manifest full = create("full");
        Path fullList = checksumList(full, "full.sha256");
        List<String> fullLines = Files.readAllLines(fullList);
        assertEquals(24, fullLines.size(), "every regular file, symlinks left out: " + fullLines);
        List<String> paths = fullLines.stream().map(l -> l.substring(l.indexOf("  ") + 2)).toList();
        assertEquals(paths.stream().sorted().toList(), paths, "sorted by path");
        assertTrue(fullLines.contains(Tools.sha256(uploads.resolve("tenant-b/keep.txt")) + "  tenant-b/keep.txt"), fullLines.toString());
        assertTrue(fullLines.contains("\\" + Tools.sha256(uploads.resolve("tenant-b/odd \\ name.txt"))
                + "  tenant-b/odd \\\\ name.txt"), "escaped as sha256sum does: " + fullLines);

        firstChanges();
        Map<String, String> state = Fingerprints.tree(uploads);
        Manifest incremental = create("incremental");
        Path list = checksumList(incremental, "incremental.sha256");
        String listed = Files.readString(list);
        assertFalse(listed.contains("doomed.txt"), "a deleted file leaves the list: " + listed);
        assertFalse(listed.contains("old-name.txt"), listed);
        assertTrue(listed.contains(Tools.sha256(uploads.resolve("tenant-b/new-name.txt")) + "  tenant-b/new-name.txt\n"), listed);
        assertTrue(listed.contains(Tools.sha256(uploads.resolve("tenant-a/docs/file-3.txt")) + "  tenant-a/docs/file-3.txt\n"),
                "a changed file has its new hash: " + listed);
        assertTrue(listed.contains(Tools.sha256(uploads.resolve("tenant-a/docs/file-7.txt")) + "  tenant-a/docs/file-7.txt\n"),
                "an unchanged file keeps the full's hash: " + listed);
        assertEquals(24, listed.lines().count(), "one added, one deleted, one renamed: " + listed);

        // the restore checks every file against the incremental's list before it is done
        config = properties(Map.of("backup.restore.file-checksums", "uploads"));
        Path target = work.resolve("isolated");
        Cli.Result restore = Cli.withConfig(config, "restore", incremental.backupId(), "--target-dir", target.toString(), "--yes");
        assertEquals(0, restore.exitCode(), restore.toString());
        Fingerprints.assertSame(state, Fingerprints.tree(target.resolve("uploads")), "uploads from the chain");
        Tools.Run check = sha256sumCheck(target.resolve("uploads"), list);
        assertEquals(0, check.exitCode(), check.output());
        assertEquals(24, check.output().lines().filter(l -> l.endsWith(": OK")).count(), check.output());

        // the same list against a folder that differs: the first offending path and the counts
        Files.writeString(target.resolve("uploads/tenant-a/docs/file-5.txt"), "altered");
        Files.delete(target.resolve("uploads/tenant-a/new.txt"));
        Files.writeString(target.resolve("uploads/tenant-b/stray.txt"), "not in the backup");
        FileChecksums.Result result;
        try (InputStream in = Files.newInputStream(list)) {
            result = FileChecksums.compare(target.resolve("uploads"), in, Files.createDirectories(work.resolve("sort")));
        }
        assertEquals(List.of(24L, 1L, 1L, 1L, "tenant-a/docs/file-5.txt", "changed"), List.of(result.files(),
                result.changed(), result.missing(), result.extra(), result.firstPath(), result.firstProblem()));
        assertNotEquals(0, sha256sumCheck(target.resolve("uploads"), list).exitCode(), "sha256sum agrees");
    }
}
