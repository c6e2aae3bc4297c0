package com.customercaregpt.backup.schedule;

import com.customercaregpt.backup.component.Components;
import com.customercaregpt.backup.config.Settings;
import com.customercaregpt.backup.fixtures.Cli;
import com.customercaregpt.backup.fixtures.TestStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A bad schedules file stops `serve` before Camel starts, naming the file, the schedule and the problem. */
class ScheduleStartupTest {

    @TempDir
    Path dir;

    private Settings.SettingsException startFails(String entry) {
        Path schedules = ScheduleFixture.schedulesFile(dir, entry);
        return assertThrows(Settings.SettingsException.class, () -> ScheduleFixture.startService(dir.resolve("repo"),
                ScheduleFixture.serviceOverrides(schedules, "sched_startup")).close());
    }

    @Test
    void anInvalidCronStopsTheStartNamingFileScheduleAndCron() {
        Settings.SettingsException e = startFails(ScheduleFixture.entry("nightly", "0 0 25 * * ?", "cleanup", Map.of()));
        String prefix = dir.resolve("schedules.camel.yaml") + ": schedule 'nightly': invalid cron '0 0 25 * * ?': ";
        assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
        assertTrue(e.getMessage().length() > prefix.length(), "the reason follows: " + e.getMessage());
    }

    @Test
    void anUnknownComponentActionOrTypeStopsTheStart() {
        Path file = dir.resolve("schedules.camel.yaml");
        assertEquals(file + ": schedule 'db': unknown component 'mongodb' (known: all, database, redis, chromadb, uploads, config)",
                startFails(ScheduleFixture.entry("db", "0 0 2 * * ?", "backup", Map.of("components", "database,mongodb")))
                        .getMessage());
        assertEquals(file + ": schedule 'db': unknown action 'restore' (known: backup, cleanup, verify, drill)",
                startFails(ScheduleFixture.entry("db", "0 0 2 * * ?", "restore", Map.of())).getMessage());
        assertEquals(file + ": schedule 'db': unknown type 'weekly' (known: full, incremental, differential)",
                startFails(ScheduleFixture.entry("db", "0 0 2 * * ?", "backup", Map.of("type", "weekly"))).getMessage());
    }

    @Test
    void serveExitsWithTwoAndPrintsTheProblemInOneLine() {
        Path schedules = ScheduleFixture.schedulesFile(dir, ScheduleFixture.entry("nightly", "0 0 2 * *", "backup", Map.of()));
        Properties config = new Properties();
        config.putAll(TestStack.shared().settings(dir.resolve("repo")));
        config.putAll(ScheduleFixture.serviceOverrides(schedules, "sched_startup"));
        Path configFile = TestStack.store(config, dir.resolve("serve.properties"));

        Cli.Result result = Cli.run("--config", configFile.toString(), "serve");

        assertEquals(2, result.exitCode(), result.toString());
        assertTrue(result.stderr().contains("backup-manager: error: " + schedules + ": schedule 'nightly': invalid cron '0 0 2 * *': "),
                result.toString());
    }

    @Test
    void theShippedSchedulesFileIsValid() {
        assertEquals(java.util.List.of("weekly-full", "daily-database-redis", "daily-cleanup", "daily-verify",
                        "weekly-restore-test", "monthly-drill"),
                ScheduleFile.load(TestStack.projectHome().resolve("routes/schedules.camel.yaml"),
                                Components.namesIn(Settings.of(TestStack.projectHome(), Map.of()))).stream()
                        .map(Schedule::id).toList());
    }
}
