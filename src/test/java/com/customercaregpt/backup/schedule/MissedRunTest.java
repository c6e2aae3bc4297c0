package com.customercaregpt.backup.schedule;

import com.customercaregpt.backup.app.BackupApplication;
import com.customercaregpt.backup.fixtures.TestStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A run missed while the service was down: run once at start inside backup.schedule.misfire-grace-minutes,
 * otherwise skipped and recorded. "Down for a while" is made by moving the trigger's times in the job
 * store back while no service runs, as Quartz finds them after a real outage.
 */
class MissedRunTest {

    @TempDir
    Path dir;

    @Test
    void aRunMissedLongerAgoThanTheGraceIsSkippedAndRecorded() throws Exception {
        List<ScheduleFixture.Run> runs = afterOutage("sched_missed_skip", "1");
        assertEquals(1, runs.size(), runs.toString());
        ScheduleFixture.Run run = runs.get(0);
        assertEquals("skipped", run.status());
        assertEquals(missedFireTime, run.scheduledFireTime());
        // due at a whole minute 30 minutes back, so 30 or 31 minutes late by the time the service looks
        assertTrue(run.error().matches(".*was missed \\(3[01] minutes late, more than backup\\.schedule\\.misfire-grace-minutes=1\\).*"),
                run.error());
        assertNull(run.backupId());
    }

    @Test
    void aRunMissedInsideTheGraceRunsOnceAtStart() throws Exception {
        List<ScheduleFixture.Run> runs = afterOutage("sched_missed_run", "60");
        assertEquals(1, runs.size(), runs.toString());
        assertEquals("completed", runs.get(0).status(), runs.toString());
        assertEquals(missedFireTime, runs.get(0).scheduledFireTime());
    }

    private Instant missedFireTime;

    /** An hourly cleanup schedule whose last due time passed 30 minutes ago while the service was down. */
    private List<ScheduleFixture.Run> afterOutage(String catalog, String graceMinutes) throws Exception {
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        missedFireTime = now.minusMinutes(30).truncatedTo(ChronoUnit.MINUTES).toInstant();
        int minute = now.minusMinutes(30).getMinute();
        Path schedules = ScheduleFixture.schedulesFile(dir, ScheduleFixture.entry("hourly", "0 " + minute + " * * * ?",
                "cleanup", Map.of()));
        Map<String, String> overrides = new HashMap<>(ScheduleFixture.serviceOverrides(schedules, catalog));
        overrides.put("backup.schedule.misfire-grace-minutes", graceMinutes);
        try (BackupApplication ignored = ScheduleFixture.startService(dir.resolve("repo"), overrides)) {
            // the trigger is in the job store, next due in about 30 minutes
        }
        long missed = missedFireTime.toEpochMilli();
        TestStack.shared().postgres().execute(catalog, "UPDATE qrtz_triggers SET next_fire_time = " + missed
                + ", prev_fire_time = " + (missed - 3_600_000) + " WHERE trigger_name = 'hourly'");
        try (BackupApplication ignored = ScheduleFixture.startService(dir.resolve("repo"), overrides)) {
            ScheduleFixture.awaitTrue("the missed run handled", 15_000,
                    () -> !ScheduleFixture.runs(catalog, "hourly").isEmpty());
            Thread.sleep(1000); // and nothing more
        }
        return ScheduleFixture.runs(catalog, "hourly");
    }
}
