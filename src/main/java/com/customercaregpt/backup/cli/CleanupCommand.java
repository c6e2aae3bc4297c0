package com.customercaregpt.backup.cli;

import com.customercaregpt.backup.app.BackupApplication;
import com.customercaregpt.backup.restore.KeptData;
import com.customercaregpt.backup.retention.Retention;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "cleanup",
        description = {"Remove backups past their retention (expires_at), never the newest backup of each component "
                + "nor one still being written, and unfinished backups whose writer died.",
                "With --pre-restore: remove instead what restores kept of the data they replaced: databases "
                        + "*_pre_restore_*, folders *.pre-restore-*, and saved Redis snapshots; and what restores "
                        + "that died left half-built (databases *_restoring_*, folders *.restore-*, scratch). An "
                        + "entry that cannot be removed is named on stderr and the others are removed (exit 1)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:removed (or listed, with --dry-run)", "1:an entry was refused or its removal failed (or would "
                + "be refused, with --dry-run)", "2:bad usage or not confirmed"})
public final class CleanupCommand implements Callable<Integer> {

    @picocli.CommandLine.ParentCommand
    BackupManagerCommand parent;

    @Option(names = "--pre-restore", description = "Remove the data kept by restores instead.")
    boolean preRestore;

    @Option(names = "--dry-run", description = "List what would be removed.")
    boolean dryRun;

    @Option(names = "--yes", description = "Do not ask for confirmation.")
    boolean yes;

    @Override
    @SuppressWarnings("unchecked")
    public Integer call() throws Exception {
        boolean json = parent.cli.json();
        if (!preRestore) {
            return expired(json);
        }
        try (BackupApplication app = parent.cli.startApplication()) {
            if (!dryRun && !yes) {
                List<KeptData.Item> items = app.request("direct:cleanup-pre-restore", true, Map.of(), List.class);
                List<KeptData.Item> removals = items.stream().filter(i -> !i.bad() && !KeptData.Item.GONE.equals(i.action())).toList();
                if (!removals.isEmpty()) {
                    removals.forEach(i -> System.out.println("  " + i.what() + "   (" + i.detail() + ")"));
                    if (!Confirmation.ask("Remove these " + removals.size() + " items for good?", "not removing kept data",
                            "--yes")) {
                        System.err.println("Nothing removed.");
                        return 2;
                    }
                }
            }
            List<KeptData.Item> items = new ArrayList<>(app.request("direct:cleanup-pre-restore", dryRun, Map.of(), List.class));
            if (json) {
                Output.json(System.out, items);
            } else {
                items.stream().filter(i -> !i.bad()).forEach(i -> System.out.println(describe(i) + "   (" + i.detail() + ")"));
                if (items.isEmpty()) {
                    System.out.println("Nothing kept by restores, and nothing left by restores that died.");
                }
            }
            // the items that stay: one line each, and exit 1; the others were removed (or would be) all the same
            items.stream().filter(KeptData.Item::bad).forEach(i -> System.err.println("backup-manager: error: cleanup: "
                    + "pre-restore: " + (KeptData.Item.REFUSE.equals(i.action()) ? "refusing to remove " : "cannot remove ")
                    + i.what() + " (restore " + i.label() + "): " + i.detail()));
            return items.stream().anyMatch(KeptData.Item::bad) ? 1 : 0;
        }
    }

    private String describe(KeptData.Item item) {
        return switch (item.action()) {
            case KeptData.Item.GONE -> (dryRun ? "gone (dropped from kept.json by a real run) " : "gone (dropped from kept.json) ")
                    + item.what();
            case KeptData.Item.LEFTOVER -> (dryRun ? "would remove leftover " : "removed leftover ") + item.what();
            default -> (dryRun ? "would remove " : "removed ") + item.what();
        };
    }

    /** Retention: the plan is shown (and, on a terminal, confirmed) before anything is removed. */
    @SuppressWarnings("unchecked")
    private Integer expired(boolean json) throws Exception {
        try (BackupApplication app = parent.cli.startApplication()) {
            List<Retention.Decision> plan = app.request("direct:cleanup", true, Map.of(), List.class);
            long removals = plan.stream().filter(Retention.Decision::remove).count();
            if (!dryRun && !yes && removals > 0) {
                plan.stream().filter(Retention.Decision::remove).forEach(d -> System.out.println("  " + d.backupId()
                        + ": " + d.reason()));
                if (!Confirmation.ask("Remove these " + removals + " backups for good?", "not removing backups", "--yes")) {
                    System.err.println("Nothing removed.");
                    return 2;
                }
            }
            List<Retention.Decision> decisions = dryRun ? plan
                    : app.request("direct:cleanup", false, Map.of(), List.class);
            if (json) {
                Output.json(System.out, decisions);
            } else {
                for (Retention.Decision d : decisions) {
                    System.out.println((d.remove() ? (dryRun ? "would remove " : "removed ") : "keep ") + d.backupId()
                            + ": " + d.reason());
                }
                if (decisions.isEmpty()) {
                    System.out.println("No finished backups.");
                }
            }
            return 0;
        }
    }
}
