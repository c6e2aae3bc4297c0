package com.customercaregpt.backup.wal;

import com.customercaregpt.backup.backup.StepFailure;
import com.customercaregpt.backup.component.ComponentContext;
import com.customercaregpt.backup.component.PostgresTools;
import com.customercaregpt.backup.component.SchemaObjects;
import com.customercaregpt.backup.component.Verification;
import com.customercaregpt.backup.pipeline.ArtifactOutput;
import com.customercaregpt.backup.pipeline.ExternalTool;
import com.customercaregpt.backup.pipeline.PrivateFiles;
import com.customercaregpt.backup.repository.Manifest.Artifact;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A physical base backup of the whole cluster: {@code pg_basebackup --format=tar --wal-method=fetch}, each tar
 * streamed through the pipeline into its artifact. Without tablespaces the one tar comes from stdout
 * ({@code --pgdata=-}) straight into {@code base.tar}; pg_basebackup writes a tar per tablespace only into a
 * folder, so a cluster with tablespaces is backed up into scratch and each tar ({@code base.tar},
 * {@code tablespace-<oid>.tar}, and {@code backup_manifest}) streamed from there and removed. With fetch, the WAL
 * written during the backup is inside base.tar, so the backup restores even without the WAL archive.
 */
public final class BaseBackup {

    public static final String ARTIFACT = "base.tar";
    public static final String FORMAT = "pg_basebackup-tar";
    /** One tablespace's tar: its folder's content (PG_<version>_<catalog>/...), restored at its location. */
    public static final String TABLESPACE_FORMAT = "pg_basebackup-tablespace-tar";
    public static final String MANIFEST = "backup_manifest";
    public static final String MANIFEST_FORMAT = "pg_basebackup-manifest";
    private static final String TABLESPACE_PREFIX = "tablespace-";
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

    /** The artifact of one tablespace's tar. */
    public static String tablespaceArtifact(String oid) {
        return TABLESPACE_PREFIX + oid + ".tar";
    }

    /** Streams the base backup into {@code database/base.tar} (and a tar per tablespace) and returns its facts. */
    public Map<String, Object> backup(ComponentContext context) throws Exception {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("backup_kind", PHYSICAL);
        Map<String, String> tablespaces;
        try (Connection connection = connect()) {
            tablespaces = tablespaces(connection);
            facts.putAll(serverFacts(connection));
        }
        facts.put("start_time", Instant.now().toString());
        List<String> command = new ArrayList<>(List.of(tool("pg_basebackup"), "--format=tar",
                "--wal-method=fetch", "--checkpoint=fast", "--verbose", "--label=backup-manager"));
        command.addAll(wal.connectionArguments());
        Map<String, String> positions = new LinkedHashMap<>();
        ExternalTool pgBasebackup = new ExternalTool(NAME, "pg_basebackup").followingStderr(line -> {
            Matcher start = START.matcher(line);
            if (start.find()) {
                positions.put("start_lsn", start.group(1));
                positions.put("timeline", start.group(2));
            }
            Matcher end = END.matcher(line);
            if (end.find()) {
                positions.put("end_lsn", end.group(1));
            }
        });
        if (tablespaces.isEmpty()) {
            command.add("--pgdata=-");
            try (ArtifactOutput out = context.newArtifact(ARTIFACT, FORMAT)) {
                pgBasebackup.streamTo(command, wal.environment(), null, out);
                out.commit();
            }
        } else {
            tablespaces = backUpWithTablespaces(context, pgBasebackup, command, tablespaces);
        }
        facts.put("end_time", Instant.now().toString());
        if (!positions.containsKey("start_lsn") || !positions.containsKey("end_lsn")) {
            throw new StepFailure(NAME, "pg_basebackup", "pg_basebackup did not report its WAL start and end points");
        }
        facts.put("start_lsn", positions.get("start_lsn"));
        facts.put("end_lsn", positions.get("end_lsn"));
        facts.put("timeline", Integer.parseInt(positions.get("timeline")));
        facts.put("tablespaces", tablespaces);
        facts.put("pg_basebackup_version", new ExternalTool(NAME, "pg_basebackup --version")
                .capture(List.of(tool("pg_basebackup"), "--version"), Map.of(), null).strip());
        return facts;
    }

