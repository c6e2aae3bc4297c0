package com.customercaregpt.backup.cli;

import com.customercaregpt.backup.app.BackupApplication;
import com.customercaregpt.backup.backup.UsageError;
import com.customercaregpt.backup.config.Settings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import com.customercaregpt.backup.repository.Manifest;

/** The top-level command; each subcommand is one thin class in this package. */
@Command(name = "backup-manager", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT,
        versionProvider = BackupManagerCommand.Version.class,
        description = "Backup and disaster recovery for the CustomerCareGPT platform.",
        subcommands = {CreateCommand.class, ListCommand.class, ShowCommand.class, DeleteCommand.class,
                RestoreCommand.class, VerifyCommand.class, HealthCommand.class, CleanupCommand.class, ReplicateCommand.class, CatalogCommand.class, KeyCommand.class, DemoCommand.class,
                ServeCommand.class, ScheduleCommand.class, WalCommand.class, WarmUpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:the operation failed", "2:bad usage"})
public final class BackupManagerCommand implements Runnable {

    @CommandLine.Mixin
    CliContext cli;

    public static final int FAILED = 1;
    public static final int USAGE = 2;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this), "missing command");
    }

    public static int run(String... args) {
        CommandLine commandLine = new CommandLine(new BackupManagerCommand());
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("backup-manager: error: " + message(e));
            if (cmd.getCommandSpec().root().commandLine().<BackupManagerCommand>getCommand().cli.verbose) {
                e.printStackTrace(cmd.getErr());
            }
            return isUsage(e) ? USAGE : FAILED;
        });
        // a mistyped option or a missing argument: one line too, pointing at the command's help
        commandLine.setParameterExceptionHandler((e, ignoredArgs) -> {
            CommandLine cmd = e.getCommandLine();
            cmd.getErr().println("backup-manager: error: " + message(e) + " (see `"
                    + cmd.getCommandSpec().qualifiedName() + " --help`)");
            return USAGE;
        });
        return commandLine.execute(args);
    }

    private static boolean isUsage(Throwable e) {
        return e instanceof UsageError || e instanceof Settings.SettingsException;
    }

    private static String message(Throwable e) {
        String text = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return text.lines().findFirst().orElse(text);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{"backup-manager " + BackupApplication.toolVersion()
                    + " (repository format " + Manifest.FORMAT_VERSION + ")"};
        }
    }
}
