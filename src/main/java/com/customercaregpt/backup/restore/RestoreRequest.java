package com.customercaregpt.backup.restore;

import java.nio.file.Path;
import java.util.List;

/** What the operator asked to restore. Empty components means every component the backup holds. */
public record RestoreRequest(String backupId, List<String> components, String targetDatabase, Path targetDir,
                             boolean dryRun, String trigger) {

    public RestoreRequest {
        components = components == null ? List.of() : List.copyOf(components);
    }
}
