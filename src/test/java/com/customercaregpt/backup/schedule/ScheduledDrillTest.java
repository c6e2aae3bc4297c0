package com.customercaregpt.backup.schedule;

import com.customercaregpt.backup.app.BackupApplication;
import com.customercaregpt.backup.fixtures.Cli;
import com.customercaregpt.backup.fixtures.TestStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A drill schedule in a running service runs the plan's drill on its cron and records it like any drill. */
class ScheduledDrillTest {

    @TempDir
    Path dir;

    @Test
    void aDrillScheduleRunsThePlansDrill() throws Exception {
        Path config = TestStack.shared().writeProperties(dir.resolve("drill.properties"), dir.resolve("repo"));
        Cli.Result backup = Cli.run("--config", config.toString(), "create", "--components", "config");
        assertEquals(0, backup.exitCode(), backup.toString());
        Path schedules = ScheduleFixture.schedulesFile(dir, ScheduleFixture.entry("drill-every-2s", "0/2 * * * * ?",
                "drill", Map.of("plan", "application_recovery")));
        try (BackupApplication app = ScheduleFixture.startService(dir.resolve("repo"),
                ScheduleFixture.serviceOverrides(schedules, "sched_drill"))) {
            ScheduleFixture.awaitTrue("a scheduled drill recorded", 60_000, () -> TestStack.shared().postgres()
                    .queryLong("sched_drill", "SELECT count(*) FROM recovery_run WHERE kind = 'drill' "
                            + "AND status = 'completed' AND trigger = 'schedule' AND plan_id = 'application_recovery'") >= 1);
        }
        List<ScheduleFixture.Run> runs = ScheduleFixture.runs("sched_drill", "drill-every-2s");
        assertEquals("completed", runs.get(0).status(), runs.toString());
    }
}
