package com.customercaregpt.backup.component;

import com.customercaregpt.backup.pipeline.PrivateFiles;
import com.customercaregpt.backup.pipeline.Streams;
import com.customercaregpt.backup.repository.BuildRecord;
import com.customercaregpt.backup.backup.StepFailure;
import com.customercaregpt.backup.pipeline.ArtifactOutput;
import com.customercaregpt.backup.pipeline.ExternalTool;

import com.customercaregpt.backup.backup.Sizes;
import com.customercaregpt.backup.config.Settings;
import com.customercaregpt.backup.config.Settings.SettingsException;
import com.customercaregpt.backup.repository.Manifest.Artifact;
import com.customercaregpt.backup.wal.ArchivedSegment;
import com.customercaregpt.backup.wal.BaseBackup;
import com.customercaregpt.backup.wal.BasePoint;
import com.customercaregpt.backup.wal.PointInTimeRestore;
import com.customercaregpt.backup.wal.WalArchive;
import com.customercaregpt.backup.wal.WalPoint;
import com.customercaregpt.backup.wal.WalSettings;
import com.customercaregpt.backup.wal.WalTimeline;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * PostgreSQL, dumped by pg_dump in its directory format (one artifact per table file, table of
 * contents first; the default) or, with backup.database.dump-format=custom, as one custom-format
 * archive. pg_dump writes uncompressed into scratch and the pipeline compresses once.
 */
public final class DatabaseComponent implements BackupComponent {
    private static final Logger LOG = LoggerFactory.getLogger(DatabaseComponent.class);

    public static final String NAME = "database";
    private static final ComponentInfo INFO = new ComponentInfo(NAME, RestoreTarget.DATABASE, "server database");
    public static final String ARTIFACT = "database.dump";
    /** The report's line for a restored database whose every table has the backup's row count. */
    public static final String ROW_COUNTS_CHECKED = "row counts as in the backup: ";
    public static final String FORMAT = "pg_dump-custom";

    /** backup.database.dump-format: pg_dump's directory format, one artifact per file (the default). */
    public static final String DIRECTORY = "directory";
    /** backup.database.dump-format: one custom-format file, the layout of older backups. */
    public static final String CUSTOM = "custom";

    private final PostgresTools postgres;
    private final String dumpFormat;
    private final List<String> pgDumpOptions;
    private final List<String> pgRestoreOptions;
    private final PgDumpDirectory directory = new PgDumpDirectory(NAME);
    /** With backup.wal.enabled a full backup is a physical base backup (plus a pg_dump with logical-dump). */
    private final boolean physical;
    private final boolean logicalDump;
    private final BaseBackup baseBackup;
    private final Settings settings;

    public DatabaseComponent(Settings settings) {
        String dumpFormat = settings.get("backup.database.dump-format", DIRECTORY);
        if (!DIRECTORY.equals(dumpFormat) && !CUSTOM.equals(dumpFormat)) {
            throw new SettingsException(
                    "backup.database.dump-format must be 'directory' or 'custom', not '" + dumpFormat + "'");
        }
        this.postgres = new PostgresTools(settings);
        this.dumpFormat = dumpFormat;
        this.pgDumpOptions = settings.getOptions("backup.database.pg-dump-options");
        this.pgRestoreOptions = settings.getOptions("backup.database.pg-restore-options");
        WalSettings wal = WalSettings.from(settings);
        this.physical = wal.enabled();
        this.logicalDump = "true".equals(settings.get("backup.database.logical-dump", "false"));
        this.baseBackup = new BaseBackup(postgres, wal);
        this.settings = settings;
    }

    @Override
    public ComponentInfo info() {
        return INFO;
    }

    @Override
    public String checkHealth() throws SQLException {
        try (Connection ignored = postgres.connect(postgres.database())) {
            return "connected to " + postgres.database();
        }
    }

    /** What pg_dump wrote into scratch (a folder, or one custom-format file) and the facts read in its snapshot. */
    public record Dump(Path location, boolean directory, Map<String, Object> facts) {
    }

    @Override
    public Map<String, Object> backup(ComponentContext context) throws Exception {
        if (physical) {
            return physicalBackup(context);
        }
        return logicalBackup(context);
    }

    /** pg_dump into scratch, each dump file into its artifact, the facts read in its snapshot. */
    private Map<String, Object> logicalBackup(ComponentContext context) throws Exception {
        Dump dump = dumpToScratch(context);
        for (Path file : dumpFiles(dump)) {
            storeDumpFile(context, dump, file);
        }
        return dumpFacts(dump);
    }

