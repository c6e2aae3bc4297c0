package com.customercaregpt.backup.component;

import com.customercaregpt.backup.backup.StepFailure;
import com.customercaregpt.backup.pipeline.DaemonThreads;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The restored database's row counts against the backup's facts, counted while pg_restore still
 * runs: pg_restore --verbose says when a table's data is committed ("finished item N TABLE DATA
 * name"), and that table is counted then, beside the index builds that follow. What was not
 * counted by the end (or did not match yet) is counted after pg_restore, and only that count can
 * fail the restore. The same lines give pg_restore's first error, which its exit message lacks.
 */
final class RowCountCheck implements AutoCloseable {
    private static final Pattern TABLE_DATA_DONE = Pattern.compile("^pg_restore: finished item \\d+ TABLE DATA (.+)$");
    private static final String ERROR_PREFIX = "pg_restore: error: ";

    private final String component;
    private final String database;
    private final Map<String, Long> expected;
    private final PostgresConnector connector;
    private final Set<String> matched = ConcurrentHashMap.newKeySet();
    private final ExecutorService counter;
    private volatile String firstError;
    /** One connection per counting thread, all closed at the end. */
    private final ThreadLocal<Connection> connection = new ThreadLocal<>();
    private final Queue<Connection> opened = new ConcurrentLinkedQueue<>();

    /** Opens a connection to a database by name (failing with a StepFailure that says so). */
    interface PostgresConnector {
        Connection connect(String database) throws SQLException;
    }

    /** @param expected row count per table, keyed {@code quote_ident(schema).quote_ident(table)} as in the facts */
    RowCountCheck(String component, String database, Map<String, Long> expected, PostgresConnector connector) {
        this.component = component;
        this.database = database;
        this.expected = expected;
        this.connector = connector;
        // Two tables can finish close together (the largest last); each is counted as soon as it is in.
        this.counter = Executors.newFixedThreadPool(2, DaemonThreads.named("restore-row-counts"));
    }

    /** pg_restore's stderr, line by line (called by its stderr follower). */
    void onPgRestoreLine(String line) {
        if (line.startsWith(ERROR_PREFIX) && firstError == null) {
            firstError = line.substring(ERROR_PREFIX.length()).strip();
        }
        Matcher done = TABLE_DATA_DONE.matcher(line);
        if (done.matches()) {
            String table = done.group(1);
            counter.execute(() -> countEarly(table));
        }
    }

    /** pg_restore's first "error:" line, if it printed one. */
    String firstError() {
        return firstError;
    }

    /** Counts the tables named {@code table} (in any schema); a mismatch here is only re-counted later. */
    private void countEarly(String table) {
        try {
            for (String key : keysNamed(table)) {
                Long want = expected.get(key);
                if (want != null && !matched.contains(key) && count(key) == want) {
                    matched.add(key);
                }
            }
        } catch (SQLException | RuntimeException e) {
            // counted again after pg_restore, where a failure is reported
        }
    }

    /**
     * After pg_restore succeeded: counts every table not matched yet and fails on the first
     * difference. Returns how many tables were already checked while pg_restore ran.
     */
    int finish() {
        counter.shutdown();
        try {
            counter.awaitTermination(1, TimeUnit.HOURS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StepFailure(component, "check row counts", "interrupted");
        }
        int early = matched.size();
        for (Map.Entry<String, Long> table : expected.entrySet()) {
            if (matched.contains(table.getKey())) {
                continue;
            }
            long rows;
            try {
                rows = count(table.getKey());
            } catch (SQLException e) {
                throw new StepFailure(component, "check row counts", "cannot count " + table.getKey() + " in "
                        + database + ": " + e.getMessage(), e);
            }
            if (rows != table.getValue()) {
                throw new StepFailure(component, "check row counts", table.getKey() + " has " + rows + " rows in "
                        + database + " but the backup holds " + table.getValue());
            }
            matched.add(table.getKey());
        }
        return early;
    }

    private long count(String qualifiedTable) throws SQLException {
        try (Statement st = connection().createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM ONLY " + qualifiedTable)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The facts' keys of the ordinary tables called {@code table}, in whichever schemas have one. */
    private List<String> keysNamed(String table) throws SQLException {
        List<String> keys = new ArrayList<>();
        try (PreparedStatement st = connection().prepareStatement(
                "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_class c "
                        + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND c.relname = ?")) {
            st.setString(1, table);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    keys.add(rs.getString(1));
                }
            }
        }
        return keys;
    }

    private Connection connection() throws SQLException {
        Connection mine = connection.get();
        if (mine == null) {
            mine = connector.connect(database);
            opened.add(mine);
            connection.set(mine);
            try (Statement st = mine.createStatement()) {
                // One count per table: compiling it to machine code (JIT) costs more than it saves.
                st.execute("SET jit = off");
            }
        }
        return mine;
    }

    @Override
    public void close() {
        counter.shutdownNow();
        for (Connection c; (c = opened.poll()) != null; ) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // the database is dropped or swapped next; the server ends the session
            }
        }
    }
}
