package com.customercaregpt.backup.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;

import java.util.List;
import java.util.Map;

/**
 * The JSON bodies of the REST API that are its own (requests, the 202 answer, errors), bound by
 * camel-jackson through {@link ApiJsonFormat}; the other answers are the CLI's records as they are.
 */
public final class ApiBodies {

    private ApiBodies() {
    }

    /** POST /backup/create: every field optional. */
    public record CreateBackup(String type, @JsonSetter(contentNulls = Nulls.FAIL) List<String> components,
                               Integer retentionDays) {
        static final CreateBackup NONE = new CreateBackup(null, null, null);
    }

    /** POST /backup/{backup_id}/restore: every field optional. */
    public record Restore(@JsonSetter(contentNulls = Nulls.FAIL) List<String> components, String targetDatabase,
                          String targetDir, Boolean dryRun, String toTime, Integer targetPort) {
        static final Restore NONE = new Restore(null, null, null, null, null, null);
    }

    /** POST /backup/cleanup: every field optional. */
    public record Cleanup(Boolean dryRun) {
        static final Cleanup NONE = new Cleanup(null);
    }

    /** The 202 answer to long work: where to follow it. */
    public record Accepted(String operationId, String status, String href) {
        static Accepted of(Map<String, Object> accepted) {
            return new Accepted(String.valueOf(accepted.get("operation_id")), String.valueOf(accepted.get("status")),
                    String.valueOf(accepted.get("href")));
        }
    }

    /** Every refusal and failure: {"error": what went wrong, "detail": why, in one line}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Problem(String error, String detail) {
    }
}
