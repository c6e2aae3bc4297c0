package com.customercaregpt.backup.pipeline;

import com.customercaregpt.backup.backup.StepFailure;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.io.ByteArrayOutputStream;

/**
 * Runs a standard tool (pg_dump, tar, redis-cli) with its stdout streamed straight into an
 * artifact. Secrets go in the child's environment, never on its command line; stderr goes to a
 * file so a chatty tool cannot fill memory, and its tail explains a failure.
 */
public final class ExternalTool {

    private static final int STDERR_TAIL_BYTES = 2048;

    private final String component;
    private final String step;
    /** Told each stderr line while the tool runs (null: nobody listens). */
    private final Consumer<String> stderrLines;

    public ExternalTool(String component, String step) {
        this(component, step, null);
    }

    private ExternalTool(String component, String step, Consumer<String> stderrLines) {
        this.component = component;
        this.step = step;
        this.stderrLines = stderrLines;
    }

    /**
     * The same tool, with each line it writes to stderr handed to {@code listener} as it appears
     * (pg_restore --verbose tells which tables are done). The lines still go to the file first,
     * so memory stays bounded however much the tool writes; every line is delivered before the
     * run returns or fails.
     */
    public ExternalTool followingStderr(Consumer<String> listener) {
        return new ExternalTool(component, step, listener);
    }

    /** How a tool ended: its exit code and the last line it wrote to stderr. */
    public record Outcome(int exitCode, String lastStderrLine) {
    }

    /** Runs {@code command}, copying its stdout into {@code sink}; fails on a non-zero exit. */
    public void streamTo(List<String> command, Map<String, String> environment, Path workDir, OutputStream sink) {
        streamTo(command, environment, workDir, sink, Set.of(0));
    }

    /** As above, accepting the given exit codes (GNU tar's 1 means "a file changed while read"). */
    public Outcome streamTo(List<String> command, Map<String, String> environment, Path workDir, OutputStream sink,
                            Set<Integer> acceptedExitCodes) {
        return run(command, environment, workDir, acceptedExitCodes, process -> {
            try (InputStream stdout = process.getInputStream()) {
                Streams.copy(stdout, sink);
            }
        });
    }

    /** Reads a tool's stdout while it runs (to look at the bytes as they pass on to an artifact). */
    public interface StdoutReader {
        void read(InputStream stdout) throws IOException;
    }

    /** Runs {@code command} handing its stdout to {@code reader}, accepting the given exit codes. */
    public Outcome readStdout(List<String> command, Map<String, String> environment, Path workDir,
                              Set<Integer> acceptedExitCodes, StdoutReader reader) {
        return run(command, environment, workDir, acceptedExitCodes, process -> {
            try (InputStream stdout = process.getInputStream()) {
                reader.read(stdout);
            }
        });
    }

    /** Runs {@code command} feeding {@code source} to its stdin; fails on a non-zero exit. */
    public void streamFrom(List<String> command, Map<String, String> environment, Path workDir, InputStream source) {
        run(command, environment, workDir, Set.of(0), process -> {
            try (OutputStream stdin = process.getOutputStream()) {
                Streams.copy(source, stdin);
            }
        });
    }

