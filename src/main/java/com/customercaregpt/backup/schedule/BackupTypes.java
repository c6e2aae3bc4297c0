package com.customercaregpt.backup.schedule;

import java.util.List;

/** The backup types a schedule may ask for: each runs as asked (an incremental builds on the newest completed backup). */
public final class BackupTypes {

    public static final List<String> SCHEDULABLE = List.of("full", "incremental", "differential");

    private BackupTypes() {
    }
}
