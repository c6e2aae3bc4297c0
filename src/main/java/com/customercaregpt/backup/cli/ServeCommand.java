package com.customercaregpt.backup.cli;

import com.customercaregpt.backup.app.BackupApplication;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "serve", description = "Run the service: the schedules and the REST API on camel.server.port, until stopped.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped by a signal", "1:failed to start", "2:bad configuration"})
public final class ServeCommand implements Callable<Integer> {

    @picocli.CommandLine.ParentCommand
    BackupManagerCommand parent;

    @Override
    public Integer call() throws Exception {
        CountDownLatch stopped = new CountDownLatch(1);
        BackupApplication app = BackupApplication.start(parent.cli.settings(), BackupApplication.Mode.SERVICE);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                app.close();
            } catch (Exception e) {
                System.err.println("backup-manager: error: stopping the service: " + e.getMessage());
            } finally {
                stopped.countDown();
            }
        }, "backup-manager-stop"));
        System.err.println("backup-manager: serving on port " + app.settings().get("camel.server.port", "8080"));
        stopped.await();
        return 0;
    }
}
