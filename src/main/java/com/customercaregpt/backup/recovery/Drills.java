package com.customercaregpt.backup.recovery;

import com.customercaregpt.backup.backup.StepFailure;
import com.customercaregpt.backup.component.ChromaClient;
import com.customercaregpt.backup.config.Settings;
import com.customercaregpt.backup.demo.LocalChroma;
import com.customercaregpt.backup.demo.LocalRedis;
import com.customercaregpt.backup.pipeline.ArtifactReader;
import com.customercaregpt.backup.pipeline.Folders;
import com.customercaregpt.backup.pipeline.PrivateFiles;
import com.customercaregpt.backup.repository.BackupId;
import com.customercaregpt.backup.repository.BuildRecord;
import com.customercaregpt.backup.repository.Manifest;
import com.customercaregpt.backup.repository.ManifestKeys;
import com.customercaregpt.backup.repository.Repository;
import com.customercaregpt.backup.restore.Leftovers;
import com.customercaregpt.backup.restore.RestoreRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A drill runs a plan in isolation: the database into a scratch database, folders into a scratch
 * folder, Redis into a private redis-server loading the backup's RDB, ChromaDB's restored folder
 * served by a private server; the checks run there. Everything is written down in a build record
 * before it is made and removed at the end; what a killed drill left is removed by the next
 * restore or drill (Leftovers).
 */
public final class Drills {

    private static final Logger LOG = LoggerFactory.getLogger(Drills.class);
    private static final DateTimeFormatter LABEL = DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss").withZone(ZoneOffset.UTC);

    private final Path recordsRoot;
    private final Path scratchRoot;
    private final Settings settings;
    private final Repository repository;
    private final ManifestKeys keys;
    private final Leftovers leftovers;
    private final Map<String, Sandbox> sandboxes = new ConcurrentHashMap<>();

    public Drills(Path recordsRoot, Path scratchRoot, Settings settings, Repository repository, ManifestKeys keys,
                  Leftovers leftovers) {
        this.recordsRoot = recordsRoot;
        this.scratchRoot = scratchRoot;
        this.settings = settings;
        this.repository = repository;
        this.keys = keys;
        this.leftovers = leftovers;
    }

    /** One drill's private places. */
    private static final class Sandbox {
        final String label;
        final Path folder;
        final String database;
        final BuildRecord record;
        LocalRedis redis;
        LocalChroma chroma;
        Process chromaProcess;

        Sandbox(String label, Path folder, String database, BuildRecord record) {
            this.label = label;
            this.folder = folder;
            this.database = database;
            this.record = record;
        }
    }

    /**
     * What dead drills and restores left goes; then this drill's record is written, naming its
     * scratch folder and database before they exist, and the checks are pointed at them.
     */
    public void prepare(RecoveryRun run) throws IOException {
        leftovers.remove(false);
        String label = LABEL.format(Instant.now()) + "_" + run.getOperationId().substring(3, 9);
        Path folder = scratchRoot.toAbsolutePath().resolve("drill-" + label);
        String database = settings.get("backup.database.name", "postgres") + "_drill_" + label;
        BuildRecord record = BuildRecord.begin(recordsRoot.resolve("drill-" + label), "drill", label,
                Map.of("plan_id", run.getPlanId(), "backup_id", run.getManifest().backupId()));
        record.add(BuildRecord.Item.folder(folder));
        record.add(BuildRecord.Item.database(database));
        PrivateFiles.createDirectories(folder);
        sandboxes.put(run.getOperationId(), new Sandbox(label, folder, database, record));
        Map<String, String> targets = new HashMap<>(run.getTargets());
        targets.put(ValidationChecks.DATABASE, database);
        targets.put(ValidationChecks.UPLOADS, folder.resolve("uploads").toString());
        run.targets(targets);
        LOG.info("Drill of {}: sandbox {} (database {})", run.getPlanId(), folder, database);
    }

    /** The restore into the sandbox: every component restorable beside the live systems (Redis has its own server). */
    RestoreRequest restoreRequest(RecoveryRun run, String trigger) {
        Sandbox sandbox = sandbox(run);
        List<String> components = run.getPlan().components().stream().filter(c -> !"redis".equals(c)).toList();
        if (components.isEmpty()) {
            return null;
        }
        return new RestoreRequest(run.getManifest().backupId(), components,
                components.contains("database") ? sandbox.database : null, sandbox.folder, false, trigger);
    }

