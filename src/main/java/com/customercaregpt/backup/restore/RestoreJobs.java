package com.customercaregpt.backup.restore;

import com.customercaregpt.backup.pipeline.Folders;
import com.customercaregpt.backup.pipeline.PrivateFiles;
import com.customercaregpt.backup.repository.BuildRecord;
import com.customercaregpt.backup.backup.StepFailure;
import com.customercaregpt.backup.backup.UsageError;
import com.customercaregpt.backup.component.Components;
import com.customercaregpt.backup.component.DatabaseComponent;
import com.customercaregpt.backup.wal.BaseBackup;
import com.customercaregpt.backup.wal.WalPoint;
import com.customercaregpt.backup.component.RestoreTarget;
import com.customercaregpt.backup.component.PreparedRestore;
import com.customercaregpt.backup.component.RestoreContext;
import com.customercaregpt.backup.component.ChainLink;
import com.customercaregpt.backup.inventory.BackupChains;
import com.customercaregpt.backup.inventory.Inventory;
import com.customercaregpt.backup.pipeline.ArtifactReader;
import com.customercaregpt.backup.repository.BackupId;
import com.customercaregpt.backup.repository.Manifest;
import com.customercaregpt.backup.repository.Manifest.ComponentRecord;
import com.customercaregpt.backup.repository.ManifestCodec;
import com.customercaregpt.backup.repository.ManifestKeys;
import com.customercaregpt.backup.pipeline.crypto.DataKey;
import com.customercaregpt.backup.repository.Repository;
import com.customercaregpt.backup.repository.RepositoryLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The steps of the restore route. The order is the safety: every artifact's checksum first; then
 * every component prepared beside its live data and checked against the backup's facts (nothing
 * live changes); only then the swaps, each keeping what it replaced; then checks on the live
 * systems. A restore that stops before a component's swap leaves that component as it was.
 */
public final class RestoreJobs {

    private static final Logger LOG = LoggerFactory.getLogger(RestoreJobs.class);
    private static final DateTimeFormatter LABEL = DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss").withZone(ZoneOffset.UTC);
    /** An isolated restore (a target given) touches only the components its targets apply to. */
    private Set<String> allowedComponents(RestoreRequest request) {
        if (request.targetDatabase() == null && request.targetDir() == null) {
            return Set.copyOf(components.names());
        }
        Set<String> allowed = new HashSet<>();
        if (request.targetDatabase() != null) {
            allowed.addAll(components.restoredTo(RestoreTarget.DATABASE));
        }
        if (request.targetDir() != null) {
            allowed.addAll(components.restoredTo(RestoreTarget.FOLDER));
        }
        return allowed;
    }

    private static String lastLabel = "";

    /**
     * The restore's label, its start to the second: it names what the restore keeps (pre-restore/<label>,
     * {@code <live>.pre-restore-<label>}), so two restores within one second wait for the next one.
     */
    private String newLabel() throws IOException {
        synchronized (RestoreJobs.class) { // restores of every repository in this JVM
            while (true) {
                String label = LABEL.format(Instant.now());
                if (!label.equals(lastLabel) && !Files.exists(preRestoreRoot.resolve(label))) {
                    lastLabel = label;
                    return label;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while choosing the restore's label");
                }
            }
        }
    }

