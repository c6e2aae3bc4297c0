package com.customercaregpt.backup.restore;

import com.customercaregpt.backup.app.BackupApplication;
import com.customercaregpt.backup.fixtures.TestStack;
import com.customercaregpt.backup.repository.ManifestCodec;
import com.customercaregpt.backup.repository.Owners;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The service removes what dead restores left when it starts, and GET /api/v1/health reports leftovers made since. */
class ServiceLeftoversTest {

    private static final String TOKEN = "leftovers-test-token";

    private Path work;
    private BackupApplication service;

    @BeforeEach
    void setUp() throws Exception {
        work = Files.createTempDirectory("service-leftovers-test-");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (service != null) {
            service.close();
        }
        TestStack.deleteTree(work);
    }

    /** A folder half built by a restore labelled {@code label} whose process died, and its record. */
    private Path leftBehind(String label) throws Exception {
        Path folder = Files.createDirectories(work.resolve("uploads.restore-" + label));
        Files.writeString(folder.resolve("half.bin"), "half extracted");
        LeftoversTest.writeRecord(work.resolve("repo/pre-restore"), label, Owners.hostName(), LeftoversTest.deadPid(),
                List.of(Map.of("kind", "folder", "name", folder.toString())));
        return folder;
    }

    @Test
    void aStartingServiceRemovesDeadRestoresLeftoversAndItsHealthEndpointReportsNewOnes() throws Exception {
        Path beforeStart = leftBehind("20261206_040000");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        service = BackupApplication.start(TestStack.settings(work.resolve("repo"), Map.of(
                "camel.server.port", String.valueOf(port), "backup.api.token", TOKEN)), BackupApplication.Mode.SERVICE);
        assertFalse(Files.exists(beforeStart), "removed when the service started");
        assertFalse(Files.exists(work.resolve("repo/pre-restore/20261206_040000")), "with its record");

        Path whileRunning = leftBehind("20261206_040100");
        HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/api/v1/health")).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode leftovers = null;
        for (JsonNode check : ManifestCodec.JSON.readTree(health.body()).path("checks")) {
            if (check.path("name").asText().equals("restore leftovers")) {
                leftovers = check;
            }
        }
        assertTrue(leftovers != null, health.body());
        assertEquals("warn", leftovers.path("status").asText(), leftovers.toString());
        assertTrue(leftovers.path("detail").asText().contains("folder " + whileRunning), leftovers.toString());
        assertTrue(leftovers.path("detail").asText().contains("14 B"), "its size: " + leftovers);
    }
}
