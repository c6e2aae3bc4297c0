package com.customercaregpt.backup.restore;

import com.customercaregpt.backup.demo.DemoStack;
import com.customercaregpt.backup.demo.SampleData;
import com.customercaregpt.backup.fixtures.Cli;
import com.customercaregpt.backup.fixtures.Fingerprints;
import com.customercaregpt.backup.fixtures.TestStack;
import com.customercaregpt.backup.repository.Manifest;
import com.customercaregpt.backup.repository.ManifestCodec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Restores on a stack of its own (restores replace live data): every component comes back equal
 * to its backed-up state, what was replaced is kept, and no fault ever changes live data.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestoreTest {

    private Path work;
    private DemoStack stack;
    private Path config;
    private String backupId;
    private Manifest manifest;
    private Map<String, String> database;
    private Map<String, String> redis;
    private Map<String, String> uploads;
    private Map<String, Long> chroma;

    @BeforeAll
    void backUpTheStack() throws Exception {
        work = Files.createTempDirectory("restore-test-");
        work.toFile().setExecutable(true, false);
        stack = DemoStack.start(work.resolve("stack"));
        Properties properties = new Properties();
        properties.putAll(stack.settings(work.resolve("repo")));
        properties.putAll(stack.chromaServiceCommands());
        config = TestStack.store(properties, work.resolve("restore.properties"));
        Cli.Result create = Cli.run("--config", config.toString(), "create", "--output", "json");
        assertEquals(0, create.exitCode(), create.toString());
        manifest = ManifestCodec.JSON.readValue(create.stdout(), Manifest.class);
        backupId = manifest.backupId();
        database = Fingerprints.database(stack, DemoStack.DATABASE);
        redis = Fingerprints.redis(stack);
        uploads = Fingerprints.tree(stack.uploads());
        chroma = stack.chroma().client().recordCounts();
    }

    @AfterAll
    void stopTheStack() {
        stack.close();
        TestStack.deleteTree(work);
    }

    private Cli.Result cli(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--config";
        all[1] = config.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return Cli.run(all);
    }

    /** Changes every component after the backup, so a restore has something to undo. */
    private void changeEverything() throws Exception {
        stack.postgres().execute(DemoStack.DATABASE, "INSERT INTO customers (display_name, email, locale, signed_up_at) VALUES ('after backup', 'late@example.com', 'en', now());"
                + "DELETE FROM messages WHERE id % 2 = 0; SELECT setval('invoice_number_seq', 999999);"
                + "CREATE TABLE created_after_backup (id int)");
        try (var client = stack.redis().client()) {
            client.set("created:after:backup", "x");
            client.select(3);
            client.flushDB();
            client.select(0);
        }
        stack.chroma().client().createCollection("created_after_backup", Map.of("late", true));
        Files.writeString(stack.uploads().resolve("created after backup.txt"), "late");
        Files.setPosixFilePermissions(stack.uploads().resolve(SampleData.UPLOADS_SCRIPT_FILE),
                PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void aFullRestoreBringsEveryComponentBackAndKeepsWhatItReplaced() throws Exception {
        changeEverything();
        assertNotEquals(database, Fingerprints.database(stack, DemoStack.DATABASE));
        Path liveEnv = stack.configFiles().stream().filter(p -> p.toString().endsWith("platform.env")).findFirst().orElseThrow();
        String liveEnvBefore = Files.readString(liveEnv);

        Cli.Result restore = cli("restore", backupId, "--yes", "--output", "json");
        assertEquals(0, restore.exitCode(), restore.toString());
        RestoreReport report = ManifestCodec.JSON.readValue(restore.stdout(), RestoreReport.class);

        Fingerprints.assertSame(database, Fingerprints.database(stack, DemoStack.DATABASE), "rows, sequences, views, functions, enums");
        Fingerprints.assertSame(redis, Fingerprints.redis(stack), "every key, value and TTL in every database");
        Fingerprints.assertSame(uploads, Fingerprints.tree(stack.uploads()), "names, modes, links, empty folders");
        assertEquals(chroma, stack.chroma().client().recordCounts(), "collections and records, served after a restart");

        // What was replaced is kept, and named in the report.
        String label = report.label();
        String keptDatabase = DemoStack.DATABASE + "_pre_restore_" + label;
        assertTrue(report.kept().contains("database " + keptDatabase), report.kept().toString());
        assertEquals(1, stack.postgres().queryLong(keptDatabase, "SELECT count(*) FROM information_schema.tables "
                + "WHERE table_name = 'created_after_backup'"));
        assertTrue(Files.exists(stack.uploads().resolveSibling("uploads.pre-restore-" + label).resolve("created after backup.txt")));
        Path savedRedis = work.resolve("repo/pre-restore").resolve(label).resolve("redis-dump.rdb");
        assertTrue(new String(Files.readAllBytes(savedRedis), 0, 5, StandardCharsets.US_ASCII).equals("REDIS"));

        // Config: written beside the live file, never over it, with the real secrets taken from it.
        assertEquals(liveEnvBefore, Files.readString(liveEnv));
        String restoredEnv = Files.readString(Path.of(liveEnv + ".restored-" + label));
        assertFalse(restoredEnv.contains("***REDACTED***"), restoredEnv);
        assertTrue(restoredEnv.contains("demo-redis-password-1a2b3c"), "the live secret is filled in");

        // cleanup --pre-restore removes what was kept.
        Cli.Result cleanup = cli("cleanup", "--pre-restore", "--yes");
        assertEquals(0, cleanup.exitCode(), cleanup.toString());
        assertEquals(0, stack.postgres().queryLong("postgres", "SELECT count(*) FROM pg_database WHERE datname = '"
                + keptDatabase + "'"));
        assertFalse(Files.exists(stack.uploads().resolveSibling("uploads.pre-restore-" + label)));
        assertFalse(Files.exists(savedRedis));
    }

    @Test
    void withRestoreModeSwapAConfigRestoreReplacesTheLiveFilesAndCleanupRemovesTheOldOnes() throws Exception {
        Path liveEnv = stack.configFiles().stream().filter(p -> p.toString().endsWith("platform.env")).findFirst().orElseThrow();
        String backedUp = Files.readString(liveEnv);
        String broken = backedUp.replace("APP_ENV=production", "APP_ENV=broken");
        Files.writeString(liveEnv, broken);
        Properties swap = new Properties();
        try (var in = Files.newInputStream(config)) {
            swap.load(in);
        }
        swap.setProperty("backup.config.restore-mode", "swap");
        Path swapConfig = TestStack.store(swap, work.resolve("restore-swap.properties"));

        Cli.Result restore = Cli.run("--config", swapConfig.toString(), "restore", backupId, "--components", "config",
                "--yes", "--output", "json");
        assertEquals(0, restore.exitCode(), restore.toString());
        RestoreReport report = ManifestCodec.JSON.readValue(restore.stdout(), RestoreReport.class);

        assertEquals(backedUp, Files.readString(liveEnv), "the live file holds the backup's content, its secrets filled in");
        Path kept = Path.of(liveEnv + ".pre-restore-" + report.label());
        assertEquals(broken, Files.readString(kept));
        assertTrue(report.kept().contains(kept.toString()), report.kept().toString());
        assertFalse(Files.exists(Path.of(liveEnv + ".restored-" + report.label())), "the restored copy was swapped in");
        Cli.Result cleanup = cli("cleanup", "--pre-restore", "--yes");
        assertEquals(0, cleanup.exitCode(), cleanup.toString());
        assertFalse(Files.exists(kept), "cleanup --pre-restore removes the kept file");
    }

    @Test
    void everythingTheToolWritesUnderTheRepositoryIsReadableByItsOwnerOnly() throws Exception {
        Cli.Result restore = cli("restore", backupId, "--components", "redis", "uploads", "--yes", "--output", "json");
        assertEquals(0, restore.exitCode(), restore.toString());
        String label = ManifestCodec.JSON.readValue(restore.stdout(), RestoreReport.class).label();
        assertEquals(0, cli("verify", backupId).exitCode());
        Cli.Result cleanup = cli("cleanup", "--yes");
        assertEquals(0, cleanup.exitCode(), cleanup.toString());

        Path repository = work.resolve("repo");
        assertTrue(Files.exists(repository.resolve("pre-restore").resolve(label).resolve("kept.json")));
        assertTrue(Files.exists(repository.resolve("pre-restore").resolve(label).resolve("redis-dump.rdb")));
        List<String> open;
        try (Stream<Path> tree = Files.walk(repository)) {
            open = tree.map(p -> mode(p) + " " + repository.relativize(p))
                    .filter(entry -> !entry.startsWith("d rwx------ ") && !entry.startsWith("- rw------- ")).toList();
        }
        assertEquals(List.of(), open, "files 600 and folders 700 under " + repository);
    }

    /** "d rwx------" or "- rw-r--r--": the type and the POSIX permissions. */
    private static String mode(Path path) {
        try {
            return (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS) ? "d " : "- ")
                    + PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void verifyPassesAndListShowsWhenItLastDid() {
        Cli.Result verify = cli("verify", backupId);
        assertEquals(0, verify.exitCode(), verify.toString());
        long artifacts = manifest.components().stream().mapToLong(c -> c.artifacts().size()).sum();
        assertEquals(artifacts, verify.stdout().lines().filter(l -> l.startsWith(backupId) && l.contains(" ok")).count(),
                verify.stdout());
        Cli.Result list = cli("list", "--output", "json");
        assertTrue(list.stdout().contains("\"last_verified_at\" : \"20"), list.stdout());
    }

    @Test
    void aFlippedByteInAnyArtifactIsNamedByVerifyAndStopsTheRestoreBeforeAnythingLiveChanges() throws Exception {
        Path folder = work.resolve("repo/backups").resolve(backupId);
        for (Manifest.ComponentRecord component : manifest.components()) {
            for (Manifest.Artifact artifact : oneOfEachKind(component)) {
                Path file = folder.resolve(artifact.path());
                flipByte(file, artifact.sizeBytes() / 2);
                try {
                    Cli.Result verify = cli("verify", backupId);
                    assertEquals(1, verify.exitCode(), verify.toString());
                    assertTrue(verify.stdout().lines().anyMatch(l -> l.contains(artifact.path()) && l.contains("bad")),
                            verify.stdout());

                    stack.postgres().execute(DemoStack.DATABASE, "CREATE TABLE IF NOT EXISTS marker (id int)");
                    Cli.Result restore = cli("restore", backupId, "--yes", "--components", component.name());
                    assertEquals(1, restore.exitCode(), restore.toString());
                    assertTrue(restore.stderr().contains(artifact.path()) && restore.stderr().contains("corrupt"),
                            restore.stderr());
                    assertEquals(1, stack.postgres().queryLong(DemoStack.DATABASE,
                            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'marker'"), "live untouched");
                } finally {
                    flipByte(file, artifact.sizeBytes() / 2);
                    stack.postgres().execute(DemoStack.DATABASE, "DROP TABLE IF EXISTS marker");
                }
            }
        }
        assertEquals(0, cli("verify", backupId).exitCode());
    }

    @Test
    void aDryRunPrintsThePlanAndChangesNothing() throws Exception {
        stack.postgres().execute(DemoStack.DATABASE, "CREATE TABLE IF NOT EXISTS dry_run_marker (id int)");
        Map<String, String> before = Fingerprints.database(stack, DemoStack.DATABASE);
        Map<String, String> redisBefore = Fingerprints.redis(stack);
        Map<String, String> uploadsBefore = Fingerprints.tree(stack.uploads());
        Cli.Result plan = cli("restore", backupId, "--dry-run");
        assertEquals(0, plan.exitCode(), plan.toString());
        assertTrue(plan.stdout().contains("rename " + DemoStack.DATABASE + " -> " + DemoStack.DATABASE + "_pre_restore_"),
                plan.stdout());
        Fingerprints.assertSame(before, Fingerprints.database(stack, DemoStack.DATABASE), "database");
        Fingerprints.assertSame(redisBefore, Fingerprints.redis(stack), "redis");
        Fingerprints.assertSame(uploadsBefore, Fingerprints.tree(stack.uploads()), "uploads");
        try (Stream<Path> siblings = Files.list(stack.uploads().getParent())) {
            assertTrue(siblings.noneMatch(p -> p.getFileName().toString().contains(".restore-")));
        }
        stack.postgres().execute(DemoStack.DATABASE, "DROP TABLE dry_run_marker");
    }

    @Test
    void isolatedRestoresLeaveTheLiveSystemsUntouched() throws Exception {
        stack.postgres().execute(DemoStack.DATABASE, "CREATE TABLE IF NOT EXISTS isolated_marker (id int)");
        Path target = work.resolve("isolated");
        Cli.Result restore = cli("restore", backupId, "--target-database", "restore_check", "--target-dir", target.toString());
        assertEquals(0, restore.exitCode(), restore.toString());
        Map<String, String> restored = Fingerprints.database(stack, "restore_check");
        Fingerprints.assertSame(database, restored, "restored beside");
        assertEquals(1, stack.postgres().queryLong(DemoStack.DATABASE,
                "SELECT count(*) FROM information_schema.tables WHERE table_name = 'isolated_marker'"), "live untouched");
        Fingerprints.assertSame(uploads, Fingerprints.tree(target.resolve("uploads")), "uploads restored beside");
        assertTrue(Files.isRegularFile(target.resolve("chromadb/chroma.sqlite3")));
        assertTrue(Files.isRegularFile(target.resolve("config/platform.env")));
        stack.postgres().execute("postgres", "DROP DATABASE restore_check");
        stack.postgres().execute(DemoStack.DATABASE, "DROP TABLE isolated_marker");
    }

    @Test
    void aServerThatIsDownStopsTheRestoreBeforeAnyComponentIsSwapped() throws Exception {
        Properties properties = new Properties();
        try (var in = Files.newBufferedReader(config)) {
            properties.load(in);
        }
        properties.put("backup.redis.port", "1");
        Path broken = TestStack.store(properties, work.resolve("redis-down.properties"));
        stack.postgres().execute(DemoStack.DATABASE, "CREATE TABLE IF NOT EXISTS down_marker (id int)");
        Cli.Result restore = Cli.run("--config", broken.toString(), "restore", backupId, "--yes",
                "--components", "database", "redis");
        assertEquals(1, restore.exitCode(), restore.toString());
        assertTrue(restore.stderr().contains("backup-manager: error: redis: connect: cannot reach Redis"), restore.stderr());
        assertEquals(1, stack.postgres().queryLong(DemoStack.DATABASE,
                "SELECT count(*) FROM information_schema.tables WHERE table_name = 'down_marker'"), "database not swapped");
        assertEquals(0, stack.postgres().queryLong("postgres",
                "SELECT count(*) FROM pg_database WHERE datname LIKE '%restoring%'"), "the prepared copy was removed");
        stack.postgres().execute(DemoStack.DATABASE, "DROP TABLE down_marker");
    }

    @Test
    void badRestoreRequestsAreUsageErrors() {
        Cli.Result unknown = cli("restore", backupId, "--yes", "--components", "mongodb");
        assertEquals(2, unknown.exitCode(), unknown.toString());
        Cli.Result path = cli("restore", "../../etc", "--yes");
        assertEquals(2, path.exitCode(), path.toString());
        Cli.Result redisIsolated = cli("restore", backupId, "--components", "redis", "--target-dir", work.toString());
        assertEquals(2, redisIsolated.exitCode(), redisIsolated.toString());
        Cli.Result noTerminal = cli("restore", backupId);
        assertEquals(2, noTerminal.exitCode(), noTerminal.toString());
        assertTrue(noTerminal.stderr().contains("add --yes"), noTerminal.stderr());
    }

    /** The artifacts to damage: all, except that of the database's table files only the largest. */
    private static List<Manifest.Artifact> oneOfEachKind(Manifest.ComponentRecord component) {
        if (!component.name().equals("database")) {
            return component.artifacts();
        }
        Manifest.Artifact toc = component.artifacts().get(0);
        Manifest.Artifact largestTable = component.artifacts().stream().skip(1)
                .max(java.util.Comparator.comparingLong(Manifest.Artifact::sizeBytes)).orElseThrow();
        assertTrue(toc.path().equals("database/toc.dat.zst"), toc.path());
        return List.of(toc, largestTable);
    }

    private static void flipByte(Path file, long offset) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(offset);
            int b = f.read();
            f.seek(offset);
            f.write(b ^ 0xFF);
        }
    }
}
