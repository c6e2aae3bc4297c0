package com.customercaregpt.backup.catalog;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.postgresql.ds.PGSimpleDataSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.sql.DataSource;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * Creates the catalog database and brings its schema up to date with Flyway, from the numbered
 * migrations in resources/catalog (V001__...sql); all pending ones run in one transaction.
 * A catalog of a release before Flyway (a {@code schema_version} table) is baselined at its highest
 * applied version, so no applied script runs twice. Flyway is loaded only when the history lacks
 * a migration of this build: a plain query tells, and most commands find the catalog current.
 */
public final class CatalogSchema {

    /** Flyway's history table; the releases before Flyway kept theirs in {@value #LEGACY_HISTORY}. */
    static final String HISTORY = "flyway_schema_history";
    static final String LEGACY_HISTORY = "schema_version";
    private static final String LOCATION = "catalog";
    /** The key the hand-written migrator of earlier releases locked: an old and a new instance never migrate at once. */
    private static final long MIGRATION_LOCK = 4242001;
    private static final Pattern VERSIONED = Pattern.compile("V(\\d+)__.+\\.sql");

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
        try (Connection connection = dataSource.getConnection(); Statement st = connection.createStatement()) {
            // Flyway costs most of a second of start-up; a command finds the catalog current far more often
            if (upToDate(connection)) {
                return;
            }
            // Flyway locks against other Flyway runs; this key also waits for a release before Flyway
            st.execute("SELECT pg_advisory_lock(" + MIGRATION_LOCK + ")");
            try {
                FluentConfiguration flyway = flyway(dataSource);
                Integer legacyVersion = legacyVersion(connection);
                if (legacyVersion != null) {
                    flyway.baselineOnMigrate(true)
                            .baselineVersion(String.format("%03d", legacyVersion)) // as the files spell it
                            .baselineDescription("applied before Flyway (" + LEGACY_HISTORY + ")");
                } else {
                    // a catalog in a database that already holds other tables gets every migration, as before Flyway
                    flyway.baselineOnMigrate(true).baselineVersion("0").baselineDescription("empty catalog");
                }
                flyway.load().migrate();
            } catch (FlywayException e) {
                throw new SQLException("catalog migration failed: " + e.getMessage(), e);
            } finally {
                st.execute("SELECT pg_advisory_unlock(" + MIGRATION_LOCK + ")");
            }
        }
    }

    /**
     * True when Flyway's history holds every migration of this build (or a baseline above it);
     * anything it cannot tell for sure (no history, a failed or non-numeric version) is left to Flyway.
     */
    private static boolean upToDate(Connection connection) throws SQLException {
        List<Integer> bundled = bundledVersions();
        if (bundled == null) {
            return false;
        }
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT to_regclass('" + HISTORY + "') IS NOT NULL")) {
            if (!rs.next() || !rs.getBoolean(1)) {
                return false;
            }
        }
        Set<Integer> applied = new HashSet<>();
        int baseline = 0;
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT version, type, success FROM " + HISTORY + " WHERE version IS NOT NULL")) {
            while (rs.next()) {
                Integer version = number(rs.getString(1));
                if (version == null || !rs.getBoolean(3)) {
                    return false;
                }
                if ("BASELINE".equals(rs.getString(2))) {
                    baseline = Math.max(baseline, version);
                } else {
                    applied.add(version);
                }
            }
        }
        for (int version : bundled) {
            if (version > baseline && !applied.contains(version)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The versions of the migrations in this build, listed from the jar or folder this class was
     * loaded from; null when that cannot be read or a name is not V&lt;number&gt;__&lt;name&gt;.sql.
     */
    static List<Integer> bundledVersions() {
        List<String> names;
        try {
            Path source = Path.of(CatalogSchema.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(source)) {
                try (Stream<Path> files = Files.list(source.resolve(LOCATION))) {
                    names = files.map(file -> file.getFileName().toString()).toList();
                }
            } else {
                try (JarFile jar = new JarFile(source.toFile())) {
                    names = jar.stream().map(JarEntry::getName)
                            .filter(name -> name.startsWith(LOCATION + "/") && name.length() > LOCATION.length() + 1)
                            .map(name -> name.substring(LOCATION.length() + 1)).toList();
                }
            }
        } catch (IOException | URISyntaxException | RuntimeException unreadable) {
            return null;
        }
        List<Integer> versions = new ArrayList<>();
        for (String name : names) {
            Matcher versioned = VERSIONED.matcher(name);
            if (!versioned.matches()) {
                return null;
            }
            versions.add(Integer.parseInt(versioned.group(1)));
        }
        return versions;
    }

    private static Integer number(String version) {
        try {
            return Integer.parseInt(version);
        } catch (NumberFormatException notANumber) {
            return null;
        }
    }

    /**
     * Flyway as the catalog uses it: all pending migrations in one transaction, and one merged in
     * later with a lower number than those applied still runs (out of order), as before Flyway.
     */
    static FluentConfiguration flyway(DataSource dataSource) {
        return Flyway.configure(CatalogSchema.class.getClassLoader())
                .dataSource(dataSource)
                .locations("classpath:" + LOCATION)
                .table(HISTORY)
                .group(true)
                .outOfOrder(true)
                .placeholderReplacement(false);
    }

    /** The highest version the hand-written migrator applied, or null when Flyway already keeps the history or there is none. */
    private static Integer legacyVersion(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT to_regclass('" + HISTORY + "') IS NULL AND to_regclass('"
                     + LEGACY_HISTORY + "') IS NOT NULL")) {
            if (!rs.next() || !rs.getBoolean(1)) {
                return null;
            }
        }
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT max(version) FROM " + LEGACY_HISTORY)) {
            return rs.next() && rs.getObject(1) != null ? rs.getInt(1) : null;
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
    public static HikariDataSource pooled(PGSimpleDataSource catalog) {
        HikariConfig config = new HikariConfig();
        config.setDataSource(catalog);
        config.setPoolName("catalog");
        config.setMaximumPoolSize(8);
        config.setMinimumIdle(0);
        config.setInitializationFailTimeout(-1);
        config.setConnectionTimeout(5000);
        return new HikariDataSource(config);
    }
}