    /**
     * The database of an incremental or differential backup made with WAL on has no data of its own: it is
     * its base backup recovered to the backup's restore point.
     */
    private Optional<Source> walPointBase(Manifest manifest) throws IOException {
        Optional<ComponentRecord> database = manifest.components().stream()
                .filter(c -> DatabaseComponent.NAME.equals(c.name()) && c.facts() != null
                        && WalPoint.KIND.equals(c.facts().get("backup_kind"))).findFirst();
        if (database.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Object> facts = database.get().facts();
        Manifest sealed = inventory.manifest((String) facts.get("base_backup_id"));
        DataKey key = keys.open(sealed);
        return Optional.of(new Source(ManifestKeys.unseal(sealed, key), key,
                Instant.parse((String) facts.get("restore_point_time")), (String) facts.get("restore_point")));
    }

    private static boolean holdsDataFolder(Manifest manifest) {
        return manifest.components().stream().anyMatch(c -> DatabaseComponent.NAME.equals(c.name())
                && c.facts() != null && (BaseBackup.PHYSICAL.equals(c.facts().get("backup_kind"))
                || WalPoint.KIND.equals(c.facts().get("backup_kind"))));
    }

    /** "--target-database applies to database, --target-dir to uploads, chromadb and config". */
    private String targetsHelp() {
        List<String> parts = new ArrayList<>();
        for (RestoreTarget target : RestoreTarget.values()) {
            List<String> names = components.restoredTo(target);
            if (target.option() != null && !names.isEmpty()) {
                parts.add(target.option() + " applies to " + String.join(", ", names));
            }
        }
        return String.join("; ", parts);
    }

    private final Repository repository;
    private final Inventory inventory;
    private final Components components;
    private final Path preRestoreRoot;
    private final Path scratchRoot;

    private final ManifestKeys keys;

    private final RepositoryLock lock;
    private final Leftovers leftovers;
    private final BackupChains chains;

    public RestoreJobs(Repository repository, Inventory inventory, Components components, ManifestKeys keys,
                       Path preRestoreRoot, Path scratchRoot, RepositoryLock lock, Leftovers leftovers) {
        this.lock = lock;
        this.leftovers = leftovers;
        this.keys = keys;
        this.repository = repository;
        this.inventory = inventory;
        this.components = components;
        this.preRestoreRoot = preRestoreRoot;
        this.scratchRoot = scratchRoot;
        this.chains = new BackupChains(repository, inventory, keys);
    }

    /** Where a component's data is read from when not from the restored backup itself, and where recovery stops. */
    record Source(Manifest manifest, DataKey dataKey, Instant toTime, String restorePoint) {
    }

    /** One restore while it runs. */
    public static final class Job {
        final RestoreRequest request;
        final Manifest manifest;
        final List<String> componentNames;
        final String label;
        final Map<String, PreparedRestore> prepared = new ConcurrentHashMap<>();
        final List<String> committed = new ArrayList<>();
        final List<String> kept = new ArrayList<>();
        final Map<String, List<String>> plan = new ConcurrentHashMap<>();
        /** Per component, the backups applied, oldest first (one for a full backup). */
        final Map<String, List<ChainLink>> chains = new ConcurrentHashMap<>();

        final DataKey dataKey;
        /** Components read from another backup than this one (the database of a WAL point: its base backup). */
        final Map<String, Source> sources = new ConcurrentHashMap<>();
        /** Held from plan to close: no backup, cleanup or other restore meanwhile (none for a dry run). */
        RepositoryLock.Held held;
        /** What this restore builds beside the live data, written down before it is built (none for a dry run). */
        BuildRecord building;

        Job(RestoreRequest request, Manifest manifest, List<String> componentNames, String label, DataKey dataKey) {
            this.dataKey = dataKey;
            this.request = request;
            this.manifest = manifest;
            this.componentNames = componentNames;
            this.label = label;
        }

        public List<String> getComponentNames() {
            return componentNames;
        }

        public boolean isDryRun() {
            return request.dryRun();
        }

        public String getBackupId() {
            return manifest.backupId();
        }

        /** Components swapped in so far (they stay swapped when a later one fails). */
        public List<String> getCommitted() {
            return List.copyOf(committed);
        }

        /** What the swaps so far kept of the data they replaced. */
        public List<String> getKept() {
            return List.copyOf(kept);
        }
    }

    /** Checks the request against the backup; nothing is read beyond the manifest yet. */
    public Job plan(RestoreRequest request) throws IOException {
        Manifest sealed = inventory.manifest(request.backupId());
        // A wrong or missing key stops the restore here, before anything is read or touched.
        DataKey dataKey = keys.open(sealed);
        Manifest manifest = ManifestKeys.unseal(sealed, dataKey);
        List<String> available = manifest.components().stream()
                .filter(c -> Manifest.COMPLETED.equals(c.status())).map(ComponentRecord::name).toList();
        Set<String> allowed = new HashSet<>(allowedComponents(request));
        if (request.targetDir() != null && holdsDataFolder(manifest)) {
            // a physical base backup is a data folder: --target-dir holds it, and its server runs there
            allowed.add(DatabaseComponent.NAME);
        }
        List<String> names = request.components().isEmpty()
                ? available.stream().filter(allowed::contains).toList()
                : components.resolve(request.components());
        for (String name : names) {
            if (!available.contains(name)) {
                throw new UsageError("backup " + manifest.backupId() + " holds no completed " + name
                        + " (it holds: " + String.join(", ", available) + ")");
            }
            if (!allowed.contains(name)) {
                throw new UsageError(name + " cannot be restored with --target-database/--target-dir; "
                        + targetsHelp());
            }
        }
        if (names.isEmpty()) {
            throw new UsageError("nothing to restore from " + manifest.backupId());
        }
        if (request.targetDir() != null && holdsDataFolder(manifest) && names.contains(DatabaseComponent.NAME)
                && names.size() > 1) {
            throw new UsageError("a physical database restores into --target-dir as its data folder: restore it "
                    + "on its own (--components " + DatabaseComponent.NAME + ")");
        }
        Job job = new Job(request, manifest, names, newLabel(), dataKey);
        if (names.contains(DatabaseComponent.NAME)) {
            walPointBase(manifest).ifPresent(source -> job.sources.put(DatabaseComponent.NAME, source));
        }
        if (!request.dryRun() && lock != null) {
            // a cleanup must not remove the backup being read, nor a backup write beside the swap
            job.held = lock.acquire("restore");
        }
        try {
            for (String name : names) {
                // a chain whose parent is gone or unreadable stops the restore here, before anything is read;
                // a component read from another backup (a WAL point's base backup) is that backup's alone
                job.chains.put(name, job.sources.containsKey(name)
                        ? List.of(new ChainLink(source(job, name).backupId(), source(job, name).type(),
                        record(job, name), reader(job, name)))
                        : chains.of(manifest, dataKey, name));
            }
        } catch (RuntimeException | IOException e) {
            release(job);
            throw e;
        }
        if (!request.dryRun()) {
            // a dry run prints its plan, or its one error line, and nothing else
            LOG.info("Restore of {} ({}) planned as {}", manifest.backupId(), String.join(" ", names), job.label);
        }
        return job;
    }

    /**
     * Under the lock, before anything is built: what restores that died left half-built is
     * removed (each removal logged), then this restore's build record is written, naming its
     * scratch folder first. Returns what was removed.
     */
    public List<Leftovers.Leftover> beginBuilding(Job job) throws IOException {
        List<Leftovers.Leftover> removed = leftovers.remove(false);
        job.building = BuildRecord.begin(preRestoreRoot.resolve(job.label), "restore", job.label,
                Map.of("backup_id", job.manifest.backupId()));
        job.building.add(BuildRecord.Item.folder(scratchFolder(job)));
        return removed;
    }

    /**
     * --dry-run: what each component would do, without changing anything, after the checks a
     * restore makes before it touches anything: every artifact it would use is present, of its
     * size and checksum (a bad one fails naming it).
     */
    public RestoreReport dryRun(Job job) throws Exception {
        for (String name : job.componentNames) {
            checkArtifacts(job, name);
        }
        for (String name : job.componentNames) {
            List<String> plan = new ArrayList<>();
            List<ChainLink> chain = job.chains.get(name);
            if (chain.size() > 1) {
                plan.add("chain: " + BackupChains.describe(chain) + " (every artifact's checksum verified)");
            }
            plan.addAll(components.get(name).planRestore(context(job, name)));
            job.plan.put(name, plan);
        }
        return report(job, "planned", null);
    }

    /**
     * Step 1 of a component's prepare: every artifact it uses, of every backup of its chain
     * (incremental, differential), is read whole and its checksum checked, before anything is built.
     */
    public void checkArtifacts(Job job, String name) {
        for (ChainLink link : job.chains.get(name)) {
            link.record().artifacts().forEach(link.reader()::verifyChecksum);
        }
        if (!job.request.dryRun()) {
            LOG.info("Restore {}: checksums of {} verified ({} backup(s))", job.label, name, job.chains.get(name).size());
        }
    }

    /** What a component's prepare steps get (its record, artifacts and targets); its plan is recorded for the report. */
    public RestoreContext openRestore(Job job, String name) throws Exception {
        RestoreContext context = context(job, name);
        job.plan.put(name, components.get(name).planRestore(context));
        return context;
    }

    /**
     * Step 2 of a component's prepare: the copy built beside the live data, registered at once so
     * that {@link #close} drops it if this or any other component then fails. Nothing live changes.
     * What building found out (a restored server's address) joins the component's plan in the report.
     */
    public void prepared(Job job, String name, PreparedRestore prepared) {
        job.prepared.put(name, prepared);
        if (!prepared.outcome().isEmpty()) {
            List<String> plan = new ArrayList<>(job.plan.getOrDefault(name, List.of()));
            plan.addAll(prepared.outcome());
            job.plan.put(name, plan);
        }
        LOG.info("Restore {}: {} prepared beside the live data", job.label, name);
    }

    /** Step 2 for a component without a route file: built beside its live data and checked in one step. */
    public void prepare(Job job, String name) throws Exception {
        prepared(job, name, components.get(name).prepareRestore(openRestore(job, name)));
    }

    public boolean needsServiceStopped(Job job, String name) {
        return job.prepared.get(name).needsServiceStopped();
    }

    /** Step 3: the swap. What it replaced is kept and recorded in pre-restore/<label>/kept.json. */
    public void commit(Job job, String name) throws Exception {
        List<String> kept = job.prepared.get(name).commit();
        job.committed.add(name);
        job.kept.addAll(kept);
        writeKeptList(job);
        LOG.info("Restore {}: {} restored{}", job.label, name, kept.isEmpty() ? "" : "; kept " + String.join(", ", kept));
    }

    /** Step 4: the live system against the backup's facts. */
    public void checkLive(Job job, String name) throws Exception {
        job.prepared.get(name).checkLive();
    }

    /**
     * Always: discard prepared copies that were not swapped in, and the scratch folder; then the
     * build record goes (kept while anything it lists is still there, for the next run to remove)
     * and the lock is released.
     */
    public void close(Job job) {
        try {
            job.prepared.forEach((name, prepared) -> {
                if (!job.committed.contains(name)) {
                    prepared.discard();
                }
            });
            Folders.deleteTreeQuietly(scratchFolder(job));
            if (job.building != null && job.building.items().stream().noneMatch(leftovers::exists)) {
                job.building.finish();
            }
        } catch (IOException e) {
            LOG.warn("Restore {}: cannot remove its build record: {}", job.label, e.getMessage());
        } finally {
            release(job);
        }
    }

    private Path scratchFolder(Job job) {
        return scratchRoot.resolve("restore-" + job.label);
    }

    public RestoreReport finish(Job job) {
        return report(job, "completed", null);
    }

    private static void release(Job job) {
        if (job.held != null) {
            job.held.close();
        }
    }

    public RestoreReport failed(Job job, Exception error) {
        return report(job, "failed", error == null ? null : error.getMessage());
    }

    private RestoreReport report(Job job, String status, String error) {
        Map<String, List<String>> plan = new LinkedHashMap<>();
        job.componentNames.stream().filter(job.plan::containsKey).forEach(name -> plan.put(name, job.plan.get(name)));
        return new RestoreReport(job.manifest.backupId(), job.label, job.request.dryRun(), status,
                job.componentNames, plan, List.copyOf(job.kept), error);
    }

    private void writeKeptList(Job job) throws IOException {
        Path folder = PrivateFiles.createDirectories(preRestoreRoot.resolve(job.label));
        Map<String, Object> kept = new LinkedHashMap<>();
        kept.put("backup_id", job.manifest.backupId());
        kept.put("restored_components", job.committed);
        kept.put("kept", job.kept);
        PrivateFiles.writeAtomically(folder.resolve("kept.json"), ManifestCodec.JSON.writeValueAsBytes(kept));
    }

    private static Manifest source(Job job, String name) {
        Source source = job.sources.get(name);
        return source == null ? job.manifest : source.manifest();
    }

    private ArtifactReader reader(Job job, String name) {
        Source source = job.sources.get(name);
        return new ArtifactReader(repository, new BackupId(source(job, name).backupId()), name,
                source == null ? job.dataKey : source.dataKey());
    }

    private static ComponentRecord record(Job job, String name) {
        Manifest manifest = source(job, name);
        return manifest.components().stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new StepFailure(name, "restore", "not in backup " + manifest.backupId()));
    }

