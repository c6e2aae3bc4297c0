package com.customercaregpt.backup.recovery;

import com.customercaregpt.backup.fixtures.ApiClient;
import com.customercaregpt.backup.fixtures.TestService;
import com.customercaregpt.backup.repository.RepositoryLock;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The disaster-recovery endpoints over real HTTP: the token is required, plans and status are
 * listed, initiate and test answer 202 with an operation that runs the plan, and bad input, an
 * unknown plan and a locked repository are refused (400, 404, 409) before anything runs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DisasterRecoveryApiTest {

    private TestService service;
    private ApiClient api;

    @BeforeAll
    void start() throws Exception {
        service = TestService.start("dr-api-test", Map.of());
        api = service.api();
        JsonNode backup = api.runToEnd("POST", "/backup/create", "{\"components\": [\"config\"]}");
        assertEquals("completed", backup.get("status").asText(), backup.toString());
    }

    @AfterAll
    void stop() throws Exception {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void withoutTheTokenEveryEndpointIs401() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (String path : new String[]{"/plans", "/status", "/operations"}) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port()
                    + "/api/v1/disaster-recovery" + path)).timeout(Duration.ofSeconds(30)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, response.statusCode(), path);
        }
        HttpResponse<String> initiate = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port()
                + "/api/v1/disaster-recovery/initiate")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"plan_id\": \"application_recovery\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, initiate.statusCode());
    }

    @Test
    void plansAndStatusAreListed() throws Exception {
        HttpResponse<String> plans = api.call("GET", "/disaster-recovery/plans", null);
        assertEquals(200, plans.statusCode(), plans.body());
        assertEquals("full_system_recovery", ApiClient.json(plans).get(0).get("plan_id").asText());
        HttpResponse<String> status = api.call("GET", "/disaster-recovery/status", null);
        assertEquals(200, status.statusCode(), status.body());
        for (JsonNode plan : ApiClient.json(status)) {
            if (plan.get("plan_id").asText().equals("application_recovery")) {
                assertTrue(plan.get("rpo_met").asBoolean(), plan.toString());
                assertTrue(plan.get("newest_point").asText().startsWith("backup_"), plan.toString());
            }
        }
    }

    @Test
    void aDrillAnswers202AndItsOperationCarriesTheTimedSteps() throws Exception {
        HttpResponse<String> accepted = api.call("POST", "/disaster-recovery/test", "{\"plan_id\": \"application_recovery\"}");
        assertEquals(202, accepted.statusCode(), accepted.body());
        JsonNode done = api.await(ApiClient.json(accepted).get("operation_id").asText());
        assertEquals("completed", done.get("status").asText(), done.toString());
        assertEquals("disaster-recovery-test", done.get("kind").asText());
        JsonNode run = done.get("result");
        assertEquals("drill", run.get("kind").asText());
        assertEquals(done.get("operation_id").asText(), run.get("operation_id").asText());
        assertEquals("validate", run.get("steps").get(run.get("steps").size() - 1).get("name").asText(), run.toString());
        assertEquals("config", run.get("checks").get(0).get("name").asText(), run.toString());

        HttpResponse<String> runs = api.call("GET", "/disaster-recovery/operations?limit=5", null);
        assertEquals(200, runs.statusCode(), runs.body());
        assertTrue(runs.body().contains(done.get("operation_id").asText()), runs.body());
    }

    @Test
    void badInputIs400AndAnUnknownPlan404() throws Exception {
        Map<String, String> bad = Map.of(
                "{}", "plan_id is required",
                "{\"plan_id\": \"application_recovery\", \"backup_id\": \"nope\"}", "nope",
                "{\"plan_id\": \"application_recovery\", \"colour\": \"red\"}", "colour",
                "{\"plan_id\": \"application_recovery\", \"to_time\": \"2026-01-01T00:00:00Z\"}", "backup.wal.enabled");
        for (Map.Entry<String, String> entry : bad.entrySet()) {
            HttpResponse<String> response = api.call("POST", "/disaster-recovery/initiate", entry.getKey());
            assertEquals(400, response.statusCode(), entry.getKey() + " -> " + response.body());
            assertTrue(response.body().contains(entry.getValue()), response.body());
        }
        HttpResponse<String> unknown = api.call("POST", "/disaster-recovery/initiate", "{\"plan_id\": \"no_such_plan\"}");
        assertEquals(404, unknown.statusCode(), unknown.body());
        assertTrue(ApiClient.json(unknown).get("detail").asText().contains("no recovery plan 'no_such_plan'"), unknown.body());
        assertEquals(404, api.call("POST", "/disaster-recovery/test", "{\"plan_id\": \"no_such_plan\"}").statusCode());
        assertEquals(400, api.call("GET", "/disaster-recovery/operations?limit=0", null).statusCode());
    }

    @Test
    void anInitiateWhileTheRepositoryIsLockedIs409NamingTheHolder() throws Exception {
        RepositoryLock lock = new RepositoryLock(service.work().resolve("repo"), Duration.ofMinutes(2), Duration.ZERO);
        try (RepositoryLock.Held held = lock.acquire("backup")) {
            HttpResponse<String> refused = api.call("POST", "/disaster-recovery/initiate",
                    "{\"plan_id\": \"application_recovery\"}");
            assertEquals(409, refused.statusCode(), refused.body());
            assertTrue(ApiClient.json(refused).get("detail").asText().contains("locked by backup"), refused.body());
        }
    }
}
