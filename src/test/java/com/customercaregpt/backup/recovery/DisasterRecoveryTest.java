package com.customercaregpt.backup.recovery;

import com.customercaregpt.backup.backup.StepFailure;
import com.customercaregpt.backup.config.Settings;
import com.customercaregpt.backup.demo.DemoStack;
import com.customercaregpt.backup.fixtures.Cli;
import com.customercaregpt.backup.fixtures.Fingerprints;
import com.customercaregpt.backup.fixtures.TestStack;
import com.customercaregpt.backup.repository.Manifest;
import com.customercaregpt.backup.repository.ManifestCodec;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Recovery plans run through the CLI on a stack of their own (they replace live data): each plan
 * brings its components back to the recovery point, every step is timed and reported, a failed
 * step is named with what it left live, and the RTO and RPO are accounted against the plan.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DisasterRecoveryTest {

    private Path work;
    private DemoStack stack;
    private Properties base;
    private String backupId;
    private Manifest manifest;
    private Map<String, String> database;
    private Map<String, String> redis;
    private Map<String, String> uploads;
    private Map<String, Long> chroma;
    /** Each config file's content at the backup. */
    private Map<Path, String> configs;
    private HttpServer application;
    /** What the application's health URL answers (the test switches it). */
    private final AtomicInteger healthStatus = new AtomicInteger(200);

    @BeforeAll
    void backUpTheStack() throws Exception {
        work = Files.createTempDirectory("disaster-recovery-test-");
        work.toFile().setExecutable(true, false);
        stack = DemoStack.start(work.resolve("stack"));
        application = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        application.createContext("/health", exchange -> {
            exchange.sendResponseHeaders(healthStatus.get(), -1);
            exchange.close();
        });
        application.start();
        base = new Properties();
        base.putAll(stack.settings(work.resolve("repo")));
        base.putAll(stack.chromaServiceCommands());
        stack.postgres().execute(DemoStack.DATABASE, SCHEMA_OBJECTS);
        Cli.Result create = cli(Map.of(), "create", "--output", "json");
        assertEquals(0, create.exitCode(), create.toString());
        manifest = ManifestCodec.JSON.readValue(create.stdout(), Manifest.class);
        backupId = manifest.backupId();
        database = Fingerprints.database(stack, DemoStack.DATABASE);
        redis = Fingerprints.redis(stack);
        uploads = Fingerprints.tree(stack.uploads());
        chroma = stack.chroma().client().recordCounts();
        configs = new HashMap<>();
        for (Path file : stack.configFiles()) {
            configs.put(file, Files.readString(file));
        }
    }

    /** An index, a view, a function and a constraint the backup's facts must list. */
    private static final String SCHEMA_OBJECTS = "CREATE INDEX customers_locale_idx ON customers (locale); "
            + "CREATE VIEW customer_locales AS SELECT locale, count(*) AS customers FROM customers GROUP BY locale; "
            + "CREATE FUNCTION customer_count() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM customers'; "
            + "ALTER TABLE customers ADD CONSTRAINT customers_locale_set CHECK (locale <> '')";

    @AfterAll
    void stopTheStack() {
        if (application != null) {
            application.stop(0);
        }
        if (stack != null) {
            stack.close();
        }
        TestStack.deleteTree(work);
    }

    /** The CLI with the stack's settings plus {@code extra}. */
    private Cli.Result cli(Map<String, String> extra, String... args) {
        Properties properties = new Properties();
        properties.putAll(base);
        properties.putAll(extra);
        Path config = TestStack.store(properties, work.resolve("dr-" + System.nanoTime() + ".properties"));
        String[] all = new String[args.length + 2];
        all[0] = "--config";
        all[1] = config.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return Cli.run(all);
    }

    /** The application's stop and start commands leave marks in {@code marks}; its health URL is the test's server. */
    private Map<String, String> application(Path marks, String startCommand) {
        Map<String, String> settings = new HashMap<>();
        settings.put("backup.application.stop-command", "echo stopped >> " + marks);
        settings.put("backup.application.start-command", startCommand == null ? "echo started >> " + marks : startCommand);
        settings.put("backup.application.health-url", "http://127.0.0.1:" + application.getAddress().getPort() + "/health");
        settings.put("backup.application.health-timeout-seconds", "3");
        return settings;
    }

    private void changeDatabase() {
        stack.postgres().execute(DemoStack.DATABASE, "INSERT INTO customers (display_name, email, locale, signed_up_at) "
                + "VALUES ('after backup', 'late-" + System.nanoTime() + "@example.com', 'en', now())");
        assertNotEquals(database, Fingerprints.database(stack, DemoStack.DATABASE));
    }

    private static List<String> stepNames(JsonNode run) {
        List<String> names = new ArrayList<>();
        run.path("steps").forEach(step -> names.add(step.path("name").asText()));
        return names;
    }

    /** The names of the run's checks, each of which must have passed. */
    static List<String> passedChecks(JsonNode run) {
        List<String> names = new ArrayList<>();
        run.path("checks").forEach(check -> {
            assertEquals("ok", check.path("status").asText(), check.toString());
            names.add(check.path("name").asText());
        });
        return names;
    }

    private static final List<String> STEPS = List.of("stop-services", "choose-recovery-point", "verify-recovery-point",
            "restore", "start-services", "validate");

    @Test
    void plansAreReadFromTheirRouteFiles() throws Exception {
        Cli.Result plans = cli(Map.of(), "disaster-recovery", "plans", "--output", "json");
        assertEquals(0, plans.exitCode(), plans.toString());
        JsonNode list = ManifestCodec.JSON.readTree(plans.stdout());
        Map<String, JsonNode> byId = new HashMap<>();
        list.forEach(plan -> byId.put(plan.path("plan_id").asText(), plan));
        assertEquals(4, byId.size(), plans.stdout());
        JsonNode full = byId.get("full_system_recovery");
        assertEquals(60, full.path("rto_minutes").asInt());
        assertEquals(15, full.path("rpo_minutes").asInt());
        assertEquals(1, full.path("priority").asInt());
        assertEquals("[\"database\",\"redis\",\"chromadb\",\"uploads\",\"config\"]", full.path("components").toString());
        assertEquals("[\"chromadb\",\"uploads\"]", byId.get("data_recovery").path("components").toString());
        assertEquals(0, byId.get("application_recovery").path("rpo_minutes").asInt());
        List<String> declared = new ArrayList<>();
        byId.get("database_recovery").path("steps").forEach(step -> declared.add(step.asText()));
        assertEquals(STEPS, declared);
    }

    @Test
    void plansKeepOnlyTheComponentsInUse() throws Exception {
        Cli.Result plans = cli(Map.of("backup.components", "database,uploads"), "disaster-recovery", "plans",
                "--output", "json");
        assertEquals(0, plans.exitCode(), plans.toString());
        Map<String, String> components = new HashMap<>();
        ManifestCodec.JSON.readTree(plans.stdout()).forEach(plan -> components.put(plan.path("plan_id").asText(),
                plan.path("components").toString()));
        assertEquals(Map.of("full_system_recovery", "[\"database\",\"uploads\"]", "database_recovery", "[\"database\"]",
                "data_recovery", "[\"uploads\"]"), components, "application_recovery restores config only: not in use");
    }

    @Test
    void databaseRecoveryBringsTheDatabaseBackAndTimesEveryStep() throws Exception {
        changeDatabase();
        Cli.Result initiate = cli(Map.of(), "disaster-recovery", "initiate", "--plan-id", "database_recovery", "--yes",
                "--output", "json");
        assertEquals(0, initiate.exitCode(), initiate.toString());
        Fingerprints.assertSame(database, Fingerprints.database(stack, DemoStack.DATABASE), "the database at the backup");

        JsonNode run = ManifestCodec.JSON.readTree(initiate.stdout());
        assertEquals("completed", run.path("status").asText());
        assertEquals(backupId, run.path("recovery_point").path("backup_id").asText());
        assertEquals(STEPS, stepNames(run));
        run.path("steps").forEach(step -> {
            assertEquals("completed", step.path("status").asText(), step.toString());
            assertTrue(step.path("seconds").asDouble() >= 0, step.toString());
        });
        assertEquals("[\"database\"]", run.path("swapped").toString());
        assertEquals("database", run.path("checks").get(0).path("name").asText());
        assertEquals("ok", run.path("checks").get(0).path("status").asText(), run.path("checks").toString());

        // RPO: the age of the restored data when the plan started; RTO: start to validated.
        Instant started = Instant.parse(run.path("started_at").asText());
        long age = Duration.between(Instant.parse(manifest.createdAt()), started).toSeconds();
        assertEquals(age, run.path("rpo").path("achieved_seconds").asLong());
        assertEquals(300, run.path("rpo").path("objective_seconds").asLong());
        assertEquals(age <= 300, run.path("rpo").path("met").asBoolean());
        assertEquals(300 - age, run.path("rpo").path("margin_seconds").asLong());
        long rto = Duration.between(started, Instant.parse(run.path("completed_at").asText())).toSeconds();
        assertTrue(Math.abs(rto - run.path("rto").path("achieved_seconds").asLong()) <= 1, run.path("rto").toString());
        assertEquals(1800, run.path("rto").path("objective_seconds").asLong());
        assertTrue(run.path("rto").path("met").asBoolean());

        // Recorded in the catalog.
        Cli.Result operations = cli(Map.of(), "disaster-recovery", "operations", "--output", "json");
        assertEquals(0, operations.exitCode(), operations.toString());
        assertTrue(operations.stdout().contains(run.path("operation_id").asText()), operations.stdout());
    }

    @Test
    void fullSystemRecoveryRestartsTheApplicationAndBringsEverythingBack() throws Exception {
        changeDatabase();
        try (var client = stack.redis().client()) {
            client.set("created:after:backup", "x");
        }
        Files.writeString(stack.uploads().resolve("created after backup.txt"), "late");
        stack.chroma().client().createCollection("created_after_backup", Map.of("late", true));
        Path marks = work.resolve("full-marks.txt");

        Cli.Result initiate = cli(application(marks, null), "disaster-recovery", "initiate", "--plan-id",
                "full_system_recovery", "--backup-id", backupId, "--yes", "--output", "json");
        assertEquals(0, initiate.exitCode(), initiate.toString());
        Fingerprints.assertSame(database, Fingerprints.database(stack, DemoStack.DATABASE), "the database");
        Fingerprints.assertSame(redis, Fingerprints.redis(stack), "every key");
        Fingerprints.assertSame(uploads, Fingerprints.tree(stack.uploads()), "the uploads");
        assertEquals(chroma, stack.chroma().client().recordCounts(), "ChromaDB's collections and records");
        // The application was stopped before anything was replaced and started after.
        assertEquals(List.of("stopped", "started"), Files.readAllLines(marks));

        JsonNode run = ManifestCodec.JSON.readTree(initiate.stdout());
        assertEquals(List.of("application", "database", "redis", "chromadb", "uploads", "config", "application"), passedChecks(run));
        assertEquals("[\"database\",\"redis\",\"chromadb\",\"uploads\",\"config\"]", run.path("swapped").toString());
    }

    @Test
    void dataRecoveryBringsTheUploadsAndChromaBackAndLeavesTheRestAlone() throws Exception {
        changeDatabase();
        Map<String, String> changedDatabase = Fingerprints.database(stack, DemoStack.DATABASE);
        Files.writeString(stack.uploads().resolve("created after backup.txt"), "late");
        try (Stream<Path> files = Files.walk(stack.uploads())) {
            Path first = files.filter(Files::isRegularFile).sorted().findFirst().orElseThrow();
            Files.writeString(first, "overwritten after the backup");
        }
        stack.chroma().client().createCollection("created_after_backup_data", Map.of("late", true));
        assertNotEquals(uploads, Fingerprints.tree(stack.uploads()));
        assertNotEquals(chroma, stack.chroma().client().recordCounts());

        Cli.Result initiate = cli(Map.of(), "disaster-recovery", "initiate", "--plan-id", "data_recovery",
                "--backup-id", backupId, "--yes", "--output", "json");
        assertEquals(0, initiate.exitCode(), initiate.toString());
        Fingerprints.assertSame(uploads, Fingerprints.tree(stack.uploads()), "the uploads, file by file");
        assertEquals(chroma, stack.chroma().client().recordCounts(), "ChromaDB's collections and records, by its API");
        Fingerprints.assertSame(changedDatabase, Fingerprints.database(stack, DemoStack.DATABASE),
                "the database, not in the plan, unchanged");

        JsonNode run = ManifestCodec.JSON.readTree(initiate.stdout());
        assertEquals("completed", run.path("status").asText());
        assertEquals("[\"chromadb\",\"uploads\"]", run.path("swapped").toString());
        assertEquals(List.of("uploads", "chromadb"), passedChecks(run));
    }

    @Test
    void applicationRecoverySwapsTheConfigInWithTheLiveSecretsAndKeepsTheOldFiles() throws Exception {
        Path settingsFile = configFile("app.properties");
        String backedUpSecret = "DATABASE_PASSWORD=demo-db-password-9f8e7d6c";
        String rotatedSecret = "DATABASE_PASSWORD=rotated-after-the-backup";
        // broken since the backup, and its secret rotated: the restore brings the setting back, not the old secret
        String broken = configs.get(settingsFile).replace("log.level=INFO", "log.level=BROKEN")
                .replace(backedUpSecret, rotatedSecret);
        Files.writeString(settingsFile, broken);
        Map<Path, String> liveConfig = liveConfig();
        String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(settingsFile));
        List<Path> before = configFolderEntries();
        Path marks = work.resolve("application-marks.txt");
        try {
            Cli.Result initiate = cli(application(marks, null), "disaster-recovery", "initiate", "--plan-id",
                    "application_recovery", "--yes", "--output", "json");
            assertEquals(0, initiate.exitCode(), initiate.toString());
            assertEquals(List.of("stopped", "started"), Files.readAllLines(marks));
            JsonNode run = ManifestCodec.JSON.readTree(initiate.stdout());
            assertEquals("completed", run.path("status").asText());
            assertEquals("[\"config\"]", run.path("swapped").toString());
            assertEquals(List.of("application", "config", "application"), passedChecks(run));

            // Each live file now holds the recovery point's content, with the live secret filled in.
            assertEquals(configs.get(settingsFile).replace(backedUpSecret, rotatedSecret), Files.readString(settingsFile));
            assertEquals(mode, PosixFilePermissions.toString(Files.getPosixFilePermissions(settingsFile)),
                    "the live file's mode kept");
            for (Path file : stack.configFiles()) {
                assertEquals(parsed(file, configs.get(file).replace(backedUpSecret, rotatedSecret)),
                        parsed(file, Files.readString(file)), file.toString());
            }
            // The old files kept beside as <file>.pre-restore-<label>, listed in the run; no restored copy left.
            List<Path> added = new ArrayList<>(configFolderEntries());
            added.removeAll(before);
            List<String> kept = new ArrayList<>();
            run.path("kept").forEach(k -> kept.add(k.asText()));
            assertEquals(added.stream().map(Path::toString).sorted().toList(), kept.stream().sorted().toList());
            assertEquals(stack.configFiles().size(), kept.size(), kept.toString());
            for (Path file : stack.configFiles()) {
                Path old = added.stream().filter(p -> p.getFileName().toString()
                        .startsWith(file.getFileName() + ".pre-restore-")).findFirst()
                        .orElseThrow(() -> new AssertionError("no kept copy of " + file + " in " + added));
                assertEquals(liveConfig.get(file), Files.readString(old), old.toString());
            }
        } finally {
            Files.writeString(settingsFile, configs.get(settingsFile));
            removeKeptConfig(before);
        }
    }

    @Test
    void aRedactedSecretWithNoLiveValueStopsApplicationRecoveryAtRestoreWithEveryLiveFileUnchanged() throws Exception {
        Path settingsFile = configFile("app.properties");
        // the key was removed from the live file since the backup: its redacted value cannot be filled
        Files.writeString(settingsFile, configs.get(settingsFile).replace("log.level=INFO", "log.level=BROKEN")
                .replaceAll("(?m)^OPENAI_API_KEY=.*\n", ""));
        Map<Path, String> liveConfig = liveConfig();
        List<Path> before = configFolderEntries();
        try {
            Cli.Result initiate = cli(application(work.resolve("refused-swap-marks.txt"), null), "disaster-recovery",
                    "initiate", "--plan-id", "application_recovery", "--yes");
            assertEquals(1, initiate.exitCode(), initiate.toString());
            String error = errorLine(initiate);
            assertTrue(error.contains("application_recovery: step restore") && error.contains(settingsFile + ": OPENAI_API_KEY")
                    && error.contains("no live value"), error);
            assertTrue(error.contains("swapped (restored and checked): none; untouched: config"), error);
            assertEquals(liveConfig, liveConfig(), "every live config file unchanged");
            assertEquals(before, configFolderEntries(), "nothing written beside them");
        } finally {
            Files.writeString(settingsFile, configs.get(settingsFile));
            removeKeptConfig(before);
        }
    }

    private Path configFile(String name) {
        return stack.configFiles().stream().filter(p -> p.getFileName().toString().equals(name)).findFirst().orElseThrow();
    }

    private Map<Path, String> liveConfig() throws Exception {
        Map<Path, String> live = new HashMap<>();
        for (Path file : stack.configFiles()) {
            live.put(file, Files.readString(file));
        }
        return live;
    }

    /** The copies a recovery kept beside the config files go, so the next test sees the folder as before. */
    private void removeKeptConfig(List<Path> before) throws Exception {
        for (Path entry : configFolderEntries()) {
            if (!before.contains(entry) && entry.getFileName().toString().contains(".pre-restore-")) {
                Files.delete(entry);
            }
        }
    }

    /** A JSON or YAML file's tree (the restore writes it out again), any other file's text as it is. */
    private static Object parsed(Path file, String content) throws Exception {
        String name = file.getFileName().toString();
        if (name.endsWith(".json")) {
            return ManifestCodec.JSON.readTree(content);
        }
        return name.endsWith(".yaml") || name.endsWith(".yml") ? new YAMLMapper().readTree(content) : content;
    }

    private List<Path> configFolderEntries() throws Exception {
        try (Stream<Path> entries = Files.list(stack.configFiles().get(0).getParent())) {
            return entries.sorted().toList();
        }
    }

    @Test
    void aCorruptArtifactStopsThePlanAtVerifyWithTheLiveDatabaseUntouched() throws Exception {
        changeDatabase();
        Map<String, String> changed = Fingerprints.database(stack, DemoStack.DATABASE);
        Path copy = work.resolve("repo-corrupt");
        copyTree(work.resolve("repo"), copy);
        Manifest.Artifact artifact = manifest.components().stream().filter(c -> c.name().equals("database"))
                .findFirst().orElseThrow().artifacts().get(0);
        try (RandomAccessFile file = new RandomAccessFile(copy.resolve("backups").resolve(backupId).resolve(artifact.path()).toFile(), "rw")) {
            file.seek(file.length() / 2);
            int b = file.read();
            file.seek(file.length() / 2);
            file.write(b ^ 0xff);
        }

        Cli.Result initiate = cli(Map.of("backup.repository.path", copy.toString()), "disaster-recovery", "initiate",
                "--plan-id", "database_recovery", "--yes");
        assertEquals(1, initiate.exitCode(), initiate.toString());
        String error = errorLine(initiate);
        assertTrue(error.contains("step verify-recovery-point") && error.contains(artifact.path()), error);
        assertTrue(error.contains("swapped (restored and checked): none; untouched: database"), error);
        Fingerprints.assertSame(changed, Fingerprints.database(stack, DemoStack.DATABASE), "the live database, unchanged");
    }

    @Test
    void aServerDownStopsThePlanAtRestoreWithNothingSwapped() throws Exception {
        changeDatabase();
        Map<String, String> changed = Fingerprints.database(stack, DemoStack.DATABASE);
        int closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        Cli.Result initiate = cli(Map.of("backup.redis.port", String.valueOf(closed)), "disaster-recovery", "initiate",
                "--plan-id", "full_system_recovery", "--backup-id", backupId, "--yes");
        assertEquals(1, initiate.exitCode(), initiate.toString());
        String error = errorLine(initiate);
        assertTrue(error.contains("full_system_recovery: step restore") && error.contains("redis"), error);
        assertTrue(error.contains("swapped (restored and checked): none; untouched: database, redis, chromadb, uploads, "
                + "config"), error);
        Fingerprints.assertSame(changed, Fingerprints.database(stack, DemoStack.DATABASE), "the live database, unchanged");
    }

    @Test
    void aStartCommandThatFailsIsNamedAndWhatWasSwappedStaysSwapped() throws Exception {
        Path marks = work.resolve("failing-start-marks.txt");
        Cli.Result initiate = cli(application(marks, "echo cannot start >&2; exit 3"), "disaster-recovery", "initiate",
                "--plan-id", "application_recovery", "--yes");
        assertEquals(1, initiate.exitCode(), initiate.toString());
        String error = errorLine(initiate);
        assertTrue(error.contains("application_recovery: step start-services"), error);
        assertTrue(error.contains("swapped (restored and checked): config; untouched: none"), error);
        assertEquals(List.of("stopped"), Files.readAllLines(marks));
    }

    @Test
    void anApplicationThatNeverAnswersFailsTheStartStep() throws Exception {
        Path marks = work.resolve("unhealthy-marks.txt");
        healthStatus.set(503);
        try {
            Cli.Result initiate = cli(application(marks, null), "disaster-recovery", "initiate", "--plan-id",
                    "application_recovery", "--yes");
            assertEquals(1, initiate.exitCode(), initiate.toString());
            String error = errorLine(initiate);
            assertTrue(error.contains("step start-services") && error.contains("did not answer 2xx within 3 s")
                    && error.contains("status 503"), error);
        } finally {
            healthStatus.set(200);
        }
        assertEquals(List.of("stopped", "started"), Files.readAllLines(marks));
    }

    @Test
    void aDryRunChoosesAndVerifiesThePointAndChangesNothing() throws Exception {
        changeDatabase();
        Map<String, String> changed = Fingerprints.database(stack, DemoStack.DATABASE);
        Path marks = work.resolve("dry-run-marks.txt");
        Cli.Result dryRun = cli(application(marks, null), "disaster-recovery", "initiate", "--plan-id",
                "full_system_recovery", "--dry-run", "--output", "json");
        assertEquals(0, dryRun.exitCode(), dryRun.toString());
        JsonNode run = ManifestCodec.JSON.readTree(dryRun.stdout());
        assertTrue(run.path("dry_run").asBoolean());
        assertEquals(STEPS, stepNames(run));
        assertEquals(backupId, run.path("recovery_point").path("backup_id").asText());
        assertEquals("[]", run.path("swapped").toString());
        assertTrue(run.path("rto").isMissingNode() && run.path("rpo").isMissingNode(), run.toString());
        Fingerprints.assertSame(changed, Fingerprints.database(stack, DemoStack.DATABASE), "the live database, unchanged");
        assertFalse(Files.exists(marks), "the application was neither stopped nor started");
    }

    @Test
    void aPointInTimeNeedsWalArchivingAndChangesNothing() throws Exception {
        Cli.Result initiate = cli(Map.of(), "disaster-recovery", "initiate", "--plan-id", "database_recovery",
                "--to-time", "2026-01-01T00:00:00Z", "--yes");
        assertEquals(2, initiate.exitCode(), initiate.toString());
        assertTrue(initiate.stderr().strip().startsWith("backup-manager: error: point-in-time recovery needs "
                + "backup.wal.enabled"), initiate.stderr());
        Cli.Result unknown = cli(Map.of(), "disaster-recovery", "initiate", "--plan-id", "no_such_plan", "--yes");
        assertEquals(2, unknown.exitCode(), unknown.toString());
        assertTrue(unknown.stderr().contains("no recovery plan 'no_such_plan'"), unknown.stderr());
    }

    /** The one error line a failed command prints (logs aside), and no stack trace nor Camel's message history. */
    private static String errorLine(Cli.Result result) {
        List<String> errors = result.stderr().lines().filter(l -> l.startsWith("backup-manager: error:")).toList();
        assertEquals(1, errors.size(), result.toString());
        assertFalse(result.stderr().contains("Message History") || result.stderr().contains("\tat "), result.stderr());
        return errors.get(0);
    }

    private static void copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> tree = Files.walk(from)) {
            for (Path path : tree.toList()) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target);
                }
            }
        }
    }

    @Test
    void theDatabaseFactsListItsSchemaObjectsAndValidationNamesAMissingOne() throws Exception {
        Map<?, ?> objects = (Map<?, ?>) manifest.components().stream().filter(c -> c.name().equals("database"))
                .findFirst().orElseThrow().facts().get("schema_objects");
        assertTrue(((List<?>) objects.get("indexes")).contains("public.customers_locale_idx"), objects.toString());
        assertTrue(((List<?>) objects.get("views")).contains("public.customer_locales"), objects.toString());
        assertTrue(((List<?>) objects.get("functions")).contains("public.customer_count()"), objects.toString());
        assertTrue(((List<?>) objects.get("constraints")).contains("public.customers.customers_locale_set"),
                objects.toString());

        Map<String, String> values = new HashMap<>();
        base.forEach((k, v) -> values.put(String.valueOf(k), String.valueOf(v)));
        ValidationChecks checks = new ValidationChecks(Settings.of(TestStack.projectHome(), values), null, null, work);
        RecoveryRun run = new RecoveryRun(null, new RecoveryPlan("database_recovery", "database", 30, 5, 1,
                List.of("database"), false, List.of()), new RecoveryRequest("database_recovery", backupId, null,
                false, false, "test"));
        run.recoveryPoint(manifest, true);
        run.targets(checks.liveTargets());
        stack.postgres().execute(DemoStack.DATABASE, "DROP VIEW customer_locales");
        try {
            StepFailure failure = assertThrows(StepFailure.class, () -> checks.database(run));
            assertTrue(failure.getMessage().contains("schema objects missing: view public.customer_locales"),
                    failure.getMessage());
            assertEquals("failed", run.getChecks().get(0).status());
        } finally {
            stack.postgres().execute(DemoStack.DATABASE, SCHEMA_OBJECTS.split("; ")[1]);
        }
    }

    @Test
    void aRestoredFileThatNoLongerMatchesItsChecksumFailsTheValidationNamingIt() throws Exception {
        Path altered;
        try (Stream<Path> tree = Files.walk(stack.uploads())) {
            altered = tree.filter(Files::isRegularFile).sorted().findFirst().orElseThrow();
        }
        String relative = stack.uploads().relativize(altered).toString();
        // the application's start command runs after the swap and before the checks: it alters one restored file
        Path marks = work.resolve("integrity-marks.txt");
        Cli.Result initiate = cli(application(marks, "printf altered > '" + altered + "'"), "disaster-recovery",
                "initiate", "--plan-id", "full_system_recovery", "--backup-id", backupId, "--yes");
        assertEquals(1, initiate.exitCode(), initiate.toString());
        String error = errorLine(initiate);
        assertTrue(error.contains("step validate") && error.contains("uploads")
                && error.contains("1 files differ from the checksum list") && error.contains("first " + relative
                + " (changed)"), error);
    }
}
