package com.customercaregpt.backup.demo;

import static com.customercaregpt.backup.demo.LocalServerSupport.HOST;
import static com.customercaregpt.backup.demo.LocalServerSupport.STARTUP_TIMEOUT;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * A throw-away PostgreSQL 15 cluster on 127.0.0.1, living entirely in one folder:
 * {@code data/} (PGDATA), {@code socket/}, {@code postgres.log} and {@code state.properties}.
 * The superuser {@code postgres} has a random password and TCP connections need it (scram-sha-256).
 *
 * <p>When the JVM runs as root the server runs as OS user {@code postgres}, because initdb refuses root.
 */
public final class LocalPostgres implements AutoCloseable {

    /** Runs against the result of {@link #query}. */
    @FunctionalInterface
    public interface ResultSetHandler<T> {
        T handle(ResultSet resultSet) throws SQLException;
    }

    private static final String OS_USER = "postgres";
    private static final String SUPERUSER = "postgres";
    /** System property that points to another PostgreSQL bin folder (initdb, pg_ctl). */
    public static final String BIN_DIR_PROPERTY = "backup.postgres.bindir";
    private static final String DEFAULT_BIN_DIR = "/usr/lib/postgresql/15/bin";
    // Unix-domain socket paths are limited to 107 bytes; ".s.PGSQL.65535" is appended to the folder.
    private static final int MAX_SOCKET_FOLDER_LENGTH = 107 - ".s.PGSQL.65535".length() - 1;

    private final Path folder;
    private final int port;
    private final String password;
    private final boolean ownsFolder;

    private LocalPostgres(Path folder, int port, String password, boolean ownsFolder) {
        this.folder = folder;
        this.port = port;
        this.password = password;
        this.ownsFolder = ownsFolder;
    }

    /** Creates a new cluster in {@code folder} (which must not hold one yet) and starts it. */
    public static LocalPostgres start(Path folder) {
        return create(LocalServerSupport.createFolder(folder), false);
    }

    /** Like {@link #start(Path)} in a new temp folder that {@link #close()} deletes. */
    public static LocalPostgres startTemporary() {
        return create(LocalServerSupport.createTempFolder("local-postgres-"), true);
    }

    /** Reconnects to a cluster that {@link #start(Path)} created earlier, e.g. in another JVM, to use or stop it. */
    public static LocalPostgres attach(Path folder) {
        Path absolute = folder.toAbsolutePath().normalize();
        Properties state = LocalServerSupport.readState(absolute);
        return new LocalPostgres(absolute,
                Integer.parseInt(LocalServerSupport.required(state, "port", absolute)),
                LocalServerSupport.required(state, "password", absolute), false);
    }

    private static LocalPostgres create(Path folder, boolean ownsFolder) {
        Path socketFolder = folder.resolve("socket");
        if (socketFolder.toString().length() > MAX_SOCKET_FOLDER_LENGTH) {
            throw new IllegalArgumentException("Folder path too long for a PostgreSQL Unix socket (max "
                    + MAX_SOCKET_FOLDER_LENGTH + " characters): " + socketFolder);
        }
        LocalPostgres postgres = new LocalPostgres(folder, LocalServerSupport.freePort(),
                LocalServerSupport.randomPassword(24), ownsFolder);
        try {
            postgres.initCluster();
            postgres.writeState();
            postgres.start();
            return postgres;
        } catch (RuntimeException e) {
            postgres.closeQuietlyAfterFailure(e);
            throw e;
        }
    }

    private void initCluster() {
        Path dataFolder = dataFolder();
        if (Files.exists(dataFolder.resolve("PG_VERSION"))) {
            throw new IllegalStateException(dataFolder + " already holds a PostgreSQL cluster;"
                    + " use LocalPostgres.attach(" + folder + ") or an empty folder");
        }
        if (LocalServerSupport.isRoot()) {
            LocalServerSupport.requireTraversableByOthers(folder, OS_USER);
        }
        LocalServerSupport.createFolder(dataFolder);
        LocalServerSupport.createFolder(socketFolder());
        LocalServerSupport.appendToLog(logFile(), "");
        Path passwordFile = folder.resolve("initdb-password");
        LocalServerSupport.writePrivateFile(passwordFile, password + "\n");
        for (Path path : List.of(dataFolder, socketFolder(), logFile(), passwordFile)) {
            LocalServerSupport.chownTo(OS_USER, path);
        }
        try {
            // The password goes through --pwfile so it never shows on a command line or in the log.
            LocalServerSupport.runChecked(asServerUser(
                            bin("initdb"), "-D", dataFolder.toString(), "-U", SUPERUSER,
                            "--pwfile=" + passwordFile, "--auth-host=scram-sha-256", "--auth-local=scram-sha-256",
                            "--encoding=UTF8", "--locale=C", "--no-instructions", "--no-sync"),
                    folder, logFile(), STARTUP_TIMEOUT);
        } finally {
            try {
                Files.deleteIfExists(passwordFile);
            } catch (IOException e) {
                throw new UncheckedIOException("Could not delete " + passwordFile, e);
            }
        }
        // Later settings in postgresql.conf win, so appending is enough.
        LocalServerSupport.appendToLog(dataFolder.resolve("postgresql.conf"), String.join("\n",
                "",
                "# Added by LocalPostgres: a private server for demos and tests",
                "listen_addresses = '" + HOST + "'",
                "port = " + port,
                "unix_socket_directories = " + sqlLiteral(socketFolder().toString()),
                "max_connections = 50",
                "fsync = off",
                "wal_level = replica",
                "logging_collector = off",
                "log_destination = 'stderr'",
                "log_line_prefix = '%m [%p] %q%u@%d '",
                ""));
    }

