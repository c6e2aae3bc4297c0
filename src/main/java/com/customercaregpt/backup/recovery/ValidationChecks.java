package com.customercaregpt.backup.recovery;

import com.customercaregpt.backup.backup.StepFailure;
import com.customercaregpt.backup.component.ChainLink;
import com.customercaregpt.backup.component.ChromaClient;
import com.customercaregpt.backup.component.ChromaDbComponent;
import com.customercaregpt.backup.component.FileChecksums;
import com.customercaregpt.backup.component.PostgresTools;
import com.customercaregpt.backup.component.SchemaObjects;
import com.customercaregpt.backup.component.UploadsComponent;
import com.customercaregpt.backup.config.Settings;
import com.customercaregpt.backup.pipeline.ArtifactReader;
import com.customercaregpt.backup.pipeline.Folders;
import com.customercaregpt.backup.pipeline.PrivateFiles;
import com.customercaregpt.backup.repository.BackupId;
import com.customercaregpt.backup.repository.Manifest;
import com.customercaregpt.backup.repository.Manifest.Artifact;
import com.customercaregpt.backup.repository.ManifestKeys;
import com.customercaregpt.backup.repository.Repository;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
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
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The checks a recovery plan (and a drill) runs on the restored systems, each against the
 * recovery point's facts: PostgreSQL tables and row counts, Redis key counts, ChromaDB collections
 * and record counts, the uploads' files and bytes, the config files, the application's health
 * URL; the database's schema objects and each restored file's SHA-256 against the backup's lists
 * (a backup older than those lists is checked without them, with a note). Each records its result
 * on the run and fails the step naming what differs. They look where
 * the run's targets say: the live systems, or a drill's private copies.
 */
public final class ValidationChecks {

    /** Keys of {@link RecoveryRun#getTargets()}. */
    public static final String DATABASE = "database";
    public static final String REDIS_HOST = "redis-host";
    public static final String REDIS_PORT = "redis-port";
    public static final String CHROMA_URL = "chromadb-url";
    public static final String UPLOADS = "uploads";
    public static final String CONFIG = "config";

    /** Missing schema objects named in a failure; the rest are counted. */
    private static final int NAMED_MISSING = 5;

    private final Settings settings;
    private final PostgresTools postgres;
    private final Repository repository;
    private final ManifestKeys keys;
    private final Path scratch;

    /** {@code repository} and {@code keys} read the recovery point's checksum lists; {@code scratch} holds their sorting. */
    public ValidationChecks(Settings settings, Repository repository, ManifestKeys keys, Path scratch) {
        this.settings = settings;
        this.postgres = new PostgresTools(settings);
        this.repository = repository;
        this.keys = keys;
        this.scratch = scratch;
    }

    /** Where the live systems are, for a run on them. */
    public Map<String, String> liveTargets() {
        return Map.of(DATABASE, postgres.database(),
                REDIS_HOST, settings.get("backup.redis.host", "localhost"),
                REDIS_PORT, settings.get("backup.redis.port", "6379"),
                CHROMA_URL, settings.get("backup.chromadb.url", ""),
                UPLOADS, settings.get("backup.uploads.path", ""));
    }

