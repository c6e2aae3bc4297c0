package com.customercaregpt.backup.cli;

import com.customercaregpt.backup.app.BackupApplication;
import com.customercaregpt.backup.component.PostgresTools;
import com.customercaregpt.backup.config.Settings;
import com.customercaregpt.backup.repository.BackupId;
import com.customercaregpt.backup.restore.RestoreReport;
import com.customercaregpt.backup.restore.RestoreRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;

import com.customercaregpt.backup.backup.UsageError;
import com.customercaregpt.backup.component.Components;
import com.customercaregpt.backup.wal.WalReports;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "restore",
        description = {"Restore components of a backup. Every artifact's checksum is verified and every component is "
                + "restored beside its live data and checked before anything live is replaced; what is replaced is "
                + "kept (remove it later with `cleanup --pre-restore`)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:restored (or planned, with --dry-run)", "1:the restore failed (see the error; what was "
                + "not swapped in is unchanged), or with --dry-run an artifact it would use is missing or corrupt",
                "2:bad usage, or not confirmed"})
public final class RestoreCommand implements Callable<Integer> {

    @ParentCommand
    BackupManagerCommand parent;

    @Parameters(paramLabel = "BACKUP_ID", arity = "0..1",
            description = "The backup to restore; with --to-time and no BACKUP_ID, the newest that fits.")
    String backupId;

    @Option(names = "--to-time", paramLabel = "TIME",
            description = "Recover the database to this moment, e.g. \"2026-12-06 10:15:00+00\": the newest physical "
                    + "base backup that ended before it plus the archived WAL; other components from their newest "
                    + "backup at or before it.")
    String toTime;

    @Option(names = "--target-port", paramLabel = "PORT",
            description = "With --target-dir: the port the restored PostgreSQL keeps running on (default: a free one).")
    Integer targetPort;

    @Option(names = "--components", arity = "1..*", paramLabel = "NAME",
            completionCandidates = ComponentNames.class,
            description = "Any of: ${COMPLETION-CANDIDATES} (default: all the backup holds).")
    List<String> components;

    @Option(names = "--target-database", paramLabel = "NAME",
            description = "Restore the database under this new name beside the live one; nothing live is touched.")
    String targetDatabase;

    @Option(names = "--target-dir", paramLabel = "PATH",
            description = "Restore the components kept as files into PATH/<component>; nothing live is touched. "
                    + "A relative PATH is resolved against the current directory (and printed).")
    Path targetDir;

    @Option(names = "--dry-run", description = "Check every artifact it would use (presence, size, checksum), print "
            + "the plan and change nothing.")
    boolean dryRun;

    @Option(names = "--yes", description = "Do not ask for confirmation.")
    boolean yes;

    @Override
    public Integer call() throws Exception {
        boolean json = parent.cli.json();
        Instant time = toTime == null ? null : WalReports.parseTime(toTime);
        if (backupId == null && time == null) {
            throw new UsageError("give a BACKUP_ID or --to-time TIME");
        }
        if (backupId != null) {
            new BackupId(backupId);
        }
        boolean live = targetDatabase == null && targetDir == null;
        if (!dryRun && !yes && live && !Confirmation.ask("Restore " + (backupId == null ? "to " + time : backupId) + " over the live systems ("
                + (components == null ? "all components" : String.join(" ", components)) + ")? What is replaced is kept.",
                "not restoring over live data", "--yes")) {
            System.err.println("Not restored.");
            return 2;
        }
        if (targetDir != null && !targetDir.isAbsolute()) {
            // the API refuses a relative target (it has no working directory of the caller's); here it is this one
            targetDir = targetDir.toAbsolutePath().normalize();
            System.err.println("backup-manager: --target-dir is " + targetDir);
        }
        Settings settings = parent.cli.settings();
        if (!dryRun) {
            // the PostgreSQL driver loads while Camel starts (a restore without the database wastes one connection)
            new PostgresTools(settings).warmUpInBackground();
        }
        try (BackupApplication app = BackupApplication.start(settings)) {
            RestoreRequest request = new RestoreRequest(backupId, components, targetDatabase, targetDir, dryRun, "cli",
                    time, targetPort);
            Map<String, List<String>> backups = backupId != null ? Map.of(backupId, components == null ? List.of()
                    : components) : app.context().getRegistry().lookupByNameAndType("walReports", WalReports.class)
                    .backupsAt(time, components == null ? Components.namesIn(settings) : components);
            for (Map.Entry<String, List<String>> backup : backups.entrySet()) {
                RestoreReport report = app.request("direct:restore", request.forBackup(backup.getKey(), backup.getValue()),
                        Map.of(), RestoreReport.class);
                Output.print(json, report, Output::restore);
            }
            return 0;
        }
    }
}
