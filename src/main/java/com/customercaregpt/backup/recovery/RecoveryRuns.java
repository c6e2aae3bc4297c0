package com.customercaregpt.backup.recovery;

import com.customercaregpt.backup.api.ApiProblem;
import com.customercaregpt.backup.backup.UsageError;
import com.customercaregpt.backup.component.DatabaseComponent;
import com.customercaregpt.backup.config.Settings;
import com.customercaregpt.backup.inventory.Inventory;
import com.customercaregpt.backup.repository.BackupId;
import com.customercaregpt.backup.repository.Manifest;
import com.customercaregpt.backup.repository.ManifestKeys;
import com.customercaregpt.backup.repository.RepositoryLock;
import com.customercaregpt.backup.restore.RestoreJobs;
import com.customercaregpt.backup.restore.RestoreReport;
import com.customercaregpt.backup.restore.RestoreRequest;
import com.customercaregpt.backup.wal.WalReports;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The steps of a recovery plan that need Java, each called from routes/disaster-recovery.camel.yaml:
 * check the request, choose and open the recovery point, build the restore requests, take note of
 * what the restore swapped, end the run (record, metrics). The order of steps is the plan's route.
 */
public final class RecoveryRuns {

    private static final Logger LOG = LoggerFactory.getLogger(RecoveryRuns.class);

    private final RecoveryPlans plans;
    private final Inventory inventory;
    private final ManifestKeys keys;
    private final RepositoryLock lock;
    private final ValidationChecks checks;
    private final Drills drills;
    private final RecoveryRecords records;
    private final Settings settings;
    private final WalReports wal;
    private volatile MeterRegistry metrics;

    public RecoveryRuns(RecoveryPlans plans, Inventory inventory, ManifestKeys keys, RepositoryLock lock,
                        ValidationChecks checks, Drills drills, RecoveryRecords records, Settings settings,
                        WalReports wal) {
        this.wal = wal;
        this.plans = plans;
        this.inventory = inventory;
        this.keys = keys;
        this.lock = lock;
        this.checks = checks;
        this.drills = drills;
        this.records = records;
        this.settings = settings;
    }

    /**
     * Checks the request before anything runs (bad input changes nothing): a known plan, a
     * well-formed backup id, a point in time only with WAL archiving, and the repository free
     * (a running backup, restore or drill is named).
     */
    public RecoveryRequest check(RecoveryRequest request) {
        plans.get(request.planId());
        if (request.backupId() != null && request.toTime() != null) {
            throw new UsageError("give a backup id or a time, not both");
        }
        if (request.backupId() != null) {
            new BackupId(request.backupId());
        }
        if (request.toTime() != null && !"true".equals(settings.get("backup.wal.enabled", "false"))) {
            throw new UsageError("point-in-time recovery needs backup.wal.enabled=true (WAL archived since the "
                    + "backup); give --backup-id, or leave both out for the newest restorable backup");
        }
        if (request.toTime() != null) {
            WalReports.parseTime(request.toTime());
        }
        if (!request.dryRun()) {
            lock.liveHolder().ifPresent(holder -> {
                throw new ApiProblem.Conflict("the repository is locked by " + holder
                        + "; try again when it has finished");
            });
        }
        return request;
    }

    /** A scheduled drill of {@code planId} (routes/schedules.camel.yaml, action drill). */
    public RecoveryRequest scheduledDrill(String planId) {
        return new RecoveryRequest(planId, null, null, false, true, "schedule");
    }

    /** Starts a run of the request's plan (already checked); {@code operationId} null for a new one. */
    public RecoveryRun begin(RecoveryRequest request, String operationId) {
        check(request);
        RecoveryRun run = new RecoveryRun(operationId, plans.get(request.planId()), request);
        run.targets(checks.liveTargets());
        LOG.info("{} of recovery plan {} started ({})", run.getKind(), run.getPlanId(), run.getOperationId());
        return run;
    }