    private void writeState() {
        Properties state = new Properties();
        state.setProperty("host", HOST);
        state.setProperty("port", Integer.toString(port));
        state.setProperty("user", SUPERUSER);
        state.setProperty("password", password);
        state.setProperty("pidFile", pidFile().toString());
        state.setProperty("dataFolder", dataFolder().toString());
        state.setProperty("logFile", logFile().toString());
        LocalServerSupport.writeState(folder, state, "LocalPostgres (read by LocalPostgres.attach)");
    }

    /** Starts the server again (same port, same data); does nothing if it runs. */
    public synchronized void start() {
        if (isRunning()) {
            return;
        }
        LocalServerSupport.runChecked(asServerUser(
                        bin("pg_ctl"), "-D", dataFolder().toString(), "-l", logFile().toString(),
                        "-w", "-t", Long.toString(STARTUP_TIMEOUT.toSeconds()), "start"),
                folder, logFile(), STARTUP_TIMEOUT.plusSeconds(10));
        LocalServerSupport.awaitReady("PostgreSQL on port " + port, STARTUP_TIMEOUT,
                this::acceptsConnections, this::isRunning, logFile());
    }

    /** Fast shutdown (clients are disconnected, no crash recovery needed on start); idempotent. */
    public synchronized void stop() {
        if (!Files.exists(pidFile())) {
            return;
        }
        int exitCode = LocalServerSupport.run(asServerUser(
                        bin("pg_ctl"), "-D", dataFolder().toString(), "-m", "fast",
                        "-w", "-t", Long.toString(LocalServerSupport.SHUTDOWN_TIMEOUT.toSeconds()), "stop"),
                folder, logFile(), LocalServerSupport.SHUTDOWN_TIMEOUT.plusSeconds(10));
        if (exitCode != 0 && isRunning()) {
            throw new IllegalStateException("pg_ctl stop failed with exit code " + exitCode + " for " + folder
                    + "\n" + LocalServerSupport.logTail(logFile()));
        }
    }

    public boolean isRunning() {
        return LocalServerSupport.isAlive(pidFile());
    }

    /** Stops the server; a folder made by {@link #startTemporary()} is deleted too. */
    @Override
    public void close() {
        stop();
        if (ownsFolder) {
            LocalServerSupport.deleteRecursively(folder);
        }
    }

    public String host() {
        return HOST;
    }

    public int port() {
        return port;
    }

    public String user() {
        return SUPERUSER;
    }

    public String password() {
        return password;
    }

    public Path folder() {
        return folder;
    }

    /** PGDATA: what a file-level backup of this cluster copies. */
    public Path dataFolder() {
        return folder.resolve("data");
    }

    public Path logFile() {
        return folder.resolve("postgres.log");
    }

    public Path pidFile() {
        return dataFolder().resolve("postmaster.pid");
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + HOST + ":" + port + "/" + database;
    }

    /** A new connection as the superuser; the caller closes it. */
    public Connection connect(String database) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", SUPERUSER);
        properties.setProperty("password", password);
        properties.setProperty("connectTimeout", "10");
        return DriverManager.getConnection(jdbcUrl(database), properties);
    }

    public boolean databaseExists(String name) {
        return query("postgres", "SELECT count(*) FROM pg_database WHERE datname = " + sqlLiteral(name),
                resultSet -> resultSet.next() && resultSet.getLong(1) > 0);
    }

    public void createDatabase(String name) {
        execute("postgres", "CREATE DATABASE " + sqlIdentifier(name));
    }

    /** Runs one or more statements (separated by ';') in their own connection. */
    public void execute(String database, String sql) {
        try (Connection connection = connect(database); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw sqlFailure(database, sql, e);
        }
    }

    public <T> T query(String database, String sql, ResultSetHandler<T> handler) {
        try (Connection connection = connect(database);
             Statement statement = connection.createStatement();
             ResultSet resultSet = statement.executeQuery(sql)) {
            return handler.handle(resultSet);
        } catch (SQLException e) {
            throw sqlFailure(database, sql, e);
        }
    }

    /** The first column of the first row as a long, e.g. for {@code SELECT count(*) ...}. */
    public long queryLong(String database, String sql) {
        return query(database, sql, resultSet -> {
            if (!resultSet.next()) {
                throw new SQLException("Query returned no row");
            }
            return resultSet.getLong(1);
        });
    }

    static String sqlIdentifier(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    static String sqlLiteral(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    private IllegalStateException sqlFailure(String database, String sql, SQLException e) {
        String shortSql = sql.length() > 200 ? sql.substring(0, 200) + "..." : sql;
        return new IllegalStateException("SQL failed on " + jdbcUrl(database) + ": " + e.getMessage()
                + "\n  statement: " + shortSql, e);
    }

    private boolean acceptsConnections() {
        try (Connection connection = connect("postgres")) {
            return connection.isValid(5);
        } catch (SQLException e) {
            return false;
        }
    }

    private void closeQuietlyAfterFailure(RuntimeException failure) {
        try {
            close();
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    private Path socketFolder() {
        return folder.resolve("socket");
    }

    private static String bin(String name) {
        return Path.of(System.getProperty(BIN_DIR_PROPERTY, DEFAULT_BIN_DIR), name).toString();
    }

    private static List<String> asServerUser(String... command) {
        return LocalServerSupport.asUser(OS_USER, new ArrayList<>(List.of(command)));
    }

}
