package com.customercaregpt.backup.demo;

import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import com.sun.security.auth.module.UnixSystem;

/**
 * What the three local servers (PostgreSQL, Redis, Chroma) share: free ports, waiting with a deadline,
 * log tails for error messages, the {@code state.properties} file that {@code attach} reads, pid checks,
 * and running short helper commands with their output in the server's log.
 */
final class LocalServerSupport {

    static final String HOST = "127.0.0.1";
    static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
    static final String STATE_FILE = "state.properties";

    private static final int LOG_TAIL_LINES = 40;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> WORLD_TRAVERSABLE = PosixFilePermissions.fromString("rwxr-xr-x");
    private static final String PASSWORD_ALPHABET =
            "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private LocalServerSupport() {
    }

    /** A port that was free a moment ago; the server binds it right after, so the race window is tiny. */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not find a free TCP port on " + HOST, e);
        }
    }

    static boolean isPortOpen(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static boolean isRoot() {
        // The effective uid, not user.name, which a -D flag or $USER could fake.
        return new UnixSystem().getUid() == 0;
    }

    /** Letters and digits only, so the password survives config files and URLs without quoting. */
    static String randomPassword(int length) {
        StringBuilder password = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            password.append(PASSWORD_ALPHABET.charAt(RANDOM.nextInt(PASSWORD_ALPHABET.length())));
        }
        return password.toString();
    }

    /**
     * A temp folder that other OS users can traverse: PostgreSQL runs as user {@code postgres} when we
     * are root, and {@code createTempDirectory} makes folders with mode 700.
     */
    static Path createTempFolder(String prefix) {
        try {
            Path folder = Files.createTempDirectory(prefix);
            Files.setPosixFilePermissions(folder, WORLD_TRAVERSABLE);
            return folder;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create a temp folder " + prefix + "*", e);
        }
    }

    static Path createFolder(Path folder) {
        try {
            return Files.createDirectories(folder).toAbsolutePath().normalize();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create folder " + folder, e);
        }
    }

    /** Deletes a tree without following symlinks (a server folder may hold links to elsewhere). */
    static void deleteRecursively(Path root) {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("Could not delete " + root, e);
        }
    }

    /** Writes a file that only its owner can read (passwords live in it); replaces an old one. */
    static void writePrivateFile(Path file, String content) {
        try {
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            Files.writeString(file, content, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write " + file, e);
        }
    }

    static void writeState(Path folder, Properties state, String comment) {
        try (StringWriter out = new StringWriter()) {
            state.store(out, comment);
            writePrivateFile(folder.resolve(STATE_FILE), out.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write " + folder.resolve(STATE_FILE), e);
        }
    }

    static Properties readState(Path folder) {
        Path file = folder.resolve(STATE_FILE);
        Properties state = new Properties();
        try (var in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            state.load(in);
            return state;
        } catch (NoSuchFileException e) {
            throw new IllegalStateException("No " + STATE_FILE + " in " + folder
                    + ": no local server was started in this folder", e);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read " + file, e);
        }
    }

    static String required(Properties state, String key, Path folder) {
        String value = state.getProperty(key);
        if (value == null || value.isEmpty()) {
            throw new IllegalStateException(STATE_FILE + " in " + folder + " has no '" + key + "'");
        }
        return value;
    }

    /** The last lines of a server log, for exception messages; never fails. */
    static String logTail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            List<String> tail = lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size());
            return "--- last " + tail.size() + " lines of " + log + " ---\n" + String.join("\n", tail);
        } catch (IOException | UncheckedIOException e) {
            // Malformed UTF-8 or a missing file must not hide the real error.
            return "--- log " + log + " could not be read: " + e + " ---";
        }
    }

    /**
     * Polls until {@code ready} holds. Fails early when {@code alive} says the server has died, and
     * after {@code timeout}; both failures carry the log tail because that is where the reason is.
     */
    static void awaitReady(String what, Duration timeout, BooleanSupplier ready, BooleanSupplier alive, Path log) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (ready.getAsBoolean()) {
                return;
            }
            if (!alive.getAsBoolean()) {
                throw new IllegalStateException(what + " exited before it was ready\n" + logTail(log));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + " was not ready within " + timeout.toSeconds() + " s\n"
                        + logTail(log));
            }
            sleep(Duration.ofMillis(100));
        }
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting", e);
        }
    }

    /**
     * Runs a helper command (initdb, pg_ctl, redis-server launching a daemon) to completion. Its output
     * is appended to {@code log}: a file never blocks the child the way an unread pipe can.
     *
     * @return the exit code
     */
    static int run(List<String> command, Path workDir, Path log, Duration timeout) {
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectErrorStream(true);
        try {
            appendToLog(log, "\n$ " + String.join(" ", command) + "\n");
            Process process = builder.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("Command did not finish within " + timeout.toSeconds() + " s: "
                        + String.join(" ", command) + "\n" + logTail(log));
            }
            return process.exitValue();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running " + String.join(" ", command), e);
        }
    }

    /** {@link #run} that fails with the log tail on a non-zero exit code. */
    static void runChecked(List<String> command, Path workDir, Path log, Duration timeout) {
        int exitCode = run(command, workDir, log, timeout);
        if (exitCode != 0) {
            throw new IllegalStateException("Command failed with exit code " + exitCode + ": "
                    + String.join(" ", command) + "\n" + logTail(log));
        }
    }

    /** Prefixes a command so it runs as {@code osUser} when we are root (initdb refuses to run as root). */
    static List<String> asUser(String osUser, List<String> command) {
        if (!isRoot()) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", osUser, "--"));
        wrapped.addAll(command);
        return wrapped;
    }

    static void appendToLog(Path log, String text) {
        try (Writer writer = Files.newBufferedWriter(log, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            writer.write(text);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write " + log, e);
        }
    }

    static OptionalLong readPid(Path pidFile) {
        try {
            // postmaster.pid has more lines after the pid; the pid is always the first.
            String firstLine = Files.readAllLines(pidFile, StandardCharsets.US_ASCII).stream()
                    .findFirst().orElse("").trim();
            return firstLine.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(firstLine));
        } catch (IOException | NumberFormatException e) {
            // Missing or half-written: either way there is no server to talk to through it.
            return OptionalLong.empty();
        }
    }

    static void writePid(Path pidFile, long pid) {
        try {
            Files.writeString(pidFile, pid + "\n", StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write " + pidFile, e);
        }
    }

    /**
     * Whether a process runs. Zombies count as dead: orphaned servers are reparented to an init that may
     * reap them late, and {@link ProcessHandle#isAlive()} reports a zombie as alive.
     */
    static boolean isAlive(long pid) {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        if (Files.isDirectory(Path.of("/proc/self"))) {
            try {
                String content = Files.readString(stat, StandardCharsets.US_ASCII);
                // Format: "pid (comm) S ..."; comm may hold spaces and parentheses, so cut at the last ')'.
                char state = content.charAt(content.lastIndexOf(')') + 2);
                return state != 'Z' && state != 'X';
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    static boolean isAlive(Path pidFile) {
        OptionalLong pid = readPid(pidFile);
        return pid.isPresent() && isAlive(pid.getAsLong());
    }

    /** Polls until the process is gone; returns false on timeout. */
    static boolean awaitExit(long pid, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (isAlive(pid)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            sleep(Duration.ofMillis(50));
        }
        return true;
    }

    /** SIGTERM, wait, then SIGKILL: the polite way first so servers flush what they hold. */
    static void terminate(long pid, String what) {
        if (!isAlive(pid)) {
            return;
        }
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
        if (awaitExit(pid, SHUTDOWN_TIMEOUT)) {
            return;
        }
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        if (!awaitExit(pid, Duration.ofSeconds(10))) {
            throw new IllegalStateException(what + " (pid " + pid + ") did not exit even after SIGKILL");
        }
    }

    /** Quotes a string for POSIX sh. */
    static String shellQuote(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }

    /** Makes the folder traversable by other OS users and fails clearly when a parent is not. */
    static void requireTraversableByOthers(Path folder, String osUser) {
        try {
            Set<PosixFilePermission> own = Files.getPosixFilePermissions(folder);
            own.add(PosixFilePermission.OTHERS_EXECUTE);
            own.add(PosixFilePermission.GROUP_EXECUTE);
            Files.setPosixFilePermissions(folder, own);
            for (Path parent = folder.getParent(); parent != null; parent = parent.getParent()) {
                if (!Files.getPosixFilePermissions(parent).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    throw new IllegalStateException("The server runs as OS user '" + osUser + "', which cannot"
                            + " enter " + parent + " (no o+x permission); use a folder whose parents are all"
                            + " traversable (chmod 755), e.g. under /tmp");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not check permissions of " + folder, e);
        }
    }

    /** Hands a file or folder (not recursively) to another OS user and its group when we are root. */
    static void chownTo(String osUser, Path path) {
        if (!isRoot()) {
            return;
        }
        try {
            var lookup = path.getFileSystem().getUserPrincipalLookupService();
            var view = Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
            view.setOwner(lookup.lookupPrincipalByName(osUser));
            view.setGroup(lookup.lookupPrincipalByGroupName(osUser));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not hand " + path + " to OS user " + osUser, e);
        }
    }
}
