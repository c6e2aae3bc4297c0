package com.customercaregpt.backup.demo;

import static com.customercaregpt.backup.demo.LocalServerSupport.HOST;
import static com.customercaregpt.backup.demo.LocalServerSupport.STARTUP_TIMEOUT;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.Properties;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.ShutdownParams;

/**
 * A throw-away Redis 7 server on 127.0.0.1, daemonized, living entirely in one folder:
 * {@code redis.conf} (mode 600, it holds the password), {@code redis.pid}, {@code redis.log},
 * {@code dump.rdb} and {@code state.properties}.
 *
 * <p>Automatic snapshots are off ({@code save ""}) and {@link #stop()} does not save, so what a restart
 * loads is exactly the {@code dump.rdb} that is in the folder at that moment, if any: a restore test
 * can put one there between {@link #stop()} and {@link #start()}.
 */
public final class LocalRedis implements AutoCloseable {

    /** System property that points to another redis-server binary. */
    public static final String BIN_PROPERTY = "backup.redis.bin";
    private static final String DEFAULT_BIN = "/usr/bin/redis-server";
    // A daemonized redis-server writes its pid file only once it listens; until then we cannot tell
    // "still starting" from "died", so a missing pid file is only trusted for this long.
    private static final Duration PID_FILE_GRACE = Duration.ofSeconds(10);

    private final Path folder;
    private final int port;
    private final String password;
    private final boolean ownsFolder;

    private LocalRedis(Path folder, int port, String password, boolean ownsFolder) {
        this.folder = folder;
        this.port = port;
        this.password = password;
        this.ownsFolder = ownsFolder;
    }

    /** Writes a config into {@code folder} and starts the server; {@code password} may be null (no AUTH). */
    public static LocalRedis start(Path folder, String passwordOrNull) {
        return create(LocalServerSupport.createFolder(folder), passwordOrNull, false);
    }

    /** Like {@link #start(Path, String)} in a new temp folder that {@link #close()} deletes. */
    public static LocalRedis startTemporary(String passwordOrNull) {
        return create(LocalServerSupport.createTempFolder("local-redis-"), passwordOrNull, true);
    }

    /** Reconnects to a server that {@link #start(Path, String)} set up earlier, e.g. in another JVM. */
    public static LocalRedis attach(Path folder) {
        Path absolute = folder.toAbsolutePath().normalize();
        Properties state = LocalServerSupport.readState(absolute);
        return new LocalRedis(absolute, Integer.parseInt(LocalServerSupport.required(state, "port", absolute)),
                state.getProperty("password"), false);
    }

    private static LocalRedis create(Path folder, String password, boolean ownsFolder) {
        LocalRedis redis = new LocalRedis(folder, LocalServerSupport.freePort(), password, ownsFolder);
        try {
            redis.writeConfig();
            redis.writeState();
            redis.start();
            return redis;
        } catch (RuntimeException e) {
            try {
                redis.close();
            } catch (RuntimeException closeFailure) {
                e.addSuppressed(closeFailure);
            }
            throw e;
        }
    }

    private void writeConfig() {
        // The password lives in this mode-600 file rather than on the command line, where ps shows it.
        StringBuilder config = new StringBuilder()
                .append("# Written by LocalRedis: a private server for demos and tests\n")
                .append("bind ").append(HOST).append('\n')
                .append("port ").append(port).append('\n')
                .append("dir ").append(configString(folder.toString())).append('\n')
                .append("dbfilename dump.rdb\n")
                .append("daemonize yes\n")
                .append("pidfile ").append(configString(pidFile().toString())).append('\n')
                .append("logfile ").append(configString(logFile().toString())).append('\n')
                .append("save \"\"\n")
                .append("appendonly no\n");
        if (password != null) {
            config.append("requirepass ").append(configString(password)).append('\n');
        }
        LocalServerSupport.writePrivateFile(configFile(), config.toString());
    }

    private void writeState() {
        Properties state = new Properties();
        state.setProperty("host", HOST);
        state.setProperty("port", Integer.toString(port));
        if (password != null) {
            state.setProperty("password", password);
        }
        state.setProperty("pidFile", pidFile().toString());
        state.setProperty("configFile", configFile().toString());
        state.setProperty("logFile", logFile().toString());
        LocalServerSupport.writeState(folder, state, "LocalRedis (read by LocalRedis.attach)");
    }

    /** Starts the server again with the same config (same port); does nothing if it runs. */
    public synchronized void start() {
        if (isRunning()) {
            return;
        }
        String bin = System.getProperty(BIN_PROPERTY, DEFAULT_BIN);
        // With daemonize the launcher forks the server and exits at once.
        LocalServerSupport.runChecked(List.of(bin, configFile().toString()), folder, logFile(), STARTUP_TIMEOUT);
        long launched = System.nanoTime();
        LocalServerSupport.awaitReady("Redis on port " + port, STARTUP_TIMEOUT, this::answersPing,
                () -> isRunning() || System.nanoTime() - launched < PID_FILE_GRACE.toNanos(), logFile());
    }

    /** SHUTDOWN NOSAVE, falling back to signals through the pid file; idempotent. */
    public synchronized void stop() {
        OptionalLong pid = LocalServerSupport.readPid(pidFile());
        if (pid.isEmpty() || !LocalServerSupport.isAlive(pid.getAsLong())) {
            return;
        }
        try (Jedis jedis = client()) {
            jedis.shutdown(ShutdownParams.shutdownParams().nosave());
        } catch (JedisException e) {
            // Expected when the server drops the connection while exiting; otherwise signals below take over.
        }
        if (!LocalServerSupport.awaitExit(pid.getAsLong(), LocalServerSupport.SHUTDOWN_TIMEOUT)) {
            LocalServerSupport.terminate(pid.getAsLong(), "Redis on port " + port);
        }
    }

    public boolean isRunning() {
        return LocalServerSupport.isAlive(pidFile());
    }

    /** Stops the server; a folder made by {@link #startTemporary(String)} is deleted too. */
    @Override
    public void close() {
        stop();
        if (ownsFolder) {
            LocalServerSupport.deleteRecursively(folder);
        }
    }

    /** A new authenticated connection (database 0); the caller closes it. */
    public Jedis client() {
        return new Jedis(new HostAndPort(HOST, port), DefaultJedisClientConfig.builder()
                .password(password)
                .timeoutMillis(10_000)
                .build());
    }

    public String host() {
        return HOST;
    }

    public int port() {
        return port;
    }

    /** The AUTH password, or null when the server has none. */
    public String password() {
        return password;
    }

    public Path folder() {
        return folder;
    }

    /** Where the server writes and reads its snapshot (RDB). */
    public Path dumpFile() {
        return folder.resolve("dump.rdb");
    }

    public Path configFile() {
        return folder.resolve("redis.conf");
    }

    public Path pidFile() {
        return folder.resolve("redis.pid");
    }

    public Path logFile() {
        return folder.resolve("redis.log");
    }

    private boolean answersPing() {
        if (!LocalServerSupport.isPortOpen(port)) {
            return false;
        }
        try (Jedis jedis = client()) {
            return "PONG".equals(jedis.ping());
        } catch (JedisException e) {
            return false;
        }
    }

    /** redis.conf strings: double quotes with backslash escapes, so paths with spaces survive. */
    private static String configString(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
