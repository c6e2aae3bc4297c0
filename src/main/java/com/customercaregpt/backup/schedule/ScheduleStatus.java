package com.customercaregpt.backup.schedule;

import java.util.List;

/**
 * `schedule status`: whether a scheduler is running on this catalog (which instances checked in
 * recently), and per schedule its next and last fire time and what its last run did. Times are
 * ISO-8601 UTC, null when unknown.
 */
public record ScheduleStatus(boolean schedulerRunning, List<String> instances, List<Entry> schedules) {

    public record Entry(String id, boolean enabled, String nextFireTime, String lastFireTime, String lastResult,
                        String lastRunAt, String lastBackupId, String lastError) {
    }
}
