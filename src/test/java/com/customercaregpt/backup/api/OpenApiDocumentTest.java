package com.customercaregpt.backup.api;

import com.customercaregpt.backup.fixtures.TestService;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import org.apache.camel.spi.RestRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GET /api/v1/openapi.json is a valid OpenAPI document for a real parser (no error, no warning), lists
 * exactly the endpoints of the REST DSL, and declares for each what a generated client needs.
 */
class OpenApiDocumentTest {

    private static final String PROBLEM = "#/components/schemas/Problem";
    private static TestService service;
    private static OpenAPI document;

    @BeforeAll
    static void startService() throws Exception {
        service = TestService.start("openapi-document-test", Map.of());
        HttpResponse<String> served = service.api().call("GET", "/openapi.json", null);
        assertEquals(200, served.statusCode(), served.body());
        ParseOptions resolve = new ParseOptions();
        resolve.setResolve(true);
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(served.body(), null, resolve);
        assertEquals(List.of(), parsed.getMessages(), "errors and warnings of the OpenAPI parser");
        document = parsed.getOpenAPI();
        assertNotNull(document, served.body());
    }

    @AfterAll
    static void stopService() throws Exception {
        if (service != null) {
            service.close();
        }
    }

    /** "METHOD /path" of every operation of the document. */
    private static Map<String, Operation> documented() {
        Map<String, Operation> operations = new TreeMap<>();
        document.getPaths().forEach((path, item) -> item.readOperationsMap()
                .forEach((method, operation) -> operations.put(method + " " + path, operation)));
        return operations;
    }

    @Test
    void theServedDocumentIsOpenApi3WithTheBearerTokenRequiredEverywhere() {
        assertTrue(document.getOpenapi().startsWith("3."), document.getOpenapi());
        assertEquals("http", document.getComponents().getSecuritySchemes().get("bearer").getType().toString());
        assertEquals("bearer", document.getComponents().getSecuritySchemes().get("bearer").getScheme());
        assertEquals(List.of("bearer"), document.getSecurity().stream().flatMap(r -> r.keySet().stream()).toList());
        documented().forEach((name, operation) -> assertTrue(operation.getSecurity() == null,
                name + " must not lift the global bearer requirement"));
    }

    @Test
    void everyEndpointOfTheRestDslIsInTheDocumentAndNothingElse() {
        Set<String> routes = new TreeSet<>();
        for (RestRegistry.RestService rest : service.context().getRestRegistry().listAllRestServices()) {
            String path = ("/" + nullToEmpty(rest.getBasePath()) + "/" + nullToEmpty(rest.getUriTemplate()))
                    .replaceAll("/+", "/").replaceAll("(.)/$", "$1");
            routes.add(rest.getMethod().toUpperCase() + " " + path);
        }
        assertFalse(routes.isEmpty());
        assertEquals(routes, documented().keySet());
    }

    @Test
    void everyOperationDeclaresItsBodyParametersAndEveryStatusWithASchema() {
        Set<String> takesJson = new TreeSet<>();
        for (RestRegistry.RestService rest : service.context().getRestRegistry().listAllRestServices()) {
            if (rest.getConsumes() != null && rest.getConsumes().contains("json")) {
                takesJson.add(rest.getMethod().toUpperCase() + " " + ("/" + nullToEmpty(rest.getBasePath()) + "/"
                        + nullToEmpty(rest.getUriTemplate())).replaceAll("/+", "/"));
            }
        }
        documented().forEach((name, operation) -> {
            assertNotNull(operation.getOperationId(), name);
            assertFalse(nullToEmpty(operation.getSummary()).isBlank(), name + " has a summary");
            Map<String, ApiResponse> responses = operation.getResponses();
            boolean longWork = responses.containsKey("202");
            assertTrue(longWork || responses.containsKey("200"), name + " declares its success");
            for (String status : List.of("400", "401", "500", "503")) {
                assertNotNull(responses.get(status), name + " declares " + status);
            }
            responses.forEach((status, declared) -> {
                ApiResponse response = declared.get$ref() == null ? declared : document.getComponents().getResponses()
                        .get(declared.get$ref().replace("#/components/responses/", ""));
                MediaType json = response.getContent() == null ? null : response.getContent().get("application/json");
                assertNotNull(json, name + " " + status + " has a JSON body");
                assertNotNull(json.getSchema(), name + " " + status + " has a schema");
                if (status.matches("[45]\\d\\d") && !(name.equals("GET /health") && status.equals("503"))) {
                    assertEquals(PROBLEM, json.getSchema().get$ref(), name + " " + status + " is a Problem");
                }
            });
            if (longWork) {
                assertEquals("#/components/responses/Accepted", responses.get("202").get$ref(), name);
            }
            if (takesJson.contains(name)) {
                MediaType body = operation.getRequestBody().getContent().get("application/json");
                Schema<?> schema = document.getComponents().getSchemas()
                        .get(body.getSchema().get$ref().replace("#/components/schemas/", ""));
                assertEquals(Boolean.FALSE, schema.getAdditionalProperties(), name + ": unknown fields are refused");
                assertNotNull(body.getExample(), name + " shows an example body");
                assertNotNull(responses.get("415"), name + " declares 415");
            } else {
                assertTrue(operation.getRequestBody() == null, name + " takes no body");
            }
        });
    }

    @Test
    void everyPathParameterIsDeclaredWithItsPatternAndTheListLimitWithItsBounds() {
        Pattern template = Pattern.compile("\\{([^}]+)}");
        document.getPaths().forEach((path, item) -> {
            Matcher names = template.matcher(path);
            while (names.find()) {
                String name = names.group(1);
                Parameter parameter = parameters(item).stream().filter(p -> name.equals(p.getName())).findFirst()
                        .orElseThrow(() -> new AssertionError(path + " declares {" + name + "}"));
                assertEquals("path", parameter.getIn(), path);
                assertTrue(parameter.getRequired(), path);
                assertNotNull(parameter.getSchema().getPattern(), path + " {" + name + "} has a pattern");
            }
        });
        Parameter limit = document.getPaths().get("/backup/list").getGet().getParameters().stream()
                .filter(p -> p.getName().equals("limit")).findFirst().orElseThrow();
        assertEquals(1, limit.getSchema().getMinimum().intValue());
        assertEquals(1000, limit.getSchema().getMaximum().intValue());
        assertEquals("^backup_\\d{8}_\\d{6}(_\\d{1,4})?$",
                document.getComponents().getParameters().get("BackupId").getSchema().getPattern());
    }

    /** The parameters of a path and its operations, references to components replaced by what they name. */
    private static List<Parameter> parameters(PathItem item) {
        List<Parameter> all = new ArrayList<>(item.getParameters() == null ? List.of() : item.getParameters());
        item.readOperations().forEach(o -> all.addAll(o.getParameters() == null ? List.of() : o.getParameters()));
        return all.stream().map(p -> p.get$ref() == null ? p : document.getComponents().getParameters()
                .get(p.get$ref().replace("#/components/parameters/", ""))).toList();
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }
}
