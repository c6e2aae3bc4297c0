package com.customercaregpt.backup.repository;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.customercaregpt.backup.pipeline.crypto.WrappedKey;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The record of one backup, stored as {@code manifest.json} beside its artifacts; see
 * docs/repository-format.md. Field names in JSON are snake_case.
 */
@JsonPropertyOrder({"formatVersion", "backupId", "type", "dependsOn", "status", "createdAt", "completedAt", "toolVersion",
        "retentionDays", "expiresAt", "host", "dataKey", "components"})
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Manifest(
        int formatVersion,
        String backupId,
        String type,
        String status,
        String createdAt,
        String completedAt,
        String toolVersion,
        int retentionDays,
        String expiresAt,
        String host,
        List<ComponentRecord> components,
        WrappedKey dataKey,
        @JsonInclude(JsonInclude.Include.NON_NULL) String dependsOn) {

    /** A backup that needs no other to be restored (every full backup). */
    public Manifest(int formatVersion, String backupId, String type, String status, String createdAt,
                    String completedAt, String toolVersion, int retentionDays, String expiresAt, String host,
                    List<ComponentRecord> components, WrappedKey dataKey) {
        this(formatVersion, backupId, type, status, createdAt, completedAt, toolVersion, retentionDays, expiresAt,
                host, components, dataKey, null);
    }

    /**
     * Version 2 added encryption: data_key, facts_encrypted, encrypted artifacts. Version 3 added
     * incremental and differential backups: depends_on, the chain facts, tar snapshot artifacts.
     * Version 4 added the folder components' per-file checksum lists (sha256sum artifacts).
     */
    public static final int FORMAT_VERSION = 4;
    /** The versions this tool reads. */
    public static final Set<Integer> READABLE_VERSIONS = Set.of(1, 2, 3, 4);

    public Manifest withComponents(List<ComponentRecord> newComponents) {
        return new Manifest(formatVersion, backupId, type, status, createdAt, completedAt, toolVersion, retentionDays,
                expiresAt, host, newComponents, dataKey, dependsOn);
    }

    public boolean encrypted() {
        return dataKey != null;
    }

    public static final String COMPLETED = "completed";
    public static final String PARTIAL = "partial";
    public static final String FAILED = "failed";

    /** What became of one component in this backup. */
    @JsonPropertyOrder({"name", "status", "error", "startedAt", "completedAt", "artifacts", "facts", "factsEncrypted"})
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record ComponentRecord(
            String name,
            String status,
            String error,
            String startedAt,
            String completedAt,
            List<Artifact> artifacts,
            Map<String, Object> facts,
            @JsonInclude(JsonInclude.Include.NON_NULL) String factsEncrypted) {

        public ComponentRecord(String name, String status, String error, String startedAt, String completedAt,
                               List<Artifact> artifacts, Map<String, Object> facts) {
            this(name, status, error, startedAt, completedAt, artifacts, facts, null);
        }

        public ComponentRecord withFacts(Map<String, Object> newFacts, String newFactsEncrypted) {
            return new ComponentRecord(name, status, error, startedAt, completedAt, artifacts, newFacts, newFactsEncrypted);
        }
    }

    /** One stored file. {@code sha256} and {@code sizeBytes} describe the stored (compressed) bytes. */
    @JsonPropertyOrder({"path", "format", "compression", "encryption", "sizeBytes", "rawSizeBytes", "sha256"})
    public record Artifact(
            String path,
            String format,
            String compression,
            String encryption,
            long sizeBytes,
            long rawSizeBytes,
            String sha256) {
    }

    public long totalSizeBytes() {
        return components.stream().flatMap(c -> c.artifacts().stream()).mapToLong(Artifact::sizeBytes).sum();
    }

    public List<String> componentNames() {
        return components.stream().map(ComponentRecord::name).toList();
    }
}
