package com.customercaregpt.backup.schedule;

import com.customercaregpt.backup.app.BackupApplication;
import com.customercaregpt.backup.fixtures.Cli;
import com.customercaregpt.backup.fixtures.TestStack;
import com.customercaregpt.backup.repository.Manifest;
import com.customercaregpt.backup.repository.ManifestCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** A schedule in a running service: it fires on its cron, never runs twice at once, and its incrementals are real. */
class ScheduledRunsTest {

    @TempDir
    Path dir;

    @Test
    void aScheduleEveryTwoSecondsRunsRepeatedlyAndItsRunsNeverOverlap() throws Exception {
        // the full the scheduled incrementals build on
        Path config = TestStack.shared().writeProperties(dir.resolve("full.properties"), dir.resolve("repo"));
        Cli.Result full = Cli.run("--config", config.toString(), "create", "--type", "full", "--components", "config",
                "--output", "json");
        assertEquals(0, full.exitCode(), full.toString());
        String parent = ManifestCodec.JSON.readValue(full.stdout(), Manifest.class).backupId();
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
            // a real incremental: on the full, then each on the run before it
            Manifest made = ManifestCodec.JSON.readValue(dir.resolve("repo/backups").resolve(run.backupId())
                    .resolve("manifest.json").toFile(), Manifest.class);
            assertEquals("incremental", made.type());
            assertEquals(parent, made.dependsOn(), run.toString());
            assertNull(run.note(), run.toString());
            parent = run.backupId();
            assertEquals(1, TestStack.shared().postgres().queryLong("sched_runs", "SELECT count(*) FROM operation"
                    + " WHERE backup_id = '" + run.backupId() + "' AND trigger = 'schedule:every-2s' AND status = 'completed'"));
        }
    }
}
