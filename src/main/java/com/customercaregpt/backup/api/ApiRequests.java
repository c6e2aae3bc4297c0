package com.customercaregpt.backup.api;

import com.customercaregpt.backup.backup.BackupRequest;
import com.customercaregpt.backup.backup.UsageError;
import com.customercaregpt.backup.component.Components;
import com.customercaregpt.backup.repository.BackupId;
import com.customercaregpt.backup.restore.RestoreRequest;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

import java.nio.file.Path;
import java.util.List;

/** Request bodies and parameters of the REST API, checked strictly: anything odd is a 400 before work starts. */
public final class ApiRequests {

    private static final ObjectMapper STRICT = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final Components components;

    public ApiRequests(Components components) {
        this.components = components;
    }

    record CreateBody(String type, List<String> components, Integer retentionDays) {
    }

    record RestoreBody(List<String> components, String targetDatabase, String targetDir, Boolean dryRun) {
    }

    record CleanupBody(Boolean dryRun) {
    }

    /** POST /backup/create: {"type": "full", "components": [...], "retention_days": N}, all optional. */
    public BackupRequest backup(byte[] body) {
        CreateBody create = read(body, CreateBody.class, new CreateBody(null, null, null));
        components.resolve(create.components());
        return new BackupRequest(create.type(), create.components(), create.retentionDays(), "api");
    }

    /** POST /backup/{id}/restore: {"components", "target_database", "target_dir", "dry_run"}, all optional. */
    public RestoreRequest restore(String backupId, byte[] body) {
        RestoreBody restore = read(body, RestoreBody.class, new RestoreBody(null, null, null, null));
        components.resolve(restore.components());
        Path targetDir = null;
        if (restore.targetDir() != null) {
            targetDir = Path.of(restore.targetDir());
            if (!targetDir.isAbsolute() || targetDir.normalize().toString().length() != targetDir.toString().length()
                    || restore.targetDir().contains("..")) {
                throw new UsageError("target_dir must be an absolute path without '..': '" + restore.targetDir() + "'");
            }
        }
        return new RestoreRequest(backupId(backupId), restore.components(), restore.targetDatabase(), targetDir,
                Boolean.TRUE.equals(restore.dryRun()), "api");
    }

    /** POST /backup/cleanup: {"dry_run": true|false} (default false). */
    public boolean cleanupDryRun(byte[] body) {
        return Boolean.TRUE.equals(read(body, CleanupBody.class, new CleanupBody(false)).dryRun());
    }

    /** A backup id from the path, refused unless it is exactly backup_YYYYMMDD_HHMMSS[...]. */
    public String backupId(String raw) {
        return new BackupId(raw == null ? "" : raw).value();
    }

    /**
     * GET /backup/list's ?status=, ?type= and ?limit= checked (400 when malformed) and normalised in
     * place: a plain word or null, and 1..1000 (default 100). One call: the hottest path of the API.
     */
    public void listFilters(org.apache.camel.Exchange exchange) {
        org.apache.camel.Message message = exchange.getMessage();
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

    private static <T> T read(byte[] body, Class<T> type, T empty) {
        if (body == null || new String(body, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            return empty;
        }
        try {
            T value = STRICT.readValue(body, type);
            return value == null ? empty : value;
        } catch (UnrecognizedPropertyException e) {
            throw new ApiProblem.BadRequest("unknown field", "'" + e.getPropertyName() + "' is not a field of this request");
        } catch (JsonProcessingException e) {
            throw new ApiProblem.BadRequest("malformed JSON", e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new ApiProblem.BadRequest("unreadable body", e.getMessage());
        }
    }
}
