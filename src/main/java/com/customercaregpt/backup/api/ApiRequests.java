package com.customercaregpt.backup.api;

import com.customercaregpt.backup.backup.BackupRequest;
import com.customercaregpt.backup.backup.UsageError;
import com.customercaregpt.backup.component.Components;
import com.customercaregpt.backup.repository.BackupId;
import com.customercaregpt.backup.restore.RestoreRequest;
import com.customercaregpt.backup.wal.WalReports;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

import java.nio.file.Path;
import java.util.List;

/**
 * Request bodies (bound by camel-jackson into {@link ApiBodies}, strictly) and parameters of the REST
 * API, checked further: anything odd is a 400 before work starts.
 */
public final class ApiRequests {

    private final Components components;

    public ApiRequests(Components components) {
        this.components = components;
    }

    /** POST /backup/create: {"type": "full", "components": [...], "retention_days": N}, all optional. */
    public BackupRequest backup(Object body) {
        ApiBodies.CreateBackup create = body instanceof ApiBodies.CreateBackup given ? given : ApiBodies.CreateBackup.NONE;
        return new BackupRequest(create.type(), componentNames(create.components()), create.retentionDays(), "api");
    }

    /** POST /backup/{id}/restore: {"components", "target_database", "target_dir", "dry_run", "to_time", "target_port"}, all optional. */
    public RestoreRequest restore(String backupId, Object body) {
        ApiBodies.Restore restore = body instanceof ApiBodies.Restore given ? given : ApiBodies.Restore.NONE;
        List<String> components = componentNames(restore.components());
        String requestedDir = restore.targetDir();
        Path targetDir = null;
        if (requestedDir != null) {
            targetDir = Path.of(requestedDir);
            if (!targetDir.isAbsolute() || targetDir.normalize().toString().length() != targetDir.toString().length()
                    || requestedDir.contains("..")) {
                throw new UsageError("target_dir must be an absolute path without '..': '" + requestedDir + "'");
            }
        }
        if (restore.targetPort() != null && (restore.targetPort() < 1 || restore.targetPort() > 65535)) {
            throw new UsageError("target_port must be 1-65535, got " + restore.targetPort());
        }
        return new RestoreRequest(backupId(backupId), components, restore.targetDatabase(), targetDir,
                Boolean.TRUE.equals(restore.dryRun()), "api",
                restore.toTime() == null ? null : WalReports.parseTime(restore.toTime()), restore.targetPort());
    }

    /** POST /backup/cleanup: {"dry_run": true|false} (default false). */
    public boolean cleanupDryRun(Object body) {
        return body instanceof ApiBodies.Cleanup cleanup && Boolean.TRUE.equals(cleanup.dryRun());
    }

    /** "components": absent for all of them, else a non-empty list of known component names. */
    private List<String> componentNames(List<String> names) {
        if (names == null) {
            return null;
        }
        if (names.isEmpty()) {
            throw new ApiProblem.BadRequest("bad request", "components must name at least one component "
                    + "(leave the field out for all of them)");
        }
        components.resolve(names);
        return names;
    }

    /** A backup id from the path, refused unless it is exactly backup_YYYYMMDD_HHMMSS[...]. */
    public String backupId(String raw) {
        return new BackupId(raw == null ? "" : raw).value();
    }

    /**
     * GET /backup/list's ?status=, ?type= and ?limit= checked (400 when malformed) and normalised in
     * place: a plain word or null, and 1..1000 (default 100). One call: the hottest path of the API.
     */
    public void listFilters(Exchange exchange) {
        Message message = exchange.getMessage();
        message.setHeader("status", filter("status", message.getHeader("status", String.class)));
        message.setHeader("type", filter("type", message.getHeader("type", String.class)));
        message.setHeader("limit", limit(message.getHeader("limit", String.class)));
    }

    /** ?limit=N, 1..1000, default 100. */
    public int limit(String raw) {
        if (raw == null || raw.isBlank()) {
            return 100;
        }
        try {
            int limit = Integer.parseInt(raw.strip());
            if (limit >= 1 && limit <= 1000) {
                return limit;
            }
        } catch (NumberFormatException ignored) {
            // refused below
        }
        throw new UsageError("limit must be a number from 1 to 1000, got '" + raw + "'");
    }

    /** ?status=... and ?type=... filters: a plain word or nothing. */
    public String filter(String name, String raw) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        if (!raw.matches("[a-z-]{1,32}")) {
            throw new UsageError(name + " must be a plain word, got '" + raw + "'");
        }
        return raw;
    }
}
