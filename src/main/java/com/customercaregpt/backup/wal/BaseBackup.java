package com.customercaregpt.backup.wal;

import com.customercaregpt.backup.backup.StepFailure;
import com.customercaregpt.backup.component.ComponentContext;
import com.customercaregpt.backup.component.PostgresTools;
import com.customercaregpt.backup.component.SchemaObjects;
import com.customercaregpt.backup.component.Verification;
import com.customercaregpt.backup.pipeline.ArtifactOutput;
import com.customercaregpt.backup.pipeline.ExternalTool;
import com.customercaregpt.backup.pipeline.PrivateFiles;

import java.io.InputStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A physical base backup of the whole cluster: {@code pg_basebackup --format=tar --pgdata=- --wal-method=fetch},
 * its tar streamed through the pipeline into one artifact. With fetch, the WAL written during the backup is
 * inside the tar, so the backup restores even without the WAL archive; the archive takes it further in time.
 */
public final class BaseBackup {

    public static final String ARTIFACT = "base.tar";
    public static final String FORMAT = "pg_basebackup-tar";
    /** facts "backup_kind": a base backup (restored as a data folder), not a pg_dump. */
    public static final String PHYSICAL = "physical";
    private static final String NAME = "database";
    private static final Pattern START = Pattern.compile("write-ahead log start point: ([0-9A-Fa-f]+/[0-9A-Fa-f]+) on timeline (\\d+)");
    private static final Pattern END = Pattern.compile("write-ahead log end point: ([0-9A-Fa-f]+/[0-9A-Fa-f]+)");

    private final PostgresTools postgres;
    private final WalSettings wal;

    public BaseBackup(PostgresTools postgres, WalSettings wal) {
        this.postgres = postgres;
        this.wal = wal;
    }

    /** Streams the base backup into {@code database/base.tar} and returns its facts. */
    public Map<String, Object> backup(ComponentContext context) throws Exception {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("backup_kind", PHYSICAL);
        try (Connection connection = connect()) {
            refuseTablespaces(connection);
            facts.putAll(serverFacts(connection));
        }
        facts.put("start_time", Instant.now().toString());
        List<String> command = new ArrayList<>(List.of(tool("pg_basebackup"), "--pgdata=-", "--format=tar",
                "--wal-method=fetch", "--checkpoint=fast", "--verbose", "--label=backup-manager"));
        command.addAll(wal.connectionArguments());
        Map<String, String> positions = new LinkedHashMap<>();
        try (ArtifactOutput out = context.newArtifact(ARTIFACT, FORMAT)) {
            new ExternalTool(NAME, "pg_basebackup").followingStderr(line -> {
                Matcher start = START.matcher(line);
                if (start.find()) {
                    positions.put("start_lsn", start.group(1));
                    positions.put("timeline", start.group(2));
                }
                Matcher end = END.matcher(line);
                if (end.find()) {
                    positions.put("end_lsn", end.group(1));
                }
            }).streamTo(command, wal.environment(), null, out);
            out.commit();
        }
        facts.put("end_time", Instant.now().toString());
        if (!positions.containsKey("start_lsn") || !positions.containsKey("end_lsn")) {
            throw new StepFailure(NAME, "pg_basebackup", "pg_basebackup did not report its WAL start and end points");
        }
        facts.put("start_lsn", positions.get("start_lsn"));
        facts.put("end_lsn", positions.get("end_lsn"));
        facts.put("timeline", Integer.parseInt(positions.get("timeline")));
        facts.put("pg_basebackup_version", new ExternalTool(NAME, "pg_basebackup --version")
                .capture(List.of(tool("pg_basebackup"), "--version"), Map.of(), null).strip());
        return facts;
    }

    /** pg_basebackup writes one tar to stdout only without tablespaces: name them rather than lose them. */
    private static void refuseTablespaces(Connection connection) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT spcname FROM pg_tablespace WHERE spcname NOT IN ('pg_default', 'pg_global') ORDER BY 1")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        if (!names.isEmpty()) {
            throw new StepFailure(NAME, "base backup", "the cluster has tablespaces " + String.join(", ", names)
                    + ", which a streamed base backup cannot hold; move them to pg_default or set backup.wal.enabled=false");
        }
    }

    private Map<String, Object> serverFacts(Connection connection) throws SQLException {
        Map<String, Object> facts = new LinkedHashMap<>();
        try (Statement st = connection.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT current_setting('server_version'), current_database(), "
                    + "pg_database_size(current_database()), (SELECT setting::bigint FROM pg_settings WHERE name = 'wal_segment_size'), "
                    + "current_setting('data_directory', true)")) {
                rs.next();
                facts.put("server_version", rs.getString(1));
                facts.put("database", rs.getString(2));
                facts.put("database_size_bytes", rs.getLong(3));
                facts.put("wal_segment_size", rs.getLong(4));
            }
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) "
                    + "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    + "WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
                    + "AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%' ORDER BY 1")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            facts.put("tables", tables);
        }
        facts.put(SchemaObjects.FACT, SchemaObjects.read(connection));
        return facts;
    }

    /** tar --list of the base backup: a readable tar holding backup_label and the fetched WAL. */
    public static void verify(Verification v) throws Exception {
        java.nio.file.Path listing = PrivateFiles.createEmpty(v.scratch().resolve("base-listing.txt"));
        try (InputStream tar = v.reader().openDecompressed(v.artifact())) {
            new ExternalTool(NAME, "tar -t").streamFrom(List.of("sh", "-c", "tar --list --file=- > \"$0\"",
                    listing.toString()), Map.of(), null, tar);
        }
        if (java.nio.file.Files.readAllLines(listing).stream().noneMatch("backup_label"::equals)) {
            throw new StepFailure(NAME, "verify base backup", v.artifact().path() + " holds no backup_label");
        }
    }

    private Connection connect() {
        try {
            return postgres.connect(postgres.database());
        } catch (SQLException e) {
            throw new StepFailure(NAME, "connect", "cannot connect to database '" + postgres.database() + "': "
                    + e.getMessage().lines().findFirst().orElse(""), e);
        }
    }

    private String tool(String name) {
        try {
            return postgres.tool(name);
        } catch (IllegalStateException e) {
            throw new StepFailure(NAME, "locate tools", e.getMessage());
        }
    }
}
