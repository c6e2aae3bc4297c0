package com.customercaregpt.backup.app;

import com.customercaregpt.backup.config.Settings;
import com.customercaregpt.backup.fixtures.TestStack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** With backup.routes.reload=true, an edited route file takes effect in the running service. */
class RouteReloadTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private Path work;

    @BeforeEach
    void setUp() throws Exception {
        work = Files.createTempDirectory("route-reload-test-");
    }

    @AfterEach
    void tearDown() {
        TestStack.deleteTree(work);
    }

    private static String probe(String route) {
        return """
                - route:
                    id: probe
                    from:
                      uri: platform-http:/probe
                      steps:
                        - setBody:
                            constant: "%s"
                """.formatted(route);
    }

    private static String get(String url, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }

    /** In routes/ and in routes/components/, where the components' runbooks are. */
    @ParameterizedTest
    @ValueSource(strings = {"", "components"})
    void anEditedRouteFileIsReloadedWithoutARestartAndTheOtherRoutesKeepRunning(String folder) throws Exception {
        // A private copy of the project home, so that the test edits its own routes/.
        Path home = Files.createDirectories(work.resolve("home"));
        Files.copy(TestStack.projectHome().resolve("application.properties"), home.resolve("application.properties"));
        Path routes = home.resolve("routes");
        Path shipped = TestStack.projectHome().resolve("routes");
        try (Stream<Path> files = Files.walk(shipped)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Path copy = routes.resolve(shipped.relativize(file).toString());
                Files.createDirectories(copy.getParent());
                Files.copy(file, copy);
            }
        }
        Files.writeString(routes.resolve("schedules.camel.yaml"), "[]\n");
        Path probe = Files.writeString(routes.resolve(folder).resolve("probe.camel.yaml"), probe("first version"));

        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Map<String, String> values = new HashMap<>(TestStack.shared().settings(work.resolve("repo")));
        values.put("camel.server.port", String.valueOf(port));
        values.put("backup.api.token", "reload-token-0123456789");
        values.put("backup.routes.reload", "true");
        values.put("camel.management.port", "0"); // any free port, whatever else runs on this host
        values.remove("backup.schedules.file");
        try (BackupApplication service = BackupApplication.start(Settings.of(home, values), BackupApplication.Mode.SERVICE)) {
            String base = "http://127.0.0.1:" + port;
            assertEquals("200 first version", get(base + "/probe", null));

            Files.writeString(probe, probe("second version"));
            String answer = "";
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline && !answer.equals("200 second version")) {
                Thread.sleep(250);
                answer = get(base + "/probe", null);
            }
            assertEquals("200 second version", answer);
            assertEquals(200, Integer.parseInt(get(base + "/api/v1/backup/list", "reload-token-0123456789").substring(0, 3)),
                    "the routes of the other files still run");
        }
    }
}
