package com.customercaregpt.backup.catalog;

import com.customercaregpt.backup.repository.Manifest;
import com.customercaregpt.backup.repository.ManifestCodec;
import com.customercaregpt.backup.restore.RestoreReport;
import com.customercaregpt.backup.verify.VerifyReport;
import com.customercaregpt.backup.wal.ArchivedSegment;

import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import com.customercaregpt.backup.inventory.BackupSummary;
import com.customercaregpt.backup.replication.Replicator;
import java.io.IOException;
import java.util.List;
import java.util.Objects;

/** Turns manifests and operations into the named parameters of the catalog's SQL (routes/catalog.camel.yaml). */
public final class CatalogRows {

    private final String repositoryLocation;

    public CatalogRows(String repositoryLocation) {
        this.repositoryLocation = repositoryLocation;
    }

    /** The empty result of a catalog query, when the catalog is down. */
    public List<Map<String, Object>> noRows() {
        return List.of();
    }

    public String repository() {
        return repositoryLocation;
    }

    public Map<String, Object> backupRow(Manifest manifest) {
        Map<String, Object> row = new HashMap<>();
        row.put("backup_id", manifest.backupId());
        row.put("type", manifest.type());
        row.put("depends_on", manifest.dependsOn());
        row.put("status", manifest.status());
        row.put("created_at", timestamp(manifest.createdAt()));
        row.put("completed_at", timestamp(manifest.completedAt()));
        row.put("expires_at", timestamp(manifest.expiresAt()));
        row.put("retention_days", manifest.retentionDays());
        row.put("size_bytes", manifest.totalSizeBytes());
        row.put("components", String.join(",", manifest.componentNames()));
        row.put("repository", repositoryLocation);
        row.put("manifest", new String(ManifestCodec.write(manifest), StandardCharsets.UTF_8));
        return row;
    }

    /** An archived WAL file's row in the index (catalog-upsert-wal). */
    public Map<String, Object> walSegmentRow(ArchivedSegment segment) {
        Map<String, Object> row = new HashMap<>();
        row.put("repository", repositoryLocation);
        row.put("name", segment.name());
        row.put("timeline", segment.timeline());
        row.put("path", segment.path());
        row.put("archived_at", timestamp(segment.archivedAt()));
        row.put("end_time", timestamp(segment.endTime()));
        row.put("size_bytes", segment.sizeBytes());
        row.put("raw_size_bytes", segment.rawSizeBytes());
        row.put("sha256", segment.sha256());
        return row;
    }

    /** What `catalog rebuild` indexed. */
    public Map<String, Object> rebuilt(int backups, int walFiles) {
        return Map.of("backups", backups, "wal_files", walFiles);
    }

    /** Rows of the REST API's list query back into the summaries `list --output json` prints. */
    public List<BackupSummary> backupSummaries(
            List<Map<String, Object>> rows) {
        return rows.stream().map(row -> new BackupSummary(
                (String) row.get("backup_id"), (String) row.get("type"), (String) row.get("depends_on"),
                (String) row.get("status"),
                iso(row.get("created_at")), iso(row.get("completed_at")), iso(row.get("expires_at")),
                ((Number) row.get("size_bytes")).longValue(), split(row.get("components")),
                split(row.get("failed_components")), iso(row.get("verified_at")), iso(row.get("replicated_at")))).toList();
    }

    private static List<String> split(Object value) {
        return value == null || value.toString().isBlank() ? List.of()
                : List.of(value.toString().split(","));
    }

    /** A catalog timestamp as ISO-8601 UTC, as manifests and --output json write times; null otherwise. */
    public static String iso(Object value) {
        return value instanceof Timestamp t ? t.toInstant().toString() : null;
    }

    /** One finished operation of the log: what ran, on which backup, and how it ended. */
    public Map<String, Object> operationRow(String kind, Manifest manifest, String trigger, String operationId) {
        Map<String, Object> row = new HashMap<>();
        row.put("operation_id", operationId(operationId));
        row.put("repository", repositoryLocation);
        row.put("kind", kind);
        row.put("backup_id", manifest.backupId());
        row.put("components", String.join(",", manifest.componentNames()));
        row.put("trigger", trigger == null ? "cli" : trigger);
        row.put("status", manifest.status());
        row.put("started_at", timestamp(manifest.createdAt()));
        row.put("completed_at", timestamp(manifest.completedAt()));
        row.put("error", manifest.components().stream().map(Manifest.ComponentRecord::error)
                .filter(Objects::nonNull).reduce((a, b) -> a + "; " + b).orElse(null));
        row.put("detail", null);
        return row;
    }

    public Map<String, Object> verifyRow(VerifyReport report, String operationId) {
        Map<String, Object> row = operation(operationId, "verify", report.backupId(), String.join(",", report.artifacts().stream()
                .map(VerifyReport.ArtifactCheck::component).filter(Objects::nonNull).distinct().toList()));
        row.put("status", report.status());
        row.put("error", report.artifacts().stream().map(VerifyReport.ArtifactCheck::error)
                .filter(Objects::nonNull).reduce((a, b) -> a + "; " + b).orElse(null));
        row.put("detail", json(Map.of("artifacts", report.artifacts())));
        return row;
    }

    public Map<String, Object> restoreRow(RestoreReport report, String operationId) {
        Map<String, Object> row = operation(operationId, report.dryRun() ? "restore-dry-run" : "restore", report.backupId(),
                String.join(",", report.components()));
        row.put("status", report.status());
        row.put("error", report.error());
        row.put("detail", json(Map.of("label", report.label(), "kept", report.kept(), "plan", report.plan())));
        return row;
    }

    public Map<String, Object> replicateRow(Replicator.Result result) {
        Map<String, Object> row = operation(null, "replicate", result.backupId(), null);
        row.put("status", result.status());
        row.put("error", result.error());
        row.put("detail", json(Map.of("artifacts", result.artifacts())));
        return row;
    }

    /** An operation started over the REST API keeps the id it was given; others get a new one. */
    private static String operationId(String given) {
        return given != null && !given.isBlank() ? given
                : "op_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
    }

    private Map<String, Object> operation(String operationId, String kind, String backupId, String components) {
        Map<String, Object> row = new HashMap<>();
        row.put("operation_id", operationId(operationId));
        row.put("repository", repositoryLocation);
        row.put("kind", kind);
        row.put("backup_id", backupId);
        row.put("components", components);
        row.put("trigger", "cli");
        row.put("started_at", Timestamp.from(Instant.now()));
        row.put("completed_at", Timestamp.from(Instant.now()));
        return row;
    }

    private static String json(Object value) {
        try {
            return ManifestCodec.JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Timestamp timestamp(String iso) {
        return iso == null ? null : Timestamp.from(Instant.parse(iso));
    }
}
