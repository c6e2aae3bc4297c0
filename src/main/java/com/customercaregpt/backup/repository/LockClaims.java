package com.customercaregpt.backup.repository;

import com.customercaregpt.backup.pipeline.DaemonThreads;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.io.IOException;

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

    /**
     * A stale claim of a dead owner that a new holder replaced: where, whose it was (operation, host,
     * pid, since) and its last heartbeat.
     */
    public record Takeover(String location, String operation, String host, String pid, String since,
                           String lastHeartbeat) {

        public static Takeover of(String location, JsonNode claim) {
            return new Takeover(location, claim.path("operation").asText("?"), claim.path("host").asText("?"),
                    claim.path("pid").asText("?"), claim.path("acquired_at").asText("?"),
                    claim.path("heartbeat_at").asText("?"));
        }
    }

    /** "backup on host (pid 12, since ...)", for the messages of those who wait. */
    public static String describe(JsonNode claim) {
        return claim.path("operation").asText("?") + " on " + claim.path("host").asText("?") + " (pid "
                + claim.path("pid").asText("?") + ", since " + claim.path("acquired_at").asText("?") + ")";
    }

    /**
     * A held lock whose claim is rewritten with a fresh heartbeat every 10 s until close(), which
     * is idempotent and removes the claim. Subclasses say where the claim is written and removed.
     */
    public abstract static class Lease implements AutoCloseable {
        private static final long HEARTBEAT_SECONDS = 10;
        private static final ScheduledExecutorService HEARTBEATS =
                Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("lock-heartbeat"));
        private static final ObjectMapper JSON = new ObjectMapper();

        private final Map<String, Object> content;
        private final ScheduledFuture<?> beats;
        private final Takeover takenOver;
        private boolean released;

        /** @param takenOver the stale claim of a dead owner this lease replaced, or null */
        protected Lease(Map<String, Object> content, Takeover takenOver) {
            this.content = content;
            this.takenOver = takenOver;
            this.beats = HEARTBEATS.scheduleAtFixedRate(this::beat, HEARTBEAT_SECONDS, HEARTBEAT_SECONDS, TimeUnit.SECONDS);
        }

        /** The stale claim of a dead owner this lease replaced, if it replaced one. */
        public Optional<Takeover> takenOver() {
            return Optional.ofNullable(takenOver);
        }

        /** Writes the claim with its new heartbeat. */
        protected abstract void renew(byte[] claimJson) throws IOException;

        /** Removes the claim (and whatever else is held with it). */
        protected abstract void remove() throws IOException;

        private synchronized void beat() {
            if (released) {
                return;
            }
            content.put("heartbeat_at", Instant.now().toString());
            try {
                renew(JSON.writeValueAsBytes(content));
            } catch (IOException e) {
                // the next beat retries; the claim only goes stale after stale-after-seconds
            }
        }

        @Override
        public synchronized void close() {
            if (released) {
                return;
            }
            released = true;
            beats.cancel(false);
            try {
                remove();
            } catch (IOException ignored) {
                // a leftover claim is stale once its heartbeat stops
            }
        }
    }
}