    /** Runs {@code command} and returns its stdout, for tools whose output is small (versions, listings). */
    public String capture(List<String> command, Map<String, String> environment, Path workDir) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        streamTo(command, environment, workDir, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    private interface Io {
        void accept(Process process) throws IOException;
    }

    private Outcome run(List<String> command, Map<String, String> environment, Path workDir,
                        Set<Integer> acceptedExitCodes, Io io) {
        String tool = Path.of(command.get(0)).getFileName().toString();
        Path stderr = null;
        Process process = null;
        try {
            stderr = Files.createTempFile("backup-" + tool + "-", ".stderr");
            ProcessBuilder builder = new ProcessBuilder(command).redirectError(stderr.toFile());
            if (workDir != null) {
                builder.directory(workDir.toFile());
            }
            builder.environment().putAll(environment);
            process = builder.start();
            StderrFollower follower = stderrLines == null ? null : new StderrFollower(stderr, stderrLines, tool);
            int exit;
            try {
                try {
                    io.accept(process);
                } catch (IOException streamBroken) {
                    process.destroy();
                    exit = process.waitFor();
                    throw failure(tool, exit, stderr, streamBroken.getMessage());
                }
                exit = process.waitFor();
            } finally {
                if (follower != null) {
                    follower.finish();
                }
            }
            if (!acceptedExitCodes.contains(exit)) {
                throw failure(tool, exit, stderr, null);
            }
            return new Outcome(exit, lastLine(stderr));
        } catch (IOException e) {
            throw new StepFailure(component, step, "cannot run " + tool + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StepFailure(component, step, tool + " was interrupted");
        } finally {
            if (process != null && process.isAlive()) {
                process.destroyForcibly();
            }
            if (stderr != null) {
                try {
                    Files.deleteIfExists(stderr);
                } catch (IOException ignored) {
                    // a temp file in /tmp; nothing secret is in it
                }
            }
        }
    }

    /** Reads the stderr file as it grows and hands out whole lines; the last ones once the tool ended. */
    private static final class StderrFollower {
        private final Path file;
        private final Consumer<String> listener;
        private final Thread thread;
        private volatile boolean ended;
        private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

        StderrFollower(Path file, Consumer<String> listener, String tool) {
            this.file = file;
            this.listener = listener;
            this.thread = DaemonThreads.named(tool + "-stderr").newThread(this::follow);
            thread.start();
        }

        private void follow() {
            try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
                byte[] buffer = new byte[8192];
                while (true) {
                    boolean last = ended;
                    int n;
                    while ((n = in.read(buffer)) > 0) {
                        deliver(buffer, n);
                    }
                    if (last) {
                        if (partial.size() > 0) {
                            listener.accept(partial.toString(StandardCharsets.UTF_8));
                        }
                        return;
                    }
                    Thread.sleep(50);
                }
            } catch (IOException | RuntimeException e) {
                // the listener only speeds things up or explains a failure; the file still has the tail
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void deliver(byte[] buffer, int n) {
            for (int i = 0; i < n; i++) {
                if (buffer[i] == '\n') {
                    listener.accept(partial.toString(StandardCharsets.UTF_8));
                    partial.reset();
                } else if (partial.size() < 64 * 1024) {
                    partial.write(buffer[i]);
                }
            }
        }

        /** After the tool exited: waits until every line it wrote was handed out. */
        void finish() throws InterruptedException {
            ended = true;
            thread.join();
        }
    }

    private StepFailure failure(String tool, int exit, Path stderr, String streamError) {
        String tail = causeLine(stderr);
        String cause = tool + " exited with " + exit + (tail.isEmpty() ? "" : ": " + tail)
                + (streamError == null ? "" : " (" + streamError + ")");
        return new StepFailure(component, step, cause);
    }

    /**
     * The stderr line that says what went wrong: the last one, unless that only summarises
     * earlier errors (tar's "Exiting with failure status due to previous errors"); then the
     * first error, which names the file and the cause.
     */
    public static String causeLine(Path file) {
        String last = lastLine(file);
        if (!isSummary(last)) {
            return last;
        }
        for (String line : headLines(file)) {
            if (!line.isBlank() && !isSummary(line)) {
                return line.strip();
            }
        }
        return last;
    }

    private static boolean isSummary(String line) {
        return line.contains("Exiting with failure status due to previous errors")
                || line.contains("Error is not recoverable: exiting now")
                || line.endsWith("pg_receivewal: error: disconnected");
    }

    private static String[] headLines(Path file) {
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            byte[] head = new byte[(int) Math.min(in.length(), STDERR_TAIL_BYTES)];
            in.readFully(head);
            return new String(head, StandardCharsets.UTF_8).split("\n");
        } catch (IOException e) {
            return new String[0];
        }
    }

    /** The last non-empty line of the tool's stderr: the line that says what went wrong. */
    static String lastLine(Path file) {
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long start = Math.max(0, in.length() - STDERR_TAIL_BYTES);
            byte[] tail = new byte[(int) (in.length() - start)];
            in.seek(start);
            in.readFully(tail);
            String[] lines = new String(tail, StandardCharsets.UTF_8).strip().split("\n");
            return lines.length == 0 ? "" : lines[lines.length - 1].strip();
        } catch (IOException e) {
            return "";
        }
    }

    /** Finds an executable on PATH or in extra folders; null when absent. */
    public static String locate(String name, List<String> extraFolders) {
        for (String folder : extraFolders) {
            File candidate = new File(folder, name);
            if (candidate.canExecute()) {
                return candidate.getAbsolutePath();
            }
        }
        for (String folder : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File candidate = new File(folder, name);
            if (!folder.isEmpty() && candidate.canExecute()) {
                return candidate.getAbsolutePath();
            }
        }
        return null;
    }
}
