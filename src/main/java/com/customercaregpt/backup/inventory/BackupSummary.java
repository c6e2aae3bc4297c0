package com.customercaregpt.backup.inventory;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;

/** One line of `list`: a finished backup from its manifest, or one still without a manifest. */
@JsonPropertyOrder({"backupId", "type", "dependsOn", "status", "createdAt", "completedAt", "expiresAt", "sizeBytes", "components",
        "failedComponents", "lastVerifiedAt", "replicatedAt"})
public record BackupSummary(
        String backupId,
        String type,
        String dependsOn,
        String status,
        String createdAt,
        String completedAt,
        String expiresAt,
        long sizeBytes,
        List<String> components,
        List<String> failedComponents,
        String lastVerifiedAt,
        String replicatedAt) {

    /** Unreadable, or files without a manifest: only the operator can tell what it is. */
    public boolean needsOperator() {
        return UNREADABLE.equals(status) || MANIFEST_MISSING.equals(status);
    }

    public BackupSummary withHistory(String verified, String replicated) {
        return new BackupSummary(backupId, type, dependsOn, status, createdAt, completedAt, expiresAt, sizeBytes, components,
                failedComponents, verified, replicated);
    }

    /** Status of a backup someone is still writing. */
    public static final String RUNNING = "running";
    /** Status of a backup whose writer died before its manifest: removed by the next backup. */
    public static final String INCOMPLETE = "incomplete";
    /** Status of a backup folder with files but no manifest and no writer: left for the operator. */
    public static final String MANIFEST_MISSING = "manifest-missing";
    /** Status of a backup whose manifest cannot be read. */
    public static final String UNREADABLE = "unreadable";
}
