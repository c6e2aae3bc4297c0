package com.customercaregpt.backup.restore;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import com.customercaregpt.backup.backup.UsageError;

/** What the operator asked to restore. Empty components means every component the backup holds. */
public record RestoreRequest(String backupId, List<String> components, String targetDatabase, Path targetDir,
                             boolean dryRun, String trigger, Instant toTime, Integer targetPort) {

    public RestoreRequest(String backupId, List<String> components, String targetDatabase, Path targetDir,
                          boolean dryRun, String trigger) {
        this(backupId, components, targetDatabase, targetDir, dryRun, trigger, null, null);
    }

    /** The same request for one backup (a --to-time restore runs one per backup it picks). */
    public RestoreRequest forBackup(String id, List<String> names) {
        return new RestoreRequest(id, names, targetDatabase, targetDir, dryRun, trigger, toTime, targetPort);
    }

    public RestoreRequest {
        components = components == null ? List.of() : List.copyOf(components);
        if (targetDatabase != null && !targetDatabase.matches("[A-Za-z_][A-Za-z0-9_]{0,62}")) {
            throw new UsageError("the target database must be a plain name "
                    + "(letters, digits, _), got '" + targetDatabase + "'");
        }
    }
}
