package com.customercaregpt.backup.cli;

import com.customercaregpt.backup.app.BackupApplication;
import com.customercaregpt.backup.backup.UsageError;
import com.customercaregpt.backup.repository.BackupId;
import com.customercaregpt.backup.verify.VerifyReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "verify",
        description = "Re-read backups: every artifact's checksum, full decompression, and a format check with the "
                + "real tool (pg_restore --list, tar listing against the file count, RDB header, key count).",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every artifact is good (with --all, a backup deleted while verifying is named and skipped)",
                "1:an artifact or a manifest is bad (each is named), or the backup is unknown or was deleted while "
                        + "verifying", "2:bad usage"})
public final class VerifyCommand implements Callable<Integer> {

    @picocli.CommandLine.ParentCommand
    BackupManagerCommand parent;

    @Parameters(paramLabel = "BACKUP_ID", arity = "0..1")
    String backupId;

    @Option(names = "--all", description = "Verify every finished backup.")
    boolean all;

    @Override
    @SuppressWarnings("unchecked")
    public Integer call() throws Exception {
        boolean json = parent.cli.json();
        if (all == (backupId != null)) {
            throw new UsageError("give one BACKUP_ID or --all");
        }
        if (backupId != null) {
            new BackupId(backupId);
        }
        try (BackupApplication app = parent.cli.startApplication()) {
            List<VerifyReport> reports = app.request("direct:verify", all ? "" : backupId, Map.of(), List.class);
            Output.print(json, reports, Output::verify);
            return reports.stream().allMatch(VerifyReport::ok) ? 0 : 1;
        }
    }
}
