package com.customercaregpt.backup.cli;

import com.customercaregpt.backup.app.BackupApplication;
import com.customercaregpt.backup.backup.Sizes;
import com.customercaregpt.backup.inventory.BackupSummary;
import com.customercaregpt.backup.repository.BackupId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "delete", description = "Delete one backup from the repository (asks first unless --force).",
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:deleted", "1:no such backup, or not deleted",
        "2:bad usage, still running, or no terminal to confirm on without --force"})
public final class DeleteCommand implements Callable<Integer> {

    @picocli.CommandLine.ParentCommand
    BackupManagerCommand parent;

    @Parameters(paramLabel = "BACKUP_ID")
    String backupId;

    @Option(names = "--force", description = "Do not ask for confirmation.")
    boolean force;

    @Option(names = "--with-dependents", description = "Also delete the incremental and differential backups that"
            + " restore on top of it (without it, such a backup is refused, naming them).")
    boolean withDependents;

    @Override
    public Integer call() throws Exception {
        boolean json = parent.cli.json();
        new BackupId(backupId);
        if (!force && !Confirmation.ask("Delete backup " + backupId + (withDependents ? " and every backup that"
                + " depends on it" : "") + "? This cannot be undone.",
                "not deleting " + backupId, "--force")) {
            System.err.println("Not deleted.");
            return 1;
        }
        try (BackupApplication app = parent.cli.startApplication()) {
            BackupSummary deleted = app.request("direct:delete-backup", backupId,
                    Map.of("withDependents", withDependents), BackupSummary.class);
            if (json) {
                Output.json(System.out, deleted);
            } else {
                System.out.printf("Deleted %s (%s, %s)%n", deleted.backupId(), deleted.status(),
                        Sizes.human(deleted.sizeBytes()));
            }
            return 0;
        }
    }
}
