package com.customercaregpt.backup.demo;

import com.customercaregpt.backup.component.ChromaClient;
import static com.customercaregpt.backup.demo.LocalServerSupport.HOST;
import static com.customercaregpt.backup.demo.LocalServerSupport.STARTUP_TIMEOUT;
import static com.customercaregpt.backup.demo.LocalServerSupport.shellQuote;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.Properties;

/**
 * A throw-away Chroma server (the Rust server shipped in the npm package {@code chromadb}) on 127.0.0.1.
 * Its data lives in the persist folder; its log ({@code chroma.log}), pid file ({@code chroma.pid})
 * and {@code state.properties} live in the log folder.
 *
 * <p>The pid file, not a {@link Process} object, is the source of truth for which process is the
 * server, so {@link #stopCommand()} and {@link #startCommand()} run from a shell and this class stay
 * in step.
 */
public final class LocalChroma implements AutoCloseable {

    /** System property naming the chroma executable, e.g. {@code tools/chroma/node_modules/.bin/chroma}. */
    public static final String BIN_PROPERTY = "backup.chroma.bin";
    private static final Path PROJECT_BIN = Path.of("tools", "chroma", "node_modules", ".bin", "chroma");

    private final String bin;
    private final Path persistFolder;
    private final Path logFolder;
    private final int port;
    private final Path ownedRoot;

    private LocalChroma(String bin, Path persistFolder, Path logFolder, int port, Path ownedRoot) {
        this.bin = bin;
        this.persistFolder = persistFolder;
        this.logFolder = logFolder;
        this.port = port;
        this.ownedRoot = ownedRoot;
    }

    /** Starts a server that keeps its data in {@code persistFolder} and its log and state in {@code logFolder}. */
    public static LocalChroma start(Path persistFolder, Path logFolder) {
        return create(LocalServerSupport.createFolder(persistFolder), LocalServerSupport.createFolder(logFolder),
                null);
    }

    /** Starts a server with data in {@code folder/data} and log and state in {@code folder}. */
    public static LocalChroma start(Path folder) {
        Path absolute = LocalServerSupport.createFolder(folder);
        return start(absolute.resolve("data"), absolute);
    }

    /** Like {@link #start(Path)} in a new temp folder that {@link #close()} deletes. */
    public static LocalChroma startTemporary() {
        Path root = LocalServerSupport.createTempFolder("local-chroma-");
        return create(LocalServerSupport.createFolder(root.resolve("data")), root, root);
    }

    /** Reconnects to a server whose state a {@code start} left in {@code logFolder}, e.g. to stop it. */
    public static LocalChroma attach(Path logFolder) {
        Path absolute = logFolder.toAbsolutePath().normalize();
        Properties state = LocalServerSupport.readState(absolute);
        return new LocalChroma(LocalServerSupport.required(state, "bin", absolute),
                Path.of(LocalServerSupport.required(state, "persistFolder", absolute)), absolute,
                Integer.parseInt(LocalServerSupport.required(state, "port", absolute)), null);
    }

    private static LocalChroma create(Path persistFolder, Path logFolder, Path ownedRoot) {
        LocalChroma chroma = new LocalChroma(locateBinary(), persistFolder, logFolder,
                LocalServerSupport.freePort(), ownedRoot);
        try {
            chroma.writeState();
            chroma.start();
            return chroma;
        } catch (RuntimeException e) {
            try {
                chroma.close();
            } catch (RuntimeException closeFailure) {
                e.addSuppressed(closeFailure);
            }
            throw e;
        }
    }

    /**
     * The chroma executable: the {@value #BIN_PROPERTY} system property, else
     * {@code tools/chroma/node_modules/.bin/chroma} in the current folder or one above it, else
     * {@code chroma} on the PATH.
     */
    public static String locateBinary() {
        String configured = System.getProperty(BIN_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            Path path = Path.of(configured).toAbsolutePath();
            if (!Files.isExecutable(path)) {
                throw new IllegalStateException("-D" + BIN_PROPERTY + "=" + configured + " is not an executable file");
            }
            return path.toString();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(PROJECT_BIN);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        String pathVariable = System.getenv().getOrDefault("PATH", "");
        for (String entry : pathVariable.split(File.pathSeparator)) {
            if (!entry.isEmpty() && Files.isExecutable(Path.of(entry, "chroma"))) {
                return Path.of(entry, "chroma").toAbsolutePath().toString();
            }
        }
        throw new IllegalStateException("No Chroma server binary: run 'npm install' in tools/chroma, or set -D"
                + BIN_PROPERTY + ", or put 'chroma' on the PATH");
    }

    private void writeState() {
        Properties state = new Properties();
        state.setProperty("host", HOST);
        state.setProperty("port", Integer.toString(port));
        state.setProperty("bin", bin);
        state.setProperty("persistFolder", persistFolder.toString());
        state.setProperty("pidFile", pidFile().toString());
        state.setProperty("logFile", logFile().toString());
        LocalServerSupport.writeState(logFolder, state, "LocalChroma (read by LocalChroma.attach)");
    }

    /** Starts the server again (same port, same data); does nothing if it runs. */
    public synchronized void start() {
        if (isRunning()) {
            return;
        }
        ProcessBuilder builder = new ProcessBuilder(serverCommand())
                .directory(logFolder.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()))
                .redirectErrorStream(true);
        try {
            LocalServerSupport.appendToLog(logFile(), "\n$ " + String.join(" ", serverCommand()) + "\n");
            LocalServerSupport.writePid(pidFile(), builder.start().pid());
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start " + bin, e);
        }
        awaitReady();
    }

