package com.customercaregpt.backup.backup;

import com.customercaregpt.backup.pipeline.PrivateFiles;
import com.customercaregpt.backup.pipeline.Folders;
import com.customercaregpt.backup.component.BackupComponent;
import com.customercaregpt.backup.component.ComponentContext;
import com.customercaregpt.backup.component.Components;
import com.customercaregpt.backup.component.ParentBackup;
import com.customercaregpt.backup.component.WholeCopy;
import com.customercaregpt.backup.wal.WalPoint;
import com.customercaregpt.backup.pipeline.ArtifactReader;
import com.customercaregpt.backup.pipeline.ArtifactOutput;
import com.customercaregpt.backup.pipeline.Compression;
import com.customercaregpt.backup.pipeline.crypto.DataKey;
import com.customercaregpt.backup.pipeline.crypto.Envelope;
import com.customercaregpt.backup.pipeline.crypto.KeyFile;
import com.customercaregpt.backup.pipeline.crypto.WrappedKey;
import com.customercaregpt.backup.repository.BackupId;
import com.customercaregpt.backup.repository.Manifest;
import com.customercaregpt.backup.repository.Manifest.Artifact;
import com.customercaregpt.backup.repository.Manifest.ComponentRecord;
import com.customercaregpt.backup.repository.ManifestCodec;
import com.customercaregpt.backup.repository.ManifestKeys;
import com.customercaregpt.backup.repository.RepositoryLock;
import com.customercaregpt.backup.repository.Repository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The steps of the backup routes: begin (reserve the id, mark it in progress), each component's
 * runbook (open, its facts, completed or failed, close), and finish (the manifest, written last). Enforces the write order of the
 * repository format: artifacts first, manifest last, so only finished backups are ever listed.
 */
public final class BackupJobs {

    private static final Logger LOG = LoggerFactory.getLogger(BackupJobs.class);
    public static final List<String> TYPES = List.of("full", "incremental", "differential");

    private final Repository repository;
    private final Components components;
    private final ProgressMarkers markers;
    private final Compression compression;
    private final int compressionLevel;
    /** Days a backup is kept by type (backup.retention.<type>-days), unless the request says. */
    private final Map<String, Integer> retentionDaysByType;
    private final Path scratchRoot;
    private final String toolVersion;
    private final ManifestKeys keys;
    private final RepositoryLock repositoryLock;
    private final BackupParents parents;
    private final Map<BackupId, ProgressMarkers.Claim> claims = new ConcurrentHashMap<>();
    private final Map<BackupId, RepositoryLock.Held> locks = new ConcurrentHashMap<>();
    private volatile BackupJob current;

    public BackupJobs(Repository repository, Components components, ProgressMarkers markers, Compression compression,
                      int compressionLevel, Map<String, Integer> retentionDaysByType, Path scratchRoot, String toolVersion,
                      ManifestKeys keys, RepositoryLock repositoryLock) {
        this.keys = keys;
        this.repositoryLock = repositoryLock;
        this.repository = repository;
        this.components = components;
        this.markers = markers;
        this.compression = compression;
        this.compressionLevel = compressionLevel;
        this.retentionDaysByType = Map.copyOf(retentionDaysByType);
        this.scratchRoot = scratchRoot;
        this.toolVersion = toolVersion;
        this.parents = new BackupParents(repository);
    }

    /** Checks the request, removes abandoned unfinished backups, and reserves a new backup id. */
    public BackupJob begin(BackupRequest request) throws IOException {
        check(request);
        String type = request.type() == null ? "full" : request.type();
        List<String> names = components.resolve(request.components());
        int retention = request.retentionDays() == null ? retentionDaysByType.get(type) : request.retentionDays();
        if (retention < 1) {
            throw new UsageError("retention days must be at least 1, got " + retention);
        }
        // A bad key file stops the backup here, before anything is written or locked.
        KeyFile master = keys.enabled() ? keys.masterKey() : null;
        RepositoryLock.Held lock = repositoryLock.acquire("backup");
        try {
            return begin(request, type, names, retention, master, lock);
        } catch (RuntimeException | IOException e) {
            lock.close();
            throw e;
        }
    }

