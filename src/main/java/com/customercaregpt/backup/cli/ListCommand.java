package com.customercaregpt.backup.cli;

import com.customercaregpt.backup.app.BackupApplication;
import com.customercaregpt.backup.backup.UsageError;
import com.customercaregpt.backup.inventory.BackupSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "list", description = "List backups in the repository, newest first.",
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:listed", "1:the repository cannot be read",
        "2:bad usage"})
public final class ListCommand implements Callable<Integer> {

    @picocli.CommandLine.ParentCommand
    BackupManagerCommand parent;

    @Option(names = "--status", description = "Only this status: completed, partial, failed, running, incomplete (its writer died; the "
            + "next backup removes it), unreadable (its manifest), manifest-missing (files, no manifest, no writer).")
    String status;

    @Option(names = "--limit", paramLabel = "N", description = "At most N backups, N at least 1 (default: all).")
    Integer limit;

    @Override
    @SuppressWarnings("unchecked")
    public Integer call() throws Exception {
        boolean json = parent.cli.json();
        if (limit != null && limit < 1) {
            throw new UsageError("--limit must be at least 1, got " + limit);
        }
        try (BackupApplication app = parent.cli.startApplication()) {
            Map<String, Object> headers = new HashMap<>();
            headers.put("status", status);
            headers.put("limit", limit == null ? 0 : limit);
            List<BackupSummary> backups = app.request("direct:list-backups", null, headers, List.class);
            Output.print(json, backups, Output::backupTable);
            return 0;
        }
    }
}
