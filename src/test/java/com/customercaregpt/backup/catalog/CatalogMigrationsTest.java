package com.customercaregpt.backup.catalog;

import com.customercaregpt.backup.demo.LocalPostgres;
import com.customercaregpt.backup.fixtures.TestStack;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Migrations are numbered by their file names; any one not yet applied runs, even below the highest applied. */
class CatalogMigrationsTest {

    @Test
    void aCatalogOfAnOlderToolGetsTheMissingMigrationsByFileNameVersion() throws Exception {
        LocalPostgres postgres = TestStack.shared().postgres();
        postgres.createDatabase("catalog_migrations");
        // a catalog made by the tool before the schedules: V001 only
        String v001 = new String(CatalogSchema.class.getResourceAsStream("/catalog/V001__catalog.sql").readAllBytes(),
                StandardCharsets.UTF_8);
        postgres.execute("catalog_migrations", v001 + "; CREATE TABLE schema_version (version integer PRIMARY KEY,"
                + " script text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());"
                + " INSERT INTO schema_version (version, script) VALUES (1, 'V001__catalog.sql')");

        new CatalogSchema(CatalogSchema.dataSource(postgres.jdbcUrl("catalog_migrations"), postgres.user(),
                postgres.password())).ensureReady();

        assertEquals("1:V001__catalog.sql,2:V002__operations.sql,3:V003__quartz.sql,4:V004__schedules.sql,"
                + "5:V005__catalog_changes.sql", postgres.query("catalog_migrations",
                "SELECT string_agg(version || ':' || script, ',' ORDER BY version) FROM schema_version",
                rs -> rs.next() ? rs.getString(1) : null));
        assertEquals(1, postgres.queryLong("catalog_migrations", "SELECT count(*) FROM qrtz_triggers") + 1);
        assertEquals(0, postgres.queryLong("catalog_migrations", "SELECT count(*) FROM schedule_run"));
        assertEquals(3, CatalogSchema.version("V003__quartz.sql"));
    }
}
