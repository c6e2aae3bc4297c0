package com.customercaregpt.backup.catalog;

import com.customercaregpt.backup.demo.LocalPostgres;
import com.customercaregpt.backup.fixtures.TestStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The catalog's schema comes from Flyway; catalogs of the releases before it are taken over without re-running a script. */
class CatalogMigrationsTest {

    private static final List<String> RELEASED = List.of("V001__catalog.sql", "V002__operations.sql",
            "V003__quartz.sql", "V004__schedules.sql", "V005__catalog_changes.sql");
    private static final String APPLIED = "SELECT string_agg(version::int || ':' || type || ':' || success, ',' "
            + "ORDER BY installed_rank) FROM " + CatalogSchema.HISTORY;

    private final LocalPostgres postgres = TestStack.shared().postgres();

    @Test
    void aCatalogOfTheReleaseBeforeFlywayKeepsItsRowsAndTakesNewMigrations(@TempDir Path next) throws Exception {
        String db = "catalog_before_flyway";
        oldReleaseCatalog(db, RELEASED.size());
        postgres.execute(db, "INSERT INTO backup (repository, backup_id, type, status, created_at, retention_days,"
                + " size_bytes, components, manifest) VALUES ('/srv/backups', 'backup_20250101_000000', 'full',"
                + " 'completed', now(), 30, 1234, 'database', '{\"format_version\": 1}'),"
                + " ('/srv/backups', 'backup_20250102_000000', 'incremental', 'completed', now(), 7, 12, 'database',"
                + " '{\"format_version\": 2, \"depends_on\": \"backup_20250101_000000\"}');"
                + " INSERT INTO operation (operation_id, repository, kind, backup_id, status, started_at)"
                + " VALUES ('op-1', '/srv/backups', 'verify', 'backup_20250101_000000', 'ok', now())");

        new CatalogSchema(dataSource(db)).ensureReady();

        // baselined at the highest version the old migrator applied: none of V001..V005 ran again,
        // V006 indexed the chains its manifests record, V007 added the recovery runs, V008 the WAL index
        assertEquals("5:BASELINE:true,6:SQL:true,7:SQL:true,8:SQL:true", history(db));
        assertEquals("backup_20250102_000000<-backup_20250101_000000", postgres.query(db, "SELECT string_agg(backup_id"
                + " || '<-' || depends_on, ',') FROM backup WHERE depends_on IS NOT NULL", rs -> rs.next() ? rs.getString(1) : null));
        assertEquals("backup_20250101_000000:1234:op-1", postgres.query(db, "SELECT b.backup_id || ':' || b.size_bytes"
                + " || ':' || o.operation_id FROM backup b JOIN operation o USING (repository, backup_id)",
                rs -> rs.next() ? rs.getString(1) : null));

        // the next release's migration applies on top of the baseline
        Files.writeString(next.resolve("V900__probe.sql"), "CREATE TABLE probe (id integer PRIMARY KEY);"
                + " INSERT INTO probe SELECT count(*) FROM backup;");
        CatalogSchema.flyway(dataSource(db)).locations("classpath:catalog", "filesystem:" + next).load().migrate();
        assertEquals("5:BASELINE:true,6:SQL:true,7:SQL:true,8:SQL:true,900:SQL:true", history(db));
        assertEquals(2, postgres.queryLong(db, "SELECT id FROM probe"));
    }

    @Test
    void aCatalogOfAnOlderReleaseIsBaselinedAtItsHighestVersionAndGetsTheRest() throws Exception {
        String db = "catalog_before_schedules";
        oldReleaseCatalog(db, 1);

        new CatalogSchema(dataSource(db)).ensureReady();

        assertEquals("1:BASELINE:true,2:SQL:true,3:SQL:true,4:SQL:true,5:SQL:true,6:SQL:true,7:SQL:true,8:SQL:true", history(db));
        assertEquals(0, postgres.queryLong(db, "SELECT count(*) FROM qrtz_triggers"));
        assertEquals(0, postgres.queryLong(db, "SELECT count(*) FROM schedule_run"));
    }