    private BackupJob begin(BackupRequest request, String type, List<String> names, int retention,
                            KeyFile master, RepositoryLock.Held lock)
            throws IOException {
        DataKey dataKey = null;
        WrappedKey wrappedKey = null;
        if (master != null) {
            dataKey = DataKey.generate();
            wrappedKey = dataKey.wrap(master);
        }
        Instant now = Instant.now();
        // The id is taken while an abandoned backup's folder still holds its own, so a backup
        // started in the same second as one it then removes gets another id, never the same one.
        BackupId id = repository.allocate(now);
        List<BackupId> removed;
        Manifest parent;
        DataKey parentKey;
        try {
            removed = removeAbandoned();
            // under the lock: no cleanup or delete can take the parent away while this backup runs
            Manifest sealedParent = parents.parentOf(type, names).orElse(null);
            parentKey = sealedParent == null ? null : keys.open(sealedParent);
            parent = sealedParent == null ? null : ManifestKeys.unseal(sealedParent, parentKey);
        } catch (RuntimeException | IOException e) {
            repository.delete(id);
            throw e;
        }
        claims.put(id, markers.claim(id, now));
        locks.put(id, lock);
        BackupJob job = new BackupJob(id, type, names, retention, now, request.trigger(), dataKey, wrappedKey);
        job.recordRemovedAbandoned(removed);
        job.buildOn(parent, parentKey);
        current = job;
        LOG.info("Backup {} started: type {}{}, components {}", id, type,
                parent == null ? "" : " on " + parent.backupId(), String.join(" ", names));
        return job;
    }

    /** Refuses a request that cannot run (unknown type or component, bad retention) with a UsageError. */
    public BackupRequest check(BackupRequest request) {
        String type = request.type() == null ? "full" : request.type();
        if (!TYPES.contains(type)) {
            throw new UsageError("unknown backup type '" + type + "' (known: " + String.join(", ", TYPES) + ")");
        }
        components.resolve(request.components());
        if (request.retentionDays() != null && request.retentionDays() < 1) {
            throw new UsageError("retention days must be at least 1, got " + request.retentionDays());
        }
        return request;
    }

    /**
     * Opens one component's backup: the artifacts, scratch folder and facts that the steps of its
     * route (routes/components/<name>.camel.yaml) fill, and that {@link #completed} records.
     */
    public ComponentRun open(BackupJob job, String name) {
        components.get(name);
        return new ComponentRun(job, name, Instant.now(), scratchRoot.resolve(job.getId() + "-" + name));
    }

    /** Reads what the component's server says about itself while it still runs (before a stop command). */
    public void noteServerFacts(ComponentRun run) {
        run.facts.putAll(components.get(run.name).serverFacts());
    }

    /** Adds what a step found (row counts, key counts, file counts) to the component's facts. */
    public void addFacts(ComponentRun run, Map<String, Object> facts) {
        run.facts.putAll(facts);
    }

    /** For a component without a route file: its whole backup in one step, {@link BackupComponent#backup}. */
    public void runComponent(ComponentRun run) throws Exception {
        addFacts(run, components.get(run.name).backup(run));
    }

    /** Records the component as completed, with the artifacts its steps stored and the facts they found. */
    public void completed(ComponentRun run) {
        // a component that does not say it built on the parent stored a whole copy: restorable alone
        // (a database restore point names its base backup instead)
        if (!run.facts.containsKey("incremental") && !WalPoint.KIND.equals(run.facts.get("backup_kind"))) {
            run.facts.putAll(WholeCopy.facts(run, run.name, run.name + " stored whole", false));
        }
        ComponentRecord record = new ComponentRecord(run.name, Manifest.COMPLETED, null, run.started.toString(),
                Instant.now().toString(), List.copyOf(run.artifacts), new LinkedHashMap<>(run.facts));
        run.job.record(record);
        LOG.info("Backup {}: {} done, {} stored", run.job.id(), run.name, Sizes.human(BackupJob.storedBytes(record)));
    }

