package com.customercaregpt.backup.schedule;

import java.util.List;

/**
 * The backup types a schedule may ask for, and what each runs as today. This tool makes full
 * backups only; the platform's policy already asks for daily incrementals, so a schedule of type
 * incremental runs a full backup until incremental backups exist, and each such run says so
 * (the run's note in the catalog, and an INFO line).
 */
public final class BackupTypes {

    public static final List<String> SCHEDULABLE = List.of("full", "incremental");

    private BackupTypes() {
    }

    /** The type actually run for a requested one: today incremental falls back to full. */
    public static String runAs(String requested) {
        return "incremental".equals(requested) ? "full" : requested;
    }

    /** Why the run differs from the request, or null when it does not. */
    public static String fallbackNote(String requested) {
        return runAs(requested).equals(requested) ? null
                : requested + " backups do not exist yet: ran a " + runAs(requested) + " backup instead";
    }
}
