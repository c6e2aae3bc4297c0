package com.customercaregpt.backup.operations;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;

/**
 * One operation as the REST API shows it: status is running, completed or failed whatever the
 * kind; outcome keeps the kind's own word (completed, partial, ok, bad, restored...).
 */
@JsonPropertyOrder({"operationId", "kind", "status", "outcome", "backupId", "components", "trigger", "progress",
        "startedAt", "completedAt", "result", "error"})
public record Operation(String operationId, String kind, String status, String outcome, String backupId,
                        List<String> components, String trigger, String progress, String startedAt,
                        String completedAt, Object result, String error) {

    public static final String RUNNING = "running";
    public static final String COMPLETED = "completed";
    public static final String FAILED = "failed";

    /** The kind's own outcome words that mean the operation did not do what was asked. */
    static final List<String> FAILED_OUTCOMES = List.of("failed", "partial", "bad", "skipped");

    static String status(String outcome, String completedAt, String error) {
        if (completedAt == null) {
            return RUNNING;
        }
        return error != null || FAILED_OUTCOMES.contains(outcome) ? FAILED : COMPLETED;
    }
}
