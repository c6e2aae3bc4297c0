package com.customercaregpt.backup.wal;

import com.customercaregpt.backup.backup.Sizes;
import com.customercaregpt.backup.backup.StepFailure;
import com.customercaregpt.backup.backup.UsageError;
import com.customercaregpt.backup.component.PostgresTools;
import com.customercaregpt.backup.component.PreparedRestore;
import com.customercaregpt.backup.component.RestoreContext;
import com.customercaregpt.backup.config.Settings;
import com.customercaregpt.backup.pipeline.BackgroundFlush;
import com.customercaregpt.backup.pipeline.ExternalTool;
import com.customercaregpt.backup.pipeline.Folders;
import com.customercaregpt.backup.pipeline.PrivateFiles;
import com.customercaregpt.backup.repository.BuildRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Restores a physical base backup as a data folder, optionally recovered to a point in time from the WAL
 * archive: the tar extracted beside the live folder ({@code <data-dir>.restore-<label>}) or into
 * --target-dir, the needed segments staged (decrypted, decompressed, checked) where restore_command finds
 * them, recovery.signal with recovery_target_time (none for the backup's own end) and
 * recovery_target_action=promote, then a private server started on a private port until it is promoted
 * and every table of the backup answers. With --target-dir it stays running there; otherwise the live
 * folder is swapped for it (the old one kept as {@code <data-dir>.pre-restore-<label>}). Each tablespace is
 * extracted beside its original location ({@code <location>.restore-<label>}, swapped in with the data folder,
 * the old one kept) or, with --target-dir, into {@code <dir>/tablespaces/<oid>}; tablespace_map points the
 * restored server at it.
 */
public final class PointInTimeRestore {

    private static final Logger LOG = LoggerFactory.getLogger(PointInTimeRestore.class);
    private static final String NAME = "database";
    private static final Duration PROMOTION_TIMEOUT = Duration.ofHours(6);
    private static final Duration PROMOTION_POLL = Duration.ofMillis(100);
    private static final Duration FLUSH_INTERVAL = Duration.ofSeconds(1);
    /** PostgreSQL reads no ISO "T"; it keeps microseconds. */
    private static final java.time.format.DateTimeFormatter POSTGRES_TIME = java.time.format.DateTimeFormatter
            .ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS'+00'").withZone(java.time.ZoneOffset.UTC);
    private static final String BLOCK_START = "# backup-manager restore: begin";
    /** PostgreSQL's message when the WAL ends before a commit after the target: the state at the target is its end. */
    private static final String TARGET_NOT_REACHED = "recovery ended before configured recovery target was reached";

    static final String FIRST_ROW = "first-row";
    static final String EVERY_ROW = "every-row";

    private final PostgresTools postgres;
    private final WalArchive archive;
    private final Path liveDataDir;
    private final boolean swapConfigured;
    private final String osUser;
    /** backup.database.restore-table-check: every-row reads each table whole, first-row its first row. */
    private final boolean readEveryRow;

    public PointInTimeRestore(Settings settings, PostgresTools postgres, WalArchive archive) {
        this.postgres = postgres;
        this.archive = archive;
        String dataDir = settings.get("backup.database.data-dir", "");
        this.liveDataDir = dataDir.isBlank() ? null : Path.of(dataDir).toAbsolutePath().normalize();
        this.swapConfigured = liveDataDir != null && !settings.get("backup.database.stop-command", "").isBlank()
                && !settings.get("backup.database.start-command", "").isBlank();
        String user = settings.get("backup.database.os-user", "");
        this.osUser = !user.isBlank() ? user : liveDataDir != null ? ownerOf(liveDataDir) : "postgres";
        String tableCheck = settings.get("backup.database.restore-table-check", FIRST_ROW).strip();
        if (!FIRST_ROW.equals(tableCheck) && !EVERY_ROW.equals(tableCheck)) {
            throw new UsageError("backup.database.restore-table-check must be " + FIRST_ROW + " or " + EVERY_ROW
                    + ", got '" + tableCheck + "'");
        }
        this.readEveryRow = EVERY_ROW.equals(tableCheck);
    }

    /** Where the restored folder goes, or the one-line reason it cannot go anywhere. */
    private Path builtFolder(RestoreContext context) {
        if (context.targetDir().isPresent()) {
            return context.targetDir().get();
        }
        if (!swapConfigured) {
            throw new StepFailure(NAME, "restore", "a physical restore replaces the data folder: set "
                    + "backup.database.data-dir, backup.database.stop-command and backup.database.start-command, "
                    + "or restore beside it with --target-dir DIR");
        }
        return liveDataDir.resolveSibling(liveDataDir.getFileName() + ".restore-" + context.label());
    }

    /** One tablespace of the backup: where it was, where it is built, where the one it replaces is kept. */
    private record Tablespace(String oid, Path original, Path built, Path kept) {
    }

    /** Beside its original location, or with --target-dir under it (nothing outside the target is touched). */
    private List<Tablespace> tablespaces(RestoreContext context, BasePoint base, Path built) {
        return base.tablespaces().entrySet().stream().map(t -> {
            Path original = Path.of(t.getValue());
            return context.targetDir().isPresent()
                    ? new Tablespace(t.getKey(), original, built.resolve("tablespaces").resolve(t.getKey()), null)
                    : new Tablespace(t.getKey(), original, sibling(original, "restore", context.label()),
                    sibling(original, "pre-restore", context.label()));
        }).toList();
    }

    private static Path sibling(Path folder, String kind, String label) {
        return folder.resolveSibling(folder.getFileName() + "." + kind + "-" + label);
    }

    public List<String> plan(RestoreContext context, WalTimeline.RecoveryPlan recovery) {
        Path built = builtFolder(context);
        List<String> plan = new ArrayList<>();
        plan.add("extract base backup " + recovery.base().backupId() + " (ended " + recovery.base().endTime()
                + ") into " + built);
        for (Tablespace tablespace : tablespaces(context, recovery.base(), built)) {
            plan.add("extract tablespace " + tablespace.oid() + " (" + tablespace.original() + ") into "
                    + tablespace.built());
        }
        plan.add(recovery.target() == null ? "recover to the end of the base backup (no archived WAL needed)"
                : "stage " + recovery.segments().size() + " WAL segment(s) " + first(recovery) + " .. " + last(recovery)
                + " and recover to " + recovery.target());
        plan.add("start it on a private port as " + osUser + ", wait for promotion, check its "
                + recovery.base().tables().size() + " tables");
        if (context.targetDir().isPresent()) {
            plan.add("leave it running in " + built + " (pg_ctl -D " + built + " stop ends it)");
        } else {
            plan.add("stop the live server (backup.database.stop-command), rename " + liveDataDir + " -> "
                    + keptFolder(context) + " (kept) and " + built + " -> " + liveDataDir
                    + tablespaces(context, recovery.base(), built).stream().map(t -> ", " + t.original() + " -> "
                    + t.kept() + " (kept) and " + t.built() + " -> " + t.original()).collect(Collectors.joining())
                    + ", start it");
        }
        return plan;
    }

    private static String first(WalTimeline.RecoveryPlan recovery) {
        return recovery.segments().get(0).name();
    }

    private static String last(WalTimeline.RecoveryPlan recovery) {
        return recovery.segments().get(recovery.segments().size() - 1).name();
    }

    /** Checks every needed segment's stored bytes before anything is built. */
    public void verifySegments(WalTimeline.RecoveryPlan recovery) {
        recovery.segments().forEach(archive::verify);
        recovery.histories().forEach(archive::verify);
    }

    /** Builds the recovered folder (after {@link #plan} and {@link #verifySegments}) and checks it on a private server; nothing live changes. */
    public PreparedRestore prepare(RestoreContext context, WalTimeline.RecoveryPlan recovery,
                                   Optional<Integer> requestedPort) throws Exception {
        Path built = builtFolder(context);
        List<Tablespace> tablespaces = tablespaces(context, recovery.base(), built);
        if (Files.exists(built) && !isEmptyFolder(built)) {
            throw new StepFailure(NAME, "restore", "target folder " + built + " exists and is not empty");
        }
        for (Tablespace tablespace : tablespaces) {
            if (Files.exists(tablespace.built(), LinkOption.NOFOLLOW_LINKS)) {
                throw new StepFailure(NAME, "restore", "tablespace folder " + tablespace.built() + " exists");
            }
        }
        Path stage = built.resolveSibling(built.getFileName() + ".wal-" + context.label());
        // the segments' checksums were checked by the plan, before anything is built (verifySegments)
        context.willBuild(BuildRecord.Item.folder(built));
        context.willBuild(BuildRecord.Item.folder(stage));
        for (Tablespace tablespace : tablespaces) {
            if (context.targetDir().isEmpty()) {
                context.willBuild(BuildRecord.Item.folder(tablespace.built()));
            }
        }
        Folders.deleteTreeQuietly(stage);
        PrivateFiles.createDirectories(built);
        if (context.targetDir().isPresent()) {
            // the operator's folder carries no label: the marker lets a later run remove it if this one dies
            BuildRecord.markBuilding(built, context.label());
        }
        PrivateFiles.createDirectories(stage);
        Server server = null;
        long started = System.nanoTime();
        try {
            extract(context, BaseBackup.ARTIFACT, built);
            for (Tablespace tablespace : tablespaces) {
                extract(context, BaseBackup.tablespaceArtifact(tablespace.oid()),
                        PrivateFiles.createDirectories(tablespace.built()));
                chown(tablespace.built());
            }
            writeTablespaceMap(built, tablespaces);
            for (ArchivedSegment segment : recovery.segments()) {
                archive.stage(segment, stage.resolve(segment.name()));
            }
            for (ArchivedSegment history : recovery.histories()) {
                archive.stage(history, stage.resolve(history.name()));
            }
            LOG.info("Restore {}: base backup {} extracted into {}, {} WAL segment(s) staged in {}", context.label(),
                    recovery.base().backupId(), built, recovery.segments().size(), Sizes.since(started));
            int port = requestedPort.orElseGet(PointInTimeRestore::freePort);
            byte[] originalAutoConf = readOrEmpty(built.resolve("postgresql.auto.conf"));
            writeMissingConfig(built);
            writeRecoveryConfig(built, originalAutoConf, stage, recovery.target(), context.restorePoint().orElse(null), port);
            Files.writeString(built.resolve("recovery.signal"), "");
            Files.setPosixFilePermissions(built, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            chown(built);
            chown(stage);
            server = new Server(built, port);
            long recovering = System.nanoTime();
            server.startAndPromote(context, recovery, originalAutoConf, stage);
            String recovered = Sizes.since(recovering);
            long checking = System.nanoTime();
            List<String> checked = checkTables(port, recovery.base());
            LOG.info("Restore {}: recovered and promoted in {}, {} tables read in {}", context.label(),
                    recovered, recovery.base().tables().size(), Sizes.since(checking));
            Folders.deleteTreeQuietly(stage);
            context.keep(BuildRecord.Item.folder(stage));
            if (context.targetDir().isPresent()) {
                // postgresql.auto.conf keeps the private port, so a restart of the copy never takes the live one's
                writeAutoConf(built, originalAutoConf, privateServerLines(port));
                context.keep(BuildRecord.Item.folder(built));
                context.keep(server.item());
                BuildRecord.unmarkBuilding(built, context.label());
                List<String> lines = new ArrayList<>(checked);
                lines.add("running in " + built + ": host=127.0.0.1 port=" + port + " dbname=" + postgres.database()
                        + " user=" + postgres.user() + " (pg_ctl -D " + built + " stop ends it)");
                return new Running(List.copyOf(lines));
            }
            server.stop();
            context.keep(server.item());
            writeAutoConf(built, originalAutoConf, "");
            pointAtOriginalLocations(built, tablespaces);
            return new Swap(context, built, tablespaces, checked);
        } catch (Exception e) {
            if (server != null) {
                server.stopQuietly();
            }
            Folders.deleteTreeQuietly(stage);
            Folders.deleteTreeQuietly(built);
            tablespaces.forEach(t -> Folders.deleteTreeQuietly(t.built()));
            throw e;
        }
    }

    private static void extract(RestoreContext context, String artifact, Path folder) throws IOException, InterruptedException {
        // the disk writes overlap the extraction: PostgreSQL's fsync of every file at start has little left
        try (InputStream tar = context.reader().openDecompressed(context.artifact(artifact));
             BackgroundFlush flushing = BackgroundFlush.start(folder, FLUSH_INTERVAL)) {
            new ExternalTool(NAME, "extract " + artifact).streamFrom(List.of("tar", "--extract", "--file=-",
                    "--directory=" + folder), Map.of(), null, tar);
        }
    }

    /** tablespace_map (read at the restored server's first start, which makes pg_tblspc's links) names the built folders. */
    private static void writeTablespaceMap(Path built, List<Tablespace> tablespaces) throws IOException {
        if (!tablespaces.isEmpty()) {
            Files.writeString(built.resolve("tablespace_map"), tablespaces.stream()
                    .map(t -> t.oid() + " " + t.built() + "\n").collect(Collectors.joining()));
        }
    }

    /** Before the swap, pg_tblspc's links point where each tablespace will be once swapped in: its original location. */
    private static void pointAtOriginalLocations(Path built, List<Tablespace> tablespaces) throws IOException {
        for (Tablespace tablespace : tablespaces) {
            Path link = built.resolve("pg_tblspc").resolve(tablespace.oid());
            Files.deleteIfExists(link);
            Files.createSymbolicLink(link, tablespace.original());
        }
    }

    /** The private server of a restore: started as the data folder's owner, on its own port. */
    private final class Server {
        private final Path folder;
        private final int port;
        private BuildRecord.Item item;

        Server(Path folder, int port) {
            this.folder = folder;
            this.port = port;
        }

        BuildRecord.Item item() {
            return item;
        }

        void startAndPromote(RestoreContext context, WalTimeline.RecoveryPlan recovery, byte[] originalAutoConf,
                             Path stage) throws Exception {
            if (!start(context) || !promoted()) {
                // The server stops either before it accepts connections (pg_ctl fails) or after (hot standby).
                if (recovery.target() != null && logTail().contains(TARGET_NOT_REACHED)) {
                    // no commit after the target in the archive: the state at the target is the end of the WAL
                    LOG.info("Restore {}: no transaction after {} in the archive; recovering to its end",
                            context.label(), recovery.target());
                    writeRecoveryConfig(folder, originalAutoConf, stage, null, null, port);
                    Files.move(folder.resolve("restore.log"), folder.resolve("restore-to-target.log"),
                            StandardCopyOption.REPLACE_EXISTING);
                    Files.writeString(folder.resolve("recovery.signal"), "");
                    chown(folder);
                    if (start(context) && promoted()) {
                        return;
                    }
                }
                throw new StepFailure(NAME, "recover", "the restored server in " + folder + " stopped: "
                        + lastErrorLine());
            }
        }

        private boolean start(RestoreContext context) throws IOException {
            List<String> command = asOsUser(List.of(postgres.tool("pg_ctl"), "--pgdata=" + folder,
                    "--log=" + folder.resolve("restore.log"), "--wait", "--timeout=" + PROMOTION_TIMEOUT.toSeconds(),
                    "start"));
            try {
                new ExternalTool(NAME, "start restored server").capture(command, Map.of("LC_MESSAGES", "C"), folder);
            } catch (StepFailure e) {
                return false;
            }
            long pid = Long.parseLong(Files.readAllLines(folder.resolve("postmaster.pid")).get(0).strip());
            item = BuildRecord.Item.server(folder, ProcessHandle.of(pid).orElseThrow());
            context.willBuild(item);
            return true;
        }

        /** Waits until the started server has left recovery: true, or false when it stopped instead. */
        private boolean promoted() throws InterruptedException {
            Instant deadline = Instant.now().plus(PROMOTION_TIMEOUT);
            while (Instant.now().isBefore(deadline)) {
                try (Connection c = postgres.connect("127.0.0.1", port, postgres.database());
                     Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_is_in_recovery()")) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        return true;
                    }
                } catch (SQLException e) {
                    if (refusesUs(e)) {
                        // it runs and answers, but never to us: waiting for promotion would wait for hours
                        throw new StepFailure(NAME, "recover", "the restored server in " + folder + " refuses "
                                + postgres.user() + "@" + postgres.database() + ": "
                                + e.getMessage().lines().findFirst().orElse("") + " (check the database password)");
                    }
                    if (item != null && ProcessHandle.of(item.process().pid()).map(p -> !p.isAlive()).orElse(true)) {
                        return false;
                    }
                }
                Thread.sleep(PROMOTION_POLL.toMillis());
            }
            throw new StepFailure(NAME, "recover", "the restored server in " + folder + " was not promoted within "
                    + PROMOTION_TIMEOUT.toHours() + " h; see " + folder.resolve("restore.log"));
        }

        /** A login refused (28xxx, or 08004: no password for SCRAM) or a database missing: no retry helps. */
        private static boolean refusesUs(SQLException e) {
            String state = e.getSQLState() == null ? "" : e.getSQLState();
            return state.startsWith("28") || state.equals("08004") || state.equals("3D000");
        }

        void stop() {
            new ExternalTool(NAME, "stop restored server").capture(asOsUser(List.of(postgres.tool("pg_ctl"),
                    "--pgdata=" + folder, "--mode=fast", "--wait", "stop")), Map.of(), folder);
        }

        void stopQuietly() {
            try {
                if (Files.exists(folder.resolve("postmaster.pid"))) {
                    stop();
                }
            } catch (RuntimeException ignored) {
                // the build record names the server: the next run stops it
            }
        }

        private String logTail() {
            try {
                String log = Files.readString(folder.resolve("restore.log"), StandardCharsets.UTF_8);
                return log.length() > 8192 ? log.substring(log.length() - 8192) : log;
            } catch (IOException e) {
                return "";
            }
        }

        private String lastErrorLine() {
            return logTail().lines().filter(l -> l.contains("FATAL") || l.contains("PANIC") || l.contains("ERROR"))
                    .reduce((a, b) -> b).orElse("see " + folder.resolve("restore.log")).strip();
        }
    }

    /**
     * Every table of the base backup present and readable; returns the report lines. Its first row
     * proves the table's catalog entry and file (the files themselves were checked against their
     * SHA-256 when extracted); every-row also reads every page, about as long as the extraction.
     */
    private List<String> checkTables(int port, BasePoint base) throws SQLException {
        List<String> lines = new ArrayList<>();
        String read = readEveryRow ? "SELECT count(*) FROM ONLY " : "SELECT 1 FROM ONLY ";
        try (Connection c = postgres.connect("127.0.0.1", port, postgres.database()); Statement st = c.createStatement()) {
            for (String table : base.tables()) {
                try (ResultSet rs = st.executeQuery(read + table + (readEveryRow ? "" : " LIMIT 1"))) {
                    rs.next();
                } catch (SQLException e) {
                    throw new StepFailure(NAME, "check restored tables", "table " + table + " of backup "
                            + base.backupId() + " cannot be read in the restored server: "
                            + e.getMessage().lines().findFirst().orElse(""));
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT pg_current_wal_lsn()::text, pg_last_xact_replay_timestamp(), "
                    + "(SELECT timeline_id FROM pg_control_checkpoint())")) {
                rs.next();
                lines.add("recovered: " + base.tables().size() + " tables readable ("
                        + (readEveryRow ? "every row read" : "first row of each read") + "); end LSN " + rs.getString(1)
                        + ", last transaction replayed at " + rs.getTimestamp(2) + ", timeline " + rs.getInt(3));
            }
        }
        return lines;
    }

    /** The restored server left running in --target-dir: nothing to swap; its lines say where it runs. */
    private record Running(List<String> lines) implements PreparedRestore {

        @Override
        public List<String> outcome() {
            return lines;
        }

        @Override
        public List<String> plan() {
            return lines;
        }

        @Override
        public List<String> commit() {
            return List.of();
        }

        @Override
        public void checkLive() {
        }

        @Override
        public void discard() {
        }
    }

    /** The recovered folder waiting to replace the live one while the server is stopped. */
    private final class Swap implements PreparedRestore {
        private final RestoreContext context;
        private final Path built;
        private final List<Tablespace> tablespaces;
        private final List<String> checked;

        Swap(RestoreContext context, Path built, List<Tablespace> tablespaces, List<String> checked) {
            this.context = context;
            this.built = built;
            this.tablespaces = tablespaces;
            this.checked = checked;
        }

        @Override
        public List<String> outcome() {
            return checked;
        }

        @Override
        public List<String> plan() {
            List<String> plan = new ArrayList<>(checked);
            plan.add("swap " + liveDataDir + " with the recovered copy; keep the old one as " + keptFolder(context));
            return plan;
        }

        @Override
        public boolean needsServiceStopped() {
            return true;
        }

        @Override
        public List<String> commit() throws IOException {
            if (Files.exists(liveDataDir.resolve("postmaster.pid"))) {
                throw new StepFailure(NAME, "swap data folder", liveDataDir + " still has postmaster.pid: "
                        + "backup.database.stop-command did not stop the server");
            }
            List<String> kept = new ArrayList<>();
            List<Runnable> undo = new ArrayList<>();
            try {
                swapIn(built, liveDataDir, keptFolder(context), kept, undo);
                for (Tablespace tablespace : tablespaces) {
                    swapIn(tablespace.built(), tablespace.original(), tablespace.kept(), kept, undo);
                }
            } catch (IOException | RuntimeException e) {
                // the live folders go back as they were, newest swap first
                for (int i = undo.size() - 1; i >= 0; i--) {
                    undo.get(i).run();
                }
                throw e;
            }
            keptFolderPointsAtKeptTablespaces();
            return kept;
        }

        /** The kept data folder goes with the tablespaces it had: a start of it never writes into the restored ones. */
        private void keptFolderPointsAtKeptTablespaces() throws IOException {
            for (Tablespace tablespace : tablespaces) {
                Path link = keptFolder(context).resolve("pg_tblspc").resolve(tablespace.oid());
                if (Files.isSymbolicLink(link) && Files.exists(tablespace.kept(), LinkOption.NOFOLLOW_LINKS)) {
                    Files.delete(link);
                    Files.createSymbolicLink(link, tablespace.kept());
                }
            }
        }

        /** live -> kept (when there), built -> live; the undo puts both back. */
        private static void swapIn(Path built, Path live, Path kept, List<String> keptList, List<Runnable> undo)
                throws IOException {
            boolean hadLive = Files.exists(live, LinkOption.NOFOLLOW_LINKS);
            if (hadLive) {
                Files.move(live, kept, StandardCopyOption.ATOMIC_MOVE);
            }
            Runnable putBack = () -> moveQuietly(kept, live);
            try {
                Files.move(built, live, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                if (hadLive) {
                    putBack.run();
                }
                throw e;
            }
            Folders.syncDirectory(live.getParent());
            undo.add(() -> {
                moveQuietly(live, built);
                if (hadLive) {
                    putBack.run();
                }
            });
            if (hadLive) {
                keptList.add(kept.toString());
            }
        }

        @Override
        public void checkLive() throws Exception {
            try (Connection ignored = postgres.connect(postgres.database())) {
                LOG.info("Restore {}: the live server answers on the recovered data folder", context.label());
            }
        }

        @Override
        public void discard() {
            Folders.deleteTreeQuietly(built);
            tablespaces.forEach(t -> Folders.deleteTreeQuietly(t.built()));
        }
    }

    private static void moveQuietly(Path from, Path to) {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // a restore that cannot put a folder back leaves it for Leftovers, which puts half-swapped folders back
            LOG.error("Cannot move {} back to {}: {}", from, to, e.getMessage());
        }
    }

    private Path keptFolder(RestoreContext context) {
        return liveDataDir.resolveSibling(liveDataDir.getFileName() + ".pre-restore-" + context.label());
    }

    private static void writeRecoveryConfig(Path folder, byte[] original, Path stage, Instant target, String restorePoint,
                                            int port) throws IOException {
        String block = String.join("\n",
                "restore_command = 'cp \"" + stage + "/%f\" \"%p\"'",
                restorePoint != null ? "recovery_target_name = '" + restorePoint.replace("'", "''") + "'"
                        : target == null ? "# no target: recover to the end of the WAL at hand"
                        : "recovery_target_time = '" + POSTGRES_TIME.format(target) + "'",
                "recovery_target_action = 'promote'",
                "recovery_target_timeline = 'current'",
                privateServerLines(port));
        writeAutoConf(folder, original, block);
    }

    /** A private copy listens on 127.0.0.1 only, on its own port, with no socket and no archiving of its own. */
    private static String privateServerLines(int port) {
        return String.join("\n", "port = " + port, "listen_addresses = '127.0.0.1'", "unix_socket_directories = ''",
                "archive_mode = 'off'", "");
    }

    private static void writeAutoConf(Path folder, byte[] original, String block) throws IOException {
        String text = new String(original, StandardCharsets.UTF_8);
        if (!block.isEmpty()) {
            text = text + (text.isEmpty() || text.endsWith("\n") ? "" : "\n") + BLOCK_START + "\n" + block;
        }
        Files.writeString(folder.resolve("postgresql.auto.conf"), text, StandardCharsets.UTF_8);
    }

    /** A data folder from a distribution that keeps its configuration elsewhere (Debian's /etc/postgresql) gets a minimal one. */
    private static void writeMissingConfig(Path folder) throws IOException {
        if (!Files.exists(folder.resolve("postgresql.conf"))) {
            Files.writeString(folder.resolve("postgresql.conf"), "# written by backup-manager for a restored copy\n");
        }
        if (!Files.exists(folder.resolve("pg_hba.conf"))) {
            Files.writeString(folder.resolve("pg_hba.conf"),
                    "local all all peer\nhost all all 127.0.0.1/32 scram-sha-256\nhost all all ::1/128 scram-sha-256\n");
        }
    }

    private static byte[] readOrEmpty(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllBytes(file) : new byte[0];
    }

    private void chown(Path folder) {
        if (isRoot()) {
            new ExternalTool(NAME, "chown restored folder").capture(List.of("chown", "-R", osUser + ":", folder.toString()),
                    Map.of(), null);
        }
    }

    private List<String> asOsUser(List<String> command) {
        if (!isRoot()) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", osUser, "--"));
        wrapped.addAll(command);
        return wrapped;
    }

    private static boolean isRoot() {
        return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
    }

    private static String ownerOf(Path folder) {
        try {
            return Files.getOwner(folder).getName();
        } catch (IOException e) {
            return "postgres";
        }
    }

    private static boolean isEmptyFolder(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return false;
        }
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.findAny().isEmpty();
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new StepFailure(NAME, "restore", "no free port for the restored server: " + e.getMessage());
        }
    }
}
