package com.customercaregpt.backup.backup;

import com.customercaregpt.backup.repository.BackupId;
import com.customercaregpt.backup.repository.Repository;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The in-progress.json marker of a backup being written: who writes it (host, pid) and a
 * heartbeat. It tells a running backup (never to be deleted) from an abandoned one (its owner
 * died: removed by the next backup).
 */
public final class ProgressMarkers {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long HEARTBEAT_SECONDS = 10;

    private final Repository repository;
    private final Duration staleAfter;
    private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "backup-heartbeat");
        t.setDaemon(true);
        return t;
    });

    public ProgressMarkers(Repository repository, Duration staleAfter) {
        this.repository = repository;
        this.staleAfter = staleAfter;
    }

    public enum State { RUNNING, ABANDONED }

    /** Writes the marker and keeps its heartbeat fresh until the returned handle is cancelled. */
    public ScheduledFuture<?> claim(BackupId id, Instant startedAt) throws IOException {
        write(id, startedAt);
        return heartbeats.scheduleAtFixedRate(() -> {
            try {
                write(id, startedAt);
            } catch (IOException e) {
                // the next beat retries; a lost beat only matters after stale-after-seconds
            }
        }, HEARTBEAT_SECONDS, HEARTBEAT_SECONDS, TimeUnit.SECONDS);
    }

    public void release(BackupId id, ScheduledFuture<?> heartbeat) throws IOException {
        heartbeat.cancel(false);
        repository.removeProgressMarker(id);
    }

    /** For a backup without a manifest: is somebody still writing it? */
    public State stateOf(BackupId id) throws IOException {
        Optional<byte[]> marker = repository.readProgressMarker(id);
        if (marker.isEmpty()) {
            return State.ABANDONED;
        }
        JsonNode node;
        try {
            node = JSON.readTree(marker.get());
        } catch (IOException unreadable) {
            return State.ABANDONED;
        }
        String host = node.path("host").asText();
        long pid = node.path("pid").asLong();
        Instant heartbeat = Instant.parse(node.path("heartbeat_at").asText(Instant.EPOCH.toString()));
        if (host.equals(hostName()) && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) == false) {
            return State.ABANDONED;
        }
        return heartbeat.plus(staleAfter).isBefore(Instant.now()) ? State.ABANDONED : State.RUNNING;
    }

    private void write(BackupId id, Instant startedAt) throws IOException {
        Map<String, Object> marker = new LinkedHashMap<>();
        marker.put("backup_id", id.value());
        marker.put("host", hostName());
        marker.put("pid", ProcessHandle.current().pid());
        marker.put("started_at", startedAt.toString());
        marker.put("heartbeat_at", Instant.now().toString());
        repository.writeProgressMarker(id, JSON.writeValueAsBytes(marker));
    }

    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown-host";
        }
    }
}
