package com.customercaregpt.backup.wal;

import com.customercaregpt.backup.component.DatabaseComponent;
import com.customercaregpt.backup.component.PostgresTools;
import com.customercaregpt.backup.config.Settings;
import com.customercaregpt.backup.inventory.Inventory;
import com.customercaregpt.backup.pipeline.crypto.DataKey;
import com.customercaregpt.backup.repository.Manifest;
import com.customercaregpt.backup.repository.ManifestCodec;
import com.customercaregpt.backup.repository.ManifestKeys;
import com.fasterxml.jackson.core.type.TypeReference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** `wal status` and `wal verify`: the archive read against the kept base backups, the streamer's state, the slot. */
public final class WalReports {

    private final Settings settings;
    private final WalSettings wal;
    private final Inventory inventory;
    private final ManifestKeys keys;

    public WalReports(Settings settings, Inventory inventory, ManifestKeys keys) {
        this.settings = settings;
        this.wal = WalSettings.from(settings);
        this.inventory = inventory;
        this.keys = keys;
    }

    public WalArchive archive() {
        return WalArchive.from(settings);
    }

    /** Every archived WAL file's record, local then S3 (what the catalog's WAL index is rebuilt from). */
    public List<ArchivedSegment> archived() throws IOException {
        return archive().list();
    }

    /** Every completed backup holding a physical base backup of the database, oldest first. */
    public List<BasePoint> bases() throws IOException {
        List<BasePoint> bases = new ArrayList<>();
        for (Manifest sealed : inventory.manifests()) {
            if (!Manifest.COMPLETED.equals(sealed.status()) && !Manifest.PARTIAL.equals(sealed.status())) {
                continue;
            }
            Optional<Manifest.ComponentRecord> database = sealed.components().stream()
                    .filter(c -> DatabaseComponent.NAME.equals(c.name()) && Manifest.COMPLETED.equals(c.status()))
                    .findFirst();
            if (database.isEmpty()) {
                continue;
            }
            DataKey key = keys.open(sealed);
            Manifest manifest = ManifestKeys.unseal(sealed, key);
            manifest.components().stream().filter(c -> DatabaseComponent.NAME.equals(c.name())).findFirst()
                    .flatMap(c -> BasePoint.of(manifest.backupId(), c.facts())).ifPresent(bases::add);
        }
        return bases;
    }

    public WalTimeline timeline() throws IOException {
        return new WalTimeline(archive().list(), bases());
    }

    /**
     * The backup each component is restored from for --to-time: the database from the newest base backup
     * that ended before {@code time} (checked against the archive), every other component from its newest
     * completed backup at or before it. Backup id to component names, oldest backup first.
     */
    public Map<String, List<String>> backupsAt(Instant time, List<String> names) throws IOException {
        Map<String, List<String>> chosen = new java.util.TreeMap<>();
        List<Manifest> manifests = inventory.manifests();
        for (String name : names) {
            String id;
            if (DatabaseComponent.NAME.equals(name)) {
                id = timeline().plan(time).base().backupId();
            } else {
                id = manifests.stream().filter(m -> m.completedAt() != null
                                && !Instant.parse(m.completedAt()).isAfter(time)
                                && m.components().stream().anyMatch(c -> c.name().equals(name)
                                && Manifest.COMPLETED.equals(c.status())))
                        .map(Manifest::backupId).max(String::compareTo)
                        .orElseThrow(() -> new com.customercaregpt.backup.backup.UsageError(
                                "no completed backup of " + name + " at or before " + time));
            }
            chosen.computeIfAbsent(id, k -> new ArrayList<>()).add(name);
        }
        return chosen;
    }

    /**
     * WAL retention: segments before the oldest kept base backup's start (earlier timelines included) that
     * are also older than backup.retention.wal-days are removed (unless dryRun); history files stay. Without
     * a kept base backup nothing is removed. Returns the names removed (or that would be).
     */
    public List<String> removeExpired(boolean dryRun) throws IOException {
        List<BasePoint> kept = bases();
        if (kept.isEmpty()) {
            return List.of();
        }
        BasePoint oldest = kept.stream().min(java.util.Comparator.comparing(BasePoint::startTime)).orElseThrow();
        long firstKept = Lsn.numberOf(oldest.startSegment(), oldest.segmentSize());
        Instant keepAfter = Instant.now().minus(Duration.ofDays(wal.retentionDays()));
        WalArchive archive = archive();
        List<String> removed = new ArrayList<>();
        for (ArchivedSegment segment : archive.list()) {
            boolean beforeBase = segment.isSegment() && (segment.timeline() < oldest.timeline()
                    || segment.timeline() == oldest.timeline()
                    && Lsn.numberOf(segment.name(), oldest.segmentSize()) < firstKept);
            if (beforeBase && Instant.parse(segment.archivedAt()).isBefore(keepAfter)) {
                if (!dryRun) {
                    archive.remove(segment);
                }
                removed.add(segment.name());
            }
        }
        if (!removed.isEmpty()) {
            org.slf4j.LoggerFactory.getLogger(WalReports.class).info("{} {} WAL segment(s) before {} (start of the "
                    + "oldest kept base backup {}) and older than {} days: {} .. {}", dryRun ? "Would remove" : "Removed",
                    removed.size(), oldest.startSegment(), oldest.backupId(), wal.retentionDays(), removed.get(0),
                    removed.get(removed.size() - 1));
        }
        return removed;
    }

