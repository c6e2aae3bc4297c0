package com.customercaregpt.backup.restore;

import com.customercaregpt.backup.demo.DemoStack;
import com.customercaregpt.backup.fixtures.Cli;
import com.customercaregpt.backup.fixtures.Fingerprints;
import com.customercaregpt.backup.fixtures.TestStack;
import com.customercaregpt.backup.fixtures.Tools;
import com.customercaregpt.backup.repository.Manifest;
import com.customercaregpt.backup.repository.ManifestCodec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The two layouts of the database artifact, on a database of their own with one table large
 * enough to be streamed: the directory layout (one artifact per pg_dump file, large tables fed to
 * pg_restore through named pipes) and the single custom-format file of earlier backups. Both
 * verify and restore to an equal database; a pg_restore that dies while pipes wait fails the
 * restore promptly and leaves nothing behind.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DatabaseDumpLayoutsTest {
    private static final String DB = "dump_layouts";

    private DemoStack stack;
    private Path work;
    private Map<String, String> original;

    @BeforeAll
    void createTheDatabase() throws Exception {
        stack = TestStack.shared();
        work = Files.createTempDirectory("dump-layouts-");
        stack.postgres().execute("postgres", "DROP DATABASE IF EXISTS " + DB);
        stack.postgres().execute("postgres", "CREATE DATABASE " + DB);
        // About 20 MiB of COPY text: over the 8 MiB from which a table file is streamed.
        stack.postgres().execute(DB, """
                CREATE TYPE mood AS ENUM ('calm', 'busy');
                CREATE TABLE big (id bigserial PRIMARY KEY, mood mood NOT NULL, body text NOT NULL);
                INSERT INTO big (mood, body)
                  SELECT CASE WHEN g % 2 = 0 THEN 'calm' ELSE 'busy' END::mood, md5(g::text) || repeat(E'line\\tbreak\\n', 8)
                  FROM generate_series(1, 150000) g;
                CREATE TABLE small (k text PRIMARY KEY, v int);
                """);
        stack.postgres().execute(DB, """
                INSERT INTO small SELECT 'k' || g, g FROM generate_series(1, 50) g;
                CREATE TABLE empty_one (x int);
                CREATE VIEW calm_rows AS SELECT id FROM big WHERE mood = 'calm';
                CREATE FUNCTION big_count() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM big';
                """);
        original = Fingerprints.database(stack, DB);
    }

    @AfterAll
    void dropTheDatabases() {
        for (String db : List.of(DB, "dl_directory", "dl_custom", "dl_broken", "dl_counts", "dl_owned",
                "dl_owned_restore")) {
            stack.postgres().execute("postgres", "DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        }
        stack.postgres().execute("postgres", "DROP ROLE IF EXISTS dl_owner");
        stack.postgres().execute("postgres", "DROP ROLE IF EXISTS dl_owner_renamed");
        TestStack.deleteTree(work);
    }

    private Path config(String name, Map<String, String> overrides) {
        Properties properties = new Properties();
        properties.putAll(stack.settings(work.resolve("repo-" + name)));
        properties.put("backup.database.name", DB);
        properties.putAll(overrides);
        return TestStack.store(properties, work.resolve(name + ".properties"));
    }

    private static Manifest backUp(Path config) throws Exception {
        Cli.Result create = Cli.run("--config", config.toString(), "create", "--components", "database", "--output", "json");
        assertEquals(0, create.exitCode(), create.toString());
        return ManifestCodec.JSON.readValue(create.stdout(), Manifest.class);
    }

    /** Restores the backup beside the source as {@code target}; it must equal the source. */
    private void assertRestoresEqual(Path config, Manifest manifest, String target) {
        Cli.Result restore = Cli.run("--config", config.toString(), "restore", manifest.backupId(),
                "--target-database", target, "--yes");
        assertEquals(0, restore.exitCode(), restore.toString());
        Fingerprints.assertSame(original, Fingerprints.database(stack, target), "restored as " + target);
    }

    @Test
    void theDirectoryLayoutStoresOneArtifactPerDumpFileAndStreamsTheLargeTableBack() throws Exception {
        Path config = config("directory", Map.of());
        Manifest manifest = backUp(config);
        List<Manifest.Artifact> artifacts = manifest.components().get(0).artifacts();
        assertEquals("database/toc.dat.zst", artifacts.get(0).path(), artifacts.toString());
        assertTrue(artifacts.stream().allMatch(a -> a.format().equals("pg_dump-directory")), artifacts.toString());
        assertTrue(artifacts.stream().anyMatch(a -> a.rawSizeBytes() > 8 << 20), "one table file is large enough to stream");

        // Every file decompressed into one folder is a dump that pg_restore reads by hand.
        Path byHand = Files.createDirectories(work.resolve("by-hand"));
        Path folder = work.resolve("repo-directory/backups").resolve(manifest.backupId());
        for (Manifest.Artifact artifact : artifacts) {
            String name = artifact.path().substring("database/".length(), artifact.path().length() - ".zst".length());
            Tools.zstdDecompress(folder.resolve(artifact.path()), byHand.resolve(name));
        }
        Tools.Run list = Tools.run(Tools.pgTool("pg_restore"), "--list", byHand.toString());
        assertEquals(0, list.exitCode(), list.output());
        assertTrue(list.output().contains("TABLE DATA public big"), list.output());

        Cli.Result verify = Cli.run("--config", config.toString(), "verify", manifest.backupId());
        assertEquals(0, verify.exitCode(), verify.toString());
        assertEquals(artifacts.size(), verify.stdout().lines().filter(l -> l.contains(" ok")).count(), verify.stdout());

        Cli.Result plan = Cli.run("--config", config.toString(), "restore", manifest.backupId(),
                "--target-database", "dl_directory", "--dry-run");
        assertEquals(0, plan.exitCode(), plan.toString());
        assertTrue(plan.stdout().contains("1 largest table files"), plan.stdout());

        assertRestoresEqual(config, manifest, "dl_directory");
    }

    @Test
    void rowCountsAreCheckedAsTablesArriveAndAWrongCountFailsTheRestore() throws Exception {
        Path config = config("counts", Map.of());
        Manifest manifest = backUp(config);
        Cli.Result restore = Cli.run("--config", config.toString(), "restore", manifest.backupId(),
                "--target-database", "dl_counts", "--yes");
        assertEquals(0, restore.exitCode(), restore.toString());
        // pg_restore --verbose named each table as its data was committed, and each was counted then.
        assertTrue(restore.stderr().contains("row counts of dl_counts checked (3 of 3 tables while pg_restore ran)"),
                restore.stderr());
        stack.postgres().execute("postgres", "DROP DATABASE dl_counts");

        // The facts say one more row than the dump holds: the restore must refuse the database.
        Path manifestFile = work.resolve("repo-counts/backups").resolve(manifest.backupId()).resolve("manifest.json");
        String json = Files.readString(manifestFile);
        String tampered = json.replaceFirst("(\"public\\.small\"\\s*:\\s*)50", "$151");
        assertTrue(!tampered.equals(json), "the fact to change is in the manifest: " + json);
        Files.writeString(manifestFile, tampered);
        Cli.Result wrong = Cli.run("--config", config.toString(), "restore", manifest.backupId(),
                "--target-database", "dl_counts", "--yes");
        assertEquals(1, wrong.exitCode(), wrong.toString());
        assertTrue(wrong.stderr().contains("check row counts: public.small has 50 rows in dl_counts but the backup holds 51"),
                wrong.stderr());
        assertEquals(0, stack.postgres().queryLong("postgres",
                "SELECT count(*) FROM pg_database WHERE datname = 'dl_counts'"), "the refused database was dropped");
    }

    @Test
    void aDumpNamingARoleTheServerLacksFailsWithPgRestoresFirstError() throws Exception {
        stack.postgres().execute("postgres", "CREATE ROLE dl_owner");
        stack.postgres().execute("postgres", "CREATE DATABASE dl_owned");
        stack.postgres().execute("dl_owned", "CREATE TABLE owned (id int); INSERT INTO owned VALUES (1), (2);"
                + " ALTER TABLE owned OWNER TO dl_owner;");
        Path config = config("owned", Map.of("backup.database.name", "dl_owned"));
        Manifest manifest = backUp(config);
        // As on a fresh server where that role was never created.
        stack.postgres().execute("postgres", "ALTER ROLE dl_owner RENAME TO dl_owner_renamed");

        Cli.Result restore = Cli.run("--config", config.toString(), "restore", manifest.backupId(),
                "--target-database", "dl_owned_restore", "--yes");
        assertEquals(1, restore.exitCode(), restore.toString());
        // pg_restore stopped at that error instead of loading everything and then counting its errors.
        assertTrue(!restore.stderr().contains("errors ignored on restore"), restore.stderr());
        // The cause is pg_restore's first error, whatever its last line says.
        assertTrue(restore.stderr().contains("first error: could not execute query: ERROR:  role \"dl_owner\" does not exist"),
                restore.stderr());
        assertEquals(0, stack.postgres().queryLong("postgres",
                "SELECT count(*) FROM pg_database WHERE datname = 'dl_owned_restore'"), "the half-restored database was dropped");
        assertEquals(2, stack.postgres().queryLong("dl_owned", "SELECT count(*) FROM owned"), "the source is untouched");
    }

    @Test
    void theCustomLayoutOfEarlierBackupsStillVerifiesAndRestores() throws Exception {
        Path config = config("custom", Map.of("backup.database.dump-format", "custom"));
        Manifest manifest = backUp(config);
        List<Manifest.Artifact> artifacts = manifest.components().get(0).artifacts();
        assertEquals(1, artifacts.size(), artifacts.toString());
        assertEquals("database/database.dump.zst", artifacts.get(0).path());
        assertEquals("pg_dump-custom", artifacts.get(0).format());

        // Restored by a tool set to the directory layout: a backup restores whatever the setting is now.
        Path directoryConfig = config("custom-read", Map.of("backup.repository.path",
                work.resolve("repo-custom").toAbsolutePath().toString()));
        Cli.Result verify = Cli.run("--config", directoryConfig.toString(), "verify", manifest.backupId());
        assertEquals(0, verify.exitCode(), verify.toString());
        assertRestoresEqual(directoryConfig, manifest, "dl_custom");
    }

    @Test
    void aPgRestoreThatDiesWhilePipesWaitFailsPromptlyAndLeavesNoDatabase() throws Exception {
        Manifest manifest = backUp(config("broken", Map.of()));
        // A pg_restore that opens each pipe, reads a little and dies, as one killed mid-restore would.
        Path bin = Files.createDirectories(work.resolve("broken-bin"));
        Path realBin = Path.of(Tools.pgTool("pg_dump")).getParent();
        for (String tool : List.of("pg_dump", "psql", "createdb", "dropdb")) {
            Files.createSymbolicLink(bin.resolve(tool), realBin.resolve(tool));
        }
        Path fake = bin.resolve("pg_restore");
        Files.writeString(fake, """
                #!/bin/sh
                for last; do :; done
                for f in "$last"/*.dat; do [ -p "$f" ] && head -c 100 "$f" > /dev/null; done
                echo "pg_restore: error: simulated crash" >&2
                exit 7
                """);
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path broken = config("broken-restore", Map.of("backup.repository.path",
                work.resolve("repo-broken").toAbsolutePath().toString(), "backup.database.bin-dir", bin.toString()));

        Cli.Result restore = assertTimeoutPreemptively(Duration.ofMinutes(2), () -> Cli.run("--config",
                broken.toString(), "restore", manifest.backupId(), "--target-database", "dl_broken", "--yes"));
        assertEquals(1, restore.exitCode(), restore.toString());
        assertTrue(restore.stderr().contains("pg_restore exited with 7: pg_restore: error: simulated crash"),
                restore.stderr());
        assertEquals(0, stack.postgres().queryLong("postgres",
                "SELECT count(*) FROM pg_database WHERE datname = 'dl_broken'"), "the half-restored database was dropped");
        Fingerprints.assertSame(original, Fingerprints.database(stack, DB), "the source database is untouched");
    }
}