    /**
     * With backup.wal.enabled: a full backup is a physical base backup (plus a pg_dump with
     * backup.database.logical-dump); an incremental or differential on top of one is a named restore point
     * in the WAL archive, as the WAL since its parent is there already.
     */
    public Map<String, Object> physicalBackup(ComponentContext context) throws Exception {
        Optional<String> base = context.parent().flatMap(WalPoint::baseOf);
        if (!"full".equals(context.backupType()) && base.isPresent()) {
            return new WalPoint(postgres, WalSettings.from(settings), walArchive()).record(context,
                    context.parent().get(), base.get());
        }
        Map<String, Object> facts = new LinkedHashMap<>(baseBackup.backup(context));
        facts.putAll(WholeCopy.facts(context, NAME, "no base backup to build on: a whole base backup", true));
        if (logicalDump) {
            facts.putAll(logicalBackup(context));
            facts.put("backup_kind", BaseBackup.PHYSICAL);
        }
        return facts;
    }

    /**
     * pg_dump into scratch, uncompressed, while the row counts are read in the very snapshot it
     * dumps (exported from our own transaction), so the facts match the dump exactly.
     */
    public Dump dumpToScratch(ComponentContext context) throws Exception {
        String pgDump = toolOrFail("pg_dump");
        boolean asDirectory = DIRECTORY.equals(dumpFormat);
        // To files, not a pipe: only a seekable archive (custom) or one file per table (directory)
        // lets pg_restore --jobs restore tables in parallel.
        Path dump = context.scratch().resolve(asDirectory ? "dump" : ARTIFACT);
        try (Connection snapshotHolder = connectOrFail()) {
            String snapshot = exportSnapshot(snapshotHolder);
            List<String> command = new ArrayList<>(List.of(pgDump, "--format=" + dumpFormat));
            command.addAll(pgDumpOptions);
            command.addAll(List.of("--snapshot=" + snapshot, "--dbname=" + postgres.database(), "--file=" + dump));
            if (asDirectory) {
                command.add("--jobs=" + parallelJobs());
            }
            command.addAll(postgres.connectionArguments());
            // Count rows while pg_dump runs: both read the same snapshot.
            CompletableFuture<Void> dumping = CompletableFuture.runAsync(() -> new ExternalTool(NAME, "pg_dump")
                    .streamTo(command, postgres.environment(), null, OutputStream.nullOutputStream()));
            Map<String, Object> facts;
            Map<String, String> tocNames = new TreeMap<>();
            try {
                facts = facts(snapshotHolder, tocNames);
            } finally {
                joinUnwrapped(dumping);
            }
            String listing = pgRestoreList(dump);
            keepDumpedTables(facts, tocNames, listing);
            // read in the dump's snapshot too, minus the tables the options left out
            facts.put(SchemaObjects.FACT, SchemaObjects.read(snapshotHolder, dumpedTable(tocNames, listing)));
            facts.put("pg_dump_version", pgDumpVersion(pgDump));
            facts.putAll(WholeCopy.facts(context, NAME, "no WAL archive: a full logical dump (pg_dump)", true));
            return new Dump(dump, asDirectory, facts);
        }
    }

    /** The dump's files in the order they are stored: the table of contents first, then the data files. */
    public List<Path> dumpFiles(Dump dump) throws IOException {
        if (!dump.directory()) {
            return List.of(dump.location());
        }
        try (var listing = Files.list(dump.location())) {
            return listing.sorted((a, b) -> {
                boolean aToc = a.getFileName().toString().equals(PgDumpDirectory.TOC);
                boolean bToc = b.getFileName().toString().equals(PgDumpDirectory.TOC);
                return aToc != bToc ? (aToc ? -1 : 1) : a.compareTo(b);
            }).toList();
        }
    }

