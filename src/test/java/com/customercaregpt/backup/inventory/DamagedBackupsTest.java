package com.customercaregpt.backup.inventory;

import com.customercaregpt.backup.app.BackupApplication;
import com.customercaregpt.backup.backup.ProgressMarkers;
import com.customercaregpt.backup.demo.DemoStack;
import com.customercaregpt.backup.fixtures.Cli;
import com.customercaregpt.backup.fixtures.TestStack;
import com.customercaregpt.backup.repository.ManifestCodec;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A backup whose manifest is unreadable or lost is named by verify, list and health, and never removed automatically. */
class DamagedBackupsTest {

    private Path work;
    private Path repository;
    private Path config;
    private DemoStack stack;

    @BeforeEach
    void setUp() throws Exception {
        stack = TestStack.shared();
        work = Files.createTempDirectory("damaged-backups-test-");
        repository = work.resolve("repo");
        Properties properties = new Properties();
        properties.putAll(stack.settings(repository));
        // a folder without a marker counts as being written until its id's time plus this
        properties.put("backup.stale-after-seconds", "2");
        config = TestStack.store(properties, work.resolve("damaged.properties"));
    }

    @AfterEach
    void tearDown() {
        TestStack.deleteTree(work);
    }

    private String backUpConfig() throws Exception {
        Cli.Result create = Cli.run("--config", config.toString(), "create", "--components", "config", "--output", "json");
        assertEquals(0, create.exitCode(), create.toString());
        return ManifestCodec.JSON.readTree(create.stdout()).get("backup_id").asText();
    }

    private Path folder(String id) {
        return repository.resolve("backups").resolve(id);
    }

    private String listedStatus(String id) {
        Cli.Result list = Cli.run("--config", config.toString(), "list", "--output", "json");
        assertEquals(0, list.exitCode(), list.toString());
        try {
            for (JsonNode backup : ManifestCodec.JSON.readTree(list.stdout())) {
                if (backup.get("backup_id").asText().equals(id)) {
                    return backup.get("status").asText();
                }
            }
        } catch (IOException e) {
            throw new AssertionError(list.toString(), e);
        }
        return null;
    }

    private long catalogRows(String id) {
        return stack.postgres().queryLong(DemoStack.CATALOG_DATABASE, "SELECT count(*) FROM backup WHERE backup_id = '"
                + id + "' AND repository = '" + repository.toAbsolutePath().normalize() + "'");
    }

    @Test
    void aTruncatedManifestIsCountedBadByVerifyAllAndListedUnreadableByTheCliAndTheApi() throws Exception {
        String good = backUpConfig();
        String truncated = backUpConfig();
        Path manifest = folder(truncated).resolve("manifest.json");
        byte[] bytes = Files.readAllBytes(manifest);
        Files.write(manifest, Arrays.copyOf(bytes, bytes.length / 2));

        Cli.Result verify = Cli.run("--config", config.toString(), "verify", "--all");
        assertEquals(1, verify.exitCode(), verify.toString());
        assertTrue(verify.stdout().contains("2 backup(s) verified, 1 bad"), verify.stdout());
        assertTrue(verify.stdout().lines().anyMatch(l -> l.startsWith(truncated) && l.contains("manifest.json")
                && l.contains("unreadable")), verify.stdout());
        assertTrue(verify.stdout().lines().anyMatch(l -> l.startsWith(good) && l.matches(".*\\sok\\s*")), verify.stdout());
        assertEquals("unreadable", listedStatus(truncated));

        String token = "t-" + UUID.randomUUID();
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path schedules = Files.writeString(work.resolve("no-schedules.camel.yaml"), "[]\n");
        Map<String, String> overrides = new HashMap<>(Map.of("camel.server.port", String.valueOf(port),
                "backup.api.token", token, "backup.schedules.file", schedules.toString()));
        try (BackupApplication service = BackupApplication.start(TestStack.settings(repository, overrides),
                BackupApplication.Mode.SERVICE)) {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/api/v1/backup/list"))
                    .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
            JsonNode listed = ManifestCodec.JSON.readTree(response.body());
            JsonNode backups = listed.isArray() ? listed : listed.path("backups");
            boolean unreadable = false;
            for (JsonNode backup : backups) {
                if (backup.path("backup_id").asText().equals(truncated)) {
                    unreadable = "unreadable".equals(backup.path("status").asText());
                }
            }
            assertTrue(unreadable, response.body());
        }
    }

    @Test
    void aFinishedBackupThatLostItsManifestIsLeftForTheOperatorAndNamedByListHealthAndVerify() throws Exception {
        String lost = backUpConfig();
        Files.delete(folder(lost).resolve("manifest.json"));
        // a folder without a marker is taken as being written until its id's time plus the stale interval
        Instant deadline = Instant.now().plusSeconds(120);
        while ("running".equals(listedStatus(lost))) {
            assertTrue(Instant.now().isBefore(deadline), "still listed as running");
            Thread.sleep(200);
        }

        backUpConfig();
        assertTrue(Files.isDirectory(folder(lost).resolve("config")), "the next backup left it alone");
        assertEquals("manifest-missing", listedStatus(lost));
        Cli.Result health = Cli.run("--config", config.toString(), "health", "--output", "json");
        JsonNode damaged = null;
        for (JsonNode check : ManifestCodec.JSON.readTree(health.stdout()).get("checks")) {
            if (check.get("name").asText().equals("damaged backups")) {
                damaged = check;
            }
        }
        assertTrue(damaged != null && "warn".equals(damaged.get("status").asText())
                && damaged.get("detail").asText().contains(lost), health.toString());
        Cli.Result verify = Cli.run("--config", config.toString(), "verify", "--all");
        assertEquals(1, verify.exitCode(), verify.toString());
        assertTrue(verify.stdout().lines().anyMatch(l -> l.startsWith(lost) && l.contains("manifest-missing")),
                verify.stdout());
        Cli.Result show = Cli.run("--config", config.toString(), "show", lost);
        assertEquals(1, show.exitCode(), show.toString());
        assertEquals(1, show.stderr().lines().count(), show.toString());
        assertTrue(show.stderr().contains(lost + " has files but no manifest"), show.toString());

        Cli.Result delete = Cli.run("--config", config.toString(), "delete", lost, "--force");
        assertEquals(0, delete.exitCode(), delete.toString());
        assertFalse(Files.exists(folder(lost)));
        assertEquals(0, catalogRows(lost), "the operator's delete removes the catalog row with the folder");
    }

    @Test
    void aBackupWhoseWriterIsKnownDeadIsRemovedWithItsCatalogRow() throws Exception {
        String dead = backUpConfig();
        assertEquals(1, catalogRows(dead));
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        // as a writer killed after its manifest was indexed, before the marker went: its marker names a dead pid
        Files.delete(folder(dead).resolve("manifest.json"));
        Files.writeString(folder(dead).resolve("in-progress.json"), "{\"backup_id\":\"" + dead + "\",\"host\":\""
                + ProgressMarkers.hostName() + "\",\"pid\":" + gone.pid() + ",\"started_at\":\"" + Instant.now()
                + "\",\"heartbeat_at\":\"" + Instant.now() + "\"}");
        assertEquals("incomplete", listedStatus(dead));

        backUpConfig();
        assertFalse(Files.exists(folder(dead)), "removed by the next backup");
        assertEquals(0, catalogRows(dead), "its catalog row went with the folder");
    }
}
