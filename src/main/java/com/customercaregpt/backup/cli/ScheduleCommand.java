package com.customercaregpt.backup.cli;

import com.customercaregpt.backup.app.BackupApplication;
import com.customercaregpt.backup.backup.UsageError;
import com.customercaregpt.backup.schedule.ScheduleStatus;
import com.customercaregpt.backup.schedule.ScheduleView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.io.PrintStream;

@Command(name = "schedule", description = {"The schedules of `serve` (backup.schedules.file, see docs/schedules.md).",
        "Works without the service: reads the schedules file and the catalog; a running service sees "
                + "enable/disable at the next fire time, without a restart."},
        subcommands = {ScheduleCommand.ListSchedules.class, ScheduleCommand.Enable.class, ScheduleCommand.Disable.class,
                ScheduleCommand.Status.class})
public final class ScheduleCommand implements Runnable {

    @picocli.CommandLine.ParentCommand
    BackupManagerCommand parent;

    @Override
    public void run() {
        throw new UsageError("missing subcommand: schedule list | enable ID | disable ID | status");
    }

    /** enable and disable: one call with the flag's new value. */
    private static Integer switchTo(ScheduleCommand schedule, String id, boolean enabled) throws Exception {
        boolean json = schedule.parent.cli.json();
        try (BackupApplication app = schedule.parent.cli.startApplication()) {
            ScheduleView view = enabled ? app.schedules().enable(id) : app.schedules().disable(id);
            Output.print(json, view, (out, v) -> out.println("Schedule " + v.id() + (enabled ? " enabled." : " disabled.")));
            return 0;
        }
    }

    @Command(name = "list", description = "Every schedule: its cron, action, backup type, components, retention and "
            + "whether it is enabled.", exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:listed", "2:the schedules file is invalid"})
    static final class ListSchedules implements Callable<Integer> {

        @picocli.CommandLine.ParentCommand
        ScheduleCommand schedule;

        @Override
        public Integer call() throws Exception {
            boolean json = schedule.parent.cli.json();
            try (BackupApplication app = schedule.parent.cli.startApplication()) {
                Output.print(json, app.schedules().list(), ScheduleCommand::table);
                return 0;
            }
        }
    }

    @Command(name = "enable", description = "Switch a schedule on (kept in the catalog: survives restarts, wins over "
            + "the file's enabled flag).", exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:enabled", "1:no such schedule, or the catalog is unreachable", "2:bad usage"})
    static final class Enable implements Callable<Integer> {

        @picocli.CommandLine.ParentCommand
        ScheduleCommand schedule;

        @Parameters(paramLabel = "ID")
        String id;

        @Override
        public Integer call() throws Exception {
            return switchTo(schedule, id, true);
        }
    }

    @Command(name = "disable", description = "Switch a schedule off (kept in the catalog: survives restarts, wins over "
            + "the file's enabled flag).", exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:disabled", "1:no such schedule, or the catalog is unreachable", "2:bad usage"})
    static final class Disable implements Callable<Integer> {

        @picocli.CommandLine.ParentCommand
        ScheduleCommand schedule;

        @Parameters(paramLabel = "ID")
        String id;

        @Override
        public Integer call() throws Exception {
            return switchTo(schedule, id, false);
        }
    }

    @Command(name = "status", description = "Whether a scheduler is running on this catalog, and each schedule's next "
            + "and last fire time and last result.", exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:shown", "1:the catalog is unreachable", "2:the schedules file is invalid"})
    static final class Status implements Callable<Integer> {

        @picocli.CommandLine.ParentCommand
        ScheduleCommand schedule;

        @Override
        public Integer call() throws Exception {
            boolean json = schedule.parent.cli.json();
            try (BackupApplication app = schedule.parent.cli.startApplication()) {
                Output.print(json, app.schedules().status(), ScheduleCommand::status);
                return 0;
            }
        }
    }

    static void table(PrintStream out, List<ScheduleView> schedules) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"ID", "ENABLED", "CRON", "TIME ZONE", "ACTION", "TYPE", "COMPONENTS", "RETENTION (DAYS)"});
        for (ScheduleView s : schedules) {
            String type = s.type() == null ? "-" : s.type();
            rows.add(new String[]{s.id(), (s.enabled() ? "yes" : "no") + ("operator".equals(s.enabledBy()) ? " (set)" : ""),
                    s.cron(), s.timeZone(), s.action(), type, s.components().isEmpty() ? "-" : String.join(",", s.components()),
                    s.retentionDays() == null ? ("backup".equals(s.action()) ? "default" : "-") : String.valueOf(s.retentionDays())});
        }
        Output.table(out, rows);
        if (schedules.isEmpty()) {
            out.println("(no schedules)");
        }
    }

    static void status(PrintStream out, ScheduleStatus status) {
        out.println(status.schedulerRunning() ? "Scheduler: running on " + String.join(", ", status.instances())
                : "Scheduler: not running (no `serve` instance checked in on this catalog)");
        out.println();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"ID", "ENABLED", "NEXT FIRE (UTC)", "LAST FIRE (UTC)", "LAST RESULT", "LAST BACKUP", "LAST ERROR"});
        for (ScheduleStatus.Entry e : status.schedules()) {
            rows.add(new String[]{e.id(), e.enabled() ? "yes" : "no", time(e.nextFireTime()), time(e.lastFireTime()),
                    e.lastResult() == null ? "-" : e.lastResult(), e.lastBackupId() == null ? "-" : e.lastBackupId(),
                    e.lastError() == null ? "" : e.lastError()});
        }
        Output.table(out, rows);
    }

    private static String time(String iso) {
        return iso == null ? "-" : iso.replace('T', ' ').replaceAll("\\.\\d+Z$", "Z");
    }
}
