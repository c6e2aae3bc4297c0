package com.customercaregpt.backup.component;

import java.util.Map;

/**
 * One backed-up system of the platform. Each writes its state as artifacts in the standard
 * format of that system, so it can be restored by hand with the system's own tools, and knows how
 * to check those artifacts and restore them without losing the live data.
 */
public interface BackupComponent {

    /** The name used on the command line, in routes and in manifests. */
    String name();

    /**
     * Writes this system's current state through {@code context} and returns its facts: what a
     * later verification or restore compares against (row counts, key counts, file counts).
     * Throws a {@link com.customercaregpt.backup.backup.StepFailure} naming the failed step.
     */
    Map<String, Object> backup(ComponentContext context) throws Exception;

    /**
     * What the running server says about itself (ChromaDB: its version), read before its stop
     * command; recorded with the facts of {@link #backup}. Throws a StepFailure when it is required
     * and cannot be read.
     */
    default Map<String, Object> serverFacts() {
        return Map.of();
    }

    /**
     * Checks one artifact with the system's real tool (pg_restore --list, tar -t, the RDB header,
     * JSON parsing) against the facts; throws a StepFailure naming the artifact when it is bad.
     */
    void verify(Verification verification) throws Exception;

    /**
     * Describes the restore without changing anything (for --dry-run): what would be replaced and
     * where the old data would be kept.
     */
    java.util.List<String> planRestore(RestoreContext context) throws Exception;

    /** Builds the restored copy beside the live data and checks it; nothing live changes yet. */
    PreparedRestore prepareRestore(RestoreContext context) throws Exception;
}
