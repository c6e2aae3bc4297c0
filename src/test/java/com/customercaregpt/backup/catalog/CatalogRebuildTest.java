package com.customercaregpt.backup.catalog;

import com.customercaregpt.backup.demo.DemoStack;
import com.customercaregpt.backup.fixtures.Cli;
import com.customercaregpt.backup.fixtures.TestStack;
import com.customercaregpt.backup.pipeline.Folders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The catalog is an index: dropped, it comes back from the repository's manifests alone, chains included. */
class CatalogRebuildTest {

    private Path work;
    private Path repository;

    @BeforeEach
    void setUp() throws Exception {
        work = Files.createTempDirectory("catalog-rebuild-test-");
        repository = work.resolve("repo");
    }

    @AfterEach
    void tearDown() {
        TestStack.deleteTree(work);
    }

    @Test
    void aDroppedCatalogIsRebuiltFromTheManifests() throws Exception {
        DemoStack stack = TestStack.shared();
        Properties properties = new Properties();
        properties.putAll(stack.settings(repository));
        Path config = TestStack.store(properties, work.resolve("catalog.properties"));
        for (String type : List.of("full", "incremental", "incremental")) {
            assertEquals(0, Cli.run("--config", config.toString(), "create", "--type", type, "--components", "config")
                    .exitCode());
        }
        List<String> ids;
        try (var backups = Files.list(repository.resolve("backups"))) {
            ids = backups.map(p -> p.getFileName().toString()).sorted().toList();
        }
        Path gone;
        try (var backups = Files.list(repository.resolve("backups"))) {
            gone = backups.sorted().findFirst().orElseThrow();
        }
        Folders.deleteTree(gone); // lost from the repository behind the catalog's back

        stack.postgres().execute("postgres", "DROP DATABASE " + DemoStack.CATALOG_DATABASE + " WITH (FORCE)");
        Cli.Result rebuild = Cli.run("--config", config.toString(), "catalog", "rebuild");
        assertEquals(0, rebuild.exitCode(), rebuild.toString());
        assertTrue(rebuild.stdout().contains("2 backups and 0 WAL files indexed"), rebuild.stdout());
        assertEquals(2, stack.postgres().queryLong(DemoStack.CATALOG_DATABASE, "SELECT count(*) FROM backup WHERE "
                + "repository = '" + repository.toAbsolutePath().normalize() + "' AND status = 'completed'"));
        assertEquals(0, stack.postgres().queryLong(DemoStack.CATALOG_DATABASE, "SELECT count(*) FROM backup WHERE "
                + "backup_id = '" + gone.getFileName() + "' AND repository = '" + repository.toAbsolutePath().normalize() + "'"));
        // the chain index comes back from the manifests' depends_on
        assertEquals(ids.get(1), stack.postgres().query(DemoStack.CATALOG_DATABASE, "SELECT depends_on FROM backup WHERE"
                + " backup_id = '" + ids.get(2) + "' AND repository = '" + repository.toAbsolutePath().normalize() + "'",
                rs -> rs.next() ? rs.getString(1) : null));
        // list and show name the type and the parent
        Cli.Result list = Cli.run("--config", config.toString(), "list");
        assertTrue(list.stdout().lines().anyMatch(l -> l.startsWith(ids.get(2)) && l.contains("incremental")
                && l.contains(ids.get(1))), list.stdout());
        Cli.Result show = Cli.run("--config", config.toString(), "show", ids.get(2));
        assertTrue(show.stdout().contains("incremental on " + ids.get(1)), show.stdout());
    }

    @Test
    void rebuildFailsLoudlyWhenTheCatalogIsUnreachable() throws Exception {
        Properties properties = new Properties();
        properties.putAll(TestStack.shared().settings(repository));
        properties.put("backup.catalog.url", "jdbc:postgresql://127.0.0.1:1/backup_catalog");
        Path config = TestStack.store(properties, work.resolve("down.properties"));
        Cli.Result rebuild = Cli.run("--config", config.toString(), "catalog", "rebuild");
        assertEquals(1, rebuild.exitCode(), rebuild.toString());
        assertTrue(rebuild.stderr().contains("backup-manager: error: "), rebuild.stderr());
    }
}