    /**
     * The recovery point: the backup asked for, else the newest completed backup holding every
     * component of the plan; for a time, the backups a --to-time restore uses (WalReports.backupsAt),
     * the newest of them reported. Its facts are opened (a wrong key stops here, before anything is touched).
     */
    public Manifest choosePoint(RecoveryRun run) throws IOException {
        List<String> needed = run.getPlan().components();
        Manifest chosen;
        if (run.getRequest().toTime() != null) {
            Instant time = WalReports.parseTime(run.getRequest().toTime());
            Map<String, List<String>> backups = wal.backupsAt(time, needed);
            run.pointInTime(time, backups);
            for (String id : backups.keySet()) {
                Manifest sealed = inventory.manifest(id);
                run.componentsFrom(ManifestKeys.unseal(sealed, keys.open(sealed)));
            }
            chosen = inventory.manifest(new ArrayList<>(backups.keySet()).get(backups.size() - 1));
        } else if (run.getRequest().backupId() != null) {
            chosen = inventory.manifest(run.getRequest().backupId());
            List<String> missing = needed.stream().filter(c -> !holds(chosen, c)).toList();
            if (!missing.isEmpty()) {
                throw new UsageError("backup " + chosen.backupId() + " holds no completed " + String.join(", ", missing)
                        + ", which plan " + run.getPlanId() + " restores");
            }
        } else {
            chosen = newestCovering(needed).orElseThrow(() -> new UsageError("no completed backup holds "
                    + String.join(", ", needed) + " (plan " + run.getPlanId() + "); make one with `create`"));
        }
        Manifest open = ManifestKeys.unseal(chosen, keys.open(chosen));
        run.recoveryPoint(open, newestCovering(needed).map(m -> m.backupId().equals(chosen.backupId())).orElse(false));
        LOG.info("Recovery plan {}: recovery point {} ({})", run.getPlanId(), open.backupId(), open.createdAt());
        return open;
    }

    /** The newest completed backup that holds every one of {@code components}. */
    public java.util.Optional<Manifest> newestCovering(List<String> components) throws IOException {
        List<Manifest> manifests = new ArrayList<>(inventory.manifests());
        java.util.Collections.reverse(manifests);
        return manifests.stream().filter(m -> components.stream().allMatch(c -> holds(m, c))).findFirst();
    }

    private static boolean holds(Manifest manifest, String component) {
        return manifest.components().stream()
                .anyMatch(c -> c.name().equals(component) && Manifest.COMPLETED.equals(c.status()));
    }

    /** How many restores the verify and restore steps run: one per backup of the recovery point. */
    public int restoreCount(RecoveryRun run) {
        return run.getPointBackups().size();
    }

    /** The verify step's {@code index}th restore: a dry run (every artifact present, of its size and checksum). */
    public RestoreRequest verifyRequest(RecoveryRun run, int index) {
        return pointRequest(run, index, true);
    }

    /**
     * The restore step's {@code index}th restore: the plan's components from the recovery point (at its time,
     * when asked for one), over the live systems or into the drill's sandbox.
     */
    public RestoreRequest restoreRequest(RecoveryRun run, int index) throws IOException {
        if (run.isDrill()) {
            return drills.restoreRequest(run, trigger(run));
        }
        return pointRequest(run, index, run.isDryRun());
    }

    private RestoreRequest pointRequest(RecoveryRun run, int index, boolean dryRun) {
        Map.Entry<String, List<String>> backup = new ArrayList<>(run.getPointBackups().entrySet()).get(index);
        return new RestoreRequest(backup.getKey(), backup.getValue(), null, null, dryRun, trigger(run), run.getToTime(),
                null);
    }