    /**
     * pg_basebackup writes a tar per tablespace only into a folder: into scratch, then each tar through the
     * pipeline, removed as soon as it is stored. Returns oid -> location of the tablespaces in the backup.
     */
    private Map<String, String> backUpWithTablespaces(ComponentContext context, ExternalTool pgBasebackup,
                                                      List<String> command, Map<String, String> before)
            throws Exception {
        Path folder = context.scratch().resolve("pg_basebackup");
        List<String> toFolder = new ArrayList<>(command);
        toFolder.add("--pgdata=" + folder);
        pgBasebackup.capture(toFolder, wal.environment(), null);
        Map<String, String> locations = new TreeMap<>(before);
        try (Connection connection = connect()) {
            // a tablespace created while pg_basebackup ran is in the backup too
            locations.putAll(tablespaces(connection));
        }
        Map<String, String> inBackup = new TreeMap<>();
        List<Path> tars;
        try (Stream<Path> files = Files.list(folder)) {
            tars = files.filter(f -> f.getFileName().toString().endsWith(".tar")).sorted().toList();
        }
        for (Path tar : tars) {
            String oid = tar.getFileName().toString().replaceFirst("\\.tar$", "");
            if (ARTIFACT.equals(tar.getFileName().toString())) {
                store(context, tar, ARTIFACT, FORMAT);
            } else if (locations.containsKey(oid)) {
                store(context, tar, tablespaceArtifact(oid), TABLESPACE_FORMAT);
                inBackup.put(oid, locations.get(oid));
            } else {
                throw new StepFailure(NAME, "base backup", "pg_basebackup wrote " + tar.getFileName()
                        + ", which names no tablespace of the cluster");
            }
        }
        store(context, folder.resolve(MANIFEST), MANIFEST, MANIFEST_FORMAT);
        return inBackup;
    }

    private static void store(ComponentContext context, Path file, String artifact, String format) throws IOException {
        try (ArtifactOutput out = context.newArtifact(artifact, format)) {
            Files.copy(file, out);
            out.commit();
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** oid -> location of each tablespace outside the data folder. */
    private static Map<String, String> tablespaces(Connection connection) throws SQLException {
        Map<String, String> locations = new TreeMap<>();
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT oid::text, pg_tablespace_location(oid) FROM pg_tablespace "
                        + "WHERE spcname NOT IN ('pg_default', 'pg_global')")) {
            while (rs.next()) {
                locations.put(rs.getString(1), rs.getString(2));
            }
        }
        return locations;
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

    /** True for the artifacts of a base backup: base.tar, a tablespace's tar, the backup manifest. */
    public static boolean holds(Artifact artifact) {
        return FORMAT.equals(artifact.format()) || TABLESPACE_FORMAT.equals(artifact.format())
                || MANIFEST_FORMAT.equals(artifact.format());
    }

    /**
     * tar --list of the base backup: a readable tar holding backup_label and the fetched WAL; a tablespace's
     * tar readable; the manifest read whole (its checksum).
     */
    public static void verify(Verification v) throws Exception {
        if (MANIFEST_FORMAT.equals(v.artifact().format())) {
            try (InputStream in = v.reader().openDecompressed(v.artifact())) {
                in.transferTo(OutputStream.nullOutputStream());
            }
            return;
        }
        Path listing = PrivateFiles.createEmpty(v.scratch().resolve("base-listing.txt"));
        try (InputStream tar = v.reader().openDecompressed(v.artifact())) {
            new ExternalTool(NAME, "tar -t").streamFrom(List.of("sh", "-c", "tar --list --file=- > \"$0\"",
                    listing.toString()), Map.of(), null, tar);
        }
        if (FORMAT.equals(v.artifact().format()) && Files.readAllLines(listing).stream().noneMatch("backup_label"::equals)) {
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
