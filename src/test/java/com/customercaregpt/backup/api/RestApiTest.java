package com.customercaregpt.backup.api;

import com.customercaregpt.backup.app.BackupApplication;
import com.customercaregpt.backup.config.Settings;
import com.customercaregpt.backup.fixtures.Cli;
import com.customercaregpt.backup.fixtures.TestService;
import com.customercaregpt.backup.fixtures.TestStack;
import com.customercaregpt.backup.repository.ManifestCodec;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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
import java.util.Properties;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The REST API of `serve`, over real HTTP, with real servers behind it. */
class RestApiTest {

    private static final String TOKEN = "t-" + UUID.randomUUID();
    private static Path work;
    private static Map<String, String> overrides;
    private static BackupApplication service;
    private static String base;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void startService() throws Exception {
        work = Files.createTempDirectory("rest-api-test-");
        // One schedule that never fires during the test (1 January, 03:00), to manage over HTTP.
        Path schedules = TestService.writeSchedule(work.resolve("api-schedules.camel.yaml"), "new-year");
        abandonedOperation = leaveAnAbandonedOperation(work.resolve("repo"));
        int port = freePort();
        overrides = new HashMap<>(Map.of("camel.server.port", String.valueOf(port), "backup.api.token", TOKEN,
                "backup.schedules.file", schedules.toString()));
        service = BackupApplication.start(TestStack.settings(work.resolve("repo"), overrides),
                BackupApplication.Mode.SERVICE);
        base = "http://127.0.0.1:" + port + "/api/v1";
    }

    @AfterAll
    static void stopService() throws Exception {
        if (service != null) {
            service.close();
        }
        TestStack.deleteTree(work);
    }

    private static String abandonedOperation;

    /** A row as a service killed mid-operation leaves it: running, owned by a process now gone. */
    private static String leaveAnAbandonedOperation(Path repository) throws Exception {
        var postgres = TestStack.shared().postgres();
        var catalog = com.customercaregpt.backup.catalog.CatalogSchema.dataSource(
                postgres.jdbcUrl(com.customercaregpt.backup.demo.DemoStack.CATALOG_DATABASE), postgres.user(), postgres.password());
        new com.customercaregpt.backup.catalog.CatalogSchema(catalog).ensureReady();
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        String id = "op_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
        try (var connection = catalog.getConnection(); var insert = connection.prepareStatement(
                "INSERT INTO operation (operation_id, repository, kind, trigger, status, started_at, detail) "
                        + "VALUES (?, ?, 'backup', 'api', 'running', now(), CAST(? AS jsonb))")) {
            insert.setString(1, id);
            insert.setString(2, repository.toAbsolutePath().normalize().toString());
            insert.setString(3, "{\"host\": \"" + com.customercaregpt.backup.repository.Owners.hostName()
                    + "\", \"pid\": " + gone.pid() + "}");
            insert.executeUpdate();
        }
        return id;
    }

    @Test
    void anOperationOfAServiceThatDiedIsMarkedFailedWhenTheServiceStartsAgain() throws Exception {
        JsonNode operation = json(call("GET", "/operations/" + abandonedOperation, null));
        assertEquals("failed", operation.get("status").asText(), operation.toString());
        assertTrue(operation.get("error").asText().contains("abandoned"), operation.toString());
    }

