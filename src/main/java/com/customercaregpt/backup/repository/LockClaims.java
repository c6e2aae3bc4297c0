package com.customercaregpt.backup.repository;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/** The content of a lock (local lock.json or a claim in the bucket): who holds it, since when, last heartbeat. */
public final class LockClaims {
    private LockClaims() {
    }

    /** A fresh claim by this process for {@code operation}. */
    public static Map<String, Object> newClaim(String token, String operation) {
        Map<String, Object> content = new LinkedHashMap<>();
        content.put("token", token);
        content.put("operation", operation);
        content.put("host", Owners.hostName());
        content.put("pid", ProcessHandle.current().pid());
        content.put("acquired_at", Instant.now().toString());
        content.put("heartbeat_at", Instant.now().toString());
        return content;
    }

    /** True when the claim's heartbeat is older than {@code staleAfter}, or unreadable. */
    public static boolean heartbeatStopped(JsonNode claim, Duration staleAfter) {
        try {
            return Instant.parse(claim.path("heartbeat_at").asText()).plus(staleAfter).isBefore(Instant.now());
        } catch (DateTimeParseException e) {
            return true;
        }
    }

    /** "backup on host (pid 12, since ...)", for the messages of those who wait. */
    public static String describe(JsonNode claim) {
        return claim.path("operation").asText("?") + " on " + claim.path("host").asText("?") + " (pid "
                + claim.path("pid").asText("?") + ", since " + claim.path("acquired_at").asText("?") + ")";
    }
}
