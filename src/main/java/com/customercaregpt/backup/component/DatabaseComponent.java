package com.customercaregpt.backup.component;

import com.customercaregpt.backup.backup.StepFailure;
import com.customercaregpt.backup.pipeline.ArtifactOutput;
import com.customercaregpt.backup.pipeline.ExternalTool;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * PostgreSQL, as a pg_dump custom-format archive. pg_dump runs uncompressed (-Z0) and the
 * pipeline compresses once. The facts (row counts) are counted in the very snapshot pg_dump
 * dumps, exported from our own transaction, so they match the archive exactly.
 */
public final class DatabaseComponent implements BackupComponent {

    public static final String NAME = "database";
    public static final String ARTIFACT = "database.dump";
    public static final String FORMAT = "pg_dump-custom";

    private final PostgresTools postgres;

    public DatabaseComponent(PostgresTools postgres) {
        this.postgres = postgres;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Map<String, Object> backup(ComponentContext context) throws Exception {
        String pgDump = toolOrFail("pg_dump");
        try (Connection snapshotHolder = connectOrFail()) {
            String snapshot = exportSnapshot(snapshotHolder);
            List<String> command = new ArrayList<>(List.of(pgDump, "--format=custom", "--compress=0",
                    "--snapshot=" + snapshot, "--dbname=" + postgres.database()));
            command.addAll(postgres.connectionArguments());

            try (ArtifactOutput out = context.newArtifact(ARTIFACT, FORMAT)) {
                // Count rows while pg_dump streams: both read the same snapshot.
                CompletableFuture<Void> dump = CompletableFuture.runAsync(() ->
                        new ExternalTool(NAME, "pg_dump").streamTo(command, postgres.environment(), null, out));
                Map<String, Object> facts;
                try {
                    facts = facts(snapshotHolder);
                } finally {
                    joinUnwrapped(dump);
                }
                out.commit();
                facts.put("pg_dump_version", pgDumpVersion(pgDump));
                return facts;
            }
        }
    }

    private String toolOrFail(String name) {
        try {
            return postgres.tool(name);
        } catch (IllegalStateException e) {
            throw new StepFailure(NAME, "locate tools", e.getMessage());
        }
    }

    private Connection connectOrFail() {
        try {
            return postgres.connect(postgres.database());
        } catch (SQLException e) {
            throw new StepFailure(NAME, "connect", "cannot connect to database '" + postgres.database() + "': "
                    + firstLine(e.getMessage()), e);
        }
    }

    private static String exportSnapshot(Connection connection) throws SQLException {
        connection.setAutoCommit(false);
        connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        connection.setReadOnly(true);
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_export_snapshot()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private Map<String, Object> facts(Connection connection) throws SQLException {
        Map<String, Object> facts = new LinkedHashMap<>();
        Map<String, Long> rowCounts = new TreeMap<>();
        try (Statement st = connection.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT current_setting('server_version'), "
                    + "pg_database_size(current_database()), current_database()")) {
                rs.next();
                facts.put("server_version", rs.getString(1));
                facts.put("database_size_bytes", rs.getLong(2));
                facts.put("database", rs.getString(3));
            }
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) "
                    + "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    + "WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
                    + "AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%' ORDER BY 1")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            for (String table : tables) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM ONLY " + table)) {
                    rs.next();
                    rowCounts.put(table, rs.getLong(1));
                }
            }
        }
        facts.put("table_count", rowCounts.size());
        facts.put("row_counts", rowCounts);
        return facts;
    }

    private String pgDumpVersion(String pgDump) {
        return new ExternalTool(NAME, "pg_dump --version").capture(List.of(pgDump, "--version"), Map.of(), null).strip();
    }

    static void joinUnwrapped(CompletableFuture<?> future) throws Exception {
        try {
            future.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    private static String firstLine(String message) {
        return message == null ? "" : message.lines().findFirst().orElse("");
    }
}
