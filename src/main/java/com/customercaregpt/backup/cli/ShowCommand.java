package com.customercaregpt.backup.cli;

import com.customercaregpt.backup.app.BackupApplication;
import com.customercaregpt.backup.repository.Manifest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "show", description = "Show one backup's manifest.",
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:shown", "1:no such backup, or unreadable",
        "2:bad usage (not a backup id)"})
public final class ShowCommand implements Callable<Integer> {

    @picocli.CommandLine.ParentCommand
    BackupManagerCommand parent;

    @Parameters(paramLabel = "BACKUP_ID")
    String backupId;

    @Override
    public Integer call() throws Exception {
        boolean json = parent.cli.json();
        try (BackupApplication app = parent.cli.startApplication()) {
            Manifest manifest = app.request("direct:show-backup", backupId, Map.of(), Manifest.class);
            Output.print(json, manifest, Output::manifest);
            return 0;
        }
    }
}
