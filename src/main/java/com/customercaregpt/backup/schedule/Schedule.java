package com.customercaregpt.backup.schedule;

import java.util.List;

/**
 * One schedule of the schedules file, checked: when (a Quartz cron expression, seconds first, in
 * backup.schedule.time-zone), what (backup, cleanup or verify), and for a backup its type,
 * components (empty = all) and retention (null = backup.retention.full-days).
 */
public record Schedule(String id, String cron, String action, String type, List<String> components,
                       Integer retentionDays, boolean enabled) {

    public static final String BACKUP = "backup";
    public static final String CLEANUP = "cleanup";
    public static final String VERIFY = "verify";
    /** A drill of the recovery plan named by the schedule's `plan` parameter. */
    public static final String DRILL = "drill";
    public static final List<String> ACTIONS = List.of(BACKUP, CLEANUP, VERIFY, DRILL);

    public Schedule {
        components = List.copyOf(components);
    }
}