    /** One dump file streamed into its artifact (compressed once, by the pipeline); it then leaves scratch. */
    public void storeDumpFile(ComponentContext context, Dump dump, Path file) throws IOException {
        String name = dump.directory() ? file.getFileName().toString() : ARTIFACT;
        try (ArtifactOutput out = context.newArtifact(name, dump.directory() ? PgDumpDirectory.FORMAT : FORMAT)) {
            Files.copy(file, out);
            out.commit();
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** The facts a verify or restore checks against: row counts per table, table count, versions. */
    public Map<String, Object> dumpFacts(Dump dump) {
        return dump.facts();
    }

    @Override
    public void verify(Verification v) throws Exception {
        if (BaseBackup.holds(v.artifact())) {
            BaseBackup.verify(v);
            return;
        }
        String listing;
        if (PgDumpDirectory.FORMAT.equals(v.artifact().format())) {
            if (!PgDumpDirectory.isToc(v.artifact())) {
                // Table data is COPY text: reading it whole checks its checksum and its compression.
                try (var in = v.reader().openDecompressed(v.artifact())) {
                    Streams.copy(in, OutputStream.nullOutputStream());
                }
                return;
            }
            Path folder = PrivateFiles.createDirectories(v.scratch().resolve("verify-dump"));
            v.reader().decompressTo(v.artifact(), folder.resolve(PgDumpDirectory.TOC));
            listing = pgRestoreList(folder);
        } else {
            listing = pgRestoreList(v.reader().decompressTo(v.artifact(), v.scratch().resolve("verify.dump")));
        }
        long tableData = listing.lines().filter(l -> l.contains(" TABLE DATA ")).count();
        Object expected = v.facts().get("table_count");
        if (expected != null && tableData != ((Number) expected).longValue()) {
            throw new StepFailure(NAME, "verify pg_dump archive", v.artifact().path() + " holds data of " + tableData
                    + " tables but the manifest says " + expected);
        }
    }

    private String pgRestoreList(Path archive) {
        return new ExternalTool(NAME, "pg_restore --list")
                .capture(List.of(toolOrFail("pg_restore"), "--list", archive.toString()), Map.of(), null);
    }

    /** True for backups stored in the directory layout (one artifact per dump file). */
    private static boolean isDirectory(RestoreContext context) {
        return context.record().artifacts().stream().anyMatch(a -> PgDumpDirectory.FORMAT.equals(a.format()));
    }

    /** A physical base backup restores as a data folder (unless a pg_dump kept beside it goes to --target-database). */
    private static Optional<BasePoint> dataFolder(RestoreContext context) {
        Optional<BasePoint> base = BasePoint.of(context.backupId(), context.record().facts());
        if (base.isPresent() && context.targetDatabase().isPresent() && context.toTime().isEmpty()
                && context.record().artifacts().stream().anyMatch(a -> !BaseBackup.holds(a))) {
            return Optional.empty();
        }
        if (base.isEmpty() && context.toTime().isPresent()) {
            throw new StepFailure(NAME, "restore", "backup " + context.backupId() + " holds a pg_dump, not a base "
                    + "backup: --to-time needs a backup made with backup.wal.enabled=true");
        }
        return base;
    }

    private WalTimeline.RecoveryPlan recoveryPlan(RestoreContext context, BasePoint base) throws IOException {
        List<ArchivedSegment> archived = context.toTime().isPresent() ? walArchive().list() : List.of();
        return new WalTimeline(archived, List.of(base)).planFrom(base, context.toTime().orElse(null));
    }

    private WalArchive walArchive() {
        return WalArchive.from(settings);
    }

    @Override
    public List<String> planRestore(RestoreContext context) throws IOException {
        Optional<BasePoint> base = dataFolder(context);
        if (base.isPresent()) {
            WalTimeline.RecoveryPlan recovery = recoveryPlan(context, base.get());
            PointInTimeRestore restore = new PointInTimeRestore(settings, postgres, walArchive());
            restore.verifySegments(recovery);
            return restore.plan(context, recovery);
        }
        String target = context.targetDatabase().orElse(postgres.database() + "_restoring_" + context.label());
        List<String> plan = new ArrayList<>();
        if (isDirectory(context)) {
            plan.add("create database " + target);
            plan.addAll(PgDumpDirectory.plan(context.record().artifacts(), parallelJobs()));
        } else {
            Artifact artifact = context.artifact(ARTIFACT);
            plan.add("decompress " + artifact.path() + " (" + Sizes.human(artifact.rawSizeBytes()) + ") to a scratch file");
            plan.add("create database " + target + " and pg_restore into it (" + parallelJobs() + " jobs)");
        }
        plan.add("check its row counts against the backup's facts");
        if (context.targetDatabase().isEmpty()) {
            plan.add("end other connections to " + postgres.database() + ", then in one transaction rename "
                    + postgres.database() + " -> " + keptName(context) + " (kept) and " + target + " -> " + postgres.database());
        } else {
            plan.add("the live database " + postgres.database() + " is not touched");
        }
        return plan;
    }

    @Override
    public PreparedRestore prepareRestore(RestoreContext context) throws Exception {
        Optional<BasePoint> base = dataFolder(context);
        if (base.isPresent()) {
            WalTimeline.RecoveryPlan recovery = recoveryPlan(context, base.get());
            return new PointInTimeRestore(settings, postgres, walArchive()).prepare(context, recovery,
                    context.targetPort());
        }
        String target = context.targetDatabase().orElse(postgres.database() + "_restoring_" + context.label());
        boolean asDirectory = isDirectory(context);
        List<Artifact> artifacts = context.record().artifacts();
        FolderRestore.requireSpace(NAME, context.scratch(), asDirectory ? PgDumpDirectory.scratchBytes(artifacts)
                : context.artifact(ARTIFACT).rawSizeBytes());
        Map<String, Long> expectedRows = expectedRowCounts(context.record().facts());
        try (Connection admin = connectTo("postgres")) {
            if (databaseExists(admin, target)) {
                throw new StepFailure(NAME, "restore", "database " + target + " already exists; choose another name");
            }
            Path dump;
            long started = System.nanoTime();
            if (asDirectory) {
                dump = context.scratch().resolve("dump");
            } else {
                // A seekable file lets pg_restore work in parallel.
                dump = context.reader().decompressTo(context.artifact(ARTIFACT), context.scratch().resolve("restore.dump"));
                LOG.info("database: {} decompressed in {}", ARTIFACT, Sizes.since(started));
            }
            if (context.targetDatabase().isEmpty()) {
                context.willBuild(BuildRecord.Item.database(target));
            }
            execute(admin, "CREATE DATABASE " + quoteIdent(target));
            RowCountCheck rowCounts = new RowCountCheck(NAME, target, expectedRows, this::connectTo);
            try (rowCounts) {
                // --verbose: pg_restore names each table whose data is in, and it is counted then.
                // backup.database.pg-restore-options (default --exit-on-error: a missing role fails
                // in seconds, not after an hour of loading data that is then dropped).
                List<String> command = new ArrayList<>(List.of(toolOrFail("pg_restore"), "--verbose"));
                command.addAll(pgRestoreOptions);
                command.addAll(List.of("--jobs=" + parallelJobs(), "--dbname=" + target));
                command.addAll(postgres.connectionArguments());
                command.add(dump.toString());
                // The progress lines are matched in English whatever the host's language.
                Map<String, String> environment = new HashMap<>(postgres.environment());
                environment.put("LC_MESSAGES", "C");
                ExternalTool pgRestore = new ExternalTool(NAME, "pg_restore").followingStderr(rowCounts::onPgRestoreLine);
                started = System.nanoTime();
                try {
                    if (asDirectory) {
                        directory.restore(artifacts, context.reader(), dump, pgRestore, command, environment);
                    } else {
                        pgRestore.capture(command, environment, null);
                        Files.deleteIfExists(dump);
                    }
                } catch (StepFailure e) {
                    throw rowCounts.firstError() == null ? e
                            : new StepFailure(NAME, e.step(), e.cause() + "; first error: " + rowCounts.firstError(), e);
                }
                LOG.info("database: pg_restore into {} took {}", target, Sizes.since(started));
                started = System.nanoTime();
                int early = rowCounts.finish();
                LOG.info("database: row counts of {} checked ({} of {} tables while pg_restore ran), last ones in {}",
                        target, early, expectedRows.size(), Sizes.since(started));
            } catch (RuntimeException | IOException e) {
                dropQuietly(target);
                throw e;
            }
        }
        return new DatabaseSwap(context, target, expectedRows.isEmpty() ? List.of()
                : List.of(ROW_COUNTS_CHECKED + expectedRows.size() + " tables"));
    }

    /** The restored database waiting to take the live one's name. */
    private final class DatabaseSwap implements PreparedRestore {
        private final RestoreContext context;
        private final String restored;
        private final List<String> outcome;

        DatabaseSwap(RestoreContext context, String restored, List<String> outcome) {
            this.context = context;
            this.restored = restored;
            this.outcome = outcome;
        }

        @Override
        public List<String> outcome() {
            return outcome;
        }

        @Override
        public List<String> plan() {
            return context.targetDatabase().isPresent() ? List.of("restored into database " + restored)
                    : List.of("rename " + postgres.database() + " -> " + keptName(context) + ", " + restored + " -> "
                    + postgres.database());
        }


        @Override
        public List<String> commit() throws SQLException {
            if (context.targetDatabase().isPresent()) {
                return List.of();
            }
            String live = postgres.database();
            String kept = keptName(context);
            try (Connection admin = connectTo("postgres")) {
                execute(admin, "ALTER DATABASE " + quoteIdent(live) + " WITH ALLOW_CONNECTIONS false");
                try {
                    execute(admin, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '"
                            + live.replace("'", "''") + "' AND pid <> pg_backend_pid()");
                    admin.setAutoCommit(false);
                    execute(admin, "ALTER DATABASE " + quoteIdent(live) + " RENAME TO " + quoteIdent(kept));
                    execute(admin, "ALTER DATABASE " + quoteIdent(restored) + " RENAME TO " + quoteIdent(live));
                    admin.commit();
                } catch (SQLException e) {
                    admin.rollback();
                    admin.setAutoCommit(true);
                    execute(admin, "ALTER DATABASE " + quoteIdent(live) + " WITH ALLOW_CONNECTIONS true");
                    throw new StepFailure(NAME, "swap databases", e.getMessage(), e);
                }
                admin.setAutoCommit(true);
                execute(admin, "ALTER DATABASE " + quoteIdent(kept) + " WITH ALLOW_CONNECTIONS true");
            }
            return List.of("database " + kept);
        }

        /** The live database is now the very one whose row counts were checked before the rename. */
        @Override
        public void checkLive() {
        }

        @Override
        public void discard() {
            dropQuietly(restored);
        }
    }

    private static String keptName(RestoreContext context) {
        return context.record().facts().getOrDefault("database", NAME) + "_pre_restore_" + context.label();
    }

    /** The facts' row count per table (JSON numbers as longs). */
    @SuppressWarnings("unchecked")
    private static Map<String, Long> expectedRowCounts(Map<String, Object> facts) {
        Map<String, Long> counts = new LinkedHashMap<>();
        ((Map<String, Object>) facts.getOrDefault("row_counts", Map.of()))
                .forEach((table, rows) -> counts.put(table, ((Number) rows).longValue()));
        return counts;
    }

    private Connection connectTo(String database) {
        try {
            return postgres.connect(database);
        } catch (SQLException e) {
            throw new StepFailure(NAME, "connect", "cannot connect to database '" + database + "': "
                    + firstLine(e.getMessage()), e);
        }
    }

    private void dropQuietly(String database) {
        try (Connection admin = connectTo("postgres")) {
            execute(admin, "DROP DATABASE IF EXISTS " + quoteIdent(database) + " WITH (FORCE)");
        } catch (RuntimeException | SQLException ignored) {
            // the half-restored database is named *_restoring_*; the operator can drop it
        }
    }

    private static boolean databaseExists(Connection admin, String name) throws SQLException {
        try (var st = admin.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            st.setString(1, name);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute(sql);
        }
    }

    static String quoteIdent(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /** pg_dump and pg_restore --jobs: one per core, at least two. */
    private static int parallelJobs() {
        return Math.max(2, Runtime.getRuntime().availableProcessors());
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

    /**
     * Tables whose data the options left out of the dump (--exclude-table, --exclude-table-data)
     * leave the facts too, so verify and restore check the dump against what it holds.
     */
    @SuppressWarnings("unchecked")
    private static void keepDumpedTables(Map<String, Object> facts, Map<String, String> tocNames, String listing) {
        List<String> dumped = listing.lines().filter(l -> l.contains(" TABLE DATA "))
                .map(l -> l.substring(l.indexOf(" TABLE DATA ") + " TABLE DATA ".length(), l.lastIndexOf(' ')))
                .toList();
        Map<String, Long> rowCounts = (Map<String, Long>) facts.get("row_counts");
        if (dumped.size() == rowCounts.size()) {
            return;
        }
        rowCounts.keySet().removeIf(table -> !dumped.contains(tocNames.get(table)));
        facts.put("table_count", rowCounts.size());
    }

    /** Whether pg_restore --list shows the table's definition ("TABLE schema name owner"); tables it never named stay. */
    private static Predicate<String> dumpedTable(Map<String, String> tocNames, String listing) {
        Set<String> defined = listing.lines().filter(l -> l.contains(" TABLE ") && !l.contains(" TABLE DATA "))
                .map(l -> l.substring(l.indexOf(" TABLE ") + " TABLE ".length(), l.lastIndexOf(' ')))
                .collect(Collectors.toSet());
        return table -> !tocNames.containsKey(table) || defined.contains(tocNames.get(table));
    }

    /** The facts; {@code tocNames} gets each table's name as pg_restore --list prints it ("schema table"). */
    private Map<String, Object> facts(Connection connection, Map<String, String> tocNames) throws SQLException {
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
            try (ResultSet rs = st.executeQuery("SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), "
                    + "n.nspname || ' ' || c.relname "
                    + "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    + "WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
                    + "AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%' ORDER BY 1")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                    tocNames.put(rs.getString(1), rs.getString(2));
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
        } catch (CompletionException e) {
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
