package com.customercaregpt.backup.api;

import com.customercaregpt.backup.backup.BackupRequest;
import com.customercaregpt.backup.backup.UsageError;
import com.customercaregpt.backup.component.Components;
import com.customercaregpt.backup.repository.BackupId;
import com.customercaregpt.backup.restore.RestoreRequest;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Request bodies and parameters of the REST API, checked strictly: anything odd is a 400 before work starts. */
public final class ApiRequests {

    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /** POST /backup/create: {"type": "full", "components": [...], "retention_days": N}, all optional. */
    public BackupRequest backup(byte[] body) {
        Fields create = new Fields(body, "type", "components", "retention_days");
        List<String> components = create.componentNames();
        return new BackupRequest(create.text("type"), components, create.wholeNumber("retention_days"), "api");
    }

    /** POST /backup/{id}/restore: {"components", "target_database", "target_dir", "dry_run"}, all optional. */
    public RestoreRequest restore(String backupId, byte[] body) {
        Fields restore = new Fields(body, "components", "target_database", "target_dir", "dry_run");
        List<String> components = restore.componentNames();
        String requestedDir = restore.text("target_dir");
        Path targetDir = null;
        if (requestedDir != null) {
            targetDir = Path.of(requestedDir);
            if (!targetDir.isAbsolute() || targetDir.normalize().toString().length() != targetDir.toString().length()
                    || requestedDir.contains("..")) {
                throw new UsageError("target_dir must be an absolute path without '..': '" + requestedDir + "'");
            }
        }
        return new RestoreRequest(backupId(backupId), components, restore.text("target_database"), targetDir,
                Boolean.TRUE.equals(restore.bool("dry_run")), "api");
    }

    /** POST /backup/cleanup: {"dry_run": true|false} (default false). */
    public boolean cleanupDryRun(byte[] body) {
        return Boolean.TRUE.equals(new Fields(body, "dry_run").bool("dry_run"));
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

    /**
     * A request body's fields, each checked for its exact JSON type: no number read as a boolean, no
     * fraction cut to a whole number, no string taken for either. Errors name the field, never a class.
     */
    private static final class Fields {

        private final JsonNode object;

        Fields(byte[] body, String... known) {
            if (body == null || new String(body, StandardCharsets.UTF_8).isBlank()) {
                object = STRICT.createObjectNode();
                return;
            }
            try {
                object = STRICT.readTree(body);
            } catch (JsonProcessingException e) {
                JsonLocation at = e.getLocation();
                String message = e.getOriginalMessage().lines().findFirst().orElse("").replaceAll(" \\(.*", "");
                throw new ApiProblem.BadRequest("malformed JSON", message
                        + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
            } catch (IOException e) {
                throw new ApiProblem.BadRequest("unreadable body", e.getMessage());
            }
            if (object == null || !object.isObject()) {
                throw new ApiProblem.BadRequest("malformed request", "the body must be a JSON object, like {}");
            }
            List<String> allowed = List.of(known);
            object.fieldNames().forEachRemaining(name -> {
                if (!allowed.contains(name)) {
                    throw new ApiProblem.BadRequest("unknown field", "'" + name + "' is not a field of this request "
                            + "(fields: " + String.join(", ", allowed) + ")");
                }
            });
        }

        String text(String name) {
            JsonNode value = present(name);
            if (value != null && !value.isTextual()) {
                throw wrongType(name, "a string", value);
            }
            return value == null ? null : value.textValue();
        }

        Integer wholeNumber(String name) {
            JsonNode value = present(name);
            if (value != null && !(value.isIntegralNumber() && value.canConvertToInt())) {
                throw wrongType(name, "a whole number", value);
            }
            return value == null ? null : value.intValue();
        }

        Boolean bool(String name) {
            JsonNode value = present(name);
            if (value != null && !value.isBoolean()) {
                throw wrongType(name, "true or false", value);
            }
            return value == null ? null : value.booleanValue();
        }

        /** "components": absent for all of them, else a non-empty list of known component names. */
        List<String> componentNames() {
            JsonNode value = present("components");
            if (value == null) {
                return null;
            }
            if (!value.isArray()) {
                throw wrongType("components", "a list of component names", value);
            }
            if (value.isEmpty()) {
                throw new ApiProblem.BadRequest("bad request", "components must name at least one component "
                        + "(leave the field out for all of them)");
            }
            List<String> names = new ArrayList<>();
            for (JsonNode name : value) {
                if (!name.isTextual()) {
                    throw wrongType("components", "a list of component names", value);
                }
                names.add(name.textValue());
            }
            Components.resolve(names);
            return names;
        }

        /** The field's value; an explicit null counts as absent. */
        private JsonNode present(String name) {
            JsonNode value = object.get(name);
            return value == null || value.isNull() ? null : value;
        }

        private static ApiProblem wrongType(String name, String expected, JsonNode value) {
            String shown = value.toString();
            return new ApiProblem.BadRequest("bad request", name + " must be " + expected + ", got "
                    + (shown.length() > 80 ? shown.substring(0, 80) + "..." : shown));
        }
    }
}