    /**
     * Records a failed step of the component (its own, its service's stop or start, a hook), with
     * the artifacts stored before it; the others go on.
     */
    public void componentFailed(ComponentRun run, Exception e) {
        String error = oneLine(run.name, e);
        ComponentRecord done = run.job.result(run.name);
        run.job.record(done == null
                ? new ComponentRecord(run.name, Manifest.FAILED, error, run.started.toString(), Instant.now().toString(),
                List.copyOf(run.artifacts), Map.of())
                : new ComponentRecord(run.name, Manifest.FAILED, done.error() == null ? error : done.error() + "; " + error,
                done.startedAt(), Instant.now().toString(), done.artifacts(), done.facts()));
        LOG.error("Backup {}: {}", run.job.id(), error);
    }

    /** Whatever happened: the component's scratch folder goes. */
    public void close(ComponentRun run) {
        if (!Folders.deleteTreeQuietly(run.scratch)) {
            LOG.warn("Could not remove scratch folder {}", run.scratch);
        }
    }

    /** "redis: connect: ...; uploads: tar: ..." for alerts. */
    public String failureSummary(Manifest manifest) {
        return manifest.components().stream().map(ComponentRecord::error).filter(Objects::nonNull)
                .reduce((a, b) -> a + "; " + b).orElse("no component error recorded");
    }

    /** Writes the manifest, last and atomically: from here on the backup exists. */
    public Manifest finish(BackupJob job) throws IOException {
        for (String name : job.getComponentNames()) {
            if (job.result(name) == null) {
                job.record(new ComponentRecord(name, Manifest.FAILED, name + ": did not run", null, null, List.of(),
                        Map.of()));
            }
        }
        List<ComponentRecord> results = job.results();
        long failed = results.stream().filter(r -> !Manifest.COMPLETED.equals(r.status())).count();
        String status = failed == 0 ? Manifest.COMPLETED : failed == results.size() ? Manifest.FAILED : Manifest.PARTIAL;
        Instant completed = Instant.now();
        Manifest manifest = new Manifest(Manifest.FORMAT_VERSION, job.getId(), job.type(), status,
                job.createdAt().toString(), completed.toString(), toolVersion, job.retentionDays(),
                job.createdAt().plus(Duration.ofDays(job.retentionDays())).toString(), ProgressMarkers.hostName(),
                results, job.wrappedKey(), job.parent() == null ? null : job.parent().backupId());
        Manifest stored = job.dataKey() == null ? manifest : ManifestKeys.seal(manifest, job.dataKey());
        repository.writeManifest(job.id(), ManifestCodec.write(stored));
        ProgressMarkers.Claim claim = claims.remove(job.id());
        if (claim != null) {
            claim.release();
        }
        releaseLock(job);
        current = null;
        LOG.info("Backup {} {}: {} stored in {}", job.id(), status, Sizes.human(manifest.totalSizeBytes()),
                repository.location());
        return stored;
    }

    /**
     * Called whatever happened: a backup that did not get its manifest stops its heartbeat, so the
     * next run sees it as abandoned and removes it.
     */
    public void end(BackupJob job) {
        ProgressMarkers.Claim claim = claims.remove(job.id());
        if (claim != null) {
            claim.abandon();
            LOG.error("Backup {} stopped before its manifest was written; the next backup removes it", job.id());
        }
        releaseLock(job);
        current = null;
    }

    private void releaseLock(BackupJob job) {
        RepositoryLock.Held lock = locks.remove(job.id());
        if (lock != null) {
            lock.close();
        }
    }

    /** The backup running in this process, for progress display; null when none. */
    public BackupJob current() {
        return current;
    }

