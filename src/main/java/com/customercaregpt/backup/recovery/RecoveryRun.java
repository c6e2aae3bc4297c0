package com.customercaregpt.backup.recovery;

import com.customercaregpt.backup.repository.Manifest;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One run of a recovery plan (initiated, or a drill) while it runs and as it is reported: each
 * step timed, each check's result, the recovery point, what was swapped and what was left
 * untouched, and the objectives met or missed.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"operationId", "planId", "kind", "status", "dryRun", "trigger", "startedAt", "completedAt",
        "recoveryPoint", "steps", "checks", "swapped", "untouched", "kept", "failedStep", "error", "rto", "rpo"})
public final class RecoveryRun {

    public static final String RUNNING = "running";
    public static final String COMPLETED = "completed";
    public static final String FAILED = "failed";

    /** One step of the plan as it ran. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"name", "status", "startedAt", "seconds", "detail"})
    public static final class Step {
        private final String name;
        private final Instant started = Instant.now();
        private String status = RUNNING;
        private Double seconds;
        private String detail;

        Step(String name) {
            this.name = name;
        }

        public String getName() {
            return name;
        }

        public String getStatus() {
            return status;
        }

        public String getStartedAt() {
            return started.toString();
        }

        public Double getSeconds() {
            return seconds;
        }

        public String getDetail() {
            return detail;
        }

        void end(String endStatus, String endDetail) {
            status = endStatus;
            detail = endDetail;
            seconds = Duration.between(started, Instant.now()).toMillis() / 1000.0;
        }
    }

    /** One validation check's result. */
    public record Check(String name, String status, String detail) {
    }

    /** The data restored: its backup and when it was taken, and the moment asked for (point-in-time recovery). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RecoveryPoint(String backupId, String createdAt, String toTime) {
    }

    /** An objective against what was achieved: met, and by how much (negative: missed by). */
    @JsonPropertyOrder({"objectiveSeconds", "achievedSeconds", "met", "marginSeconds"})
    public record Objective(long objectiveSeconds, long achievedSeconds, boolean met, long marginSeconds) {
        static Objective of(long objective, long achieved) {
            return new Objective(objective, achieved, achieved <= objective, objective - achieved);
        }
    }

    private final String operationId;
    private final RecoveryPlan plan;
    private final RecoveryRequest request;
    private final Instant started = Instant.now();
    private final List<Step> steps = new ArrayList<>();
    private final List<Check> checks = new ArrayList<>();
    private final List<String> swapped = new ArrayList<>();
    private final List<String> kept = new ArrayList<>();
    private volatile Instant completed;
    private volatile String status = RUNNING;
    private Manifest manifest;
    private boolean newestPoint;
    /** The moment asked for (null: the backup's own state). */
    private Instant toTime;
    /** Backup id to the plan's components restored from it, oldest first (one backup but at a moment in time). */
    private Map<String, List<String>> pointBackups = Map.of();
    /** At a moment in time: each component's record in the backup it is restored from (its facts, for the checks). */
    private final Map<String, Manifest.ComponentRecord> pointRecords = new java.util.concurrent.ConcurrentHashMap<>();
    /** At a moment in time: the backup each component is restored from. */
    private final Map<String, Manifest> pointManifests = new java.util.concurrent.ConcurrentHashMap<>();
    private Instant validated;
    private String failedStep;
    private String error;
    /** Where the checks look: the live systems, or a drill's private copies (component to its place). */
    private Map<String, String> targets = Map.of();
    /** Per component, the files a restore wrote (config: the restored copies beside the live files). */
    private final Map<String, List<String>> restoredFiles = new java.util.concurrent.ConcurrentHashMap<>();
    /** Per component, what the restore itself checked on the copy it built (its report's line). */
    private final Map<String, String> checkedByRestore = new java.util.concurrent.ConcurrentHashMap<>();

    RecoveryRun(String operationId, RecoveryPlan plan, RecoveryRequest request) {
        this.operationId = operationId == null
                ? "op_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20) : operationId;
        this.plan = plan;
        this.request = request;
    }

    public String getOperationId() {
        return operationId;
    }

    public String getPlanId() {
        return plan.planId();
    }

