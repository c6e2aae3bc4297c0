package com.customercaregpt.backup.wal;

import com.customercaregpt.backup.fixtures.Cli;
import com.customercaregpt.backup.fixtures.WalCluster;
import com.customercaregpt.backup.repository.Manifest;
import com.customercaregpt.backup.repository.ManifestCodec;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With WAL on: a full backup is a physical base backup, the streamer archives every segment, and a restore
 * brings back the base backup exactly, or the database as it was at a moment between two transactions,
 * beside the live server (--target-dir) or in its place, also as a recovery plan's point; a missing segment
 * is found and refused by name.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PointInTimeRestoreTest {

    private WalCluster cluster;
    private String backupId;
    private Map<String, String> atBackup;
    private Instant betweenTransactions;

    @BeforeAll
    void backUpThenWriteTwoTransactions() throws Exception {
        cluster = new WalCluster("pitr-test");
        cluster.startStreamer();
        atBackup = fingerprint(cluster.postgres().port());
        backupId = cluster.createFullBackup();
        betweenTransactions = cluster.momentBetween("INSERT INTO orders VALUES (2, 'before the moment')",
                "INSERT INTO orders VALUES (3, 'after the moment')");
    }

    @AfterAll
    void stop() {
        cluster.close();
    }

    @Test
    @Order(1)
    void aFullBackupWithWalOnIsABaseBackupWithItsWalPositions() throws Exception {
        Manifest.ComponentRecord database = cluster.databaseRecord(backupId);
        assertEquals(List.of("database/base.tar.zst"), database.artifacts().stream().map(Manifest.Artifact::path).toList());
        assertEquals("physical", database.facts().get("backup_kind"));
        assertEquals(1, ((Number) database.facts().get("timeline")).intValue());
        assertTrue(Lsn.parse((String) database.facts().get("end_lsn")) >= Lsn.parse((String) database.facts().get("start_lsn")));
        assertEquals(List.of("public.customers", "public.orders"), database.facts().get("tables"));
        Map<?, ?> objects = (Map<?, ?>) database.facts().get("schema_objects");
        assertEquals(List.of("public.customers", "public.orders"), objects.get("tables"));
        assertEquals(List.of("public.customers_pkey", "public.orders_pkey"), objects.get("indexes"));
        assertTrue(((List<?>) objects.get("constraints")).contains("public.orders.orders_pkey"), objects.toString());
        Cli.Result verify = cluster.cli("verify", backupId);
        assertEquals(0, verify.exitCode(), verify.toString());
    }

    @Test
    @Order(2)
    void theBaseBackupRestoresEqualByContentHashIntoATargetDir() throws Exception {
        WalCluster.RestoredCopy copy = cluster.restoreCopy("copy-of-backup", backupId);
        assertEquals(0, copy.result().exitCode(), copy.result().toString());
        assertTrue(copy.result().stdout().contains("port=" + copy.port()), copy.result().stdout());
        assertTrue(copy.result().stdout().contains("2 tables readable (first row of each read)"), copy.result().stdout());
        assertEquals(atBackup, fingerprint(copy.port()));
    }

    @Test
    @Order(3)
    void aPointBetweenTwoTransactionsRestoresRowExactIntoATargetDir() throws Exception {
        WalCluster.RestoredCopy copy = cluster.restoreCopy("copy-at-moment", "--to-time", betweenTransactions.toString());
        assertEquals(0, copy.result().exitCode(), copy.result().toString());
        assertEquals(List.of("1 first", "2 before the moment"), cluster.orders(copy.port()));
    }

    @Test
    @Order(4)
    void aPointInTimeRestoreInPlaceSwapsTheDataFolderAndKeepsTheOld() throws Exception {
        cluster.replaceable();
        Cli.Result restore = cluster.cli("restore", "--to-time", betweenTransactions.toString(), "--yes");
        assertEquals(0, restore.exitCode(), restore.toString());
        assertEquals(List.of("1 first", "2 before the moment"), cluster.orders(cluster.postgres().port()));
        try (var siblings = Files.list(cluster.postgres().dataFolder().getParent())) {
            assertTrue(siblings.anyMatch(p -> p.getFileName().toString().startsWith("data.pre-restore-")),
                    "the replaced data folder is kept");
        }
    }

    @Test
    @Order(5)
    void aDatabaseRecoveryToATimeRestoresRowExactInPlaceAndAccountsTheRpoFromThatTime() throws Exception {
        cluster.replaceable();
        cluster.postgres().execute(WalCluster.DATABASE, "INSERT INTO orders VALUES (4, 'written since')");
        Cli.Result initiate = cluster.cli("disaster-recovery", "initiate", "--plan-id", "database_recovery",
                "--to-time", betweenTransactions.toString(), "--yes", "--output", "json");
        assertEquals(0, initiate.exitCode(), initiate.toString());
        assertEquals(List.of("1 first", "2 before the moment"), cluster.orders(cluster.postgres().port()));
        JsonNode run = ManifestCodec.JSON.readTree(initiate.stdout());
        assertEquals(backupId, run.path("recovery_point").path("backup_id").asText(), run.toString());
        assertEquals(betweenTransactions.toString(), run.path("recovery_point").path("to_time").asText(), run.toString());
        assertEquals(Duration.between(betweenTransactions, Instant.parse(run.path("started_at").asText())).toSeconds(),
                run.path("rpo").path("achieved_seconds").asLong(), run.toString());
        assertEquals("[\"database\"]", run.path("swapped").toString());
    }

    @Test
    @Order(6)
    void aDeletedSegmentIsNamedByWalVerifyAndRefusedByRestoreBeforeAnythingIsBuilt() throws Exception {
        WalArchive archive = WalArchive.from(cluster.settings());
        BasePoint base = BasePoint.of(backupId, cluster.databaseRecord(backupId).facts()).orElseThrow();
        ArchivedSegment deleted = archive.list().stream().filter(s -> s.name().equals(base.endSegment()))
                .findFirst().orElseThrow();
        archive.remove(deleted);

        Cli.Result verify = cluster.cli("wal", "verify");
        assertEquals(1, verify.exitCode(), verify.toString());
        assertTrue(verify.stderr().contains(deleted.name()), verify.stderr());

        Path dir = cluster.work().resolve("never-built");
        Cli.Result restore = cluster.cli("restore", "--to-time", betweenTransactions.toString(), "--components",
                "database", "--target-dir", dir.toString(), "--yes");
        assertEquals(2, restore.exitCode(), restore.toString());
        assertTrue(restore.stderr().contains("WAL segment " + deleted.name() + " is missing"), restore.stderr());
        assertEquals(1, restore.stderr().lines().filter(l -> l.startsWith("backup-manager: error:")).count());
        assertFalse(Files.exists(dir));
    }

    @Test
    @Order(7)
    void anUnknownTableCheckIsRefusedBeforeAnythingIsBuilt() {
        Path dir = cluster.work().resolve("never-built-either");
        Cli.Result restore = restoreIntoWith(dir, "backup.database.restore-table-check", "most-rows", "first-row");
        assertEquals(2, restore.exitCode(), restore.toString());
        assertEquals(List.of("backup-manager: error: backup.database.restore-table-check must be first-row or "
                + "every-row, got 'most-rows'"), restore.stderr().lines()
                .filter(l -> l.startsWith("backup-manager: error:")).toList());
        assertFalse(Files.exists(dir));
    }

    @Test
    @Order(8)
    void aRestoredServerThatRefusesOurLoginFailsAtOnceNamingIt() {
        Path dir = cluster.work().resolve("refused");
        Cli.Result restore = restoreIntoWith(dir, "backup.database.password", "not-the-password",
                cluster.postgres().password());
        assertEquals(1, restore.exitCode(), restore.toString());
        List<String> errors = restore.stderr().lines().filter(l -> l.startsWith("backup-manager: error:")).toList();
        assertEquals(1, errors.size(), restore.stderr());
        assertTrue(errors.get(0).contains("the restored server in " + dir + " refuses "), errors.get(0));
        assertTrue(errors.get(0).contains("password authentication failed"), errors.get(0));
        assertFalse(Files.exists(dir.resolve("postmaster.pid")), "its private server was stopped");
    }

    /** restore of the backup into {@code dir} with one setting changed, then set back to {@code usual}. */
    private Cli.Result restoreIntoWith(Path dir, String key, String value, String usual) {
        cluster.with(key, value);
        try {
            return cluster.cli("restore", backupId, "--components", "database", "--target-dir", dir.toString(), "--yes");
        } finally {
            cluster.with(key, usual);
        }
    }

    /** Each table's row count and the md5 of its rows in order. */
    private Map<String, String> fingerprint(int port) throws Exception {
        Map<String, String> print = new TreeMap<>();
        try (Connection c = cluster.connect(port); Statement st = c.createStatement()) {
            for (String table : List.of("orders", "customers")) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) || ':' || md5(string_agg(t::text, '|' ORDER BY t::text)) "
                        + "FROM " + table + " t")) {
                    rs.next();
                    print.put(table, rs.getString(1));
                }
            }
        }
        return print;
    }
}