    /** What the restore did: for a run on live systems, the components swapped in and checked. */
    public void restored(RecoveryRun run, RestoreReport report) throws IOException {
        if (!run.isDrill() && !report.dryRun()) {
            run.swapped(report.components(), report.kept());
        }
        if (run.isDrill()) {
            report.plan().getOrDefault(DatabaseComponent.NAME, List.of()).stream()
                    .filter(line -> line.startsWith(DatabaseComponent.ROW_COUNTS_CHECKED)).findFirst()
                    .ifPresent(line -> run.checkedByRestore(DatabaseComponent.NAME, line));
        }
        if (report.components().contains("config") && !report.dryRun()) {
            run.restoredFiles("config", run.isDrill() ? drills.configFiles(run)
                    : Arrays.stream(settings.get("backup.config.files", "").split(",")).map(String::strip)
                    .filter(f -> !f.isEmpty()).map(f -> restoredConfig(f, report.label())).toList());
        }
    }

    /** The copy written beside the live file; once swapped in (restore mode swap), the live file itself. */
    private static String restoredConfig(String file, String label) {
        String beside = file + ".restored-" + label;
        return Files.exists(Path.of(beside)) ? beside : file;
    }

    /** A restore that failed: the components it had swapped in stay swapped (and were checked). */
    public void restoreFailed(RecoveryRun run, RestoreJobs.Job job) {
        if (job != null && !run.isDrill() && !job.isDryRun()) {
            run.swapped(job.getCommitted(), job.getKept());
        }
    }

    /** The plan's last step (its validation) passed: the recovery time ends here. */
    public RecoveryRun finish(RecoveryRun run) {
        if (!run.isDryRun()) {
            run.validated();
        }
        run.completed();
        LOG.info("{} of recovery plan {} completed: RTO {}, RPO {}", run.getKind(), run.getPlanId(), run.getRto(),
                run.getRpo());
        return run;
    }

    /** A failed step: the run names the step and the cause. */
    public RecoveryRun failed(RecoveryRun run, Exception error) {
        run.failed(run.failedOrCurrentStep(), cause(error));
        LOG.error("Recovery plan {}: {}", run.getPlanId(), run.getFailureLine());
        return run;
    }

    /** The service's metrics registry: drills are counted there (drill_runs_total). */
    public void metrics(MeterRegistry registry) {
        this.metrics = registry;
    }

    /** Always, at the end: the drill's sandbox goes, and the run is recorded in the catalog. */
    public void close(RecoveryRun run) {
        try {
            if (run.isDrill()) {
                drills.close(run);
            }
        } finally {
            records.save(run);
            MeterRegistry registry = metrics;
            if (registry != null && run.isDrill() && !run.isDryRun()) {
                Counter.builder("drill_runs").description("Drills per plan, by outcome")
                        .tags("plan", run.getPlanId(), "result", run.getStatus()).register(registry).increment();
            }
        }
    }

    /** A failed run fails its caller with its one line (after it was recorded and alerted). */
    public RecoveryRun result(RecoveryRun run) {
        if (RecoveryRun.FAILED.equals(run.getStatus())) {
            throw new RecoveryFailed(run);
        }
        return run;
    }

    /** The first line of the root cause. */
    static String cause(Throwable error) {
        Throwable e = error;
        while (e.getCause() != null && e.getCause() != e && (e.getMessage() == null
                || e instanceof org.apache.camel.CamelExecutionException || e instanceof org.apache.camel.RuntimeCamelException)) {
            e = e.getCause();
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.lines().findFirst().orElse(message);
    }

    private static String trigger(RecoveryRun run) {
        return "disaster-recovery " + run.getPlanId();
    }

    /** A plan that failed: its one line names the plan, the step, the cause and what live data became. */
    public static final class RecoveryFailed extends RuntimeException {
        private final transient RecoveryRun run;

        RecoveryFailed(RecoveryRun run) {
            super(run.getFailureLine());
            this.run = run;
        }

        public RecoveryRun run() {
            return run;
        }
    }

    /** Files under {@code folder}, sorted. */
    static List<String> filesUnder(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> tree = Files.walk(folder)) {
            return tree.filter(Files::isRegularFile).map(Path::toString).sorted().toList();
        }
    }
}
