package com.customercaregpt.backup.backup;

import java.util.List;

/** What an operator (CLI, REST or a schedule) asked for. Empty components means all of them. */
public record BackupRequest(String type, List<String> components, Integer retentionDays, String trigger) {

    public BackupRequest {
        components = components == null ? List.of() : List.copyOf(components);
    }
}