    /** initiate or drill. */
    public String getKind() {
        return request.drill() ? "drill" : "initiate";
    }

    public String getStatus() {
        return status;
    }

    public boolean isDryRun() {
        return request.dryRun();
    }

    public boolean isDrill() {
        return request.drill();
    }

    public String getTrigger() {
        return request.trigger();
    }

    public String getStartedAt() {
        return started.toString();
    }

    public String getCompletedAt() {
        return completed == null ? null : completed.toString();
    }

    public RecoveryPoint getRecoveryPoint() {
        return manifest == null ? null : new RecoveryPoint(manifest.backupId(), manifest.createdAt(),
                toTime == null ? null : toTime.toString());
    }

    public synchronized List<Step> getSteps() {
        return List.copyOf(steps);
    }

    public synchronized List<Check> getChecks() {
        return List.copyOf(checks);
    }

    /** Components whose restored data is now live (swapped in and checked); empty for a drill. */
    public synchronized List<String> getSwapped() {
        return List.copyOf(swapped);
    }

    /** The plan's components whose live data this run did not change. */
    public synchronized List<String> getUntouched() {
        return plan.components().stream().filter(c -> !swapped.contains(c)).toList();
    }

    /** What the restore kept of the data it replaced (removed later by `cleanup --pre-restore`). */
    public synchronized List<String> getKept() {
        return List.copyOf(kept);
    }

    public String getFailedStep() {
        return failedStep;
    }

    public String getError() {
        return error;
    }

    /** Recovery time: from the start of the plan until the restored systems were validated. */
    public Objective getRto() {
        return validated == null ? null
                : Objective.of(plan.rtoSeconds(), Duration.between(started, validated).toSeconds());
    }

    /**
     * Recovery point: how old the restored data was when the plan started. An RPO of 0 asks for
     * the newest restorable point, whatever its age: met when that is the one restored.
     */
    public Objective getRpo() {
        if (manifest == null || request.dryRun()) {
            return null;
        }
        long age = Duration.between(toTime != null ? toTime : Instant.parse(manifest.createdAt()), started).toSeconds();
        return plan.rpoSeconds() == 0 ? new Objective(0, age, newestPoint, 0) : Objective.of(plan.rpoSeconds(), age);
    }

    @JsonIgnore
    public RecoveryPlan getPlan() {
        return plan;
    }

    @JsonIgnore
    public RecoveryRequest getRequest() {
        return request;
    }

    @JsonIgnore
    public Manifest getManifest() {
        return manifest;
    }

    /** The moment asked for, or null. */
    @JsonIgnore
    public Instant getToTime() {
        return toTime;
    }

    @JsonIgnore
    public Map<String, List<String>> getPointBackups() {
        return pointBackups;
    }

    @JsonIgnore
    public Map<String, String> getTargets() {
        return targets;
    }

    @JsonIgnore
    public Instant started() {
        return started;
    }

    /** Not a drill nor a dry run: the live systems are restored. */
    @JsonIgnore
    public boolean isLive() {
        return !request.drill() && !request.dryRun();
    }

    @JsonIgnore
    public boolean isRestartsApplication() {
        return plan.restartsApplication();
    }

    /** The kind of the alert a failure raises. */
    @JsonIgnore
    public String getAlertKind() {
        return request.drill() ? "drill-failed" : "disaster-recovery-failed";
    }

    /** True when an objective was measured and missed. */
    @JsonIgnore
    public boolean isObjectiveMissed() {
        return COMPLETED.equals(status) && ( (getRto() != null && !getRto().met()) || (getRpo() != null && !getRpo().met()));
    }

    /** "RTO missed by 120 s; RPO missed by 30 s", for the alert. */
    @JsonIgnore
    public String getMissedLine() {
        List<String> parts = new ArrayList<>();
        if (getRto() != null && !getRto().met()) {
            parts.add("RTO " + plan.rtoMinutes() + " min missed by " + -getRto().marginSeconds() + " s");
        }
        if (getRpo() != null && !getRpo().met()) {
            parts.add(plan.rpoSeconds() == 0 ? "RPO 0 min missed: a newer restorable point than "
                    + manifest.backupId() + " exists" : "RPO " + plan.rpoMinutes() + " min missed by "
                    + -getRpo().marginSeconds() + " s");
        }
        return getKind() + " of " + plan.planId() + " (" + operationId + "): " + String.join("; ", parts);
    }

