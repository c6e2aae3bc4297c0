package com.customercaregpt.backup.demo;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A whole platform to back up, on the local host: private PostgreSQL, Redis and ChromaDB servers
 * on free loopback ports, an uploads folder and config files, all filled with sample data, in
 * one folder. The `demo` command starts it for a first run; the tests use it as their real stack.
 */
public final class DemoStack implements AutoCloseable {

    public static final String DATABASE = "customercaregpt";
    public static final String CATALOG_DATABASE = "backup_catalog";

    private final Path root;
    private final LocalPostgres postgres;
    private final LocalRedis redis;
    private final LocalChroma chroma;
    private final Path uploads;
    private final List<Path> configFiles;

    private DemoStack(Path root, LocalPostgres postgres, LocalRedis redis, LocalChroma chroma, Path uploads,
                      List<Path> configFiles) {
        this.root = root;
        this.postgres = postgres;
        this.redis = redis;
        this.chroma = chroma;
        this.uploads = uploads;
        this.configFiles = configFiles;
    }

    /** Starts all servers in {@code root} (which must be new or empty) and fills them with sample data. */
    public static DemoStack start(Path root) throws IOException {
        Path folder = root.toAbsolutePath().normalize();
        Files.createDirectories(folder);
        LocalPostgres postgres = LocalPostgres.start(folder.resolve("postgres"));
        LocalRedis redis = null;
        LocalChroma chroma = null;
        try {
            redis = LocalRedis.start(folder.resolve("redis"), LocalServerSupport.randomPassword(24));
            chroma = LocalChroma.start(folder.resolve("chroma-data"), folder.resolve("chroma"));
            SampleData.seedPostgres(postgres, DATABASE);
            SampleData.seedRedis(redis);
            SampleData.seedChroma(chroma.client());
            Path uploads = folder.resolve("uploads");
            SampleData.seedUploads(uploads);
            List<Path> config = SampleData.seedConfig(folder.resolve("config"));
            return new DemoStack(folder, postgres, redis, chroma, uploads, config);
        } catch (RuntimeException e) {
            postgres.close();
            if (redis != null) {
                redis.close();
            }
            if (chroma != null) {
                chroma.close();
            }
            throw e;
        }
    }

    /** Reconnects to a stack that {@link #start} left running in {@code root}. */
    public static DemoStack attach(Path root) {
        Path folder = root.toAbsolutePath().normalize();
        List<Path> config;
        try (var files = Files.list(folder.resolve("config"))) {
            // only the seeded files: restores write *.restored-<label> copies beside them and keep *.pre-restore-<label>
            config = files.filter(f -> !f.getFileName().toString().contains(".restored-")
                            && !f.getFileName().toString().contains(".pre-restore-")).sorted()
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new IllegalStateException("no demo stack in " + folder + ": " + e.getMessage(), e);
        }
        return new DemoStack(folder, LocalPostgres.attach(folder.resolve("postgres")),
                LocalRedis.attach(folder.resolve("redis")), LocalChroma.attach(folder.resolve("chroma")),
                folder.resolve("uploads"), config);
    }

    public static boolean existsIn(Path root) {
        return Files.isDirectory(root.resolve("postgres")) && Files.isDirectory(root.resolve("config"));
    }

    /** Starts again whatever server of an attached stack is down (after a reboot, say). */
    public void ensureRunning() {
        if (!postgres.isRunning()) {
            postgres.start();
        }
        if (!redis.isRunning()) {
            redis.start();
        }
        if (!chroma.isRunning()) {
            chroma.start();
        }
    }

    /** The backup.* settings that point the tool at this stack, backing up into {@code repository}. */
    public Map<String, String> settings(Path repository) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("backup.repository.path", repository.toAbsolutePath().toString());
        s.put("backup.database.host", postgres.host());
        s.put("backup.database.port", String.valueOf(postgres.port()));
        s.put("backup.database.name", DATABASE);
        s.put("backup.database.user", postgres.user());
        s.put("backup.database.password", postgres.password());
        s.put("backup.redis.host", redis.host());
        s.put("backup.redis.port", String.valueOf(redis.port()));
        s.put("backup.redis.password", redis.password());
        s.put("backup.chromadb.url", chroma.url());
        s.put("backup.chromadb.path", chroma.persistFolder().toString());
        s.put("backup.uploads.path", uploads.toString());
        s.put("backup.config.files", configFiles.stream().map(Path::toString).collect(Collectors.joining(",")));
        s.put("backup.catalog.url", postgres.jdbcUrl(CATALOG_DATABASE));
        s.put("backup.catalog.user", postgres.user());
        s.put("backup.catalog.password", postgres.password());
        return s;
    }

    /**
     * The commands that stop and start the demo's Chroma server: a restore replaces Chroma's
     * files only with its server stopped.
     */
    public Map<String, String> chromaServiceCommands() {
        return Map.of("backup.chromadb.stop-command", chroma.stopCommand(),
                "backup.chromadb.start-command", chroma.startCommand());
    }

    /** Writes {@link #settings} as a properties file (mode 600: it holds the stack's passwords). */
    public Path writeProperties(Path file, Path repository) throws IOException {
        return writeProperties(file, repository, Map.of());
    }

    /** As above, plus {@code extra} settings. */
    public Path writeProperties(Path file, Path repository, Map<String, String> extra) throws IOException {
        Properties properties = new Properties();
        properties.putAll(settings(repository));
        properties.putAll(extra);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rw-------")));
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            properties.store(out, "Demo stack in " + root + " (written by backup-manager demo)");
        }
        return file;
    }

    public Path root() {
        return root;
    }

    public LocalPostgres postgres() {
        return postgres;
    }

    public LocalRedis redis() {
        return redis;
    }

    public LocalChroma chroma() {
        return chroma;
    }

    public Path uploads() {
        return uploads;
    }

    public List<Path> configFiles() {
        return configFiles;
    }

    /** Stops every server; the folder stays. */
    @Override
    public void close() {
        chroma.close();
        redis.close();
        postgres.close();
    }
}
