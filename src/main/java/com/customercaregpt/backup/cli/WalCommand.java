package com.customercaregpt.backup.cli;

import com.customercaregpt.backup.app.BackupApplication;
import com.customercaregpt.backup.backup.StepFailure;
import com.customercaregpt.backup.backup.UsageError;
import com.customercaregpt.backup.component.PostgresTools;
import com.customercaregpt.backup.config.Settings;
import com.customercaregpt.backup.wal.WalArchive;
import com.customercaregpt.backup.wal.WalReports;
import com.customercaregpt.backup.wal.WalSettings;
import com.customercaregpt.backup.wal.WalStreamer;
import picocli.CommandLine.Command;

import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "wal", description = "The PostgreSQL WAL archive: its state, its continuity, and the streamer.",
        subcommands = {WalCommand.Status.class, WalCommand.Verify.class, WalCommand.Stream.class})
public final class WalCommand implements Runnable {

    @picocli.CommandLine.ParentCommand
    BackupManagerCommand parent;

    @Override
    public void run() {
        throw new UsageError("missing subcommand: wal status | verify | stream");
    }

    /** The archive's status (WalReports.status), read by the application started for just that. */
    private Map<String, Object> status() throws Exception {
        try (BackupApplication app = parent.cli.startApplication()) {
            return app.context().getRegistry().lookupByNameAndType("walReports", WalReports.class).status();
        }
    }

    @Command(name = "status", description = "Streamer state, slot, newest archived segment and its time, lag, "
            + "recoverable window and gaps.", exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:shown", "1:the repository cannot be read", "2:bad usage"})
    static final class Status implements Callable<Integer> {

        @picocli.CommandLine.ParentCommand
        WalCommand wal;

        @Override
        public Integer call() throws Exception {
            Output.print(wal.parent.cli.json(), wal.status(), Status::table);
            return 0;
        }

        private static void table(PrintStream out, Map<String, Object> status) {
            status.forEach((key, value) -> out.printf("%-20s %s%n", key.replace('_', ' '),
                    value instanceof List<?> list && list.isEmpty() ? "none" : value == null ? "-" : value));
        }
    }

    @Command(name = "verify", description = "Checks that every WAL segment from the oldest kept base backup's end "
            + "to the newest archived one is in the archive; names each missing one.",
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:continuous", "1:a segment is missing (a gap), or no base backup is kept", "2:bad usage"})
    static final class Verify implements Callable<Integer> {

        @picocli.CommandLine.ParentCommand
        WalCommand wal;

        @Override
        public Integer call() throws Exception {
            boolean json = wal.parent.cli.json();
            Map<String, Object> status = wal.status();
            @SuppressWarnings("unchecked")
            List<String> gaps = (List<String>) status.get("gaps");
            if (json) {
                Output.json(System.out, Map.of("gaps", gaps, "recoverable_from", String.valueOf(status.get("recoverable_from")),
                        "recoverable_to", String.valueOf(status.get("recoverable_to"))));
            }
            if (!gaps.isEmpty()) {
                throw new StepFailure("wal", "verify", "WAL segment " + gaps.get(0) + " is missing from the archive"
                        + (gaps.size() > 1 ? " (and " + (gaps.size() - 1) + " more: " + String.join(", ",
                        gaps.subList(1, Math.min(gaps.size(), 10))) + ")" : "")
                        + "; no point in time after it can be recovered from the base backups before it");
            }
            if (((List<?>) status.get("base_backups")).isEmpty()) {
                throw new StepFailure("wal", "verify", "no physical base backup is kept: create one with "
                        + "backup.wal.enabled=true (create --type full)");
            }
            if (!json) {
                System.out.println("WAL continuous from " + status.get("recoverable_from") + " to "
                        + status.get("recoverable_to") + " (newest segment " + status.get("newest_segment") + ")");
            }
            return 0;
        }
    }

    @Command(name = "stream", description = "Run the WAL streamer in the foreground (what `serve` runs with "
            + "backup.wal.enabled=true), until stopped.", exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"143:stopped by SIGTERM (130 by Ctrl-C)", "2:bad configuration"})
    static final class Stream implements Callable<Integer> {

        @picocli.CommandLine.ParentCommand
        WalCommand wal;

        @Override
        public Integer call() throws Exception {
            Settings settings = wal.parent.cli.settings();
            CountDownLatch stopped = new CountDownLatch(1);
            WalStreamer streamer = new WalStreamer(WalSettings.from(settings), WalArchive.from(settings),
                    new PostgresTools(settings), new WalStreamer.Listener() {
                @Override
                public void down(String cause, Instant since) {
                    System.err.println("backup-manager: error: wal: stream: " + cause);
                }

                @Override
                public void back(Instant since) {
                    System.err.println("backup-manager: wal: streaming again (down since " + since + ")");
                }
            });
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                streamer.close();
                stopped.countDown();
            }));
            streamer.start();
            System.err.println("backup-manager: streaming WAL from slot " + WalSettings.from(settings).slot());
            stopped.await();
            return 0;
        }
    }
}
