package com.customercaregpt.backup.schedule;

import com.customercaregpt.backup.backup.BackupRequest;
import com.customercaregpt.backup.backup.UsageError;
import com.customercaregpt.backup.config.Settings;
import com.customercaregpt.backup.inventory.BackupSummary;
import com.customercaregpt.backup.inventory.Inventory;
import com.customercaregpt.backup.repository.Manifest;
import com.customercaregpt.backup.verify.VerifyReport;
import org.quartz.CronExpression;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;

/**
 * The steps of routes/scheduling.camel.yaml: decide whether a fire runs, turn it into the request
 * of the route it calls, read that route's answer, and give the row recorded in schedule_run.
 */
public final class ScheduleRuns {

    private static final Logger LOG = LoggerFactory.getLogger(ScheduleRuns.class);
    /** A cron that fires every second does not make us walk more fire times than this looking for a missed one. */
    private static final int MAX_FIRE_TIMES_WALKED = 1_000_000;

    private final Schedules schedules;
    private final Inventory inventory;
    private final ZoneId timeZone;
    private final Duration misfireGrace;

    public ScheduleRuns(Schedules schedules, Inventory inventory, ZoneId timeZone, Duration misfireGrace) {
        this.schedules = schedules;
        this.inventory = inventory;
        this.timeZone = timeZone;
        this.misfireGrace = misfireGrace;
    }

    /**
     * Step 1, the decision. Switched off (the operator's flag in the catalog, else the file's): nothing
     * runs. A fire whose cron time was missed (the service was down, or the previous run of this
     * schedule was still going) runs only if that time is at most backup.schedule.misfire-grace-minutes ago.
     * {@code quartz} are the headers camel-quartz sets (scheduledFireTime, previousFireTime, trigger, scheduler).
     */
    public ScheduleRun begin(String id, String cron, String type, String components, String retentionDays,
                             boolean enabledInFile, Map<String, Object> quartz) throws SQLException {
        Instant scheduled = ((Date) quartz.get("scheduledFireTime")).toInstant();
        Instant intended = intendedFireTime(cron, scheduled, (Date) quartz.get("previousFireTime"),
                (Trigger) quartz.get("trigger"));
        String instance = instance((Scheduler) quartz.get("scheduler"));
        String where = "schedule " + id;
        List<String> names = ScheduleFile.components(where + ": ", components, schedules.componentNames());
        Integer retention = "default".equals(retentionDays) ? null : Integer.valueOf(retentionDays);
        if (!schedules.enabled(id, enabledInFile)) {
            return new ScheduleRun(id, instance, intended, ScheduleRun.Decision.SWITCHED_OFF, type, names, retention, null);
        }
        Duration late = Duration.between(intended, Instant.now());
        if (late.compareTo(misfireGrace) > 0) {
            ScheduleRun run = new ScheduleRun(id, instance, intended, ScheduleRun.Decision.MISSED, type, names,
                    retention, null);
            String why = where + ": the run due at " + intended + " was missed (" + late.toMinutes()
                    + " minutes late, more than backup.schedule.misfire-grace-minutes=" + misfireGrace.toMinutes()
                    + "): skipped";
            run.end("skipped", null, why, why);
            return run;
        }
        return new ScheduleRun(id, instance, intended, ScheduleRun.Decision.RUN, type, names, retention, null);
    }

    /** The backup of a backup schedule. */
    public BackupRequest backupRequest(ScheduleRun run) {
        if (run.note() != null) {
            LOG.info("schedule {}: {}", run.getScheduleId(), run.note());
        }
        return new BackupRequest(run.type(), run.components(), run.retentionDays(), "schedule:" + run.getScheduleId());
    }

    /** The id of the newest completed backup, for a verify schedule. */
    public String newestCompletedBackup(ScheduleRun run) throws IOException {
        List<BackupSummary> newest = inventory.list("completed", 1);
        if (newest.isEmpty()) {
            throw new UsageError("no completed backup to verify");
        }
        return newest.get(0).backupId();
    }

