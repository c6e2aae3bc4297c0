package com.customercaregpt.backup.observe;

import com.customercaregpt.backup.fixtures.Cli;
import com.customercaregpt.backup.fixtures.TestService;
import com.customercaregpt.backup.fixtures.TestStack;
import com.customercaregpt.backup.repository.ManifestCodec;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The recovery plans' figures as the service exports them: each plan's objectives and RPO
 * exposure, drills counted and their recovery time; a plan past its RPO fails `health` (a Camel
 * health check per plan) and `disaster-recovery status`.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RecoveryMetricsTest {

    private static final Pattern DR_METRIC = Pattern.compile("\\b((?:dr|drill)_[a-z_]+)\\b");

    private TestService service;
    private int managementPort;
    private JsonNode drill;
    private String agedBackup;

    @BeforeAll
    void drillThenAgeABackup() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            managementPort = socket.getLocalPort();
        }
        service = TestService.start("recovery-metrics", Map.of("camel.management.port", String.valueOf(managementPort)));
        JsonNode config = service.api().runToEnd("POST", "/backup/create", "{\"components\": [\"config\"]}");
        assertEquals("completed", config.get("status").asText(), config.toString());
        drill = service.api().runToEnd("POST", "/disaster-recovery/test", "{\"plan_id\": \"application_recovery\"}");
        assertEquals("completed", drill.get("status").asText(), drill.toString());
        // a backup of data_recovery's components, made to look two hours old: past its 10 min RPO
        JsonNode data = service.api().runToEnd("POST", "/backup/create", "{\"components\": [\"uploads\", \"chromadb\"]}");
        assertEquals("completed", data.get("status").asText(), data.toString());
        agedBackup = data.get("result").asText();
        Path manifest = service.work().resolve("repo/backups").resolve(agedBackup).resolve("manifest.json");
        ObjectNode json = (ObjectNode) ManifestCodec.JSON.readTree(manifest.toFile());
        json.put("created_at", Instant.parse(json.get("created_at").asText()).minus(Duration.ofHours(2)).toString());
        Files.write(manifest, ManifestCodec.JSON.writeValueAsBytes(json));
    }

    @AfterAll
    void stop() throws Exception {
        if (service != null) {
            service.close();
        }
    }

    private String scrape() throws Exception {
        HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + managementPort + "/observe/metrics")).timeout(Duration.ofSeconds(60))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, metrics.statusCode(), metrics.body());
        return metrics.body();
    }

    @Test
    void objectivesExposureAndDrillsAreExported() throws Exception {
        String scrape = scrape();
        Map<String, Double> samples = ObservabilityTest.samples(scrape);
        assertEquals(1.0, samples.get("drill_runs_total{plan=\"application_recovery\",result=\"completed\"}"), scrape);
        assertEquals(drill.get("result").get("rto").get("achieved_seconds").asDouble(),
                samples.get("drill_rto_seconds{plan=\"application_recovery\"}"), scrape);
        assertEquals(3600.0, samples.get("dr_rto_objective_seconds{plan=\"full_system_recovery\"}"), scrape);
        assertEquals(300.0, samples.get("dr_rpo_objective_seconds{plan=\"database_recovery\"}"), scrape);
        double exposure = samples.get("dr_rpo_exposure_seconds{plan=\"data_recovery\"}");
        assertTrue(exposure >= 7200 && exposure < 7200 + 600, "two hours and the test's own time: " + exposure);
        assertTrue(Double.isNaN(samples.get("dr_rpo_exposure_seconds{plan=\"database_recovery\"}")),
                "nothing restorable holds the database");

        // every dr_/drill_ metric the alert rules use is exported
        Set<String> exported = new TreeSet<>();
        samples.keySet().forEach(series -> exported.add(series.replaceAll("\\{.*", "")));
        Matcher used = DR_METRIC.matcher(Files.readString(TestStack.projectHome().resolve("monitoring/prometheus-rules.yml")));
        Set<String> missing = new TreeSet<>();
        while (used.find()) {
            if (!exported.contains(used.group(1))) {
                missing.add(used.group(1));
            }
        }
        assertEquals(Set.of(), missing, "the alert rules use metrics the service does not export");
    }

    @Test
    void aPlanPastItsRpoFailsHealthAndStatus() throws Exception {
        HttpResponse<String> health = service.api().call("GET", "/health", null);
        assertEquals(503, health.statusCode(), health.body());
        JsonNode failing = null;
        for (JsonNode check : ManifestCodec.JSON.readTree(health.body()).get("checks")) {
            if (check.get("name").asText().equals("recovery plan data_recovery")) {
                failing = check;
            }
        }
        assertTrue(failing != null, health.body());
        assertEquals("fail", failing.get("status").asText(), failing.toString());
        assertTrue(failing.get("detail").asText().contains("RPO exceeded")
                && failing.get("detail").asText().contains(agedBackup), failing.toString());

        Path config = Files.createTempFile(service.work(), "status-", ".properties");
        TestStack.shared().writeProperties(config, service.work().resolve("repo"));
        Cli.Result status = Cli.run("--config", config.toString(), "disaster-recovery", "status", "--output", "json");
        assertEquals(1, status.exitCode(), status.toString());
        for (JsonNode plan : ManifestCodec.JSON.readTree(status.stdout())) {
            String id = plan.get("plan_id").asText();
            assertEquals(id.equals("application_recovery"), plan.get("rpo_met").asBoolean(), plan.toString());
        }
    }
}
