package com.customercaregpt.backup.schedule;

import java.util.List;

/**
 * One schedule as `schedule list` and the REST API show it. {@code runsAs} is the backup type
 * actually run (incremental runs as full for now); {@code enabledBy} says where {@code enabled}
 * comes from: "file" (the schedules file) or "operator" (schedule enable/disable, in the catalog).
 */
public record ScheduleView(String id, String action, String cron, String timeZone, String type, String runsAs,
                           List<String> components, Integer retentionDays, boolean enabled, String enabledBy) {
}
