package com.customercaregpt.backup.schedule;

import com.customercaregpt.backup.app.BackupApplication;
import com.customercaregpt.backup.fixtures.TestStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A schedule in a running service: it fires on its cron and never runs twice at once. */
class ScheduledRunsTest {

    @TempDir
    Path dir;

    @Test
    void aScheduleEveryTwoSecondsRunsRepeatedlyAndItsRunsNeverOverlap() throws Exception {
        // each backup of config takes over 2 s (its stop command sleeps), longer than the cron's period
        Path schedules = ScheduleFixture.schedulesFile(dir, ScheduleFixture.entry("every-2s", "0/2 * * * * ?", "backup",
                Map.of("components", "config", "type", "incremental", "retention-days", "3")));
        Map<String, String> overrides = new java.util.HashMap<>(ScheduleFixture.serviceOverrides(schedules, "sched_runs"));
        overrides.put("backup.config.stop-command", "sleep 2.5");
        overrides.put("backup.config.start-command", "true");
        try (BackupApplication app = ScheduleFixture.startService(dir.resolve("repo"), overrides)) {
            ScheduleFixture.awaitTrue("three recorded runs", 30_000,
                    () -> ScheduleFixture.runs("sched_runs", "every-2s").size() >= 3);
        }
        List<ScheduleFixture.Run> runs = ScheduleFixture.runs("sched_runs", "every-2s");
        for (int i = 1; i < runs.size(); i++) {
            assertFalse(runs.get(i).startedAt().isBefore(runs.get(i - 1).completedAt()),
                    "run " + i + " started before run " + (i - 1) + " completed: " + runs);
        }
        for (ScheduleFixture.Run run : runs) {
            assertEquals("completed", run.status(), run.toString());
            assertNotNull(run.backupId());
            assertTrue(run.note().contains("incremental backups do not exist yet"), run.note());
            assertEquals(1, TestStack.shared().postgres().queryLong("sched_runs", "SELECT count(*) FROM operation"
                    + " WHERE backup_id = '" + run.backupId() + "' AND trigger = 'schedule:every-2s' AND status = 'completed'"));
        }
    }
}
