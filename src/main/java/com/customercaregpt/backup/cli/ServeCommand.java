package com.customercaregpt.backup.cli;

import com.customercaregpt.backup.app.BackupApplication;
import com.customercaregpt.backup.app.ServiceStop;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

@Command(name = "serve", description = "Run the service: the schedules and the REST API on camel.server.port, until stopped.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"143:stopped by SIGTERM (130 by Ctrl-C), within 15 s whatever it was doing",
                "1:failed to start", "2:bad configuration"})
public final class ServeCommand implements Callable<Integer> {

    @picocli.CommandLine.ParentCommand
    BackupManagerCommand parent;

    @Override
    public Integer call() throws Exception {
        ServiceStop stop = ServiceStop.onSignal();
        BackupApplication app = null;
        try {
            app = BackupApplication.start(parent.cli.settings(), BackupApplication.Mode.SERVICE);
        } finally {
            stop.started(app);
        }
        System.err.println("backup-manager: serving on port " + app.settings().get("camel.server.port", "8080"));
        stop.awaitStop();
        return 0;
    }
}