    /** "2026-12-06 10:15:00+00", "2026-12-06T10:15:00Z", ...: a moment with its offset. */
    public static Instant parseTime(String text) {
        String t = text.strip().replace(' ', 'T');
        if (t.matches(".*[+-]\\d\\d$")) {
            t = t + ":00";
        }
        try {
            return java.time.OffsetDateTime.parse(t).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            throw new com.customercaregpt.backup.backup.UsageError("--to-time must be a time with its offset, "
                    + "e.g. \"2026-12-06 10:15:00+00\", got '" + text + "'");
        }
    }

    /** Streamer state, slot, newest archived segment and its time, lag, recoverable window, gaps. */
    public Map<String, Object> status() throws IOException {
        WalTimeline timeline = timeline();
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("enabled", wal.enabled());
        status.put("streamer", streamerState());
        status.put("slot", null);

        Optional<ArchivedSegment> newest = timeline.newestSegment();
        status.put("newest_segment", newest.map(ArchivedSegment::name).orElse(null));
        status.put("newest_segment_time", newest.map(ArchivedSegment::endTime).orElse(null));
        Map<String, Object> slot = slot();
        status.put("lag_seconds", lagSeconds(newest, slot));
        status.put("max_lag_seconds", wal.maxLag().toSeconds());
        status.put("oldest_segment", timeline.oldestSegment().map(ArchivedSegment::name).orElse(null));
        status.put("base_backups", timeline.bases().stream().map(BasePoint::backupId).toList());
        status.put("recoverable_from", timeline.window().map(w -> w[0].toString()).orElse(null));
        status.put("recoverable_to", timeline.window().map(w -> w[1].toString()).orElse(null));
        status.put("gaps", timeline.gaps());
        status.put("slot", slot);
        return status;
    }

    /**
     * Seconds of WAL the archive lacks: none when the server has written nothing past the newest archived
     * segment (an idle database is fully recoverable), else the age of that segment's end.
     */
    private static Long lagSeconds(Optional<ArchivedSegment> newest, Map<String, Object> slot) {
        if (newest.isEmpty()) {
            return null;
        }
        Object current = slot.get("current_lsn");
        Object segmentSize = slot.get("wal_segment_size");
        if (current != null && segmentSize != null) {
            long size = ((Number) segmentSize).longValue();
            long archivedEnd = (Lsn.numberOf(newest.get().name(), size) + 1) * size;
            if (Lsn.parse(current.toString()) <= archivedEnd) {
                return 0L;
            }
        }
        return Duration.between(newest.get().endInstant(), Instant.now()).toSeconds();
    }

    /** What the streamer last wrote about itself; "not running" when it stopped writing. */
    private Map<String, Object> streamerState() {
        Path file = wal.spool().resolve(WalStreamer.STATE_FILE);
        Map<String, Object> state = new LinkedHashMap<>();
        try {
            if (Files.isRegularFile(file)) {
                state.putAll(ManifestCodec.JSON.readValue(file.toFile(), new TypeReference<Map<String, Object>>() { }));
                Object updated = state.get("updated_at");
                boolean running = "streaming".equals(state.get("state")) || "starting".equals(state.get("state"));
                if (updated != null && running
                        && Duration.between(Instant.parse(updated.toString()), Instant.now()).toSeconds() > 30) {
                    state.put("state", "not running");
                }
                return state;
            }
        } catch (IOException | RuntimeException e) {
            state.put("error", e.getMessage());
        }
        state.put("state", "not running");
        return state;
    }

    private Map<String, Object> slot() {
        Map<String, Object> slot = new LinkedHashMap<>();
        slot.put("name", wal.slot());
        PostgresTools postgres = new PostgresTools(settings);
        try (Connection c = postgres.connect(postgres.database());
             PreparedStatement st = c.prepareStatement("SELECT active, restart_lsn::text, "
                     + "pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint FROM pg_replication_slots "
                     + "WHERE slot_name = ?")) {
            st.setString(1, wal.slot());
            try (ResultSet rs = c.createStatement().executeQuery("SELECT pg_current_wal_lsn()::text, "
                    + "(SELECT setting::bigint FROM pg_settings WHERE name = 'wal_segment_size')")) {
                rs.next();
                slot.put("current_lsn", rs.getString(1));
                slot.put("wal_segment_size", rs.getLong(2));
            }
            try (ResultSet rs = st.executeQuery()) {
                if (rs.next()) {
                    slot.put("exists", true);
                    slot.put("active", rs.getBoolean(1));
                    slot.put("restart_lsn", rs.getString(2));
                    slot.put("retained_bytes", rs.getLong(3));
                } else {
                    slot.put("exists", false);
                }
            }
        } catch (SQLException e) {
            slot.put("error", e.getMessage().lines().findFirst().orElse(""));
        }
        return slot;
    }
}
