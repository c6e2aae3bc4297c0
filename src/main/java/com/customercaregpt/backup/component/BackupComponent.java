package com.customercaregpt.backup.component;

import java.util.Map;

/**
 * One backed-up system of the platform. Each writes its state as artifacts in the standard
 * format of that system, so it can be restored by hand with the system's own tools.
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
}
