package com.customercaregpt.backup.cli;

import com.customercaregpt.backup.demo.DemoStack;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "demo",
        description = {"Start a local demo platform (PostgreSQL, Redis, ChromaDB on free ports, sample uploads "
                + "and config) in ./demo-stack, back it up in full into ./backups, and list the backups.",
                "The stack keeps running; its settings are in demo-stack/demo.properties for further commands. "
                        + "Stop it with `demo --stop`."},
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:backed up (or stopped)",
        "1:the stack could not start or the backup failed", "2:bad usage"})
public final class DemoCommand implements Callable<Integer> {

    @Option(names = "--folder", defaultValue = "demo-stack", description = "Where the demo stack lives (default: ${DEFAULT-VALUE}).")
    Path folder;

    @Option(names = "--repository", defaultValue = "backups", description = "Where its backups go (default: ${DEFAULT-VALUE}).")
    Path repository;

    @Option(names = "--stop", description = "Stop the demo stack's servers (the folder stays).")
    boolean stop;

    @Override
    public Integer call() throws Exception {
        Path root = folder.toAbsolutePath().normalize();
        if (stop) {
            if (!DemoStack.existsIn(root)) {
                System.err.println("No demo stack in " + root);
                return 0;
            }
            DemoStack.attach(root).close();
            System.err.println("Demo stack in " + root + " stopped.");
            return 0;
        }
        DemoStack stack;
        if (DemoStack.existsIn(root)) {
            stack = DemoStack.attach(root);
            stack.ensureRunning();
            System.err.println("Demo stack in " + root + " is running.");
        } else {
            System.err.println("Starting a demo stack in " + root + " (PostgreSQL, Redis, ChromaDB, sample data)...");
            Files.createDirectories(root);
            stack = DemoStack.start(root);
        }
        // With the Chroma server's stop and start commands, a full restore of the demo backup works too.
        Path properties = stack.writeProperties(root.resolve("demo.properties"), repository.toAbsolutePath(),
                stack.chromaServiceCommands());
        System.err.println("Settings: " + properties);
        int created = BackupManagerCommand.run("--config", properties.toString(), "create", "--type", "full");
        System.out.println();
        int listed = BackupManagerCommand.run("--config", properties.toString(), "list", "--limit", "10");
        String config = folder.resolve("demo.properties").toString();
        System.err.printf("%nNext: ./backup-manager --config %s list | show BACKUP_ID | create --components database%n"
                + "Stop the demo servers: ./backup-manager demo --stop%n", config);
        return created != 0 ? created : listed;
    }
}