    /** The one line a failure is reported with: plan, step, cause, and what live data became. */
    @JsonIgnore
    public String getFailureLine() {
        String live = request.drill() || request.dryRun() ? "live data untouched"
                : "swapped (restored and checked): " + (getSwapped().isEmpty() ? "none" : String.join(", ", getSwapped()))
                + "; untouched: " + (getUntouched().isEmpty() ? "none" : String.join(", ", getUntouched()));
        return getKind() + " " + plan.planId() + ": step " + failedStep + ": " + error + " (" + live + "; "
                + operationId + ")";
    }

    synchronized void stepStarted(String name) {
        steps.add(new Step(name));
    }

    synchronized void stepEnded(String name, String endStatus, String detail) {
        for (int i = steps.size() - 1; i >= 0; i--) {
            Step step = steps.get(i);
            if (step.name.equals(name) && RUNNING.equals(step.status)) {
                step.end(endStatus, detail);
                return;
            }
        }
    }

    /** The step that failed (the last one that did), else the one still running, or null. */
    synchronized String failedOrCurrentStep() {
        for (String wanted : List.of(FAILED, RUNNING)) {
            for (int i = steps.size() - 1; i >= 0; i--) {
                if (wanted.equals(steps.get(i).status)) {
                    return steps.get(i).name;
                }
            }
        }
        return null;
    }

    synchronized void check(Check check) {
        checks.add(check);
    }

    synchronized void swapped(List<String> names, List<String> keptItems) {
        names.stream().filter(n -> !swapped.contains(n)).forEach(swapped::add);
        keptItems.stream().filter(k -> !kept.contains(k)).forEach(kept::add);
    }

    List<String> restoredFiles(String component) {
        return restoredFiles.getOrDefault(component, List.of());
    }

    void restoredFiles(String component, List<String> files) {
        restoredFiles.put(component, List.copyOf(files));
    }

    String checkedByRestore(String component) {
        return checkedByRestore.get(component);
    }

    void checkedByRestore(String component, String check) {
        checkedByRestore.put(component, check);
    }

    void recoveryPoint(Manifest point, boolean newest) {
        this.manifest = point;
        this.newestPoint = newest;
        if (toTime == null) {
            pointBackups = Map.of(point.backupId(), plan.components());
        }
    }

    /** The facts the checks compare a component with: those of the backup it was restored from. */
    @JsonIgnore
    public Map<String, Object> factsOf(String component) {
        Manifest.ComponentRecord record = pointRecords.get(component);
        if (record == null && manifest != null) {
            record = manifest.components().stream().filter(c -> c.name().equals(component)).findFirst().orElse(null);
        }
        return record == null || record.facts() == null ? Map.of() : record.facts();
    }

    /** At a moment in time: the components {@code backup} restores are checked against its facts. */
    void componentsFrom(Manifest backup) {
        List<String> names = pointBackups.getOrDefault(backup.backupId(), List.of());
        backup.components().stream().filter(c -> names.contains(c.name())).forEach(c -> {
            pointRecords.put(c.name(), c);
            pointManifests.put(c.name(), backup);
        });
    }

    /** The backup a component is restored from: the recovery point, or at a moment in time the one holding it. */
    @JsonIgnore
    public Manifest manifestOf(String component) {
        return pointManifests.getOrDefault(component, manifest);
    }

    void pointInTime(Instant time, Map<String, List<String>> backups) {
        this.toTime = time;
        this.pointBackups = new LinkedHashMap<>(backups);
    }

    void targets(Map<String, String> places) {
        this.targets = Map.copyOf(places);
    }

    void validated() {
        validated = Instant.now();
    }

    void completed() {
        status = COMPLETED;
        completed = Instant.now();
    }

    void failed(String step, String cause) {
        failedStep = step == null ? "start" : step;
        error = cause;
        status = FAILED;
        completed = Instant.now();
    }
}
