package com.customercaregpt.backup.component;

import com.customercaregpt.backup.demo.DemoStack;
import com.customercaregpt.backup.demo.LocalPostgres;
import com.customercaregpt.backup.fixtures.Cli;
import com.customercaregpt.backup.fixtures.TestStack;
import com.customercaregpt.backup.repository.Manifest;
import com.customercaregpt.backup.repository.ManifestCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The external tools' options are settings: what an operator adds there reaches the tool. */
class ToolOptionsTest {

    private static final String DB = "tool_options_live";
    private static final String RESTORED = "tool_options_restored";

    private final DemoStack stack = TestStack.shared();
    private Path work;

    @BeforeEach
    void setUp() throws Exception {
        work = Files.createTempDirectory("tool-options-test-");
        dropDatabases();
        LocalPostgres postgres = stack.postgres();
        postgres.execute("postgres", "CREATE DATABASE " + DB);
        postgres.execute(DB, "CREATE TABLE customer (id int PRIMARY KEY); INSERT INTO customer SELECT generate_series(1, 5);"
                + "CREATE TABLE audit_log (id int); INSERT INTO audit_log SELECT generate_series(1, 7)");
    }

    @AfterEach
    void tearDown() {
        dropDatabases();
        TestStack.deleteTree(work);
    }

    private void dropDatabases() {
        stack.postgres().execute("postgres", "DROP DATABASE IF EXISTS " + DB + " WITH (FORCE)");
        stack.postgres().execute("postgres", "DROP DATABASE IF EXISTS " + RESTORED + " WITH (FORCE)");
    }

    private Path config(Map<String, String> overrides) {
        Properties properties = new Properties();
        properties.putAll(stack.settings(work.resolve("repo")));
        properties.putAll(overrides);
        return TestStack.store(properties, work.resolve("options-" + System.nanoTime() + ".properties"));
    }

    @Test
    void pgDumpOptionsLeaveAnExcludedTableOutOfTheBackupAndTheRestore() throws Exception {
        Path config = config(Map.of("backup.database.name", DB,
                "backup.database.pg-dump-options", "--compress=0 --exclude-table=audit_log"));
        Cli.Result create = Cli.run("--config", config.toString(), "create", "--components", "database", "--output", "json");
        assertEquals(0, create.exitCode(), create.toString());
        Manifest manifest = ManifestCodec.JSON.readValue(create.stdout(), Manifest.class);
        Map<String, Object> facts = manifest.components().get(0).facts();
        assertEquals(Map.of("public.customer", 5), facts.get("row_counts"));

        assertEquals(0, Cli.run("--config", config.toString(), "verify", manifest.backupId()).exitCode());
        Cli.Result restore = Cli.run("--config", config.toString(), "restore", manifest.backupId(), "--components",
                "database", "--target-database", RESTORED);
        assertEquals(0, restore.exitCode(), restore.toString());
        assertEquals(5, stack.postgres().queryLong(RESTORED, "SELECT count(*) FROM customer"));
        assertEquals(0, stack.postgres().queryLong(RESTORED, "SELECT count(*) FROM pg_tables WHERE tablename = 'audit_log'"));
    }

    @Test
    void pgRestoreOptionsReachPgRestore() throws Exception {
        stack.postgres().execute(DB, "COMMENT ON TABLE customer IS 'in the dump'");
        Path config = config(Map.of("backup.database.name", DB,
                "backup.database.pg-restore-options", "--exit-on-error --no-comments"));
        Cli.Result create = Cli.run("--config", config.toString(), "create", "--components", "database", "--output", "json");
        assertEquals(0, create.exitCode(), create.toString());
        Manifest manifest = ManifestCodec.JSON.readValue(create.stdout(), Manifest.class);
        Cli.Result restore = Cli.run("--config", config.toString(), "restore", manifest.backupId(), "--components",
                "database", "--target-database", RESTORED);
        assertEquals(0, restore.exitCode(), restore.toString());
        assertEquals(5, stack.postgres().queryLong(RESTORED, "SELECT count(*) FROM customer"));
        assertEquals(0, stack.postgres().queryLong(RESTORED,
                "SELECT count(*) FROM pg_description WHERE objoid = 'customer'::regclass"));
        assertEquals(1, stack.postgres().queryLong(DB, "SELECT count(*) FROM pg_description WHERE objoid = 'customer'::regclass"));
    }

    @Test
    void redisCliOptionsReachRedisCli() throws Exception {
        Path config = config(Map.of("backup.redis.redis-cli-options", "--no-auth-warning --no-such-redis-cli-option"));
        Cli.Result create = Cli.run("--config", config.toString(), "create", "--components", "redis", "--output", "json");
        assertEquals(1, create.exitCode(), create.toString());
        Manifest manifest = ManifestCodec.JSON.readValue(create.stdout(), Manifest.class);
        assertTrue(manifest.components().get(0).error().contains("no-such-redis-cli-option"), create.toString());
    }

    @Test
    void tarOptionsReachTarWhenArchivingAndWhenExtracting() throws Exception {
        Path uploads = Files.createDirectories(work.resolve("uploads"));
        Files.writeString(uploads.resolve("invoice.pdf"), "kept");
        Files.writeString(uploads.resolve("upload.tmp"), "left out");
        Files.setLastModifiedTime(uploads.resolve("invoice.pdf"), FileTime.from(Instant.parse("2001-01-01T00:00:00Z")));
        Path config = config(Map.of("backup.uploads.path", uploads.toString(),
                "backup.tar.create-options", "--format=posix --exclude=*.tmp",
                "backup.tar.extract-options", "--preserve-permissions --numeric-owner --touch"));
        Cli.Result create = Cli.run("--config", config.toString(), "create", "--components", "uploads", "--output", "json");
        assertEquals(0, create.exitCode(), create.toString());
        Manifest manifest = ManifestCodec.JSON.readValue(create.stdout(), Manifest.class);
        assertEquals(1L, ((Number) manifest.components().get(0).facts().get("file_count")).longValue(),
                manifest.components().get(0).facts().toString());

        Path target = work.resolve("isolated");
        Instant beforeRestore = Instant.now().minusSeconds(5);
        Cli.Result restore = Cli.run("--config", config.toString(), "restore", manifest.backupId(), "--components",
                "uploads", "--target-dir", target.toString());
        assertEquals(0, restore.exitCode(), restore.toString());
        assertEquals("kept", Files.readString(target.resolve("uploads/invoice.pdf")));
        assertFalse(Files.exists(target.resolve("uploads/upload.tmp")));
        // --touch: the extracted file gets the time of the restore, not the one stored in the archive
        assertTrue(Files.getLastModifiedTime(target.resolve("uploads/invoice.pdf")).toInstant().isAfter(beforeRestore));
    }
}
