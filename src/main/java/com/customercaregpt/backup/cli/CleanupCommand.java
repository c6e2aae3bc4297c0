package com.customercaregpt.backup.cli;

import com.customercaregpt.backup.app.BackupApplication;
import com.customercaregpt.backup.restore.KeptData;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "cleanup",
        description = "Remove what restores kept of the data they replaced (--pre-restore): databases "
                + "*_pre_restore_*, folders *.pre-restore-*, and saved Redis snapshots.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:removed (or listed, with --dry-run)", "1:removal failed", "2:bad usage or not confirmed"})
public final class CleanupCommand implements Callable<Integer> {

    @picocli.CommandLine.ParentCommand
    BackupManagerCommand parent;

    @Option(names = "--pre-restore", required = true, description = "Remove the data kept by restores.")
    boolean preRestore;

    @Option(names = "--dry-run", description = "List what would be removed.")
    boolean dryRun;

    @Option(names = "--yes", description = "Do not ask for confirmation.")
    boolean yes;

    @Override
    @SuppressWarnings("unchecked")
    public Integer call() throws Exception {
        boolean json = parent.cli.json();
        try (BackupApplication app = parent.cli.startApplication()) {
            if (!dryRun && !yes) {
                List<KeptData.Item> items = app.request("direct:cleanup-pre-restore", true, Map.of(), List.class);
                if (items.isEmpty()) {
                    System.out.println("Nothing kept by restores.");
                    return 0;
                }
                items.forEach(i -> System.out.println("  " + i.what() + "   (restore " + i.label() + " of " + i.backupId() + ")"));
                if (!Confirmation.ask("Remove these " + items.size() + " items for good?", "not removing kept data",
                        "--yes")) {
                    System.err.println("Nothing removed.");
                    return 2;
                }
            }
            List<KeptData.Item> items = new ArrayList<>(app.request("direct:cleanup-pre-restore", dryRun, Map.of(), List.class));
            if (json) {
                Output.json(System.out, items);
            } else {
                items.forEach(i -> System.out.println((dryRun ? "would remove " : "removed ") + i.what()
                        + "   (restore " + i.label() + " of " + i.backupId() + ")"));
                if (items.isEmpty()) {
                    System.out.println("Nothing kept by restores.");
                }
            }
            return 0;
        }
    }
}
