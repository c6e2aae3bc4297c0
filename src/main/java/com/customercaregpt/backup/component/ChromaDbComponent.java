package com.customercaregpt.backup.component;

import com.customercaregpt.backup.pipeline.PrivateFiles;
import com.customercaregpt.backup.backup.StepFailure;
import com.customercaregpt.backup.config.Settings;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The ChromaDB persistence folder, as a tar. To be consistent while the server writes, the
 * segment files are copied first and chroma.sqlite3 (records, metadata and the write log) is
 * snapshotted after them with SQLite's VACUUM INTO: the database is never older than the
 * segments, so Chroma replays from its log what the segments lack. When stop/start commands are
 * configured, the route stops the server around this step and the copy is exact.
 */
public final class ChromaDbComponent implements BackupComponent {

    public static final String NAME = "chromadb";
    private static final ComponentInfo INFO = new ComponentInfo(NAME, RestoreTarget.FOLDER, "server chromadb");
    public static final String ARTIFACT = "chromadb.tar";
    static final String DATABASE_FILE = "chroma.sqlite3";
    private static final int COPY_ATTEMPTS = 8;

    private final Path folder;
    private final ChromaClient api;
    private final boolean stoppedForBackup;
    private final Duration startTimeout;
    private final TarOptions tar;
    private final boolean checkRestoredFiles;

    public ChromaDbComponent(Settings settings) {
        this.folder = settings.getPath("backup.chromadb.path");
        this.api = new ChromaClient(settings.get("backup.chromadb.url", "http://localhost:8000"));
        this.stoppedForBackup = !settings.get("backup.chromadb.stop-command", "").isEmpty()
                && !settings.get("backup.chromadb.start-command", "").isEmpty();
        this.startTimeout = Duration.ofSeconds(settings.getInt("backup.chromadb.start-timeout-seconds", 60));
        this.tar = TarOptions.from(settings);
        this.checkRestoredFiles = settings.getList("backup.restore.file-checksums").contains(NAME);
    }

    @Override
    public ComponentInfo info() {
        return INFO;
    }

    @Override
    public String checkHealth() throws IOException {
        if (!api.heartbeat()) {
            throw new IOException(api.baseUrl() + " does not answer");
        }
        return api.baseUrl() + " answers";
    }

    /** The server answers its heartbeat again within backup.chromadb.start-timeout-seconds. */
    @Override
    public void awaitReady() throws InterruptedException {
        Instant deadline = Instant.now().plus(startTimeout);
        while (Instant.now().isBefore(deadline)) {
            if (api.heartbeat()) {
                return;
            }
            Thread.sleep(250);
        }
        throw new StepFailure(NAME, "start service", "did not answer at " + api.baseUrl() + " within "
                + startTimeout.toSeconds() + " s after the start command");
    }

    /** Chroma's version, for a restore by hand on the same version; optional only while stopped for the copy. */
    @Override
    public Map<String, Object> serverFacts() {
        try {
            return Map.of("chroma_version", api.version());
        } catch (ChromaClient.ChromaApiException e) {
            if (stoppedForBackup) {
                return Map.of(); // a server that is down needs no stop; the copy is exact either way
            }
            throw new StepFailure(NAME, "read version", e.getMessage(), e);
        }
    }

    @Override
    public Map<String, Object> backup(ComponentContext context) throws Exception {
        Map<String, Object> facts = new LinkedHashMap<>(apiFacts());
        facts.putAll(copyToScratch(context));
        facts.putAll(storeCopy(context));
        return facts;
    }

    /** The record count of each collection as the running API serves it; none while stopped for the copy. */
    public Map<String, Object> apiFacts() {
        if (stoppedForBackup) {
            return Map.of();
        }
        try {
            return Map.of("api_record_counts", api.recordCounts());
        } catch (ChromaClient.ChromaApiException e) {
            throw new StepFailure(NAME, "read facts from API", e.getMessage(), e);
        }
    }

    /**
     * The persistence folder copied into scratch, segment files first and chroma.sqlite3 snapshotted
     * after them; returns how many copies that took, the copy's record counts and how it was made consistent.
     */
    public Map<String, Object> copyToScratch(ComponentContext context) throws IOException, InterruptedException {
        Path database = folder.resolve(DATABASE_FILE);
        if (!Files.isRegularFile(database)) {
            throw new StepFailure(NAME, "snapshot", "no " + DATABASE_FILE + " in persistence folder " + folder);
        }
        Path staging = staging(context);
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("copy_attempts", copyConsistently(database, staging));
        facts.put("record_counts", countRecords(staging.resolve(DATABASE_FILE)));
        facts.put("consistency", stoppedForBackup ? "server-stopped" : "online-sqlite-snapshot");
        return facts;
    }

    /** The copy in scratch streamed through tar into one artifact; returns tar's facts and the source folder. */
    public Map<String, Object> storeCopy(ComponentContext context) throws IOException {
        return tar.storeFolder(NAME, staging(context), folder, context, ARTIFACT);
    }

