package com.customercaregpt.backup.schedule;

import com.customercaregpt.backup.app.BackupApplication;
import com.customercaregpt.backup.config.Settings;
import com.customercaregpt.backup.fixtures.TestStack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** Schedules files, service settings on a catalog of the test's own, and the runs it recorded. */
final class ScheduleFixture {

    private ScheduleFixture() {
    }

    /** One templatedRoute entry of a schedules file. */
    static String entry(String id, String cron, String action, Map<String, String> more) {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("id", id);
        parameters.put("cron", cron);
        parameters.put("action", action);
        parameters.putAll(more);
        StringBuilder yaml = new StringBuilder("- templatedRoute:\n    routeTemplateRef: schedule\n    routeId: schedule-"
                + id + "\n    parameters:\n");
        parameters.forEach((name, value) -> yaml.append("      - name: ").append(name).append("\n        value: \"")
                .append(value).append("\"\n"));
        return yaml.toString();
    }

    static Path schedulesFile(Path dir, String... entries) {
        try {
            Path file = dir.resolve("schedules.camel.yaml");
            Files.writeString(file, entries.length == 0 ? "[]\n" : String.join("", entries));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Settings of a service on catalog database {@code catalog} (the test's own: its triggers are its own). */
    static Map<String, String> serviceOverrides(Path schedules, String catalog) {
        Map<String, String> overrides = new HashMap<>();
        overrides.put("camel.server.port", String.valueOf(freePort()));
        overrides.put("camel.management.port", "0"); // any free port: two instances run at once
        overrides.put("backup.api.allow-anonymous", "true");
        overrides.put("backup.schedules.file", schedules.toString());
        overrides.put("backup.catalog.url", TestStack.shared().postgres().jdbcUrl(catalog));
        return overrides;
    }

    static BackupApplication startService(Path repository, Map<String, String> overrides) throws Exception {
        return BackupApplication.start(settings(repository, overrides), BackupApplication.Mode.SERVICE);
    }

    static Settings settings(Path repository, Map<String, String> overrides) {
        return TestStack.settings(repository, overrides);
    }

    record Run(String scheduleId, String instance, Instant scheduledFireTime, Instant startedAt, Instant completedAt,
               String status, String backupId, String error, String note) {
    }

    static List<Run> runs(String catalog, String scheduleId) {
        return TestStack.shared().postgres().query(catalog, "SELECT schedule_id, instance, scheduled_fire_time,"
                + " started_at, completed_at, status, backup_id, error, note FROM schedule_run WHERE schedule_id = '"
                + scheduleId + "' ORDER BY started_at", rs -> {
                    List<Run> runs = new ArrayList<>();
                    while (rs.next()) {
                        runs.add(new Run(rs.getString(1), rs.getString(2), instant(rs.getTimestamp(3)),
                                instant(rs.getTimestamp(4)), instant(rs.getTimestamp(5)), rs.getString(6),
                                rs.getString(7), rs.getString(8), rs.getString(9)));
                    }
                    return runs;
                });
    }

    static void awaitTrue(String what, long timeoutMillis, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(100);
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
