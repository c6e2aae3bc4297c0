package com.customercaregpt.backup.restore;

import com.customercaregpt.backup.demo.LocalPostgres;
import com.customercaregpt.backup.fixtures.ChildJvm;
import com.customercaregpt.backup.fixtures.Cli;
import com.customercaregpt.backup.fixtures.Fingerprints;
import com.customercaregpt.backup.fixtures.TestStack;
import com.customercaregpt.backup.repository.Manifest;
import com.customercaregpt.backup.repository.ManifestCodec;
import com.fasterxml.jackson.databind.JsonNode;
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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 in the middle of a restore: the live data is exactly as it was, and what the restore
 * had half built is reported by health, listed by cleanup --pre-restore --dry-run and removed by
 * the next restore; nothing of a restore still running is touched.
 */
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

        // The half-extracted copy is a leftover: reported, listed, then removed by the next restore.
        Path halfBuilt;
        try (Stream<Path> siblings = Files.list(work)) {
            halfBuilt = siblings.filter(p -> p.getFileName().toString().startsWith("uploads.restore-")).findFirst()
                    .orElseThrow();
        }
        assertLeftoverReported(config, "folder " + halfBuilt);
        Files.writeString(uploads.resolve("big.bin"), "small now");
        Cli.Result second = Cli.run("--config", config.toString(), "create", "--components", "uploads", "--output", "json");
        assertEquals(0, second.exitCode(), second.toString());
        String smallId = ManifestCodec.JSON.readValue(second.stdout(), Manifest.class).backupId();
        live = Fingerprints.tree(uploads);
        Cli.Result next = Cli.run("--config", config.toString(), "restore", smallId, "--target-dir",
                work.resolve("isolated").toString(), "--yes");
        assertEquals(0, next.exitCode(), next.toString());
        assertTrue(next.stderr().contains("Removed folder " + halfBuilt), next.stderr());
        assertFalse(Files.exists(halfBuilt), "the next restore removed the dead restore's half-extracted copy");
        assertNoRecordLeft();
        Fingerprints.assertSame(live, Fingerprints.tree(uploads), "the live uploads after the next restore");
    }

    @Test
    void aDatabaseRestoreKilledHalfWayLeavesACopyThatIsReportedAndRemovedWhileARunningRestoresCopyIsLeftAlone()
            throws Exception {
        LocalPostgres postgres = TestStack.shared().postgres();
        String database = "killed_" + ProcessHandle.current().pid() + "_" + (System.nanoTime() % 100_000);
        postgres.createDatabase(database);
        // Each row's check sleeps in a database being restored only: the restore's load takes minutes
        // (it is killed long before), the live inserts and the isolated restore take none.
        postgres.execute(database, "CREATE FUNCTION slow_while_restoring(bigint) RETURNS boolean LANGUAGE plpgsql AS $$"
                + " BEGIN IF current_database() LIKE '%\\_restoring\\_%' THEN PERFORM pg_sleep(0.05); END IF;"
                + " RETURN true; END $$;"
                + "CREATE TABLE orders (id bigint PRIMARY KEY CHECK (slow_while_restoring(id)), item text);"
                + "INSERT INTO orders SELECT g, 'item ' || g FROM generate_series(1, 3000) g");
        Properties properties = new Properties();
        properties.putAll(TestStack.shared().settings(work.resolve("repo")));
        properties.put("backup.database.name", database);
        properties.put("backup.lock.wait-seconds", "0");
        Path config = TestStack.store(properties, work.resolve("kill-database.properties"));
        Process child = null;
        try {
            Cli.Result create = Cli.run("--config", config.toString(), "create", "--components", "database", "--output", "json");
            assertEquals(0, create.exitCode(), create.toString());
            String id = ManifestCodec.JSON.readValue(create.stdout(), Manifest.class).backupId();
            postgres.execute(database, "INSERT INTO orders VALUES (0, 'after the backup')");
            String live = fingerprint(postgres, database);

            child = new ProcessBuilder(ChildJvm.command(config, "restore", id, "--components", "database", "--yes"))
                    .redirectErrorStream(true).redirectOutput(work.resolve("child.log").toFile()).start();
            String restoring = waitForDatabase(postgres, database + "_restoring_", child);
            String label = restoring.substring((database + "_restoring_").length());
            Path record = work.resolve("repo/pre-restore").resolve(label).resolve("building.json");
            assertTrue(Files.readString(record).contains("\"" + restoring + "\""), "recorded before it was built");

            // While it runs, its copy is neither reported nor removed, and a second restore waits its turn.
            Cli.Result cleanupWhileRunning = Cli.run("--config", config.toString(), "cleanup", "--pre-restore", "--yes");
            assertEquals(0, cleanupWhileRunning.exitCode(), cleanupWhileRunning.toString());
            assertEquals("ok", leftoverCheck(config).path("status").asText());
            Cli.Result beside = Cli.run("--config", config.toString(), "restore", id, "--components", "database",
                    "--target-database", database + "_beside", "--yes");
            assertEquals(1, beside.exitCode(), beside.toString());
            assertTrue(beside.stderr().contains("is locked by restore"), beside.stderr());
            assertTrue(child.isAlive(), "the first restore was still running: " + Files.readString(work.resolve("child.log")));
            assertTrue(postgres.databaseExists(restoring), "a running restore's copy is never removed");

            ChildJvm.kill(child);
            assertEquals(live, fingerprint(postgres, database), "the live database after a killed restore");
            assertTrue(postgres.databaseExists(restoring), "the killed restore left its half-loaded copy");

            assertLeftoverReported(config, "database " + restoring);
            assertEquals(live, fingerprint(postgres, database));

            Cli.Result next = Cli.run("--config", config.toString(), "restore", id, "--components", "database",
                    "--target-database", database + "_beside", "--yes");
            assertEquals(0, next.exitCode(), next.toString());
            assertTrue(next.stderr().contains("Removed database " + restoring), next.stderr());
            assertFalse(postgres.databaseExists(restoring), "the next restore dropped the dead restore's copy");
            assertEquals(3000, postgres.queryLong(database + "_beside", "SELECT count(*) FROM orders"));
            assertNoRecordLeft();
            assertEquals(live, fingerprint(postgres, database), "the live database after the next restore");
        } finally {
            if (child != null) {
                ChildJvm.kill(child);
            }
            List<String> made = postgres.query("postgres", "SELECT datname FROM pg_database WHERE starts_with(datname, '"
                    + database + "')", rs -> {
                        List<String> names = new ArrayList<>();
                        while (rs.next()) {
                            names.add(rs.getString(1));
                        }
                        return names;
                    });
            for (String name : made) {
                postgres.execute("postgres", "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            }
        }
    }

    /** health warns about the leftover, and cleanup --pre-restore --dry-run lists it and leaves it. */
    private void assertLeftoverReported(Path config, String what) throws Exception {
        JsonNode check = leftoverCheck(config);
        assertEquals("warn", check.path("status").asText(), check.toString());
        assertTrue(check.path("detail").asText().contains(what), check.toString());
        Cli.Result dryRun = Cli.run("--config", config.toString(), "cleanup", "--pre-restore", "--dry-run");
        assertEquals(0, dryRun.exitCode(), dryRun.toString());
        assertTrue(dryRun.stdout().contains("would remove leftover " + what), dryRun.stdout());
        assertEquals("warn", leftoverCheck(config).path("status").asText(), "a dry run removes nothing");
    }

    private static JsonNode leftoverCheck(Path config) throws Exception {
        Cli.Result health = Cli.run("--config", config.toString(), "health", "--output", "json");
        for (JsonNode check : ManifestCodec.JSON.readTree(health.stdout()).path("checks")) {
            if (check.path("name").asText().equals("restore leftovers")) {
                return check;
            }
        }
        throw new AssertionError("no restore leftovers check: " + health);
    }

    private void assertNoRecordLeft() throws Exception {
        Path records = work.resolve("repo/pre-restore");
        if (Files.isDirectory(records)) {
            try (Stream<Path> tree = Files.walk(records)) {
                assertTrue(tree.noneMatch(p -> p.getFileName().toString().equals("building.json")),
                        "every build record is gone");
            }
        }
    }

    private static String fingerprint(LocalPostgres postgres, String database) {
        return postgres.queryLong(database, "SELECT count(*) FROM orders") + " rows, hash "
                + postgres.queryLong(database, "SELECT sum(hashtext(id || item)) FROM orders");
    }

    private static String waitForDatabase(LocalPostgres postgres, String prefix, Process child) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        while (Instant.now().isBefore(deadline)) {
            if (!child.isAlive()) {
                throw new AssertionError("the restore ended before it could be killed");
            }
            String found = postgres.query("postgres", "SELECT datname FROM pg_database WHERE starts_with(datname, '"
                    + prefix + "')", rs -> rs.next() ? rs.getString(1) : null);
            if (found != null) {
                return found;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no " + prefix + "* database within 120 s");
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
