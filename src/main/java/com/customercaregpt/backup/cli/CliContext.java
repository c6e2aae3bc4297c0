package com.customercaregpt.backup.cli;

import com.customercaregpt.backup.app.BackupApplication;
import com.customercaregpt.backup.config.Settings;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.nio.file.Path;
import com.customercaregpt.backup.backup.UsageError;

/** Options every command takes, before or after its name, and the way to start the application. */
public class CliContext {

    @Option(names = "--config", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "Properties file overlaid on application.properties.")
    Path config;

    @Option(names = "--output", paramLabel = "FORMAT", scope = ScopeType.INHERIT, defaultValue = "table",
            description = "table (default) or json.")
    String output;

    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "On an error, also print its stack trace (errors are otherwise one line on stderr).")
    boolean verbose;

    Settings settings() {
        Path home = Path.of(System.getProperty("backup.home", ".")).toAbsolutePath().normalize();
        return Settings.load(home, config, System.getenv());
    }

    BackupApplication startApplication() throws Exception {
        return BackupApplication.start(settings());
    }

    boolean json() {
        if (!"json".equals(output) && !"table".equals(output)) {
            throw new UsageError("--output must be table or json, got '" + output + "'");
        }
        return "json".equals(output);
    }
}
