package com.customercaregpt.backup.wal;

import com.customercaregpt.backup.component.PostgresTools;
import com.customercaregpt.backup.pipeline.DaemonThreads;
import com.customercaregpt.backup.pipeline.ExternalTool;
import com.customercaregpt.backup.pipeline.PrivateFiles;
import com.customercaregpt.backup.repository.ManifestCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Streams PostgreSQL's WAL into the archive: pg_receivewal on the replication slot (created if missing, so
 * the server keeps every segment the streamer has not received while it is down) writes segments into the
 * spool; each completed one is archived (then removed from the spool); when the database is idle but holds
 * WAL not yet archived for longer than half of backup.wal.max-lag-seconds, pg_switch_wal() completes the
 * segment. pg_receivewal is restarted with doubling waits when it stops; the listener hears when it has
 * been down longer than max-lag and when it is back. Starting is not down: the stream is down from the first
 * failure of pg_receivewal (or of its slot's creation) until a receiver stays up. State goes to
 * {@code <spool>/streamer.json} for `wal status`.
 */
public final class WalStreamer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WalStreamer.class);
    static final String STATE_FILE = "streamer.json";
    static final String RECEIVER_PID = "pg_receivewal.pid";
    private static final Duration POLL = Duration.ofSeconds(1);
    /** The server's answer when the slot (or the spool) asks for WAL it has removed. */
    private static final Pattern LOST_SEGMENT = Pattern.compile("requested WAL segment ([0-9A-F]{24}) has already been removed");

    /** Told when the stream has been down longer than max-lag, when it is back, and of each file archived. */
    public interface Listener {
        void down(String cause, Instant since);

        void back(Instant since);

        default void archived(ArchivedSegment segment) {
        }

        /** The archive has a gap from {@code segment}: the server no longer had it. */
        default void lost(String segment, String cause) {
        }
    }

    private final WalSettings settings;
    private final WalArchive archive;
    private final PostgresTools postgres;
    private final Listener listener;
    private volatile boolean running;
    private volatile Process receiver;
    private volatile Instant downSince;
    /** From start until the first receiver streams or fails: neither streaming nor down. */
    private volatile boolean starting;
    private volatile String lastError;
    private volatile String lostFrom;
    private volatile boolean alerted;
    private volatile Instant lastSwitchCheck = Instant.EPOCH;
    private volatile ArchivedSegment newest;
    /** The last look at the server found nothing written past the newest archived segment. */
    private volatile boolean fullyArchived;
    private volatile Instant started = Instant.now();
    private Thread supervisor;
    private Thread archiver;

    public WalStreamer(WalSettings settings, WalArchive archive, PostgresTools postgres, Listener listener) {
        this.settings = settings;
        this.archive = archive;
        this.postgres = postgres;
        this.listener = listener;
    }

    public synchronized WalStreamer start() throws IOException {
        PrivateFiles.createDirectories(settings.spool());
        stopOrphanedReceiver();
        running = true;
        started = Instant.now();
        starting = true;
        downSince = null;
        supervisor = DaemonThreads.named("wal-receiver").newThread(this::supervise);
        archiver = DaemonThreads.named("wal-archiver").newThread(this::archiveLoop);
        supervisor.start();
        archiver.start();
        LOG.info("WAL streamer started: slot {}, spool {}, archive {}", settings.slot(), settings.spool(),
                archive.location());
        return this;
    }

    /** Whether pg_receivewal is streaming now. */
    public boolean isStreaming() {
        Process p = receiver;
        return running && p != null && p.isAlive() && !starting && downSince == null;
    }

    public String lastError() {
        return lastError;
    }

    /** The segment the archive lost from, when the server no longer had it (null: no gap made here). */
    public String lostFrom() {
        return lostFrom;
    }

    /** When the newest archived segment was completed (null before the first). */
    public Instant lastArchivedAt() {
        ArchivedSegment segment = newest;
        return segment == null ? null : segment.endInstant();
    }

    /**
     * Seconds of WAL at risk: 0 when the server has written nothing past the newest archived segment, else
     * the age of that segment's end (since start when none is archived yet).
     */
    public long lagSeconds() {
        ArchivedSegment segment = newest;
        if (segment != null && fullyArchived) {
            return 0;
        }
        Instant from = segment == null ? started : segment.endInstant();
        return Math.max(0, Duration.between(from, Instant.now()).toSeconds());
    }

    /** A receiver left by a killed service would hold the slot: it is stopped before a new one starts. */
    private void stopOrphanedReceiver() {
        Path pidFile = settings.spool().resolve(RECEIVER_PID);
        try {
            if (Files.isRegularFile(pidFile)) {
                long pid = Long.parseLong(Files.readString(pidFile).strip());
                ProcessHandle.of(pid).filter(p -> p.info().command().map(c -> c.endsWith("pg_receivewal")).orElse(false))
                        .ifPresent(p -> {
                            LOG.warn("Stopping pg_receivewal (pid {}) left by a stopped streamer", pid);
                            p.destroy();
                            p.onExit().completeOnTimeout(p, 10, java.util.concurrent.TimeUnit.SECONDS).join();
                            p.destroyForcibly();
                        });
            }
        } catch (IOException | NumberFormatException e) {
            LOG.warn("Cannot read {}: {}", pidFile, e.getMessage());
        }
    }

    private void supervise() {
        Duration backoff = POLL;
        while (running) {
            Instant attempt = Instant.now();
            try {
                createSlotIfMissing();
                runReceiver();
            } catch (RuntimeException | IOException e) {
                lastError = e.getMessage();
            }
            if (!running) {
                break;
            }
            if (downSince == null) {
                // a streamer that never streamed has been down since it started
                downSince = starting ? started : Instant.now(); // the streamer's start, not this attempt's
                starting = false;
            }
            LOG.warn("WAL streamer: pg_receivewal stopped ({}); restarting in {} s", lastError, backoff.toSeconds());
            writeState();
            sleep(backoff);
            backoff = Duration.between(attempt, Instant.now()).compareTo(Duration.ofMinutes(1)) > 0 ? POLL
                    : min(backoff.multipliedBy(2), settings.maxBackoff());
        }
    }

    private void createSlotIfMissing() {
        List<String> command = new ArrayList<>(List.of(postgres.tool("pg_receivewal"), "--slot=" + settings.slot(),
                "--create-slot", "--if-not-exists"));
        command.addAll(settings.connectionArguments());
        new ExternalTool("wal", "create replication slot").capture(command, settings.environment(), null);
    }

    private void runReceiver() throws IOException {
        List<String> command = new ArrayList<>(List.of(postgres.tool("pg_receivewal"), "--directory=" + settings.spool(),
                "--slot=" + settings.slot(), "--no-loop", "--status-interval=1"));
        command.addAll(settings.connectionArguments());
        Path log = settings.spool().resolve("pg_receivewal.log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(settings.environment());
        Process process = builder.start();
        receiver = process;
        PrivateFiles.writeAtomically(settings.spool().resolve(RECEIVER_PID),
                Long.toString(process.pid()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        try {
            // pg_receivewal says nothing once connected: alive after a few polls means streaming
            if (!process.waitFor(3, java.util.concurrent.TimeUnit.SECONDS)) {
                streaming();
            }
            int exit = process.waitFor();
            String cause = ExternalTool.causeLine(log);
            lastError = "pg_receivewal exited with " + exit + ": " + cause;
            Matcher lost = LOST_SEGMENT.matcher(cause);
            if (lost.find()) {
                startAfterLostSegment(lost.group(1));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            process.destroy();
        }
    }

    private void streaming() {
        Instant since = downSince;
        downSince = null;
        starting = false;
        lastError = null;
        LOG.info("WAL streamer: pg_receivewal streaming from slot {}", settings.slot());
        if (alerted) {
            alerted = false;
            listener.back(since);
        }
        writeState();
    }

    private void archiveLoop() {
        while (running) {
            try {
                archiveCompleted();
                switchWhenIdle();
                alertWhenDownTooLong();
            } catch (RuntimeException | IOException e) {
                LOG.warn("WAL streamer: {}", e.getMessage());
                lastError = e.getMessage();
            }
            writeState();
            sleep(POLL);
        }
    }

    /** Archives every completed file of the spool, oldest first; returns how many. */
    public int archiveCompleted() throws IOException {
        List<Path> completed;
        try (Stream<Path> files = Files.list(settings.spool())) {
            completed = files.filter(f -> {
                String name = f.getFileName().toString();
                return Lsn.isSegmentName(name) || Lsn.isHistoryName(name);
            }).sorted().toList();
        }
        for (Path file : completed) {
            ArchivedSegment segment = archive.store(file);
            try {
                archive.replicate(segment);
            } catch (IOException | RuntimeException e) {
                LOG.warn("WAL streamer: {} archived locally, not yet copied to S3: {}", segment.name(), e.getMessage());
            }
            Files.delete(file);
            listener.archived(segment);
            if (segment.isSegment()) {
                newest = segment;
                fullyArchived = false;
            }
            LOG.info("WAL streamer: archived {}", segment.name());
        }
        return completed.size();
    }

    /**
     * An idle database fills no segment: when WAL was written after the newest archived segment and that
     * one is older than half of max-lag, pg_switch_wal() closes the current segment so it is archived.
     */
    private void switchWhenIdle() {
        Instant now = Instant.now();
        Duration half = settings.maxLag().dividedBy(2);
        if (Duration.between(lastSwitchCheck, now).compareTo(min(half, Duration.ofSeconds(5))) < 0) {
            return;
        }
        lastSwitchCheck = now;
        try {
            if (newest == null) {
                newest = newestArchived().orElse(null);
            }
            Instant lastArchived = newest == null ? Instant.EPOCH : Instant.parse(newest.archivedAt());
            if (Duration.between(lastArchived, now).compareTo(half) < 0) {
                return;
            }
            try (Connection connection = postgres.connect(postgres.database()); Statement st = connection.createStatement()) {
                String lsn;
                long segmentSize;
                String segment;
                try (ResultSet rs = st.executeQuery("SELECT pg_current_wal_lsn()::text, (SELECT setting::bigint "
                        + "FROM pg_settings WHERE name = 'wal_segment_size'), pg_walfile_name(pg_current_wal_lsn())")) {
                    rs.next();
                    lsn = rs.getString(1);
                    segmentSize = rs.getLong(2);
                    segment = rs.getString(3);
                }
                boolean wroteSinceArchived = newest == null || !segment.equals(newest.name())
                        && Lsn.parse(lsn) % segmentSize != 0;
                fullyArchived = !wroteSinceArchived && newest != null;
                // only while streaming: a switch nobody archives leaves one more segment on the server
                if (wroteSinceArchived && isStreaming()) {
                    st.execute("SELECT pg_switch_wal()");
                    LOG.info("WAL streamer: switched WAL at {} (newest archived segment older than {} s)", lsn,
                            half.toSeconds());
                }
            }
        } catch (SQLException | IOException e) {
            LOG.warn("WAL streamer: cannot check for an idle segment: {}", e.getMessage());
        }
    }

    private Optional<ArchivedSegment> newestArchived() throws IOException {
        List<ArchivedSegment> all = archive.list();
        for (int i = all.size() - 1; i >= 0; i--) {
            if (all.get(i).isSegment()) {
                return Optional.of(all.get(i));
            }
        }
        return Optional.empty();
    }

    private void alertWhenDownTooLong() {
        Instant since = downSince;
        if (since != null && !alerted && Duration.between(since, Instant.now()).compareTo(settings.maxLag()) > 0) {
            alerted = true;
            listener.down("WAL streaming has been down since " + since + ": "
                    + (lastError == null ? "pg_receivewal is not streaming" : lastError), since);
        }
    }

    /** The state `wal status` shows: running or down, since when, the last error, this process. */
    private void writeState() {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("state", !running ? "stopped" : starting ? "starting" : downSince == null ? "streaming" : "down");
        state.put("down_since", downSince == null ? null : downSince.toString());
        state.put("last_error", lastError);
        state.put("slot", settings.slot());
        state.put("pid", ProcessHandle.current().pid());
        state.put("updated_at", Instant.now().toString());
        try {
            PrivateFiles.writeAtomically(settings.spool().resolve(STATE_FILE), ManifestCodec.JSON.writeValueAsBytes(state));
        } catch (IOException e) {
            LOG.warn("WAL streamer: cannot write its state: {}", e.getMessage());
        }
    }

    @Override
    public synchronized void close() {
        if (!running) {
            return;
        }
        running = false;
        Process p = receiver;
        if (p != null) {
            p.destroy();
        }
        for (Thread t : new Thread[]{supervisor, archiver}) {
            if (t != null) {
                t.interrupt();
                try {
                    t.join(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        writeState();
    }

    /**
     * The server no longer has the segment the spool (or the slot) would resume from: the slot was
     * dropped or the server lost it. No retry can fetch it, so waiting would leave the database
     * unprotected for good. The spool's partial files go aside into {@code unreachable-<time>/},
     * the slot is dropped and made again at the server's current position, and streaming resumes
     * from there; the archive keeps its gap (wal verify and wal status name it) and the alert says
     * to take a full backup.
     */
    private void startAfterLostSegment(String segment) throws IOException {
        Path aside = settings.spool().resolve("unreachable-" + Instant.now().toString().replace(':', '-'));
        try (Stream<Path> files = Files.list(settings.spool())) {
            for (Path partial : files.filter(f -> f.getFileName().toString().endsWith(".partial")).toList()) {
                PrivateFiles.createDirectories(aside);
                Files.move(partial, aside.resolve(partial.getFileName()));
            }
        }
        List<String> drop = new ArrayList<>(List.of(postgres.tool("pg_receivewal"), "--slot=" + settings.slot(),
                "--drop-slot"));
        drop.addAll(settings.connectionArguments());
        new ExternalTool("wal", "drop replication slot").capture(drop, settings.environment(), null);
        lostFrom = segment;
        lastError = "the server no longer has WAL segment " + segment + ": the archive has a gap from it to the "
                + "server's current position; slot " + settings.slot() + " was made again there and streaming "
                + "resumes (partial files kept in " + aside + "); take a full backup";
        LOG.error("WAL streamer: {}", lastError);
        listener.lost(segment, lastError);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