    @Test
    void aMissingCatalogIsCreatedAndGetsEveryMigration() throws Exception {
        String db = "catalog_fresh";
        assertTrue(!postgres.databaseExists(db));

        new CatalogSchema(dataSource(db)).ensureReady();

        assertEquals("1:SQL:true,2:SQL:true,3:SQL:true,4:SQL:true,5:SQL:true,6:SQL:true,7:SQL:true,8:SQL:true", history(db));
        assertEquals(0, postgres.queryLong(db, "SELECT count(*) FROM backup"));
        assertEquals(0, postgres.queryLong(db, "SELECT count(*) FROM schedule_run"));
    }

    @Test
    void aCatalogInADatabaseThatHoldsOtherTablesGetsEveryMigration() throws Exception {
        String db = "catalog_shared_database";
        postgres.createDatabase(db);
        postgres.execute(db, "CREATE TABLE someone_elses (id int)");

        new CatalogSchema(dataSource(db)).ensureReady();

        assertEquals("0:BASELINE:true,1:SQL:true,2:SQL:true,3:SQL:true,4:SQL:true,5:SQL:true,6:SQL:true,7:SQL:true,8:SQL:true", history(db));
        assertEquals(0, postgres.queryLong(db, "SELECT count(*) FROM backup"));
    }

    @Test
    void aMigrationMissingBelowTheAppliedOnesStillRuns() throws Exception {
        String db = "catalog_missing_one";
        new CatalogSchema(dataSource(db)).ensureReady();
        // as if V002 had been merged after V005 was applied
        postgres.execute(db, "DROP INDEX operation_backup; DELETE FROM " + CatalogSchema.HISTORY + " WHERE version = '002'");

        new CatalogSchema(dataSource(db)).ensureReady();

        assertEquals("1:SQL:true,3:SQL:true,4:SQL:true,5:SQL:true,6:SQL:true,7:SQL:true,8:SQL:true,2:SQL:true", history(db));
        assertEquals(1, postgres.queryLong(db, "SELECT count(*) FROM pg_indexes WHERE indexname = 'operation_backup'"));
    }

    @Test
    void instancesStartingTogetherMigrateAMissingCatalogOnce() throws Exception {
        String db = "catalog_concurrent";
        int instances = 4;
        ExecutorService pool = Executors.newFixedThreadPool(instances);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Void>> runs = new ArrayList<>();
            for (int i = 0; i < instances; i++) {
                CatalogSchema instance = new CatalogSchema(dataSource(db));
                runs.add(pool.submit((Callable<Void>) () -> {
                    start.await();
                    instance.ensureReady();
                    return null;
                }));
            }
            start.countDown();
            for (Future<Void> run : runs) {
                run.get(2, TimeUnit.MINUTES); // rethrows an instance's failure
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals("1:SQL:true,2:SQL:true,3:SQL:true,4:SQL:true,5:SQL:true,6:SQL:true,7:SQL:true,8:SQL:true", history(db));
    }

    /** A catalog as the releases before Flyway left it: their scripts and their {@code schema_version} table. */
    private void oldReleaseCatalog(String db, int applied) throws IOException {
        postgres.createDatabase(db);
        StringBuilder sql = new StringBuilder("BEGIN; CREATE TABLE IF NOT EXISTS schema_version (version integer"
                + " PRIMARY KEY, script text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());");
        for (String script : RELEASED.subList(0, applied)) {
            sql.append(read(script)).append(";\nINSERT INTO schema_version (version, script) VALUES (")
                    .append(Integer.parseInt(script.substring(1, 4))).append(", '").append(script).append("');");
        }
        postgres.execute(db, sql.append("COMMIT;").toString());
    }

    private static String read(String script) throws IOException {
        try (InputStream in = CatalogSchema.class.getResourceAsStream("/catalog/" + script)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private PGSimpleDataSource dataSource(String db) {
        return CatalogSchema.dataSource(postgres.jdbcUrl(db), postgres.user(), postgres.password());
    }

    private String history(String db) {
        return postgres.query(db, APPLIED, rs -> rs.next() ? rs.getString(1) : null);
    }
}
