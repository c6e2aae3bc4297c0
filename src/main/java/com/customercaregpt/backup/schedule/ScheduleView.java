package com.customercaregpt.backup.schedule;

import java.util.List;

/**
 * One schedule as `schedule list` and the REST API show it. {@code enabledBy} says where {@code enabled}
 * comes from: "file" (the schedules file) or "operator" (schedule enable/disable, in the catalog).
 */
public record ScheduleView(String id, String action, String cron, String timeZone, String type,
                           List<String> components, Integer retentionDays, boolean enabled, String enabledBy) {
}
