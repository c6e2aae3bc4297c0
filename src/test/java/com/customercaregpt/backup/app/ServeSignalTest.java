package com.customercaregpt.backup.app;

import com.customercaregpt.backup.fixtures.ApiClient;
import com.customercaregpt.backup.fixtures.ChildJvm;
import com.customercaregpt.backup.fixtures.Cli;
import com.customercaregpt.backup.fixtures.TestStack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `serve` ends on SIGTERM whatever it is doing (starting, idle, mid-backup) and stops listening. */
class ServeSignalTest {

    private static final String TOKEN = "t-" + UUID.randomUUID();
    private Path work;
    private int port;
    private Path config;
    private Process child;
    private final List<String> output = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        work = Files.createTempDirectory("serve-signal-test-");
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Properties properties = new Properties();
        properties.putAll(TestStack.shared().settings(work.resolve("repo")));
        properties.put("camel.server.port", String.valueOf(port));
        properties.put("camel.management.port", "0");
        properties.put("backup.api.token", TOKEN);
        properties.put("backup.schedules.file", Files.writeString(work.resolve("none.camel.yaml"), "[]\n").toString());
        properties.put("backup.uploads.path", Files.createDirectories(work.resolve("uploads")).toString());
        properties.put("backup.compression", "gzip");
        config = TestStack.store(properties, work.resolve("serve.properties"));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (child != null && child.isAlive()) {
            ChildJvm.kill(child);
        }
        TestStack.deleteTree(work);
    }

    private void startServe() throws IOException {
        output.clear();
        child = new ProcessBuilder(ChildJvm.command(config, "serve")).redirectErrorStream(true).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                lines.lines().forEach(output::add);
            } catch (IOException ignored) {
                // the child is gone
            }
        });
        reader.setDaemon(true);
        reader.start();
    }

    /** SIGTERM, then the process must be gone within 15 s, its port closed. */
    private void terminateAndExpectExit(String moment) throws Exception {
        List<ProcessHandle> tools = child.toHandle().descendants().toList();
        child.toHandle().destroy();
        assertTrue(child.waitFor(15, TimeUnit.SECONDS), "still running 15 s after SIGTERM " + moment + ":\n"
                + String.join("\n", output));
        assertEquals(143, child.exitValue(), "ended by the signal " + moment + ":\n" + String.join("\n", output));
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close(), "port closed " + moment);
        assertTrue(tools.stream().noneMatch(ProcessHandle::isAlive), "no tool outlives the service " + moment);
    }

    private void waitFor(String what, BooleanSupplier condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!condition.getAsBoolean()) {
            if (!child.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("no " + what + ":\n" + String.join("\n", output));
            }
            Thread.sleep(20);
        }
    }

    private boolean serving() {
        return output.stream().anyMatch(line -> line.contains("serving on port"));
    }

    @Test
    void sigtermOneSecondIntoTheStartEndsTheProcess() throws Exception {
        startServe();
        Thread.sleep(1000); // the moment of the signal, not a synchronisation
        terminateAndExpectExit("1 s into the start");
    }

    @Test
    void whileTheRoutesStartApiPathsAnswer503NotFoundNeverAndSigtermThenEndsTheProcess() throws Exception {
        startServe();
        ApiClient api = new ApiClient(port, TOKEN);
        Set<Integer> answers = new TreeSet<>();
        waitFor("HTTP answer", () -> {
            try {
                HttpResponse<String> response = api.call("GET", "/backup/list", null);
                answers.add(response.statusCode());
                return true;
            } catch (IOException notListeningYet) {
                return false; // refused, or closed unanswered by the start's port probe
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        terminateAndExpectExit("as soon as the port answered " + answers);

        startServe();
        waitFor("serving", () -> {
            try {
                answers.add(api.call("GET", "/backup/list", null).statusCode());
            } catch (IOException notListeningYet) {
                // refused, or closed unanswered by the start's port probe
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return serving();
        });
        answers.add(api.call("GET", "/backup/list", null).statusCode());
        assertTrue(answers.contains(200), answers.toString());
        answers.removeAll(Set.of(200, 503));
        assertEquals(Set.of(), answers, "only 503 before the routes are up, then 200");
        terminateAndExpectExit("when idle");
    }

    @Test
    void sigtermMidBackupEndsTheProcessAndTheBackupIsLeftAsAfterAKill() throws Exception {
        try (RandomAccessFile big = new RandomAccessFile(work.resolve("uploads/big.bin").toFile(), "rw")) {
            big.setLength(8L << 30); // sparse: tar reads 8 GiB of zeros, which takes a while
        }
        startServe();
        waitFor("serving", this::serving);
        HttpResponse<String> accepted = new ApiClient(port, TOKEN).call("POST", "/backup/create",
                "{\"components\": [\"uploads\"]}");
        assertEquals(202, accepted.statusCode(), accepted.body());
        Path backups = work.resolve("repo/backups");
        Path[] part = new Path[1];
        waitFor("partial artifact", () -> {
            part[0] = partialArtifact(backups);
            return part[0] != null;
        });
        terminateAndExpectExit("mid-backup");

        Path folder = part[0].getParent().getParent();
        assertFalse(Files.exists(folder.resolve("manifest.json")), "no manifest: the backup never looks finished");
        Files.writeString(work.resolve("uploads/big.bin"), "small now");
        Cli.Result next = Cli.run("--config", config.toString(), "create", "--components", "uploads");
        assertEquals(0, next.exitCode(), next.toString());
        assertFalse(Files.exists(folder), "the next backup removed the remains:\n" + next);
    }

    private static Path partialArtifact(Path backups) {
        if (!Files.isDirectory(backups)) {
            return null;
        }
        try (Stream<Path> files = Files.walk(backups)) {
            return files.filter(f -> f.toString().endsWith(".part")).findFirst().orElse(null);
        } catch (IOException | java.io.UncheckedIOException racingTheWriter) {
            return null;
        }
    }
}
