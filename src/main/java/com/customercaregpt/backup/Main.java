package com.customercaregpt.backup;

import com.customercaregpt.backup.cli.BackupManagerCommand;

/** The backup-manager command line: parses the command and runs the Camel routes in-process. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(BackupManagerCommand.run(args));
    }
}