    /**
     * Waits for the heartbeat of the process in the pid file, e.g. after running {@link #startCommand()};
     * fails with the log tail if the process dies or the server is not up within 60 s.
     */
    public void awaitReady() {
        ChromaClient client = client();
        // Checking our pid too: another server answering on this port must not pass for ours.
        LocalServerSupport.awaitReady("Chroma on port " + port, STARTUP_TIMEOUT,
                () -> client.heartbeat() && isRunning(), this::isRunning, logFile());
    }

    /** SIGTERM, then SIGKILL if the server has not exited after 30 s; idempotent. */
    public synchronized void stop() {
        OptionalLong pid = LocalServerSupport.readPid(pidFile());
        if (pid.isPresent()) {
            LocalServerSupport.terminate(pid.getAsLong(), "Chroma on port " + port);
        }
        try {
            Files.deleteIfExists(pidFile());
        } catch (IOException e) {
            throw new UncheckedIOException("Could not delete " + pidFile(), e);
        }
    }

    public boolean isRunning() {
        return LocalServerSupport.isAlive(pidFile());
    }

    /** Stops the server; a folder made by {@link #startTemporary()} is deleted too. */
    @Override
    public void close() {
        stop();
        if (ownedRoot != null) {
            LocalServerSupport.deleteRecursively(ownedRoot);
        }
    }

    /**
     * A {@code sh -c} command line that stops this instance: SIGTERM to the pid in the pid file, wait up
     * to 30 s (SIGKILL after that), remove the pid file. Exits 0 when the server was not running.
     */
    public String stopCommand() {
        String pidFile = shellQuote(pidFile().toString());
        // A zombie counts as stopped: orphans may be reaped late, and kill -0 succeeds on zombies.
        return "alive() { s=$(sed 's/.*) //' \"/proc/$1/stat\" 2>/dev/null | cut -c1);"
                + " [ -n \"$s\" ] && [ \"$s\" != Z ]; };"
                + " pid=$(cat " + pidFile + " 2>/dev/null); [ -n \"$pid\" ] || exit 0;"
                + " kill \"$pid\" 2>/dev/null;"
                + " n=0; while alive \"$pid\"; do n=$((n+1));"
                + " if [ $n -gt 300 ]; then kill -9 \"$pid\" 2>/dev/null; break; fi; sleep 0.1; done;"
                + " rm -f " + pidFile;
    }

    /**
     * A {@code sh -c} command line that starts this instance again in the background (same port, same
     * data, log appended) and writes the new pid into the pid file. It returns at once; wait for
     * {@code GET /api/v2/heartbeat} (or {@link #awaitReady()}) before using the server.
     */
    public String startCommand() {
        StringBuilder command = new StringBuilder("nohup");
        for (String word : serverCommand()) {
            command.append(' ').append(shellQuote(word));
        }
        return command.append(" >> ").append(shellQuote(logFile().toString()))
                .append(" 2>&1 < /dev/null & echo $! > ").append(shellQuote(pidFile().toString()))
                .toString();
    }

    /** The pid of the running server, from the pid file. */
    public long pid() {
        return LocalServerSupport.readPid(pidFile()).orElseThrow(() ->
                new IllegalStateException("Chroma on port " + port + " is not running (no pid in " + pidFile() + ")"));
    }

    public String url() {
        return "http://" + HOST + ":" + port;
    }

    public ChromaClient client() {
        return new ChromaClient(url());
    }

    public String host() {
        return HOST;
    }

    public int port() {
        return port;
    }

    public Path persistFolder() {
        return persistFolder;
    }

    public Path logFolder() {
        return logFolder;
    }

    public Path logFile() {
        return logFolder.resolve("chroma.log");
    }

    public Path pidFile() {
        return logFolder.resolve("chroma.pid");
    }

    private List<String> serverCommand() {
        return List.of(bin, "run", "--path", persistFolder.toString(), "--port", Integer.toString(port),
                "--host", HOST);
    }
}