    private RestoreContext context(Job job, String name) {
        ComponentRecord record = record(job, name);
        ArtifactReader reader = reader(job, name);
        Source source = job.sources.get(name);
        return new RestoreContext() {
            @Override
            public String backupId() {
                return source(job, name).backupId();
            }

            @Override
            public Optional<String> restorePoint() {
                return Optional.ofNullable(source).map(Source::restorePoint);
            }

            @Override
            public ComponentRecord record() {
                return record;
            }

            @Override
            public ArtifactReader reader() {
                return reader;
            }

            @Override
            public List<ChainLink> chain() {
                return job.chains.get(name);
            }

            @Override
            public String label() {
                return job.label;
            }

            @Override
            public Optional<String> targetDatabase() {
                return Optional.ofNullable(job.request.targetDatabase());
            }

            @Override
            public Optional<Path> targetDir() {
                return Optional.ofNullable(job.request.targetDir()).map(p -> p.toAbsolutePath().normalize());
            }

            @Override
            public void willBuild(BuildRecord.Item item) throws IOException {
                job.building.add(item);
            }

            @Override
            public Optional<Instant> toTime() {
                return source != null ? Optional.of(source.toTime()) : Optional.ofNullable(job.request.toTime());
            }

            @Override
            public Optional<Integer> targetPort() {
                return Optional.ofNullable(job.request.targetPort());
            }

            @Override
            public void keep(BuildRecord.Item item) throws IOException {
                job.building.drop(item);
            }

            @Override
            public Path scratch() throws IOException {
                return PrivateFiles.createDirectories(scratchFolder(job).resolve(name));
            }

            @Override
            public Path preRestoreArea() throws IOException {
                return PrivateFiles.createDirectories(preRestoreRoot.resolve(job.label));
            }
        };
    }

}
