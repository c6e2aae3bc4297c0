package com.customercaregpt.backup.wal;

import com.customercaregpt.backup.fixtures.Cli;
import com.customercaregpt.backup.fixtures.WalCluster;
import com.customercaregpt.backup.repository.Manifest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A cluster with a tablespace outside its data folder: the base backup holds one tar per tablespace and the
 * tablespace's location; a restore brings the table in it back row-exact, under --target-dir or beside its
 * location and swapped in with the data folder, the old tablespace kept.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TablespaceRestoreTest {

    private static final String ARCHIVED = "SELECT id || ' ' || item FROM archived_orders ORDER BY id";

    private WalCluster cluster;
    private Path tablespace;
    private String oid;
    private String backupId;
    private List<String> atBackup;
    private Instant betweenTransactions;

    @BeforeAll
    void backUpAClusterWithATableInATablespaceThenWriteTwoTransactions() throws Exception {
        cluster = new WalCluster("tablespace-test").with("backup.database.restore-table-check", "every-row");
        tablespace = cluster.tablespace("archive");
        cluster.postgres().execute(WalCluster.DATABASE, "CREATE TABLE archived_orders (id int PRIMARY KEY, item text) "
                + "TABLESPACE archive; INSERT INTO archived_orders SELECT g, 'archived ' || g FROM generate_series(1, 300) g");
        oid = cluster.rows(cluster.postgres().port(), "SELECT oid::text FROM pg_tablespace WHERE spcname = 'archive'").get(0);
        cluster.startStreamer();
        atBackup = cluster.rows(cluster.postgres().port(), ARCHIVED);
        backupId = cluster.createFullBackup();
        betweenTransactions = cluster.momentBetween("INSERT INTO archived_orders VALUES (1001, 'before the moment')",
                "INSERT INTO archived_orders VALUES (1002, 'after the moment')");
    }

    @AfterAll
    void stop() {
        cluster.close();
    }

    @Test
    @Order(1)
    void eachTablespaceIsAnArtifactOfItsOwnAndTheFactsNameItsLocation() throws Exception {
        Manifest.ComponentRecord database = cluster.databaseRecord(backupId);
        assertEquals(Set.of("database/base.tar.zst", "database/tablespace-" + oid + ".tar.zst",
                "database/backup_manifest.zst"), database.artifacts().stream().map(Manifest.Artifact::path)
                .collect(Collectors.toSet()));
        assertEquals(Map.of(oid, tablespace.toString()), database.facts().get("tablespaces"));
        Cli.Result verify = cluster.cli("verify", backupId);
        assertEquals(0, verify.exitCode(), verify.toString());
    }

    @Test
    @Order(2)
    void theBaseBackupRestoresIntoATargetDirWithItsTablespaceUnderIt() throws Exception {
        WalCluster.RestoredCopy copy = cluster.restoreCopy("copy-of-backup", backupId);
        assertEquals(0, copy.result().exitCode(), copy.result().toString());
        assertTrue(copy.result().stdout().contains("tables readable (every row read)"), copy.result().stdout());
        assertEquals(atBackup, cluster.rows(copy.port(), ARCHIVED));
        Path dir = copy.dir();
        assertEquals(dir.resolve("tablespaces").resolve(oid), Files.readSymbolicLink(dir.resolve("pg_tblspc").resolve(oid)));
        assertTrue(versionFolderIn(dir.resolve("tablespaces").resolve(oid)), "the tablespace is under the target dir");
        assertEquals(302, cluster.rows(cluster.postgres().port(), ARCHIVED).size(), "the live tablespace is untouched");
    }

    @Test
    @Order(3)
    void aPointInTimeRestoreInPlaceSwapsTheTablespaceInAndKeepsTheOldOne() throws Exception {
        cluster.replaceable();
        Cli.Result restore = cluster.cli("restore", "--to-time", betweenTransactions.toString(), "--yes");
        assertEquals(0, restore.exitCode(), restore.toString());

        List<String> expected = new java.util.ArrayList<>(atBackup);
        expected.add("1001 before the moment");
        assertEquals(expected, cluster.rows(cluster.postgres().port(), ARCHIVED));
        Path live = cluster.postgres().dataFolder();
        assertEquals(tablespace, Files.readSymbolicLink(live.resolve("pg_tblspc").resolve(oid)));
        Path keptTablespace;
        try (Stream<Path> siblings = Files.list(tablespace.getParent())) {
            keptTablespace = siblings.filter(p -> p.getFileName().toString().startsWith("archive.pre-restore-"))
                    .findFirst().orElseThrow(() -> new AssertionError("the replaced tablespace is kept"));
        }
        assertTrue(versionFolderIn(keptTablespace), "the kept tablespace holds its data");
        String label = keptTablespace.getFileName().toString().substring("archive.pre-restore-".length());
        Path keptData = live.resolveSibling(live.getFileName() + ".pre-restore-" + label);
        assertEquals(keptTablespace, Files.readSymbolicLink(keptData.resolve("pg_tblspc").resolve(oid)),
                "the kept data folder goes with the kept tablespace");
    }

    private static boolean versionFolderIn(Path folder) throws Exception {
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.anyMatch(p -> p.getFileName().toString().startsWith("PG_15_"));
        }
    }
}
