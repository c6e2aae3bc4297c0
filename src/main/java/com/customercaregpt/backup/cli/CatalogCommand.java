package com.customercaregpt.backup.cli;

import com.customercaregpt.backup.app.BackupApplication;
import com.customercaregpt.backup.backup.UsageError;
import picocli.CommandLine.Command;

import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "catalog", description = "Manage the catalog, the SQL index of the repository.",
        subcommands = CatalogCommand.Rebuild.class)
public final class CatalogCommand implements Runnable {

    @picocli.CommandLine.ParentCommand
    BackupManagerCommand parent;

    @Override
    public void run() {
        throw new UsageError("missing subcommand: catalog rebuild");
    }

    @Command(name = "rebuild", description = "Re-create the catalog's index from the manifests and WAL records in the repository.",
            exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:rebuilt", "1:the catalog is unreachable",
                    "2:bad usage"})
    static final class Rebuild implements Callable<Integer> {

        @picocli.CommandLine.ParentCommand
        CatalogCommand catalog;

        @Override
        public Integer call() throws Exception {
            try (BackupApplication app = catalog.parent.cli.startApplication()) {
                Map<?, ?> counts = app.request("direct:catalog-rebuild", null, Map.of(), Map.class);
                System.out.println("Catalog rebuilt: " + counts.get("backups") + " backups and " + counts.get("wal_files")
                        + " WAL files indexed from the repository.");
                return 0;
            }
        }
    }
}