    /**
     * Removes backups without a manifest whose writer is known dead (killed, crashed, host lost).
     * Files without a manifest and without a writer's marker may be a finished backup that lost
     * its manifest: they stay, for the operator (list, verify and health name them).
     */
    public List<BackupId> removeAbandoned() throws IOException {
        List<BackupId> removed = new ArrayList<>();
        Set<String> running = new HashSet<>();
        for (BackupId id : repository.list()) {
            if (repository.readManifest(id).isEmpty()) {
                switch (markers.stateOf(id)) {
                    case ABANDONED -> {
                        LOG.warn("Removing unfinished backup {} left by a run that stopped before writing its manifest", id);
                        repository.delete(id);
                        removed.add(id);
                    }
                    case RUNNING -> running.add(id.value());
                    case MANIFEST_MISSING -> LOG.warn("Backup {} has files but no manifest and no writer: left as it "
                            + "is for the operator (`delete --force` removes it)", id);
                }
            }
        }
        removeStaleScratch(running);
        return removed;
    }

    /** Scratch folders are named <backup_id>-<component>; only running backups keep theirs. */
    private void removeStaleScratch(Set<String> running) throws IOException {
        if (!Files.isDirectory(scratchRoot)) {
            return;
        }
        try (Stream<Path> entries = Files.list(scratchRoot)) {
            for (Path entry : entries.toList()) {
                String name = entry.getFileName().toString();
                String owner = name.contains("-") ? name.substring(0, name.indexOf('-')) : name;
                boolean oldRestore = name.startsWith("restore-") && Files.getLastModifiedTime(entry).toInstant()
                        .isBefore(Instant.now().minus(Duration.ofDays(1)));
                if (name.startsWith("restore-") ? oldRestore : !running.contains(owner)) {
                    Folders.deleteTreeQuietly(entry);
                }
            }
        }
    }

    /** "redis: rdb snapshot: redis-cli exited with 1: ..." whatever the exception. */
    public static String oneLine(String component, Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof FileSystemException fs && fs.getReason() == null) {
            // NoSuchFileException, AccessDeniedException... say only the path: name the cause too
            message = describe(fs) + ": " + message;
        }
        message = message.lines().findFirst().orElse(message);
        return e instanceof StepFailure || message.startsWith(component + ":") ? message
                : component + ": " + message;
    }


    private static String describe(FileSystemException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "already exists";
        }
        return e.getClass().getSimpleName();
    }

    /** One component's backup while its route runs: what its steps write and find. */
    public final class ComponentRun implements ComponentContext {
        private final BackupJob job;
        private final String name;
        private final Instant started;
        private final Path scratch;
        private final List<Artifact> artifacts = BackupJob.newArtifactList();
        private final Map<String, Object> facts = new LinkedHashMap<>();

        ComponentRun(BackupJob job, String name, Instant started, Path scratch) {
            this.job = job;
            this.name = name;
            this.started = started;
            this.scratch = scratch;
        }

        public String getName() {
            return name;
        }

        @Override
        public ArtifactOutput newArtifact(String fileName, String format) throws IOException {
            String path = name + "/" + fileName + compression.suffix();
            if (job.dataKey() != null) {
                path += Envelope.SUFFIX;
            }
            ArtifactOutput output = new ArtifactOutput(path, format, compression, compressionLevel, job.dataKey(),
                    repository.createArtifact(job.id(), path), artifacts::add);
            job.writing(name, output);
            return output;
        }

        @Override
        public Path scratch() throws IOException {
            return PrivateFiles.createDirectories(scratch);
        }

        @Override
        public String backupType() {
            return job.type();
        }

        @Override
        public Optional<ParentBackup> parent() {
            Manifest parent = job.parent();
            if (parent == null) {
                return Optional.empty();
            }
            return parent.components().stream().filter(c -> c.name().equals(name)).findFirst()
                    .map(record -> new ParentBackup(parent.backupId(), parent.type(), record,
                            new ArtifactReader(repository, new BackupId(parent.backupId()), name, job.parentKey())));
        }
    }
}