    private static Path staging(ComponentContext context) throws IOException {
        return PrivateFiles.createDirectories(context.scratch().resolve("chroma"));
    }

    @Override
    public void verify(Verification verification) throws Exception {
        FolderRestore.verifyTar(NAME, verification);
    }

    @Override
    public List<String> planRestore(RestoreContext context) {
        List<String> plan = new ArrayList<>(FolderRestore.plan(NAME, folder, context, ARTIFACT));
        if (context.targetDir().isEmpty()) {
            plan.add(stoppedForBackup ? "stop the server with backup.chromadb.stop-command around the swap, start it, "
                    + "and check collections and record counts through " + api.baseUrl()
                    : "the server must be stopped (no stop/start commands are configured)");
        }
        return plan;
    }

    @Override
    public PreparedRestore prepareRestore(RestoreContext context) {
        PreparedRestore restore = restoreBeside(context);
        try {
            checkRestoredFiles(context);
        } catch (RuntimeException e) {
            restore.discard();
            throw e;
        }
        return restore;
    }

    /** The tar extracted beside the live folder (or into --target-dir); refused while the server runs on it. */
    public PreparedRestore restoreBeside(RestoreContext context) {
        if (context.targetDir().isEmpty() && !stoppedForBackup && api.heartbeat()) {
            throw new StepFailure(NAME, "restore", "the server at " + api.baseUrl() + " is running and would see its "
                    + "files replaced; stop it, or set backup.chromadb.stop-command and start-command");
        }
        Map<String, Long> expected = countsOf(context.record().facts().get("record_counts"));
        return FolderRestore.prepare(NAME, folder, context, ARTIFACT, tar.extract(), checkRestoredFiles,
                stoppedForBackup, () -> checkServed(expected));
    }

    /** The restored chroma.sqlite3 holds the record counts of the backup's facts. */
    public void checkRestoredFiles(RestoreContext context) {
        Map<String, Long> expected = countsOf(context.record().facts().get("record_counts"));
        Path restoredDatabase = context.targetDir().map(d -> d.resolve(NAME)).orElse(
                FolderRestore.sibling(folder, "restore", context.label())).resolve(DATABASE_FILE);
        Map<String, Long> restored = countRecords(restoredDatabase);
        if (!restored.equals(expected)) {
            throw new StepFailure(NAME, "check restored files", "the restored " + DATABASE_FILE + " holds " + restored
                    + " but the backup's facts say " + expected);
        }
    }

    /** After the server started on the restored folder: it must serve the backed-up collections and counts. */
    private void checkServed(Map<String, Long> expected) {
        if (!stoppedForBackup) {
            return; // nobody started the server: there is nothing to ask yet
        }
        Map<String, Long> served = new TreeMap<>(api.recordCounts());
        if (!served.equals(expected)) {
            throw new StepFailure(NAME, "check restored server", api.baseUrl() + " serves " + served
                    + " but the backup holds " + expected);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Long> countsOf(Object facts) {
        Map<String, Long> counts = new TreeMap<>();
        if (facts instanceof Map<?, ?> map) {
            ((Map<String, Object>) map).forEach((k, v) -> counts.put(k, ((Number) v).longValue()));
        }
        return counts;
    }

    /**
     * Segment files, then the database snapshot; again if any segment file changed from the start of
     * the copy to the end of the snapshot, so the snapshot's record of how far each segment got
     * matches the segment files in the copy.
     */
    private int copyConsistently(Path database, Path staging) throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            Map<Path, String> before = segmentStamps();
            copySegments(staging);
            snapshotDatabase(database, staging.resolve(DATABASE_FILE));
            if (stoppedForBackup || before.equals(segmentStamps())) {
                return attempt;
            }
            if (attempt == COPY_ATTEMPTS) {
                throw new StepFailure(NAME, "copy segments", "segment files kept changing during " + COPY_ATTEMPTS
                        + " copies; configure backup.chromadb.stop-command/start-command for a stopped copy");
            }
            deleteContents(staging);
            Thread.sleep(200L * attempt);
        }
    }

