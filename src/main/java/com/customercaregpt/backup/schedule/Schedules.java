package com.customercaregpt.backup.schedule;

import com.customercaregpt.backup.catalog.CatalogSchema;
import com.customercaregpt.backup.inventory.Inventory;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import com.customercaregpt.backup.catalog.CatalogRows;

/**
 * The schedules, for the CLI and the REST API: what the schedules file defines, with the enabled
 * flag an operator set in the catalog (which wins over the file's, survives restarts and is read
 * by every instance at each fire), and their state from the catalog (Quartz's tables and
 * schedule_run). Works whether or not a service is running.
 */
public final class Schedules {

    private static final Logger LOG = LoggerFactory.getLogger(Schedules.class);

    private final Path file;
    private final String timeZone;
    private final CatalogSchema catalogSchema;
    private final PGSimpleDataSource catalog;
    private final List<String> componentNames;

    public Schedules(Path file, String timeZone, CatalogSchema catalogSchema, PGSimpleDataSource catalog,
                     List<String> componentNames) {
        this.componentNames = componentNames;
        this.file = file;
        this.timeZone = timeZone;
        this.catalogSchema = catalogSchema;
        this.catalog = catalog;
    }

    Path file() {
        return file;
    }

    /** The components a schedule may name (backup.components). */
    List<String> componentNames() {
        return componentNames;
    }

    /** Every schedule of the file, in file order, with its effective enabled flag. */
    public List<ScheduleView> list() {
        List<Schedule> schedules = ScheduleFile.load(file, componentNames);
        Map<String, Boolean> overrides;
        try {
            overrides = overrides();
        } catch (SQLException e) {
            LOG.warn("Catalog unreachable ({}); showing the schedules file's enabled flags", e.getMessage());
            overrides = Map.of();
        }
        List<ScheduleView> views = new ArrayList<>();
        for (Schedule s : schedules) {
            views.add(view(s, overrides.get(s.id())));
        }
        return views;
    }

    public ScheduleView enable(String id) throws SQLException {
        return setEnabled(id, true);
    }

    public ScheduleView disable(String id) throws SQLException {
        return setEnabled(id, false);
    }

    public ScheduleStatus status() throws SQLException {
        List<Schedule> schedules = ScheduleFile.load(file, componentNames);
        catalogSchema.ensureReady();
        Map<String, Boolean> overrides = overrides();
        List<String> instances = new ArrayList<>();
        Map<String, long[]> triggers = new HashMap<>();
        Map<String, Map<String, Object>> lastRuns = new HashMap<>();
        try (Connection c = catalog.getConnection()) {
            try (PreparedStatement st = c.prepareStatement("SELECT instance_name FROM qrtz_scheduler_state"
                    + " WHERE sched_name = ? AND last_checkin_time > ? - 2 * checkin_interval - 1000 ORDER BY instance_name")) {
                st.setString(1, ClusteredQuartz.SCHEDULER_NAME);
                st.setLong(2, System.currentTimeMillis());
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        instances.add(rs.getString(1));
                    }
                }
            }
            try (PreparedStatement st = c.prepareStatement("SELECT trigger_name, next_fire_time, prev_fire_time"
                    + " FROM qrtz_triggers WHERE sched_name = ? AND trigger_group = ?")) {
                st.setString(1, ClusteredQuartz.SCHEDULER_NAME);
                st.setString(2, ClusteredQuartz.GROUP);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        triggers.put(rs.getString(1), new long[]{rs.getLong(2), rs.getLong(3)});
                    }
                }
            }
            try (PreparedStatement st = c.prepareStatement("SELECT DISTINCT ON (schedule_id) schedule_id, status,"
                    + " scheduled_fire_time, started_at, backup_id, error FROM schedule_run"
                    + " ORDER BY schedule_id, started_at DESC, run_id DESC");
                 ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> row = new HashMap<>();
                    row.put("status", rs.getString("status"));
                    row.put("scheduled_fire_time", rs.getTimestamp("scheduled_fire_time"));
                    row.put("started_at", rs.getTimestamp("started_at"));
                    row.put("backup_id", rs.getString("backup_id"));
                    row.put("error", rs.getString("error"));
                    lastRuns.put(rs.getString("schedule_id"), row);
                }
            }
        }
        List<ScheduleStatus.Entry> entries = new ArrayList<>();
        for (Schedule s : schedules) {
            long[] trigger = triggers.get(s.id());
            Map<String, Object> run = lastRuns.getOrDefault(s.id(), Map.of());
            entries.add(new ScheduleStatus.Entry(s.id(), overrides.getOrDefault(s.id(), s.enabled()),
                    trigger == null ? null : millis(trigger[0]), trigger == null ? null : millis(trigger[1]),
                    (String) run.get("status"), time(run.get("started_at")), (String) run.get("backup_id"),
                    (String) run.get("error")));
        }
        return new ScheduleStatus(!instances.isEmpty(), instances, entries);
    }

    /** Whether schedule {@code id} runs now: the operator's flag in the catalog, else the file's. */
    boolean enabled(String id, boolean inFile) throws SQLException {
        catalogSchema.ensureReady();
        try (Connection c = catalog.getConnection();
             PreparedStatement st = c.prepareStatement("SELECT enabled FROM schedule_state WHERE schedule_id = ?")) {
            st.setString(1, id);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getBoolean(1) : inFile;
            }
        }
    }

    private ScheduleView setEnabled(String id, boolean enabled) throws SQLException {
        Schedule schedule = ScheduleFile.load(file, componentNames).stream().filter(s -> s.id().equals(id)).findFirst()
                .orElseThrow(() -> new Inventory.NotFound("no schedule '" + id + "' in " + file));
        catalogSchema.ensureReady();
        try (Connection c = catalog.getConnection();
             PreparedStatement st = c.prepareStatement("INSERT INTO schedule_state (schedule_id, enabled) VALUES (?, ?)"
                     + " ON CONFLICT (schedule_id) DO UPDATE SET enabled = EXCLUDED.enabled, changed_at = now()")) {
            st.setString(1, id);
            st.setBoolean(2, enabled);
            st.executeUpdate();
        }
        LOG.info("Schedule {} {} by an operator", id, enabled ? "enabled" : "disabled");
        return view(schedule, enabled);
    }

    private Map<String, Boolean> overrides() throws SQLException {
        catalogSchema.ensureReady();
        Map<String, Boolean> overrides = new HashMap<>();
        try (Connection c = catalog.getConnection();
             PreparedStatement st = c.prepareStatement("SELECT schedule_id, enabled FROM schedule_state");
             ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                overrides.put(rs.getString(1), rs.getBoolean(2));
            }
        }
        return overrides;
    }

    private ScheduleView view(Schedule s, Boolean override) {
        boolean backup = Schedule.BACKUP.equals(s.action());
        return new ScheduleView(s.id(), s.action(), s.cron(), timeZone, backup ? s.type() : null,
                backup ? (s.components().isEmpty() ? List.of("all")
                : s.components()) : List.of(), backup ? s.retentionDays() : null,
                override == null ? s.enabled() : override, override == null ? "file" : "operator");
    }

    private static String millis(long epochMillis) {
        return epochMillis <= 0 ? null : Instant.ofEpochMilli(epochMillis).toString();
    }

    private static String time(Object value) {
        return CatalogRows.iso(value);
    }
}
