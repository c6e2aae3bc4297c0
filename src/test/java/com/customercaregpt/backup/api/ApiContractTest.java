package com.customercaregpt.backup.api;

import com.customercaregpt.backup.fixtures.ApiClient;
import com.customercaregpt.backup.fixtures.S3Server;
import com.customercaregpt.backup.fixtures.TestService;
import com.customercaregpt.backup.repository.ManifestCodec;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.Socket;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client built from the served OpenAPI document gets what the document promises: every operation,
 * called with a request made from the document (its parameters, its example bodies), answers a status
 * it declares with a body valid against that status's schema; so do the refusals a client can provoke.
 * The operations come from the document, so an endpoint added to it is called here too.
 */
class ApiContractTest {

    private static final JsonSchemaFactory SCHEMAS = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    private static final List<String> METHODS = List.of("get", "post", "put", "patch", "delete");
    private static final String SCHEDULE = "contract-nightly";
    /** Small, so that a body the server stops reading is small enough to send whole before the answer. */
    private static final int MAX_BODY = 1024;

    private static TestService service;
    private static ApiClient api;
    private static JsonNode document;
    private static Path schedules;

    /** One operation of the document. */
    private record Call(String method, String path, JsonNode operation) {
        @Override
        public String toString() {
            return method.toUpperCase() + " " + path;
        }
    }

    @BeforeAll
    static void startService() throws Exception {
        schedules = Files.createTempFile("contract-schedules-", ".camel.yaml");
        TestService.writeSchedule(schedules, SCHEDULE);
        S3Server s3 = S3Server.shared();
        service = TestService.start("api-contract-test", Map.of("backup.schedules.file", schedules.toString(),
                "backup.api.max-body-bytes", String.valueOf(MAX_BODY),
                "backup.s3.enabled", "true", "backup.s3.endpoint", s3.endpoint(), "backup.s3.bucket", s3.createBucket(),
                "backup.s3.access-key", s3.accessKey(), "backup.s3.secret-key", s3.secretKey(),
                "backup.s3.retry-backoff-seconds", "0"));
        api = service.api();
        document = ApiClient.json(api.call("GET", "/openapi.json", null));
    }

    @AfterAll
    static void stopService() throws Exception {
        try {
            if (service != null) {
                service.close();
            }
        } finally {
            Files.deleteIfExists(schedules);
        }
    }

    /** Every operation of the document; deletions last, as they remove what the others work on. */
    private static List<Call> calls() {
        List<Call> calls = new ArrayList<>();
        document.get("paths").fields().forEachRemaining(path -> METHODS.forEach(method -> {
            if (path.getValue().has(method)) {
                calls.add(new Call(method, path.getKey(), path.getValue().get(method)));
            }
        }));
        calls.sort(Comparator.comparing(call -> call.method().equals("delete")));
        assertFalse(calls.isEmpty(), "the document has operations");
        return calls;
    }

    @Test
    void everyOperationCalledAsTheDocumentDescribesItSucceedsWithTheDeclaredBody() throws Exception {
        JsonNode created = api.runToEnd("POST", "/backup/create", "{\"components\": [\"config\"]}");
        Map<String, String> known = Map.of("backup_id", created.get("result").asText(),
                "operation_id", created.get("operation_id").asText(), "id", SCHEDULE);
        for (Call call : calls()) {
            String body = null;
            JsonNode requestBody = call.operation().path("requestBody").path("content").path("application/json");
            if (!requestBody.isMissingNode()) {
                JsonNode example = requestBody.get("example");
                assertNotNull(example, call + " has an example body");
                assertEquals(Set.of(), validate(requestBody.get("schema"), example), call + ": its example is valid");
                body = example.toString();
            }
            HttpResponse<String> response = api.call(call.method().toUpperCase(), path(call, known::get), body);
            assertTrue(response.statusCode() / 100 == 2, call + " " + body + " -> " + response.statusCode() + " "
                    + response.body());
            assertDeclared(call, response);
            if (response.statusCode() == 202) {
                JsonNode ended = api.await(ApiClient.json(response).get("operation_id").asText());
                assertEquals("completed", ended.get("status").asText(), call + " ran: " + ended);
            }
        }
    }

