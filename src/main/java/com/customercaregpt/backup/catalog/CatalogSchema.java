package com.customercaregpt.backup.catalog;

import org.postgresql.ds.PGSimpleDataSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Creates the catalog database and brings its schema up to date with the numbered migrations in
 * resources/catalog (V001__...sql), each applied once, in order; all pending ones run in one transaction under an advisory lock.
 * A migration's version is the number in its file name, not its place in the list, and every version
 * not yet applied runs (not only those above the highest applied): a migration merged in later
 * with a lower number than ones already applied still runs once.
 */
public final class CatalogSchema {

    static final List<String> MIGRATIONS = List.of("V001__catalog.sql", "V002__operations.sql", "V003__quartz.sql",
            "V004__schedules.sql", "V005__catalog_changes.sql");

    private static final java.util.regex.Pattern VERSIONED = java.util.regex.Pattern.compile("V(\\d+)__.+\\.sql");

    private final PGSimpleDataSource dataSource;
    private volatile boolean ready;

    public CatalogSchema(PGSimpleDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Idempotent and cheap after the first call: routes call it before every catalog write. */
    public void ensureReady() throws SQLException {
        if (ready) {
            return;
        }
        synchronized (this) {
            if (!ready) {
                createDatabaseIfMissing();
                migrate();
                ready = true;
            }
        }
    }

    private void createDatabaseIfMissing() throws SQLException {
        try (Connection ignored = dataSource.getConnection()) {
            return;
        } catch (SQLException e) {
            if (!"3D000".equals(e.getSQLState())) {
                throw e;
            }
        }
        PGSimpleDataSource maintenance = new PGSimpleDataSource();
        maintenance.setURL(dataSource.getURL());
        maintenance.setDatabaseName("postgres");
        maintenance.setUser(dataSource.getUser());
        maintenance.setPassword(dataSource.getPassword());
        maintenance.setConnectTimeout(dataSource.getConnectTimeout());
        try (Connection connection = maintenance.getConnection(); Statement st = connection.createStatement()) {
            st.execute("CREATE DATABASE \"" + dataSource.getDatabaseName().replace("\"", "\"\"") + "\"");
        } catch (SQLException e) {
            // created meanwhile by another instance: 42P04, or 23505 when both raced inside the catalog
            if (!"42P04".equals(e.getSQLState()) && !"23505".equals(e.getSQLState())) {
                throw e;
            }
        }
    }

    private void migrate() throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (Statement st = connection.createStatement()) {
                // one migrator at a time, across instances (taken first: even CREATE TABLE IF NOT
                // EXISTS fails when two sessions run it at the same moment)
                st.execute("SELECT pg_advisory_xact_lock(4242001)");
                st.execute("CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY, "
                        + "script text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
            }
            java.util.Set<Integer> applied = new java.util.HashSet<>();
            try (Statement st = connection.createStatement();
                 ResultSet rs = st.executeQuery("SELECT version FROM schema_version")) {
                while (rs.next()) {
                    applied.add(rs.getInt(1));
                }
            }
            for (String script : MIGRATIONS) {
                int version = version(script);
                if (applied.contains(version)) {
                    continue;
                }
                try (Statement st = connection.createStatement()) {
                    st.execute(read(script));
                }
                try (PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO schema_version (version, script) VALUES (?, ?)")) {
                    insert.setInt(1, version);
                    insert.setString(2, script);
                    insert.executeUpdate();
                }
            }
            connection.commit();
        }
    }

    /** V003__quartz.sql is version 3. */
    static int version(String script) {
        java.util.regex.Matcher m = VERSIONED.matcher(script);
        if (!m.matches()) {
            throw new IllegalStateException("migration " + script + " is not named V<number>__<name>.sql");
        }
        return Integer.parseInt(m.group(1));
    }

    private static String read(String script) throws SQLException {
        try (InputStream in = CatalogSchema.class.getResourceAsStream("/catalog/" + script)) {
            if (in == null) {
                throw new SQLException("migration " + script + " is missing from the build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SQLException("cannot read migration " + script, e);
        }
    }

    public static PGSimpleDataSource dataSource(String url, String user, String password) {
        PGSimpleDataSource dataSource = durableDataSource(url, user, password);
        // The catalog is an index the repository rebuilds (catalog rebuild), so its commits do not
        // wait for the server's WAL flush: on a busy disk (a restore or an upload just wrote
        // gigabytes) that wait was 0.7 s per command. A server crash loses at most the last
        // moments of catalog rows, which a rebuild brings back; the data itself is in the repository.
        String options = dataSource.getOptions();
        dataSource.setOptions((options == null || options.isBlank() ? "" : options + " ") + "-c synchronous_commit=off");
        return dataSource;
    }

    /** For state that is not in the repository and must survive a server crash (Quartz's triggers). */
    public static PGSimpleDataSource durableDataSource(String url, String user, String password) {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setURL(url);
        dataSource.setUser(user);
        dataSource.setPassword(password);
        dataSource.setConnectTimeout(3);
        // SCRAM's key derivation in a JVM that has just started is slow on a busy host: 5 s was not enough
        dataSource.setLoginTimeout(10);
        dataSource.setApplicationName("backup-manager");
        return dataSource;
    }

    /**
     * The service's view of the catalog: a small connection pool (the REST API answers many short
     * queries). It starts empty, so the service starts while the catalog is still down.
     */
    public static com.zaxxer.hikari.HikariDataSource pooled(PGSimpleDataSource catalog) {
        com.zaxxer.hikari.HikariConfig config = new com.zaxxer.hikari.HikariConfig();
        config.setDataSource(catalog);
        config.setPoolName("catalog");
        config.setMaximumPoolSize(8);
        config.setMinimumIdle(0);
        config.setInitializationFailTimeout(-1);
        config.setConnectionTimeout(5000);
        return new com.zaxxer.hikari.HikariDataSource(config);
    }
}