    /**
     * PostgreSQL answers; every table of the recovery point is there with its row count (a logical
     * backup's facts), and every schema object its facts list (tables, indexes, constraints, views,
     * materialized views, functions, sequences, triggers). In a drill, the restore's own count of its
     * scratch database stands for the row counts (they are not counted twice).
     */
    public void database(RecoveryRun run) throws SQLException {
        if (skipped(run, "database")) {
            return;
        }
        Map<String, Object> facts = facts(run, "database");
        String name = run.getTargets().get(DATABASE);
        // A drill's scratch database is private and was counted, table by table, by the restore that built it.
        String counted = run.isDrill() ? run.checkedByRestore("database") : null;
        Map<String, Long> actual = new TreeMap<>();
        Map<String, List<String>> objects;
        try (Connection connection = connect(name); Statement st = connection.createStatement()) {
            objects = SchemaObjects.read(connection);
            List<String> tables = new ArrayList<>();
            if (counted == null) {
                try (ResultSet rs = st.executeQuery("SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) "
                        + "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') "
                        + "AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' "
                        + "AND n.nspname NOT LIKE 'pg_temp%'")) {
                    while (rs.next()) {
                        tables.add(rs.getString(1));
                    }
                }
            }
            for (String table : tables) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM ONLY " + table)) {
                    rs.next();
                    actual.put(table, rs.getLong(1));
                }
            }
        }
        List<String> differences = new ArrayList<>();
        Object expected = facts.get("row_counts");
        if (counted == null && expected instanceof Map<?, ?> rows) {
            rows.forEach((table, count) -> {
                Long found = actual.get(String.valueOf(table));
                if (found == null) {
                    differences.add(table + " missing");
                } else if (found != ((Number) count).longValue()) {
                    differences.add(table + " has " + found + " rows, the backup " + count);
                }
            });
        }
        String schema = schemaObjects(run, facts.get(SchemaObjects.FACT), objects, differences);
        String tables = counted != null ? counted + " (counted by the restore)" : actual.size() + " tables, "
                + (expected instanceof Map<?, ?> rows ? rows.size() + " row counts as in the backup" : "row counts not recorded");
        record(run, "database", differences, "database " + name + ": " + tables + ", " + schema);
    }

    /** Redis answers; each database holds as many keys as the recovery point. */
    public void redis(RecoveryRun run) {
        if (skipped(run, "redis")) {
            return;
        }
        Map<String, Object> facts = facts(run, "redis");
        String host = run.getTargets().get(REDIS_HOST);
        int port = Integer.parseInt(run.getTargets().get(REDIS_PORT));
        Map<String, Long> actual = new TreeMap<>();
        List<String> differences = new ArrayList<>();
        try (Jedis redis = redis(host, port)) {
            redis.ping();
            Object expected = facts.get("key_counts");
            if (expected instanceof Map<?, ?> counts) {
                for (Map.Entry<?, ?> entry : counts.entrySet()) {
                    redis.select(Integer.parseInt(String.valueOf(entry.getKey())));
                    long keys = redis.dbSize();
                    actual.put(String.valueOf(entry.getKey()), keys);
                    if (keys != ((Number) entry.getValue()).longValue()) {
                        differences.add("db " + entry.getKey() + " has " + keys + " keys, the backup " + entry.getValue());
                    }
                }
            }
        } catch (RuntimeException e) {
            throw new StepFailure("redis", "validate", "cannot reach Redis at " + host + ":" + port + ": " + e.getMessage());
        }
        record(run, "redis", differences, "keys per db " + actual);
    }

    /** ChromaDB answers its heartbeat; every collection of the recovery point is there with its record count. */
    public void chromadb(RecoveryRun run) {
        if (skipped(run, "chromadb")) {
            return;
        }
        Map<String, Object> facts = facts(run, "chromadb");
        String url = run.getTargets().get(CHROMA_URL);
        ChromaClient chroma = new ChromaClient(url);
        if (!chroma.heartbeat()) {
            throw new StepFailure("chromadb", "validate", "no heartbeat from " + url);
        }
        Map<String, Long> actual = chroma.recordCounts();
        List<String> differences = new ArrayList<>();
        Object expected = facts.getOrDefault("api_record_counts", facts.get("record_counts"));
        if (expected instanceof Map<?, ?> counts) {
            counts.forEach((collection, count) -> {
                Long found = actual.get(String.valueOf(collection));
                if (found == null) {
                    differences.add("collection " + collection + " missing");
                } else if (found != ((Number) count).longValue()) {
                    differences.add(collection + " has " + found + " records, the backup " + count);
                }
            });
        }
        // the server has written to its files since: the restore checked them against their SHA-256 before it started
        String files = checksumList(run, "chromadb", ChromaDbComponent.ARTIFACT).isPresent()
                ? "files checked against their SHA-256 before the server started"
                : noChecksums(run, "chromadb");
        record(run, "chromadb", differences, actual.size() + " collections " + actual + ", " + files);
    }

    /** The uploads folder holds the recovery point's number of files and bytes, each file with its SHA-256. */
    public void uploads(RecoveryRun run) throws IOException {
        if (skipped(run, "uploads")) {
            return;
        }
        Map<String, Object> facts = facts(run, "uploads");
        Path folder = Path.of(run.getTargets().get(UPLOADS));
        long files = 0;
        long bytes = 0;
        try (Stream<Path> tree = Files.walk(folder)) {
            for (Path path : (Iterable<Path>) tree::iterator) {
                if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
                    files++;
                    bytes += Files.size(path);
                }
            }
        }
        List<String> differences = new ArrayList<>();
        compare(differences, "files", files, facts.get("file_count"));
        compare(differences, "bytes", bytes, facts.get("total_bytes"));
        String integrity = integrity(run, "uploads", UploadsComponent.ARTIFACT, folder, differences);
        record(run, "uploads", differences, folder + ": " + files + " files, " + bytes + " bytes, " + integrity);
    }

    /**
     * Every file of {@code folder} against the checksum list of the backup it was restored from
     * (a mismatch, a missing or an extra file is a difference naming the first one and the count);
     * returns the detail, or the note that a backup older than these lists has none.
     */
    private String integrity(RecoveryRun run, String component, String archiveName, Path folder,
                             List<String> differences) throws IOException {
        Optional<Artifact> list = checksumList(run, component, archiveName);
        if (list.isEmpty()) {
            return noChecksums(run, component);
        }
        Manifest backup = run.manifestOf(component);
        Path work = Files.createTempDirectory(PrivateFiles.createDirectories(scratch), "validate-" + component + "-");
        try (InputStream in = new ArtifactReader(repository, new BackupId(backup.backupId()), component,
                keys.open(backup)).openDecompressed(list.get())) {
            FileChecksums.Result result = FileChecksums.compare(folder, in, work);
            if (!result.matches()) {
                differences.add(result.describe());
            }
            return result.describe();
        } finally {
            Folders.deleteTreeQuietly(work);
        }
    }

    /** The checksum list of the component's files in the backup it was restored from, if that backup has one. */
    private static Optional<Artifact> checksumList(RecoveryRun run, String component, String archiveName) {
        Manifest backup = run.manifestOf(component);
        return backup.components().stream().filter(c -> c.name().equals(component)).findFirst()
                .flatMap(record -> new ChainLink(backup.backupId(), backup.type(), record, null)
                        .find(FileChecksums.listingName(archiveName)));
    }

    private static String noChecksums(RecoveryRun run, String component) {
        return "no per-file checksums in " + run.manifestOf(component).backupId();
    }

    /** Every schema object of the facts present (a difference naming the first missing ones); returns the detail. */
    private static String schemaObjects(RecoveryRun run, Object expected, Map<String, List<String>> actual,
                                        List<String> differences) {
        if (!(expected instanceof Map<?, ?> recorded)) {
            return "no schema objects recorded in " + run.manifestOf("database").backupId();
        }
        long total = recorded.values().stream().mapToLong(names -> ((List<?>) names).size()).sum();
        List<String> missing = SchemaObjects.missing(recorded, actual);
        if (!missing.isEmpty()) {
            differences.add(missing.size() + " of " + total + " schema objects missing: "
                    + String.join(", ", missing.subList(0, Math.min(NAMED_MISSING, missing.size())))
                    + (missing.size() > NAMED_MISSING ? ", ..." : ""));
        }
        return (total - missing.size()) + " of " + total + " schema objects present";
    }

    /** The restored config files are there, as many as the recovery point exported, each readable. */
    public void config(RecoveryRun run) throws IOException {
        if (skipped(run, "config")) {
            return;
        }
        Map<String, Object> facts = facts(run, "config");
        List<String> restored = run.restoredFiles("config");
        List<String> differences = new ArrayList<>();
        for (String file : restored) {
            if (!Files.isReadable(Path.of(file))) {
                differences.add(file + " is missing");
            }
        }
        compare(differences, "files", restored.size(), facts.get("file_count"));
        record(run, "config", differences, restored.size() + " files restored");
    }

    /** The application's health URL (backup.application.health-url) answers 2xx within its timeout. */
    public void application(RecoveryRun run) throws InterruptedException {
        String url = settings.get("backup.application.health-url", "");
        if (!run.isLive()) {
            return; // a drill or a dry run leaves the live application alone
        }
        if (url.isBlank()) {
            run.check(new RecoveryRun.Check("application", "skipped", "backup.application.health-url is not set"));
            return;
        }
        Duration timeout = Duration.ofSeconds(settings.getInt("backup.application.health-timeout-seconds", 120));
        Instant deadline = Instant.now().plus(timeout);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String last = "no answer";
        while (true) {
            try {
                HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build();
                int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status / 100 == 2) {
                    run.check(new RecoveryRun.Check("application", "ok", url + " answered " + status));
                    return;
                }
                last = "status " + status;
            } catch (IOException e) {
                last = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            }
            if (Instant.now().isAfter(deadline)) {
                run.check(new RecoveryRun.Check("application", "failed", url + ": " + last));
                throw new StepFailure("application", "validate", url + " did not answer 2xx within "
                        + timeout.toSeconds() + " s (last: " + last + ")");
            }
            Thread.sleep(500);
        }
    }

    /** A dry run checks nothing; a plan checks only the components it restores (those in use, backup.components). */
    private static boolean skipped(RecoveryRun run, String component) {
        return run.isDryRun() || !run.getPlan().components().contains(component);
    }

    private Connection connect(String database) throws SQLException {
        try {
            return postgres.connect(database);
        } catch (SQLException e) {
            throw new StepFailure("database", "validate", "cannot connect to database " + database + ": "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    private Jedis redis(String host, int port) {
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder().connectionTimeoutMillis(5000)
                .socketTimeoutMillis(60_000).clientName("backup-manager");
        String password = settings.get("backup.redis.password", "");
        if (!password.isEmpty()) {
            config.password(password);
        }
        return new Jedis(new HostAndPort(host, port), config.build());
    }

    private static Map<String, Object> facts(RecoveryRun run, String component) {
        return run.factsOf(component);
    }

    private static void compare(List<String> differences, String what, long actual, Object expected) {
        if (expected instanceof Number number && number.longValue() != actual) {
            differences.add(actual + " " + what + ", the backup " + number);
        }
    }

    private static void record(RecoveryRun run, String component, List<String> differences, String detail) {
        if (differences.isEmpty()) {
            run.check(new RecoveryRun.Check(component, "ok", detail));
            return;
        }
        String cause = String.join("; ", differences);
        run.check(new RecoveryRun.Check(component, "failed", cause));
        throw new StepFailure(component, "validate", cause);
    }
}
