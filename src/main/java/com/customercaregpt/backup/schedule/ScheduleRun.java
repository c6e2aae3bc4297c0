package com.customercaregpt.backup.schedule;

import java.time.Instant;
import java.util.List;

/** One fire of a schedule, from the decision to the row recorded in schedule_run. */
public final class ScheduleRun {

    /** What the decision step found. */
    public enum Decision { RUN, SWITCHED_OFF, MISSED }

    private final String scheduleId;
    private final String instance;
    private final Instant scheduledFireTime;
    private final Instant startedAt = Instant.now();
    private final Decision decision;
    private final String type;
    private final List<String> components;
    private final Integer retentionDays;
    private final String note;
    private String status;
    private String backupId;
    private String error;
    private String alert;
    private Instant completedAt;

    ScheduleRun(String scheduleId, String instance, Instant scheduledFireTime, Decision decision, String type,
                List<String> components, Integer retentionDays, String note) {
        this.scheduleId = scheduleId;
        this.instance = instance;
        this.scheduledFireTime = scheduledFireTime;
        this.decision = decision;
        this.type = type;
        this.components = components;
        this.retentionDays = retentionDays;
        this.note = note;
    }

    public String getScheduleId() {
        return scheduleId;
    }

    public boolean isSwitchedOff() {
        return decision == Decision.SWITCHED_OFF;
    }

    public boolean isMissed() {
        return decision == Decision.MISSED;
    }

    public Instant getScheduledFireTime() {
        return scheduledFireTime;
    }

    /** The message for direct:alert, or null when nothing needs one (or the called route raised it). */
    public String getAlert() {
        return alert;
    }

    public String getError() {
        return error;
    }

    public String getStatus() {
        return status;
    }

    String type() {
        return type;
    }

    List<String> components() {
        return components;
    }

    Integer retentionDays() {
        return retentionDays;
    }

    String note() {
        return note;
    }

    String instance() {
        return instance;
    }

    Instant startedAt() {
        return startedAt;
    }

    Instant completedAt() {
        return completedAt;
    }

    String backupId() {
        return backupId;
    }

    void end(String status, String backupId, String error, String alert) {
        this.status = status;
        this.backupId = backupId;
        this.error = error;
        this.alert = alert;
        this.completedAt = Instant.now();
    }
}
