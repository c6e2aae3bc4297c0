package com.customercaregpt.backup.cli;

import com.customercaregpt.backup.app.BackupApplication;
import com.customercaregpt.backup.replication.Replicator;
import com.customercaregpt.backup.repository.BackupId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "replicate", description = "Copy finished local backups that are not yet in S3 (backup.s3.*), "
        + "artifacts first and the manifest last; all of them when no BACKUP_ID is given.",
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:every backup is in S3", "1:a copy failed, or S3 is not enabled",
        "2:bad usage"})
public final class ReplicateCommand implements Callable<Integer> {

    @picocli.CommandLine.ParentCommand
    BackupManagerCommand parent;

    @Parameters(paramLabel = "BACKUP_ID", arity = "0..1")
    String backupId;

    @Override
    @SuppressWarnings("unchecked")
    public Integer call() throws Exception {
        boolean json = parent.cli.json();
        if (backupId != null) {
            new BackupId(backupId);
        }
        try (BackupApplication app = parent.cli.startApplication()) {
            app.context().getRegistry().lookupByNameAndType("replicator", Replicator.class).requireEnabled();
            List<Replicator.Result> results = app.request("direct:replicate", backupId == null ? "" : backupId,
                    Map.of(), List.class);
            Output.print(json, results, ReplicateCommand::table);
            return 0;
        }
    }

    private static void table(PrintStream out, List<Replicator.Result> results) {
        results.forEach(r -> out.println(r.backupId() + ": " + r.status()
                + (r.artifacts() > 0 ? " (" + r.artifacts() + " artifacts)" : "")));
        if (results.isEmpty()) {
            out.println("No finished backups.");
        }
    }
}
