package com.customercaregpt.backup.cli;

import com.customercaregpt.backup.app.BackupApplication;
import com.customercaregpt.backup.backup.BackupJob;
import com.customercaregpt.backup.backup.BackupRequest;
import com.customercaregpt.backup.repository.Manifest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "create", description = "Back up components into the repository.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the backup completed", "1:the backup is partial or failed (see its manifest)",
                "2:bad usage"})
public final class CreateCommand implements Callable<Integer> {

    @ParentCommand
    BackupManagerCommand parent;

    @Option(names = "--type", defaultValue = "full", description = "full (default), incremental (changes since the"
            + " newest completed backup holding the components) or differential (changes since the newest full).")
    String type;

    @Option(names = "--components", arity = "1..*", paramLabel = "NAME",
            completionCandidates = ComponentNames.class,
            description = "Any of: ${COMPLETION-CANDIDATES} (default: all).")
    List<String> components;

    @Option(names = "--retention-days", paramLabel = "N", description = "Keep this backup N days.")
    Integer retentionDays;

    @Override
    public Integer call() throws Exception {
        boolean json = parent.cli.json();
        if (System.console() != null) {
            // On a terminal the progress line tells the story; per-component INFO lines would tear it.
            System.setProperty("org.slf4j.simpleLogger.log.com.customercaregpt", "warn");
        }
        try (BackupApplication app = parent.cli.startApplication();
             Progress progress = Progress.onTerminal(() -> {
                 BackupJob job = app.backupJobs().current();
                 return job == null ? null : job.getId() + ": " + job.progressLine();
             })) {
            Manifest manifest = app.request("direct:backup", new BackupRequest(type, components, retentionDays, "cli"),
                    Map.of(), Manifest.class);
            progress.close();
            Output.print(json, manifest, Output::manifest);
            return Manifest.COMPLETED.equals(manifest.status()) ? 0 : 1;
        }
    }
}
