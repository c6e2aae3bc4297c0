package com.customercaregpt.backup.schedule;

import com.customercaregpt.backup.app.BackupApplication;
import com.customercaregpt.backup.fixtures.TestStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ConnectException;
import java.net.Socket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** backup.api.enabled=false: the service runs its schedules with no HTTP server and needs no token. */
class SchedulesWithoutApiTest {

    @TempDir
    Path dir;

    @Test
    void theServiceRunsTheSchedulesAndListensNowhere() throws Exception {
        Path schedules = ScheduleFixture.schedulesFile(dir,
                ScheduleFixture.entry("nightly", "0 0 1 * * ?", "cleanup", Map.of()));
        Map<String, String> overrides = new HashMap<>(ScheduleFixture.serviceOverrides(schedules, "sched_no_api"));
        overrides.remove("backup.api.allow-anonymous");
        overrides.put("backup.api.enabled", "false");
        overrides.put("backup.api.token", "");
        int port = Integer.parseInt(overrides.get("camel.server.port"));
        try (BackupApplication service = ScheduleFixture.startService(dir.resolve("repo"), overrides)) {
            assertEquals("nightly", service.schedules().list().get(0).id());
            assertEquals(org.apache.camel.ServiceStatus.Started,
                    service.context().getRouteController().getRouteStatus("schedule-nightly"), "the schedule's route runs");
            assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close(), "no HTTP server");
        }
    }
}
