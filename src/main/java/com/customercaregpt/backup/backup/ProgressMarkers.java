package com.customercaregpt.backup.backup;

import com.customercaregpt.backup.pipeline.DaemonThreads;
import com.customercaregpt.backup.repository.BackupId;
import com.customercaregpt.backup.repository.LocalRepository;
import com.customercaregpt.backup.repository.Owners;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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
import java.util.stream.Stream;

/**
 * The in-progress.json marker of a backup being written: who writes it (host, pid) and a
 * heartbeat. It tells a running backup (never to be deleted) from an abandoned one (its owner
 * died: removed by the next backup). A folder with files but neither manifest nor marker is
 * neither: a finished backup that lost its manifest looks like that, so it is left to the operator.
 */
public final class ProgressMarkers {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long HEARTBEAT_SECONDS = 10;

    private final LocalRepository repository;
    private final Duration staleAfter;
    private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(
            DaemonThreads.named("backup-heartbeat"));

    public ProgressMarkers(LocalRepository repository, Duration staleAfter) {
        this.repository = repository;
        this.staleAfter = staleAfter;
    }

    /**
     * RUNNING: being written. ABANDONED: its writer is known dead (its marker), or it is an empty
     * place whose writer died before its marker; removed automatically. MANIFEST_MISSING: files
     * without manifest or marker; never removed automatically.
     */
    public enum State { RUNNING, ABANDONED, MANIFEST_MISSING }

    /** Holds a backup's marker fresh until released; a beat never lands after the release. */
    public final class Claim {
        private final BackupId id;
        private final Instant startedAt;
        private ScheduledFuture<?> beats;
        private boolean released;

        private Claim(BackupId id, Instant startedAt) {
            this.id = id;
            this.startedAt = startedAt;
        }

        private synchronized void beat() {
            if (released) {
                return;
            }
            try {
                write(id, startedAt);
            } catch (IOException e) {
                // the next beat retries; a lost beat only matters after stale-after-seconds
            }
        }

        /** Stops the heartbeat and removes the marker. Idempotent. */
        public synchronized void release() throws IOException {
            if (released) {
                return;
            }
            released = true;
            beats.cancel(false);
            repository.removeProgressMarker(id);
        }

        /** Stops the heartbeat but leaves the marker: the backup reads as abandoned once it is stale. */
        public synchronized void abandon() {
            released = true;
            beats.cancel(false);
        }
    }

    /** Writes the marker and keeps its heartbeat fresh until the claim is released. */
    public Claim claim(BackupId id, Instant startedAt) throws IOException {
        Claim claim = new Claim(id, startedAt);
        write(id, startedAt);
        claim.beats = heartbeats.scheduleAtFixedRate(claim::beat, HEARTBEAT_SECONDS, HEARTBEAT_SECONDS, TimeUnit.SECONDS);
        return claim;
    }

    /** For a backup without a manifest: is somebody still writing it? */
    public State stateOf(BackupId id) throws IOException {
        Optional<byte[]> marker = repository.readProgressMarker(id);
        if (marker.isEmpty()) {
            // Between reserving the id and writing the marker: the id says when that was.
            if (fresh(id.startedAt())) {
                return State.RUNNING;
            }
            return holdsFiles(id) ? State.MANIFEST_MISSING : State.ABANDONED;
        }
        try {
            JsonNode node = JSON.readTree(marker.get());
            String host = node.path("host").asText();
            long pid = node.path("pid").asLong();
            Instant heartbeat = Instant.parse(node.path("heartbeat_at").asText());
            if (host.equals(hostName()) && !Owners.isAlive(pid)) {
                return State.ABANDONED;
            }
            return fresh(heartbeat) ? State.RUNNING : State.ABANDONED;
        } catch (IOException | DateTimeParseException unreadable) {
            return State.ABANDONED;
        }
    }

    /** Anything in the backup's folder but a marker being written (which a writer killed then leaves). */
    private boolean holdsFiles(BackupId id) throws IOException {
        try (Stream<Path> entries = Files.list(repository.folder(id))) {
            return entries.anyMatch(p -> !p.getFileName().toString().startsWith(LocalRepository.PROGRESS_MARKER));
        } catch (NoSuchFileException gone) {
            return false;
        }
    }

    private boolean fresh(Instant time) {
        return time.plus(staleAfter).isAfter(Instant.now());
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

    public static String hostName() {
        return Owners.hostName();
    }
}
