package com.customercaregpt.backup.component;

import com.customercaregpt.backup.config.Settings;
import com.customercaregpt.backup.pipeline.DaemonThreads;
import com.customercaregpt.backup.pipeline.ExternalTool;

import java.io.File;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/** How to reach the platform's PostgreSQL: JDBC for facts, pg_dump/pg_restore for data. */
public final class PostgresTools {

    private final String host;
    private final int port;
    private final String database;
    private final String user;
    private final String password;
    private final String binDir;

    public PostgresTools(Settings settings) {
        this.host = settings.get("backup.database.host", "localhost");
        this.port = settings.getInt("backup.database.port", 5432);
        this.database = settings.get("backup.database.name", "postgres");
        this.user = settings.get("backup.database.user", "postgres");
        this.password = settings.get("backup.database.password", "");
        this.binDir = settings.get("backup.database.bin-dir", "");
    }

    public String database() {
        return database;
    }

    public String user() {
        return user;
    }

    public Connection connect(String databaseName) throws SQLException {
        return connect(host, port, databaseName);
    }

    /** The same user on another server (a restored copy on a private port). */
    public Connection connect(String serverHost, int serverPort, String databaseName) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", password);
        props.setProperty("connectTimeout", "10");
        props.setProperty("ApplicationName", "backup-manager");
        return DriverManager.getConnection("jdbc:postgresql://" + serverHost + ":" + serverPort + "/" + databaseName,
                props);
    }

    /**
     * Opens and closes one connection to the server on a background thread. A JVM's first
     * connection costs ~0.7 s of CPU (the driver's classes, and SCRAM's 4,096 key-derivation
     * rounds run before the JIT has compiled them); later ones ~0.03 s. A restore calls this
     * before Camel starts, on the core Camel's single-threaded start leaves idle, so that its
     * CREATE DATABASE does not wait for it. A failure here is ignored: the real connection
     * reports it.
     */
    public void warmUpInBackground() {
        DaemonThreads.named("postgres-warm-up").newThread(() -> {
            try (Connection ignored = connect("postgres")) {
                // connected: the classes are loaded and the key derivation compiled
            } catch (SQLException | RuntimeException e) {
                // the restore's own connection names the problem
            }
        }).start();
    }

    /** Connection options for the command line; the password travels in PGPASSWORD only. */
    public List<String> connectionArguments() {
        return List.of("--host=" + host, "--port=" + port, "--username=" + user, "--no-password");
    }

    public Map<String, String> environment() {
        return password.isEmpty() ? Map.of() : Map.of("PGPASSWORD", password);
    }

    /** pg_dump, pg_restore, ...: the configured folder, then PATH, then the newest Debian install. */
    public String tool(String name) {
        List<String> folders = new ArrayList<>();
        if (!binDir.isEmpty()) {
            folders.add(binDir);
        }
        File debian = new File("/usr/lib/postgresql");
        String[] versions = debian.list();
        if (versions != null) {
            Arrays.stream(versions).sorted(Comparator.comparingInt(PostgresTools::major).reversed())
                    .forEach(v -> folders.add(new File(debian, v + "/bin").getPath()));
        }
        String found = binDir.isEmpty() ? ExternalTool.locate(name, List.of()) : null;
        if (found == null) {
            found = ExternalTool.locate(name, folders);
        }
        if (found == null) {
            throw new IllegalStateException(name + " not found (set backup.database.bin-dir)");
        }
        return found;
    }

    private static int major(String version) {
        try {
            return Integer.parseInt(version);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
