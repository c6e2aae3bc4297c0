package com.customercaregpt.backup.api;

import com.customercaregpt.backup.fixtures.ApiClient;
import com.customercaregpt.backup.fixtures.TestService;
import com.customercaregpt.backup.repository.ManifestCodec;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Odd requests get a precise JSON error with the right status (400, 405, 409, 415) and change
 * nothing: no value is bent into another type, no Java class is named, nothing answers 500.
 */
class StrictRequestsTest {

    private static final String BACKUP = "/backup/backup_20200101_000000";
    private static TestService service;
    private static ApiClient api;

    @BeforeAll
    static void startService() throws Exception {
        service = TestService.start("strict-requests-test", Map.of());
        api = service.api();
    }

    @AfterAll
    static void stopService() throws Exception {
        if (service != null) {
            service.close();
        }
    }

    /** The answer is JSON {"error", "detail"} with this status, and its detail contains {@code expected}. */
    private static JsonNode assertRefused(int status, HttpResponse<String> response, String expected, String request) throws Exception {
        assertEquals(status, response.statusCode(), request + " -> " + response.body());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""), request);
        JsonNode error = ApiClient.json(response);
        assertFalse(error.path("error").asText().isBlank(), request + " -> " + response.body());
        String detail = error.path("detail").asText();
        assertTrue(detail.contains(expected), request + " -> " + response.body());
        assertFalse(detail.matches("(?s).*(java\\.|com\\.|Exception|`).*"), "no Java class in " + response.body());
        return error;
    }

    @Test
    void valuesOfTheWrongJsonTypeAreRefusedNamingTheFieldNeverBent() throws Exception {
        String operationsBefore = api.call("GET", "/operations", null).body();
        Map<String, String> create = new LinkedHashMap<>();
        create.put("{\"components\": [null]}", "components must be a list of component names");
        create.put("{\"components\": []}", "components must name at least one component");
        create.put("{\"components\": \"database\"}", "components must be a list of component names");
        create.put("{\"retention_days\": 7.5}", "retention_days must be a whole number, got 7.5");
        create.put("{\"retention_days\": \"7\"}", "retention_days must be a whole number");
        create.put("{\"retention_days\": 99999999999}", "retention_days must be a whole number");
        create.put("{\"type\": 5}", "type must be a string, got 5");
        create.put("[1, 2]", "the body must be a JSON object");
        create.put("{\"type\": \"full\", \"type\": \"full\"}", "Duplicate field 'type'");
        for (Map.Entry<String, String> bad : create.entrySet()) {
            assertRefused(400, api.call("POST", "/backup/create", bad.getKey()), bad.getValue(), bad.getKey());
        }
        for (String dryRun : new String[]{"1", "\"true\"", "0", "\"yes\""}) {
            String body = "{\"dry_run\": " + dryRun + "}";
            assertRefused(400, api.call("POST", "/backup/cleanup", body), "dry_run must be true or false", body);
            assertRefused(400, api.call("POST", BACKUP + "/restore", body), "dry_run must be true or false", body);
        }
        assertRefused(400, api.call("POST", BACKUP + "/restore", "{\"components\": []}"),
                "components must name at least one component", "restore of no component");
        assertEquals(operationsBefore, api.call("GET", "/operations", null).body(), "nothing was started");
    }

    @Test
    void aWrongMethodIs405WithAllow() throws Exception {
        String[][] calls = {{"DELETE", "/backup/list", "GET"}, {"GET", "/backup/create", "POST"},
                {"PUT", BACKUP, "DELETE, GET"}, {"GET", BACKUP + "/restore", "POST"}, {"POST", "/operations", "GET"}};
        for (String[] call : calls) {
            HttpResponse<String> response = api.call(call[0], call[1], null);
            assertRefused(405, response, call[0] + " is not allowed", call[0] + " " + call[1]);
            assertEquals(call[2], response.headers().firstValue("Allow").orElse(""), call[0] + " " + call[1]);
        }
    }

    @Test
    void aBodyThatIsNotJsonIs415AndAGetWithABodyIs400() throws Exception {
        assertRefused(415, api.call("POST", "/backup/create", "type=full", "application/x-www-form-urlencoded"),
                "the body must be JSON", "a form to create");
        assertRefused(415, api.call("POST", "/backup/create", "", "text/plain"), "the body must be JSON",
                "an empty text body to create");
        assertRefused(415, api.call("POST", "/backup/cleanup", "{\"dry_run\": true}", "text/plain"),
                "the body must be JSON", "JSON sent as text");
        assertRefused(400, api.call("GET", "/backup/list", "status=completed", "application/x-www-form-urlencoded"),
                "a GET request takes no body", "a GET with a form body");
        HttpResponse<String> charset = api.call("POST", "/backup/cleanup", "{\"dry_run\": true}",
                "application/json; charset=utf-8");
        assertEquals(202, charset.statusCode(), charset.body());
        api.await(ApiClient.json(charset).get("operation_id").asText());
    }

    @Test
    void aNotFoundAnswerIsValidJsonWhateverThePath() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", service.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET /api/v1/no\\such\"path HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + service.token()
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(response.startsWith("HTTP/1.1 404"), response);
            JsonNode body = ManifestCodec.JSON.readTree(response.substring(response.indexOf("\r\n\r\n") + 4));
            assertEquals("not found", body.get("error").asText(), response);
            assertTrue(body.get("detail").asText().contains("no\\such\"path"), response);
        }
    }

    @Test
    void replicateWithoutS3IsAConflictAtOnceAndStartsNothing() throws Exception {
        var created = api.runToEnd("POST", "/backup/create", "{\"components\": [\"config\"]}");
        String backupId = created.get("result").asText();
        HttpResponse<String> refused = api.call("POST", "/backup/" + backupId + "/replicate", null);
        assertRefused(409, refused, "S3 is not enabled", "replicate");
        for (JsonNode operation : ApiClient.json(api.call("GET", "/operations", null))) {
            assertFalse(operation.get("kind").asText().equals("replicate"), "no operation started: " + operation);
        }
    }
}
