package com.customercaregpt.backup.component;

import java.util.List;

/**
 * A restored copy built beside the live data and checked against the backup's facts, waiting to
 * be swapped in. Nothing live has changed until {@link #commit()}.
 */
public interface PreparedRestore {

    /** What restoring will do, one line each, for --dry-run and the operation log. */
    List<String> plan();

    /** What building it found out, for the report (a restored server's address); none by default. */
    default List<String> outcome() {
        return List.of();
    }

    /** Whether the live service must be stopped (by its stop/start commands) around {@link #commit()}. */
    default boolean needsServiceStopped() {
        return false;
    }

    /** Swaps the prepared copy in; returns what was kept of the replaced data, to be removed later. */
    List<String> commit() throws Exception;

    /** After the swap (and the service start), checks that the live system now holds the backup's facts. */
    void checkLive() throws Exception;

    /** Removes the prepared copy when the restore stops before {@link #commit()}. */
    void discard();
}