    @Test
    void theRefusalsAClientCanProvokeAreDeclaredWithTheirSchema() throws Exception {
        Map<String, String> unknown = Map.of("backup_id", "backup_20000101_000000",
                "operation_id", "op_00000000000000000000", "id", "no-such-schedule");
        for (Call call : calls()) {
            String method = call.method().toUpperCase();
            String anyPath = path(call, unknown::get);
            HttpResponse<String> noToken = new ApiClient(service.port(), "not-the-token").call(method, anyPath, null);
            assertEquals(401, noToken.statusCode(), call + " without the token");
            assertDeclared(call, noToken);
            if (call.path().contains("{")) {
                HttpResponse<String> missing = api.call(method, anyPath, null);
                assertEquals(404, missing.statusCode(), call + " of nothing -> " + missing.body());
                assertDeclared(call, missing);
                HttpResponse<String> malformed = api.call(method, path(call, name -> "..%2F..%2Fetc"), null);
                assertTrue(malformed.statusCode() == 400 || malformed.statusCode() == 404, call + " -> " + malformed.body());
                assertDeclared(call, malformed);
            }
            if (call.operation().has("requestBody")) {
                HttpResponse<String> unknownField = api.call(method, anyPath, "{\"no_such_field\": 1}");
                assertEquals(400, unknownField.statusCode(), call + " -> " + unknownField.body());
                assertDeclared(call, unknownField);
                HttpResponse<String> text = api.call(method, anyPath, "{}", "text/plain");
                assertEquals(415, text.statusCode(), call + " -> " + text.body());
                assertDeclared(call, text);
                Raw endless = chunked(method, anyPath, 4 * MAX_BODY);
                assertEquals(413, endless.status(), call + " with a body without a length -> " + endless.body());
                assertDeclared(call, endless.status(), endless.contentType(), endless.body());
            } else if (method.equals("GET")) {
                HttpResponse<String> withBody = api.call(method, anyPath, "{}");
                assertEquals(400, withBody.statusCode(), call + " with a body -> " + withBody.body());
                assertDeclared(call, withBody);
            }
        }
    }

    /** The path with each {parameter} filled in, each value first checked against the parameter's schema. */
    private static String path(Call call, Function<String, String> values) {
        String path = call.path();
        for (JsonNode parameter : parameters(call)) {
            if (parameter.get("in").asText().equals("path")) {
                String name = parameter.get("name").asText();
                String value = values.apply(name);
                assertNotNull(value, call + ": the test has a value for {" + name + "}");
                path = path.replace("{" + name + "}", value.contains("%") ? value
                        : URLEncoder.encode(value, StandardCharsets.UTF_8));
            }
        }
        assertFalse(path.contains("{"), call + " declares every parameter of its path");
        return path;
    }

    private static List<JsonNode> parameters(Call call) {
        List<JsonNode> parameters = new ArrayList<>();
        document.get("paths").get(call.path()).path("parameters").forEach(p -> parameters.add(resolve(p)));
        call.operation().path("parameters").forEach(p -> parameters.add(resolve(p)));
        return parameters;
    }

    private static void assertDeclared(Call call, HttpResponse<String> response) throws Exception {
        assertDeclared(call, response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                response.body());
    }

    /** The answer's status is one the operation declares, and its body is valid against that status's schema. */
    private static void assertDeclared(Call call, int status, String contentType, String body) throws Exception {
        JsonNode declared = call.operation().path("responses").get(String.valueOf(status));
        assertNotNull(declared, call + " declares " + status + " (" + body + ")");
        JsonNode schema = resolve(declared).path("content").path("application/json").path("schema");
        assertFalse(schema.isMissingNode(), call + " " + status + " has a schema");
        assertEquals("application/json", contentType, call + " " + status);
        assertEquals(Set.of(), validate(schema, ManifestCodec.JSON.readTree(body)), call + " " + status + ": " + body);
    }

    /** An answer read off the socket. */
    private record Raw(int status, String contentType, String body) {
    }

    /** A JSON body of {@code size} bytes sent in chunks, without a Content-Length, as a streaming client sends it. */
    private static Raw chunked(String method, String path, int size) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", service.port())) {
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            out.write((method + " /api/v1" + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                    + service.token() + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = new byte[256];
            Arrays.fill(chunk, (byte) ' ');
            for (int sent = 0; sent < size; sent += chunk.length) {
                out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(chunk);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int end = answer.indexOf("\r\n\r\n");
            assertTrue(end > 0, answer);
            Matcher type = Pattern.compile("(?im)^content-type:\\s*(\\S+)").matcher(answer.substring(0, end));
            return new Raw(Integer.parseInt(answer.substring(9, 12)), type.find() ? type.group(1) : "",
                    answer.substring(end + 4));
        }
    }

    /** A schema of the document (with its references into components) checked as JSON Schema 2020-12. */
    private static Set<ValidationMessage> validate(JsonNode schema, JsonNode value) {
        ObjectNode root = schema.deepCopy();
        root.set("components", document.get("components"));
        return SCHEMAS.getSchema(root).validate(value);
    }

    /** A {"$ref": "#/components/..."} replaced by what it names. */
    private static JsonNode resolve(JsonNode node) {
        JsonNode ref = node.get("$ref");
        return ref == null ? node : document.at(ref.asText().substring(1));
    }
}
