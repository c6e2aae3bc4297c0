package com.customercaregpt.backup.catalog;

import com.customercaregpt.backup.repository.Manifest;
import com.customercaregpt.backup.repository.ManifestCodec;

import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** Turns manifests and operations into the named parameters of the catalog's SQL (routes/catalog.camel.yaml). */
public final class CatalogRows {

    private final String repositoryLocation;

    public CatalogRows(String repositoryLocation) {
        this.repositoryLocation = repositoryLocation;
    }

    public Map<String, Object> backupRow(Manifest manifest) {
        Map<String, Object> row = new HashMap<>();
        row.put("backup_id", manifest.backupId());
        row.put("type", manifest.type());
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

    /** One finished operation of the log: what ran, on which backup, and how it ended. */
    public Map<String, Object> operationRow(String kind, Manifest manifest, String trigger) {
        Map<String, Object> row = new HashMap<>();
        row.put("operation_id", "op_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20));
        row.put("kind", kind);
        row.put("backup_id", manifest.backupId());
        row.put("components", String.join(",", manifest.componentNames()));
        row.put("trigger", trigger == null ? "cli" : trigger);
        row.put("status", manifest.status());
        row.put("started_at", timestamp(manifest.createdAt()));
        row.put("completed_at", timestamp(manifest.completedAt()));
        row.put("error", manifest.components().stream().map(Manifest.ComponentRecord::error)
                .filter(java.util.Objects::nonNull).reduce((a, b) -> a + "; " + b).orElse(null));
        return row;
    }

    private static Timestamp timestamp(String iso) {
        return iso == null ? null : Timestamp.from(Instant.parse(iso));
    }
}
