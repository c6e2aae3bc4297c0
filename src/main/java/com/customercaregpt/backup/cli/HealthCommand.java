package com.customercaregpt.backup.cli;

import com.customercaregpt.backup.app.BackupApplication;
import com.customercaregpt.backup.health.HealthReport;
import picocli.CommandLine.Command;

import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "health",
        description = "Check the repository (readable, writable, free space), what restores that died left "
                + "half-built (a warning, with its size), the newest backup of each component and its age, the "
                + "catalog, and every configured server.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:all ok (warnings allowed)", "1:a check failed", "2:bad usage"})
public final class HealthCommand implements Callable<Integer> {

    @picocli.CommandLine.ParentCommand
    BackupManagerCommand parent;

    @Override
    public Integer call() throws Exception {
        boolean json = parent.cli.json();
        try (BackupApplication app = parent.cli.startApplication()) {
            HealthReport report = app.request("direct:health", null, Map.of(), HealthReport.class);
            Output.print(json, report, Output::health);
            return HealthReport.FAIL.equals(report.status()) ? 1 : 0;
        }
    }
}
