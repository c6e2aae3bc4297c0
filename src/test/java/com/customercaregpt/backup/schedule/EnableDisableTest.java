package com.customercaregpt.backup.schedule;

import com.customercaregpt.backup.app.BackupApplication;
import com.customercaregpt.backup.fixtures.Cli;
import com.customercaregpt.backup.fixtures.TestStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `schedule enable|disable` from the command line: kept in the catalog, seen by a running service without a restart. */
class EnableDisableTest {

    private static final String CATALOG = "sched_enable";

    @TempDir
    Path dir;

    @Test
    void disablingStopsRunsInTheRunningServiceSurvivesARestartAndEnablingResumesThem() throws Exception {
        Path schedules = ScheduleFixture.schedulesFile(dir, ScheduleFixture.entry("every-second", "* * * * * ?", "cleanup", Map.of()));
        Map<String, String> overrides = ScheduleFixture.serviceOverrides(schedules, CATALOG);
        Properties config = new Properties();
        config.putAll(TestStack.shared().settings(dir.resolve("repo")));
        config.putAll(overrides);
        String configFile = TestStack.store(config, dir.resolve("cli.properties")).toString();

        try (BackupApplication app = ScheduleFixture.startService(dir.resolve("repo"), overrides)) {
            ScheduleFixture.awaitTrue("runs", 15_000, () -> runs() >= 2);

            Cli.Result disabled = Cli.run("--config", configFile, "schedule", "disable", "every-second");
            assertEquals(0, disabled.exitCode(), disabled.toString());
            Thread.sleep(1500); // a run already going may finish
            long afterDisable = runs();
            Thread.sleep(3000);
            assertEquals(afterDisable, runs(), "no run while disabled");
            assertFalse(app.schedules().list().get(0).enabled());
        }

        try (BackupApplication app = ScheduleFixture.startService(dir.resolve("repo"), overrides)) {
            long beforeRestart = runs();
            long restartedAt = System.currentTimeMillis();
            // the trigger fires in the restarted service (after Quartz recovered what the stopped one held)...
            ScheduleFixture.awaitTrue("the trigger fired after the restart", 30_000, () -> TestStack.shared().postgres()
                    .queryLong(CATALOG, "SELECT coalesce(max(prev_fire_time), 0) FROM qrtz_triggers") > restartedAt + 1000);
            Thread.sleep(1000);
            // ...and nothing runs: still disabled
            assertEquals(beforeRestart, runs(), "still disabled after a restart");
            ScheduleView view = app.schedules().list().get(0);
            assertFalse(view.enabled());
            assertEquals("operator", view.enabledBy());

            Cli.Result enabled = Cli.run("--config", configFile, "schedule", "enable", "every-second");
            assertEquals(0, enabled.exitCode(), enabled.toString());
            ScheduleFixture.awaitTrue("runs again without a restart", 15_000, () -> runs() >= beforeRestart + 2);

            Cli.Result status = Cli.run("--config", configFile, "schedule", "status", "--output", "json");
            assertEquals(0, status.exitCode(), status.toString());
            assertTrue(status.stdout().contains("\"scheduler_running\" : true"), status.stdout());
            assertTrue(status.stdout().contains("\"last_result\" : \"completed\""), status.stdout());
        }
        Cli.Result list = Cli.run("--config", configFile, "schedule", "list");
        assertEquals(0, list.exitCode(), list.toString());
        assertTrue(list.stdout().lines().anyMatch(l -> l.startsWith("every-second") && l.contains("yes (set)")), list.stdout());
        Cli.Result unknown = Cli.run("--config", configFile, "schedule", "enable", "nosuch");
        assertEquals(1, unknown.exitCode(), unknown.toString());
        assertTrue(unknown.stderr().contains("no schedule 'nosuch'"), unknown.toString());
    }

    private static long runs() {
        return TestStack.shared().postgres().queryLong(CATALOG, "SELECT count(*) FROM schedule_run");
    }
}