    /** A backup's manifest: anything short of completed fails the run (direct:backup has raised the alert). */
    public void backedUp(ScheduleRun run, Manifest manifest) {
        boolean completed = "completed".equals(manifest.status());
        run.end(completed ? "completed" : "failed", manifest.backupId(),
                completed ? null : "backup " + manifest.backupId() + " is " + manifest.status(), null);
    }

    /** Verify reports: a bad artifact fails the run and raises an alert (verify itself does not). */
    public void verified(ScheduleRun run, List<VerifyReport> reports) {
        List<VerifyReport> bad = reports.stream().filter(r -> !r.ok()).toList();
        String backupId = reports.isEmpty() ? null : reports.get(0).backupId();
        if (bad.isEmpty()) {
            run.end("completed", backupId, null, null);
        } else {
            String error = "verify of " + backupId + " found bad artifacts: " + bad.stream()
                    .flatMap(r -> r.artifacts().stream()).filter(a -> !VerifyReport.OK.equals(a.status()))
                    .map(a -> a.path() + " (" + a.error() + ")").reduce((x, y) -> x + ", " + y).orElse("");
            run.end("failed", backupId, error, "schedule " + run.getScheduleId() + ": " + error);
        }
    }

    public void completed(ScheduleRun run) {
        run.end("completed", null, null, null);
    }

    /**
     * The called route failed. Operational failures were alerted by that route (routes/errors.camel.yaml);
     * a refusal (bad request, nothing to verify) was not, and a schedule that cannot run needs one.
     */
    public void failed(ScheduleRun run, Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        boolean refused = e instanceof UsageError || e instanceof Settings.SettingsException
                || e instanceof Inventory.NotFound || e instanceof Inventory.NotFinished;
        run.end("failed", null, message, refused ? "schedule " + run.getScheduleId() + " failed: " + message : null);
    }

    /** The schedule_run row (named parameters of the INSERT in direct:schedule-record). */
    public Map<String, Object> row(ScheduleRun run) {
        Map<String, Object> row = new HashMap<>();
        row.put("schedule_id", run.getScheduleId());
        row.put("instance", run.instance());
        row.put("scheduled_fire_time", Timestamp.from(run.getScheduledFireTime()));
        row.put("started_at", Timestamp.from(run.startedAt()));
        row.put("completed_at", run.completedAt() == null ? null : Timestamp.from(run.completedAt()));
        row.put("status", run.getStatus());
        row.put("backup_id", run.backupId());
        row.put("error", run.getError());
        row.put("note", run.note());
        return row;
    }

    /**
     * The cron time this fire stands for. A fire on time is its own. A misfired trigger is fired
     * once "now" by Quartz (fire-once-now), and its scheduledFireTime is then that "now": the time
     * it stands for is the newest cron time after the previous fire (or the trigger's start).
     */
    Instant intendedFireTime(String cron, Instant scheduled, Date previousFire, Trigger trigger) {
        CronExpression expression;
        try {
            expression = new CronExpression(cron);
        } catch (ParseException e) {
            throw new IllegalStateException("checked at start: " + e.getMessage(), e);
        }
        expression.setTimeZone(TimeZone.getTimeZone(timeZone));
        Date scheduledDate = Date.from(scheduled);
        if (expression.isSatisfiedBy(scheduledDate)) {
            return scheduled;
        }
        Date from = previousFire != null ? previousFire : trigger != null ? trigger.getStartTime() : null;
        if (from == null) {
            return scheduled;
        }
        Date newest = null;
        Date next = expression.getNextValidTimeAfter(from);
        for (int i = 0; next != null && !next.after(scheduledDate) && i < MAX_FIRE_TIMES_WALKED; i++) {
            newest = next;
            next = expression.getNextValidTimeAfter(next);
        }
        return newest == null ? scheduled : newest.toInstant();
    }

    private static String instance(Scheduler scheduler) {
        try {
            return scheduler == null ? "unknown" : scheduler.getSchedulerInstanceId();
        } catch (SchedulerException e) {
            return "unknown";
        }
    }
}