    /** Redis: a private redis-server on a free port, started on the backup's RDB snapshot. */
    public void startRedis(RecoveryRun run) throws IOException {
        if (!run.getPlan().components().contains("redis")) {
            return;
        }
        Sandbox sandbox = sandbox(run);
        Path folder = sandbox.folder.resolve("redis-" + sandbox.label);
        Manifest manifest = run.getManifest();
        Manifest.ComponentRecord record = manifest.components().stream().filter(c -> c.name().equals("redis"))
                .findFirst().orElseThrow();
        Manifest.Artifact rdb = record.artifacts().stream().filter(a -> a.path().contains("dump.rdb")).findFirst()
                .orElseThrow(() -> new StepFailure("redis", "drill", "backup " + manifest.backupId() + " holds no RDB snapshot"));
        new ArtifactReader(repository, new BackupId(manifest.backupId()), "redis", keys.open(manifest))
                .decompressTo(rdb, PrivateFiles.createDirectories(folder).resolve("dump.rdb"));
        String password = settings.get("backup.redis.password", "");
        sandbox.redis = LocalRedis.start(folder, password.isEmpty() ? null : password);
        long pid = Long.parseLong(java.nio.file.Files.readString(sandbox.redis.pidFile()).strip());
        sandbox.record.add(BuildRecord.Item.server(folder, ProcessHandle.of(pid).orElse(ProcessHandle.current())));
        Map<String, String> targets = new HashMap<>(run.getTargets());
        targets.put(ValidationChecks.REDIS_HOST, sandbox.redis.host());
        targets.put(ValidationChecks.REDIS_PORT, String.valueOf(sandbox.redis.port()));
        run.targets(targets);
    }

    /**
     * ChromaDB: its restored folder served by a private server on a free port, started by
     * backup.chromadb.server-command ({path}, {port}) or, when that is empty, the installed Chroma.
     */
    public void startChroma(RecoveryRun run) throws IOException, InterruptedException {
        if (!run.getPlan().components().contains("chromadb")) {
            return;
        }
        Sandbox sandbox = sandbox(run);
        Path data = sandbox.folder.resolve("chromadb");
        String command = settings.get("backup.chromadb.server-command", "");
        String url;
        if (command.isBlank()) {
            sandbox.chroma = LocalChroma.start(data, sandbox.folder.resolve("chromadb-server-" + sandbox.label));
            sandbox.record.add(BuildRecord.Item.server(sandbox.chroma.logFolder(),
                    ProcessHandle.of(sandbox.chroma.pid()).orElse(ProcessHandle.current())));
            url = sandbox.chroma.url();
        } else {
            int port;
            try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            Path logs = PrivateFiles.createDirectories(sandbox.folder.resolve("chromadb-server-" + sandbox.label));
            sandbox.chromaProcess = new ProcessBuilder("sh", "-c", command.replace("{path}", data.toString())
                    .replace("{port}", String.valueOf(port))).redirectErrorStream(true)
                    .redirectOutput(logs.resolve("server.log").toFile()).start();
            sandbox.record.add(BuildRecord.Item.server(logs, sandbox.chromaProcess.toHandle()));
            url = "http://127.0.0.1:" + port;
            awaitHeartbeat(url, sandbox.chromaProcess);
        }
        Map<String, String> targets = new HashMap<>(run.getTargets());
        targets.put(ValidationChecks.CHROMA_URL, url);
        run.targets(targets);
    }

    private void awaitHeartbeat(String url, Process server) throws InterruptedException {
        ChromaClient client = new ChromaClient(url);
        Instant deadline = Instant.now().plus(Duration.ofSeconds(settings.getInt("backup.chromadb.start-timeout-seconds", 60)));
        while (!client.heartbeat()) {
            if (!server.isAlive() || Instant.now().isAfter(deadline)) {
                throw new StepFailure("chromadb", "drill", "the private ChromaDB server (backup.chromadb.server-command) "
                        + (server.isAlive() ? "did not answer at " + url : "exited with " + server.exitValue()));
            }
            Thread.sleep(250);
        }
    }

    /** The config files the drill's restore wrote into the sandbox. */
    List<String> configFiles(RecoveryRun run) throws IOException {
        return RecoveryRuns.filesUnder(sandbox(run).folder.resolve("config"));
    }

    /** Always: the private servers stop, the scratch database and folder go, then the record. */
    public void close(RecoveryRun run) {
        Sandbox sandbox = sandboxes.remove(run.getOperationId());
        if (sandbox == null) {
            return;
        }
        if (sandbox.redis != null) {
            quietly(sandbox.redis::close);
        }
        if (sandbox.chroma != null) {
            quietly(sandbox.chroma::close);
        }
        if (sandbox.chromaProcess != null) {
            sandbox.chromaProcess.destroy();
            quietly(() -> sandbox.chromaProcess.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS));
            sandbox.chromaProcess.destroyForcibly();
        }
        quietly(() -> leftovers.dropDatabase(sandbox.database));
        Folders.deleteTreeQuietly(sandbox.folder);
        try {
            if (sandbox.record.items().stream().noneMatch(leftovers::exists)) {
                sandbox.record.finish();
            }
        } catch (IOException e) {
            LOG.warn("Drill {}: cannot remove its build record: {}", sandbox.label, e.getMessage());
        }
    }

    private Sandbox sandbox(RecoveryRun run) {
        Sandbox sandbox = sandboxes.get(run.getOperationId());
        if (sandbox == null) {
            throw new IllegalStateException("drill " + run.getOperationId() + " has no sandbox (its prepare step did not run)");
        }
        return sandbox;
    }

    private interface Work {
        void run() throws Exception;
    }

    private static void quietly(Work work) {
        try {
            work.run();
        } catch (Exception e) {
            LOG.warn("Drill cleanup: {}", e.getMessage());
        }
    }
}