    /** Size and modification time of every segment file. */
    private Map<Path, String> segmentStamps() throws IOException {
        Map<Path, String> stamps = new TreeMap<>();
        Files.walkFileTree(folder, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes a) {
                if (a.isRegularFile() && !isDatabaseFile(file)) {
                    stamps.put(file, a.size() + "@" + a.lastModifiedTime());
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                return skipIfGone(e);
            }
        });
        return stamps;
    }

    private boolean isDatabaseFile(Path file) {
        return file.getParent().equals(folder) && file.getFileName().toString().startsWith(DATABASE_FILE);
    }

    /**
     * A file that vanished while the folder was read (SQLite's -journal comes and goes with each
     * write) is skipped; if it was a segment file, the stamps before and after the copy differ and
     * the copy is made again.
     */
    private static FileVisitResult skipIfGone(IOException e) throws IOException {
        if (e instanceof NoSuchFileException) {
            return FileVisitResult.CONTINUE;
        }
        throw e;
    }

    private static void deleteContents(Path folder) throws IOException {
        try (var tree = Files.walk(folder)) {
            for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
                if (!p.equals(folder)) {
                    Files.delete(p);
                }
            }
        }
    }

    /** Copies everything but the SQLite files, retrying a file that changed while it was read. */
    private void copySegments(Path staging) throws IOException {
        Files.walkFileTree(folder, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(staging.resolve(folder.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                return skipIfGone(e);
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (isDatabaseFile(file)) {
                    return FileVisitResult.CONTINUE;
                }
                try {
                    return copySegment(file, attrs);
                } catch (NoSuchFileException gone) {
                    return FileVisitResult.CONTINUE;
                }
            }

            private FileVisitResult copySegment(Path file, BasicFileAttributes attrs) throws IOException {
                Path target = staging.resolve(folder.relativize(file).toString());
                if (attrs.isSymbolicLink()) {
                    Files.copy(file, target, LinkOption.NOFOLLOW_LINKS, StandardCopyOption.REPLACE_EXISTING);
                    return FileVisitResult.CONTINUE;
                }
                for (int attempt = 1; ; attempt++) {
                    BasicFileAttributes before = Files.readAttributes(file, BasicFileAttributes.class);
                    Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
                    BasicFileAttributes after = Files.readAttributes(file, BasicFileAttributes.class);
                    if (before.size() == after.size() && before.lastModifiedTime().equals(after.lastModifiedTime())) {
                        return FileVisitResult.CONTINUE;
                    }
                    if (attempt == COPY_ATTEMPTS) {
                        throw new StepFailure(NAME, "copy segments", file + " kept changing while copied; "
                                + "configure backup.chromadb.stop-command/start-command for a stopped copy");
                    }
                }
            }
        });
    }

    /** A transactionally consistent copy of the live SQLite database. */
    private static void snapshotDatabase(Path live, Path copy) {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:file:" + live + "?mode=ro");
             Statement st = connection.createStatement()) {
            st.execute("PRAGMA busy_timeout = 30000");
            st.execute("VACUUM INTO '" + copy.toString().replace("'", "''") + "'");
        } catch (SQLException e) {
            throw new StepFailure(NAME, "snapshot " + DATABASE_FILE, e.getMessage(), e);
        }
    }

    /**
     * Collection name to record count, from the snapshot: what a server started on it serves. The
     * metadata segment applies Chroma's write log asynchronously, so the count is the segment's rows
     * plus the effect of log entries past its max_seq_id, replayed as Chroma does (op codes: 0 add,
     * 1 update, 2 upsert, 3 delete).
     */
    static Map<String, Long> countRecords(Path database) {
        Map<String, Long> counts = new TreeMap<>();
        String collections = "SELECT c.id, c.name, s.id, coalesce(m.seq_id, 0) FROM collections c "
                + "JOIN segments s ON s.collection = c.id AND s.scope = 'METADATA' "
                + "LEFT JOIN max_seq_id m ON m.segment_id = s.id";
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:file:" + database + "?mode=ro");
             Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(collections)) {
            while (rs.next()) {
                counts.put(rs.getString(2), countCollection(connection, rs.getString(1), rs.getString(3), rs.getLong(4)));
            }
        } catch (SQLException e) {
            throw new StepFailure(NAME, "count records", e.getMessage(), e);
        }
        return counts;
    }

    private static long countCollection(Connection connection, String collectionId, String segmentId, long appliedUpTo)
            throws SQLException {
        long count;
        try (var st = connection.prepareStatement("SELECT count(*) FROM embeddings WHERE segment_id = ?")) {
            st.setString(1, segmentId);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                count = rs.getLong(1);
            }
        }
        Map<String, List<Integer>> pending = new LinkedHashMap<>();
        try (var st = connection.prepareStatement("SELECT id, operation FROM embeddings_queue "
                + "WHERE topic LIKE ? AND seq_id > ? ORDER BY seq_id")) {
            st.setString(1, "%/" + collectionId);
            st.setLong(2, appliedUpTo);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    pending.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getInt(2));
                }
            }
        }
        try (var exists = connection.prepareStatement(
                "SELECT 1 FROM embeddings WHERE segment_id = ? AND embedding_id = ?")) {
            for (Map.Entry<String, List<Integer>> entry : pending.entrySet()) {
                exists.setString(1, segmentId);
                exists.setString(2, entry.getKey());
                boolean present;
                try (ResultSet rs = exists.executeQuery()) {
                    present = rs.next();
                }
                boolean before = present;
                for (int operation : entry.getValue()) {
                    present = switch (operation) {
                        case 0, 2 -> true;
                        case 3 -> false;
                        default -> present;
                    };
                }
                count += (present ? 1 : 0) - (before ? 1 : 0);
            }
        }
        return count;
    }
}
