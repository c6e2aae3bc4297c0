package com.customercaregpt.backup.restore;

import java.nio.file.Path;
import java.util.List;
import com.customercaregpt.backup.backup.UsageError;

/** What the operator asked to restore. Empty components means every component the backup holds. */
public record RestoreRequest(String backupId, List<String> components, String targetDatabase, Path targetDir,
                             boolean dryRun, String trigger) {

    public RestoreRequest {
        components = components == null ? List.of() : List.copyOf(components);
        if (targetDatabase != null && !targetDatabase.matches("[A-Za-z_][A-Za-z0-9_]{0,62}")) {
            throw new UsageError("the target database must be a plain name "
                    + "(letters, digits, _), got '" + targetDatabase + "'");
        }
    }
}