    static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static HttpResponse<String> call(String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> call(String method, String path, String body) throws Exception {
        return call(method, path, body, TOKEN);
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return ManifestCodec.JSON.readTree(response.body());
    }

    /** Polls the operation until it is no longer running and returns it. */
    private static JsonNode await(String operationId) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = call("GET", "/operations/" + operationId, null);
            assertEquals(200, response.statusCode(), response.body());
            JsonNode operation = json(response);
            if (!"running".equals(operation.get("status").asText())) {
                return operation;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("operation " + operationId + " still running");
    }

    private static String createBackup(String body) throws Exception {
        HttpResponse<String> accepted = call("POST", "/backup/create", body);
        assertEquals(202, accepted.statusCode(), accepted.body());
        assertEquals("running", json(accepted).get("status").asText());
        JsonNode done = await(json(accepted).get("operation_id").asText());
        assertEquals("completed", done.get("status").asText(), done.toString());
        return done.get("result").asText();
    }

    @Test
    void oneWaitingRequestFollowsAnOperationToItsEnd() throws Exception {
        HttpResponse<String> accepted = call("POST", "/backup/create", "{\"components\": [\"config\"]}");
        assertEquals(202, accepted.statusCode(), accepted.body());
        String operationId = json(accepted).get("operation_id").asText();

        HttpResponse<String> ended = call("GET", "/operations/" + operationId + "?wait=60", null);

        assertEquals(200, ended.statusCode(), ended.body());
        assertEquals("completed", json(ended).get("status").asText(), ended.body());
        for (String wait : new String[]{"61", "-1", "ten", "1.5"}) {
            HttpResponse<String> refused = call("GET", "/operations/" + operationId + "?wait=" + wait, null);
            assertEquals(400, refused.statusCode(), wait + ": " + refused.body());
            assertEquals("{\"error\":\"malformed wait\",\"detail\":\"expected whole seconds from 0 to 60, got '"
                    + wait + "'\"}", refused.body());
        }
        assertEquals(200, call("GET", "/operations/" + operationId + "?wait=0", null).statusCode());
    }

    @Test
    void everyRequestNeedsTheRightToken() throws Exception {
        for (String token : new String[]{null, "wrong", TOKEN + "x", ""}) {
            HttpResponse<String> refused = call("GET", "/backup/list", null, token);
            assertEquals(401, refused.statusCode(), "token " + token);
            assertEquals("{\"error\":\"unauthorized\"}", refused.body(), "no detail about why");
            assertEquals(401, call("GET", "/openapi.json", null, token).statusCode(), "the API document too");
            assertEquals(401, call("POST", "/backup/create", "{}", token).statusCode());
        }
        assertEquals(200, call("GET", "/backup/list", null).statusCode());
    }

    @Test
    void aBackupCreatedOverHttpRunsInTheBackgroundAndIsListedShownAndVerified() throws Exception {
        String backupId = createBackup("{\"components\": [\"database\", \"config\"], \"retention_days\": 3}");
        assertTrue(backupId.startsWith("backup_"), backupId);

        JsonNode manifest = json(call("GET", "/backup/" + backupId, null));
        assertEquals(backupId, manifest.get("backup_id").asText());
        assertEquals(3, manifest.get("retention_days").asInt());
        assertEquals(2, manifest.get("components").size());

        HttpResponse<String> verify = call("POST", "/backup/" + backupId + "/verify", null);
        assertEquals(202, verify.statusCode(), verify.body());
        JsonNode verified = await(json(verify).get("operation_id").asText());
        assertEquals("completed", verified.get("status").asText(), verified.toString());
        assertEquals("ok", verified.get("outcome").asText());

        JsonNode list = json(call("GET", "/backup/list?status=completed&type=full&limit=50", null));
        JsonNode listed = null;
        for (JsonNode backup : list) {
            if (backup.get("backup_id").asText().equals(backupId)) {
                listed = backup;
            }
        }
        assertNotNull(listed, list.toString());
        assertEquals("[\"database\",\"config\"]", listed.get("components").toString());
        assertFalse(listed.get("last_verified_at").isNull(), "list shows the verification: " + listed);
        assertEquals(0, json(call("GET", "/backup/list?status=failed", null)).size());
        assertEquals(1, json(call("GET", "/backup/list?limit=1", null)).size());

        JsonNode operations = json(call("GET", "/operations", null));
        assertTrue(operations.toString().contains(backupId), operations.toString());
    }

    @Test
    void aRestoreOverHttpIntoASideDatabaseLeavesTheLiveOneAlone() throws Exception {
        String backupId = createBackup("{\"components\": [\"database\"]}");
        String target = "api_restore_" + System.nanoTime();
        HttpResponse<String> accepted = call("POST", "/backup/" + backupId + "/restore",
                "{\"components\": [\"database\"], \"target_database\": \"" + target + "\"}");
        assertEquals(202, accepted.statusCode(), accepted.body());
        JsonNode done = await(json(accepted).get("operation_id").asText());
        assertEquals("completed", done.get("status").asText(), done.toString());
        assertEquals(backupId, done.get("backup_id").asText());
        assertTrue(done.get("result").toString().contains(target) || done.get("result").toString().contains("database"),
                done.toString());
    }

    @Test
    void aSecondWriterWhileABackupRunsIsAConflict() throws Exception {
        String existing = createBackup("{\"components\": [\"config\"]}");
        HttpResponse<String> first = call("POST", "/backup/create", "{}");
        assertEquals(202, first.statusCode(), first.body());
        HttpResponse<String> restore = call("POST", "/backup/" + existing + "/restore", "{\"dry_run\": true}");
        HttpResponse<String> second = call("POST", "/backup/create", "{}");
        HttpResponse<String> cleanup = call("POST", "/backup/cleanup", "{}");
        await(json(first).get("operation_id").asText());
        assertEquals(409, restore.statusCode(), restore.body());
        assertEquals("conflict", json(restore).get("error").asText());
        assertTrue(json(restore).get("detail").asText().contains("backup is running"), restore.body());
        assertEquals(409, second.statusCode(), second.body());
        assertEquals(409, cleanup.statusCode(), cleanup.body());
    }

    @Test
    void badInputIsA400WithAnErrorAndADetailAndChangesNothing() throws Exception {
        int before = json(call("GET", "/backup/list", null)).size();
        Map<String, String> bodies = Map.of(
                "{\"components\": [\"database\"", "malformed JSON",
                "{\"components\": [\"mongodb\"]}", "unknown component 'mongodb'",
                "{\"type\": \"weekly\"}", "unknown backup type 'weekly'",
                "{\"colour\": \"blue\"}", "'colour' is not a field",
                "{\"retention_days\": 0}", "retention days must be at least 1",
                "[1, 2]", "");
        for (Map.Entry<String, String> bad : bodies.entrySet()) {
            HttpResponse<String> response = call("POST", "/backup/create", bad.getKey());
            assertEquals(400, response.statusCode(), bad.getKey() + " -> " + response.body());
            JsonNode error = json(response);
            assertNotNull(error.get("error"), response.body());
            assertTrue((error.get("error").asText() + ": " + error.get("detail").asText()).contains(bad.getValue()),
                    response.body());
            assertFalse(response.body().contains("at com.") || response.body().contains("Exception"), response.body());
        }
        HttpResponse<String> big = call("POST", "/backup/create", "{\"type\": \"" + "x".repeat(1_100_000) + "\"}");
        assertEquals(400, big.statusCode());
        assertTrue(json(big).get("detail").asText().contains("at most 1048576 bytes"), big.body());

        for (String path : new String[]{"/backup/..%2F..%2Fetc", "/backup/..%2F..%2Fetc/restore", "/backup/backup_1",
                "/backup/list?limit=0", "/backup/list?limit=abc", "/backup/list?status=%27%3B"}) {
            String method = path.endsWith("/restore") ? "POST" : "GET";
            HttpResponse<String> response = call(method, path, method.equals("POST") ? "{}" : null);
            assertEquals(400, response.statusCode(), path + " -> " + response.body());
        }
        HttpResponse<String> restore = call("POST", "/backup/backup_20200101_000000/restore",
                "{\"target_dir\": \"/tmp/../etc\"}");
        assertEquals(400, restore.statusCode(), restore.body());
        assertEquals(before, json(call("GET", "/backup/list", null)).size(), "nothing was created");
    }

    @Test
    void unknownThingsAre404() throws Exception {
        for (String[] call : new String[][]{{"GET", "/backup/backup_20200101_000000"},
                {"DELETE", "/backup/backup_20200101_000000"}, {"POST", "/backup/backup_20200101_000000/verify"},
                {"POST", "/backup/backup_20200101_000000/restore"}, {"GET", "/operations/op_00000000000000000000"}}) {
            HttpResponse<String> response = call(call[0], call[1], call[0].equals("POST") ? "{}" : null);
            assertEquals(404, response.statusCode(), String.join(" ", call) + " -> " + response.body());
            assertEquals("not found", json(response).get("error").asText());
        }
    }

    @Test
    void anUnknownEndpointIsAJson404AndAHugeChunkedBodyIsRefused() throws Exception {
        HttpResponse<String> unknown = call("GET", "/no/such/endpoint", null);
        assertEquals(404, unknown.statusCode(), unknown.body());
        assertEquals("not found", json(unknown).get("error").asText());
        assertEquals(401, call("GET", "/no/such/endpoint", null, null).statusCode(), "the token comes first");

        // No Content-Length (chunked): the server stops reading at twice backup.api.max-body-bytes.
        byte[] chunk = new byte[64 * 1024];
        java.util.Arrays.fill(chunk, (byte) 'x');
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/backup/create"))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.SequenceInputStream(
                        java.util.Collections.enumeration(java.util.stream.IntStream.range(0, 64)
                                .mapToObj(i -> new java.io.ByteArrayInputStream(chunk)).toList())))).build();
        int status;
        try {
            status = HTTP.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
        } catch (java.io.IOException closedWhileSending) {
            status = 413; // the server may close the connection before the client finishes sending
        }
        assertEquals(413, status, "4 MiB without a length: refused by the server, not buffered");
    }

    @Test
    void deleteRemovesABackupAndCleanupRunsAsAnOperation() throws Exception {
        String backupId = createBackup("{\"components\": [\"config\"]}");
        HttpResponse<String> deleted = call("DELETE", "/backup/" + backupId, null);
        assertEquals(200, deleted.statusCode(), deleted.body());
        assertEquals(404, call("GET", "/backup/" + backupId, null).statusCode());

        HttpResponse<String> cleanup = call("POST", "/backup/cleanup", "{\"dry_run\": true}");
        assertEquals(202, cleanup.statusCode(), cleanup.body());
        JsonNode done = await(json(cleanup).get("operation_id").asText());
        assertEquals("completed", done.get("status").asText(), done.toString());
        assertTrue(done.get("result").isArray(), done.toString());
    }

    @Test
    void cliOperationsShowUpInTheSameOperationLog() throws Exception {
        String backupId = createBackup("{\"components\": [\"config\"]}");
        Properties properties = new Properties();
        properties.putAll(TestStack.shared().settings(work.resolve("repo")));
        Path config = TestStack.store(properties, work.resolve("cli.properties"));
        assertEquals(0, Cli.run("--config", config.toString(), "verify", backupId).exitCode());
        JsonNode operations = json(call("GET", "/operations", null));
        boolean found = false;
        for (JsonNode operation : operations) {
            found |= operation.get("kind").asText().equals("verify") && operation.get("backup_id").asText().equals(backupId)
                    && operation.get("trigger").asText().equals("cli") && operation.get("status").asText().equals("completed");
        }
        assertTrue(found, operations.toString());
    }

    @Test
    void aBackupMadeByTheCliShowsInTheNextListEvenThoughListsAreKeptInMemory() throws Exception {
        String before = call("GET", "/backup/list?limit=1000", null).body();
        assertEquals(before, call("GET", "/backup/list?limit=1000", null).body(), "kept while nothing changes");
        Properties properties = new Properties();
        properties.putAll(TestStack.shared().settings(work.resolve("repo")));
        Path config = TestStack.store(properties, work.resolve("cli-create.properties"));
        Cli.Result created = Cli.run("--config", config.toString(), "create", "--components", "config", "--output", "json");
        assertEquals(0, created.exitCode(), created.toString());
        String backupId = ManifestCodec.JSON.readTree(created.stdout()).get("backup_id").asText();
        // The catalog announces the change (NOTIFY); it arrives within milliseconds.
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        String after = call("GET", "/backup/list?limit=1000", null).body();
        while (!after.contains(backupId) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            after = call("GET", "/backup/list?limit=1000", null).body();
        }
        assertTrue(after.contains(backupId), after);
    }

    @Test
    void healthReplicationAndCatalogRebuildCanBeStartedOverHttpToo() throws Exception {
        String backupId = createBackup("{\"components\": [\"config\"]}");
        HttpResponse<String> health = call("GET", "/health", null);
        assertEquals(200, health.statusCode(), health.body());
        assertEquals("ok", json(health).get("status").asText(), health.body());

        HttpResponse<String> rebuild = call("POST", "/catalog/rebuild", null);
        assertEquals(202, rebuild.statusCode(), rebuild.body());
        JsonNode rebuilt = await(json(rebuild).get("operation_id").asText());
        assertEquals("completed", rebuilt.get("status").asText(), rebuilt.toString());
        assertTrue(rebuilt.get("result").get("backups").asInt() >= 1, rebuilt.toString());

        // S3 is not enabled here: the replication is refused at once, precisely.
        HttpResponse<String> replicate = call("POST", "/backup/" + backupId + "/replicate", null);
        assertEquals(409, replicate.statusCode(), replicate.body());
        assertTrue(json(replicate).get("detail").asText().contains("S3 is not enabled"), replicate.body());
    }

    @Test
    void schedulesAreListedAndSwitchedOffAndOnOverHttp() throws Exception {
        JsonNode schedules = json(call("GET", "/schedules", null));
        assertEquals(1, schedules.size(), schedules.toString());
        assertEquals("new-year", schedules.get(0).get("id").asText());
        assertTrue(schedules.get(0).get("enabled").asBoolean());

        HttpResponse<String> disabled = call("POST", "/schedules/new-year/disable", null);
        assertEquals(200, disabled.statusCode(), disabled.body());
        assertFalse(json(disabled).get("enabled").asBoolean(), disabled.body());
        JsonNode status = json(call("GET", "/schedules/status", null));
        assertTrue(status.get("scheduler_running").asBoolean(), status.toString());
        assertFalse(status.get("schedules").get(0).get("enabled").asBoolean(), status.toString());

        HttpResponse<String> enabled = call("POST", "/schedules/new-year/enable", null);
        assertTrue(json(enabled).get("enabled").asBoolean(), enabled.body());
        assertEquals(404, call("POST", "/schedules/no-such-schedule/enable", null).statusCode());
    }

    @Test
    void aPortInUseStopsTheStartWithAClearError() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            Map<String, String> clash = new HashMap<>(overrides);
            clash.put("camel.server.port", String.valueOf(taken.getLocalPort()));
            clash.put("backup.schedules.file", Files.writeString(work.resolve("none.camel.yaml"), "[]\n").toString());
            Settings.SettingsException refused = assertThrows(Settings.SettingsException.class,
                    () -> BackupApplication.start(TestStack.settings(work.resolve("repo3"), clash), BackupApplication.Mode.SERVICE));
            assertTrue(refused.getMessage().contains("cannot listen on 0.0.0.0:" + taken.getLocalPort()), refused.getMessage());
        }
        assertEquals(200, call("GET", "/backup/list", null).statusCode(), "the running service is untouched");
    }

    @Test
    void theServiceRefusesToStartWithoutAToken() {
        Map<String, String> open = new HashMap<>(overrides);
        open.put("backup.api.token", "");
        open.put("camel.server.port", "0");
        Settings.SettingsException refused = assertThrows(Settings.SettingsException.class,
                () -> BackupApplication.start(TestStack.settings(work.resolve("repo2"), open), BackupApplication.Mode.SERVICE));
        assertTrue(refused.getMessage().contains("backup.api.token"), refused.getMessage());
    }
}
