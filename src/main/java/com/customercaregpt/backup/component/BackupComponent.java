package com.customercaregpt.backup.component;

import com.customercaregpt.backup.backup.StepFailure;

import java.util.List;
import java.util.Map;

/**
 * One backed-up system of the platform. Each writes its state as artifacts in the standard
 * format of that system, so it can be restored by hand with the system's own tools, and knows how
 * to check those artifacts and restore them without losing the live data. Components are beans
 * registered in a {@code CamelConfiguration} ({@link PlatformComponents}); {@code backup.components}
 * names the ones in use.
 */
public interface BackupComponent {

    /** Its name, restore target and health check name. */
    ComponentInfo info();

    /** The name used on the command line, in routes and in manifests. */
    default String name() {
        return info().name();
    }

    /** Whether the live system can be backed up now: returns what was seen, throws naming what is wrong. */
    String checkHealth() throws Exception;

    /**
     * After the operator's start command (backup.<name>.start-command): returns once the service
     * answers again, or throws a {@link StepFailure} naming it. Components copied from files at
     * rest need no wait.
     */
    default void awaitReady() throws InterruptedException {
    }

    /**
     * Writes this system's current state through {@code context} and returns its facts: what a
     * later verification or restore compares against (row counts, key counts, file counts).
     * Throws a {@link StepFailure} naming the failed step. A component with a runbook of its own
     * (routes/components/<name>.camel.yaml) is backed up by that route's steps instead; this one
     * call serves a component without one.
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
    List<String> planRestore(RestoreContext context) throws Exception;

    /**
     * Builds the restored copy beside the live data and checks it; nothing live changes yet. A
     * runbook of the component's own may call it as one of its steps, or smaller steps instead.
     */
    PreparedRestore prepareRestore(RestoreContext context) throws Exception;
}
