package com.customercaregpt.backup.app;

import com.customercaregpt.backup.fixtures.Cli;
import com.customercaregpt.backup.fixtures.TestStack;
import com.customercaregpt.backup.repository.Manifest;
import com.customercaregpt.backup.repository.ManifestCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an operator changes by editing one route file: the hook points of routes/hooks.camel.yaml
 * (their steps run before and after a component's backup and before and after a restore's swap,
 * in that order, with the exchange's data), where routes/alerts.camel.yaml sends alerts, and the
 * steps of a component's runbook in routes/components/.
 */
class HooksTest {

    private Path work;
    private Path uploads;

    @BeforeEach
    void setUp() throws Exception {
        work = Files.createTempDirectory("hooks-test-");
        uploads = Files.createDirectories(work.resolve("uploads"));
        Files.writeString(uploads.resolve("invoice.txt"), "an upload");
    }

    /** The shipped route files, with {@code shipped} replaced by a route file of the test tree, as an operator would edit it. */
    private Path configWith(String shipped, String replacement) throws IOException {
        Path routes = copyOfShippedRoutes();
        Files.copy(TestStack.projectHome().resolve("src/test/resources/routes").resolve(replacement),
                routes.resolve(shipped), StandardCopyOption.REPLACE_EXISTING);
        return configFor(routes);
    }

    /** A copy of routes/ and routes/components/, for the operator's edits. */
    private Path copyOfShippedRoutes() throws IOException {
        Path routes = work.resolve("routes");
        for (String folder : List.of("", "components")) {
            Path copy = Files.createDirectories(routes.resolve(folder));
            try (Stream<Path> files = Files.list(TestStack.projectHome().resolve("routes").resolve(folder))) {
                for (Path file : files.filter(f -> f.toString().endsWith(".camel.yaml")).toList()) {
                    Files.copy(file, copy.resolve(file.getFileName()));
                }
            }
        }
        return routes;
    }

    private Path configFor(Path routes) throws IOException {
        Properties properties = new Properties();
        properties.putAll(TestStack.shared().settings(work.resolve("repo")));
        properties.setProperty("backup.uploads.path", uploads.toString());
        properties.setProperty("camel.main.routes-include-pattern",
                "file:" + routes + "/*.camel.yaml,file:" + routes + "/components/*.camel.yaml");
        return TestStack.store(properties, work.resolve("hooks.properties"));
    }

    @AfterEach
    void tearDown() {
        TestStack.deleteTree(work);
    }

    private static List<String> names(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void hooksRunAroundTheBackupAndAroundTheSwapInOrder() throws Exception {
        Path config = configWith("hooks.camel.yaml", "hooks-writing-files.camel.yaml");
        Cli.Result create = Cli.run("--config", config.toString(), "create", "--components", "uploads", "--output", "json");
        assertEquals(0, create.exitCode(), create.toString());
        Manifest manifest = ManifestCodec.JSON.readValue(create.stdout(), Manifest.class);
        // before-backup ran before the tar (its file is in the backup), after-backup after it
        assertEquals(2L, ((Number) manifest.components().get(0).facts().get("file_count")).longValue());
        assertEquals("before the backup of uploads", Files.readString(uploads.resolve("before-backup.txt")));
        assertEquals("after the backup of uploads", Files.readString(uploads.resolve("after-backup.txt")));

        Cli.Result restore = Cli.run("--config", config.toString(), "restore", manifest.backupId(), "--components",
                "uploads", "--yes");
        assertEquals(0, restore.exitCode(), restore.toString());
        // before-swap wrote into the folder that was then swapped out; after-swap into the restored one
        assertEquals(List.of("after-swap.txt", "before-backup.txt", "invoice.txt"), names(uploads));
        assertEquals("after the swap of uploads", Files.readString(uploads.resolve("after-swap.txt")));
        Path kept;
        try (Stream<Path> siblings = Files.list(work)) {
            kept = siblings.filter(f -> f.getFileName().toString().startsWith("uploads.pre-restore-")).findFirst()
                    .orElseThrow();
        }
        assertEquals(List.of("after-backup.txt", "before-backup.txt", "before-swap.txt", "invoice.txt"), names(kept));
        assertEquals("before the swap of uploads", Files.readString(kept.resolve("before-swap.txt")));
    }

    @Test
    void alertsGoWhereTheAlertRouteSends() throws Exception {
        Path config = configWith("alerts.camel.yaml", "alerts-to-a-file.camel.yaml");
        Files.delete(uploads.resolve("invoice.txt"));
        Files.delete(uploads);
        Cli.Result create = Cli.run("--config", config.toString(), "create", "--components", "uploads");
        assertEquals(1, create.exitCode(), create.toString());
        String alerts = Files.readString(work.resolve("repo/alerts.txt"));
        assertTrue(alerts.matches("backup backup_\\d{8}_\\d{6}\\S* is failed: uploads: tar: folder not found: " + uploads),
                alerts);
    }

    @Test
    void aFailingBeforeSwapHookStopsTheRestoreWithNothingLiveReplacedAndTheFailureRecorded() throws Exception {
        Path config = configWith("hooks.camel.yaml", "hooks-refusing-the-swap.camel.yaml");
        Cli.Result create = Cli.run("--config", config.toString(), "create", "--components", "uploads", "--output", "json");
        assertEquals(0, create.exitCode(), create.toString());
        Manifest manifest = ManifestCodec.JSON.readValue(create.stdout(), Manifest.class);
        Files.writeString(uploads.resolve("invoice.txt"), "changed after the backup");

        Cli.Result restore = Cli.run("--config", config.toString(), "restore", manifest.backupId(), "--components",
                "uploads", "--yes");
        assertEquals(1, restore.exitCode(), restore.toString());
        assertTrue(restore.stderr().contains("outside the maintenance window"), restore.toString());
        assertEquals(List.of("invoice.txt"), names(uploads));
        assertEquals("changed after the backup", Files.readString(uploads.resolve("invoice.txt")));
        assertEquals(1, TestStack.shared().postgres().queryLong("backup_catalog", "SELECT count(*) FROM operation"
                + " WHERE kind = 'restore' AND status = 'failed' AND backup_id = '" + manifest.backupId() + "'"
                + " AND error LIKE '%outside the maintenance window%'"));
    }

    @Test
    void aStepAddedToAComponentsRunbookRunsInItsPlace() throws Exception {
        Path routes = copyOfShippedRoutes();
        Path runbook = routes.resolve("components/uploads.camel.yaml");
        String shipped = Files.readString(runbook);
        String tarStep = "        # The folder streamed through tar";
        assertTrue(shipped.contains(tarStep), shipped);
        // the operator's extra step, between the stop command and the tar: a file that then goes into the backup
        Files.writeString(runbook, shipped.replace(tarStep, """
                        - setBody:
                            constant: "written by the runbook's own step"
                        - to: "file:%s?fileName=runbook-step.txt"
                """.formatted(uploads) + tarStep));
        Path config = configFor(routes);

        Cli.Result create = Cli.run("--config", config.toString(), "create", "--components", "uploads", "--output", "json");
        assertEquals(0, create.exitCode(), create.toString());
        Manifest manifest = ManifestCodec.JSON.readValue(create.stdout(), Manifest.class);
        assertEquals("written by the runbook's own step", Files.readString(uploads.resolve("runbook-step.txt")));
        // the step ran before the tar: its file is in the backup
        assertEquals(2L, ((Number) manifest.components().get(0).facts().get("file_count")).longValue());
    }
}
