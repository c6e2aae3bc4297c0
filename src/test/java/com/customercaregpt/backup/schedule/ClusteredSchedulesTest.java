package com.customercaregpt.backup.schedule;

import com.customercaregpt.backup.fixtures.ChildJvm;
import com.customercaregpt.backup.fixtures.TestStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two `serve` instances on one catalog (separate JVMs: Quartz keeps one scheduler per name per
 * JVM): each fire time of a schedule runs on exactly one of them.
 */
class ClusteredSchedulesTest {

    private static final String CATALOG = "sched_cluster";

    @TempDir
    Path dir;

    @Test
    void twoInstancesOnOneCatalogRunEachFireTimeOnce() throws Exception {
        Path schedules = ScheduleFixture.schedulesFile(dir, ScheduleFixture.entry("every-second", "* * * * * ?", "cleanup", Map.of()));
        List<Process> instances = new ArrayList<>();
        try {
            for (int i = 1; i <= 2; i++) {
                Properties config = new Properties();
                config.putAll(TestStack.shared().settings(dir.resolve("repo")));
                config.putAll(ScheduleFixture.serviceOverrides(schedules, CATALOG));
                Path configFile = TestStack.store(config, dir.resolve("instance" + i + ".properties"));
                instances.add(new ProcessBuilder(ChildJvm.command(configFile, "serve"))
                        .redirectErrorStream(true).redirectOutput(dir.resolve("instance" + i + ".log").toFile()).start());
            }
            try {
                ScheduleFixture.awaitTrue("both instances checked in", 60_000, () -> checkedIn() == 2);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; instance 1 log:\n"
                        + java.nio.file.Files.readString(dir.resolve("instance1.log")), e);
            }
            Instant bothUp = Instant.now();
            ScheduleFixture.awaitTrue("six fires with both up", 30_000, () -> TestStack.shared().postgres().queryLong(CATALOG,
                    "SELECT count(*) FROM schedule_run WHERE scheduled_fire_time > '" + bothUp + "'") >= 6);
        } finally {
            for (Process p : instances) {
                p.destroy(); // SIGTERM: the service stops cleanly
            }
            for (Process p : instances) {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    ChildJvm.kill(p);
                }
            }
        }
        long fireTimes = TestStack.shared().postgres().queryLong(CATALOG, "SELECT count(DISTINCT scheduled_fire_time) FROM schedule_run");
        long runs = TestStack.shared().postgres().queryLong(CATALOG, "SELECT count(*) FROM schedule_run");
        assertTrue(runs >= 6, "runs: " + runs);
        assertEquals(fireTimes, runs, "each fire time ran once: " + ScheduleFixture.runs(CATALOG, "every-second"));
        assertEquals(0, TestStack.shared().postgres().queryLong(CATALOG, "SELECT count(*) FROM schedule_run WHERE status <> 'completed'"));
    }

    private static long checkedIn() {
        try {
            return TestStack.shared().postgres().queryLong(CATALOG, "SELECT count(*) FROM qrtz_scheduler_state"
                    + " WHERE last_checkin_time > extract(epoch FROM now()) * 1000 - 2 * checkin_interval");
        } catch (IllegalStateException notYet) {
            return 0; // no catalog or tables yet
        }
    }
}
