package com.customercaregpt.backup.observe;

import com.customercaregpt.backup.fixtures.TestService;
import com.customercaregpt.backup.fixtures.TestStack;
import com.customercaregpt.backup.repository.BackupId;
import com.customercaregpt.backup.repository.LocalRepository;
import com.customercaregpt.backup.repository.Manifest;
import com.customercaregpt.backup.repository.ManifestCodec;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.component.platform.http.main.ManagementHttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The management server of a real `serve`: health and metrics without a token, Jolokia only with
 * it and read-only, and metrics that say what a real backup, restore and verify did.
 */
class ObservabilityTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern OUR_METRIC = Pattern.compile("((?:backup|restore|verify|repository|replication)_[a-z_]+)");
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})? (\\S+)$");

    private static TestService service;
    private static int managementPort;
    private static String backupId;
    private static Manifest manifest;
    private static String scrape;

    @BeforeAll
    static void backupRestoreVerifyThenScrape() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            managementPort = socket.getLocalPort();
        }
        // one schedule that never fires during the test (1 January, 03:00), for Hawtio's Quartz view
        Path schedules = Files.writeString(Files.createTempFile("observability-schedules-", ".camel.yaml"),
                "- templatedRoute: {routeTemplateRef: schedule, routeId: schedule-new-year, parameters: ["
                        + "{name: id, value: new-year}, {name: cron, value: '0 0 3 1 1 ?'}, {name: action, value: verify}]}\n");
        schedules.toFile().deleteOnExit();
        service = TestService.start("observability", Map.of("camel.management.port", String.valueOf(managementPort),
                "backup.schedules.file", schedules.toString()));
        JsonNode created = service.api().runToEnd("POST", "/backup/create", "{\"components\": [\"config\", \"uploads\"]}");
        assertEquals("completed", created.get("status").asText(), created.toString());
        backupId = created.get("result").asText();
        manifest = ManifestCodec.read(new BackupId(backupId),
                new LocalRepository(service.work().resolve("repo")).readManifest(new BackupId(backupId)).orElseThrow());
        Path target = service.work().resolve("restored");
        JsonNode restored = service.api().runToEnd("POST", "/backup/" + backupId + "/restore",
                "{\"components\": [\"config\"], \"target_dir\": \"" + target + "\"}");
        assertEquals("completed", restored.get("status").asText(), restored.toString());
        JsonNode verified = service.api().runToEnd("POST", "/backup/" + backupId + "/verify", null);
        assertEquals("completed", verified.get("status").asText(), verified.toString());
        HttpResponse<String> metrics = get("/observe/metrics", null);
        assertEquals(200, metrics.statusCode(), "metrics answer without a token: " + metrics.body());
        scrape = metrics.body();
    }

    @AfterAll
    static void stop() throws Exception {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void backupMetricsMatchTheManifestOfTheBackup() {
        Map<String, Double> samples = samples(scrape);
        for (Manifest.ComponentRecord component : manifest.components()) {
            String name = component.name();
            assertEquals(1.0, samples.get("backup_runs_total{component=\"" + name + "\",result=\"completed\",type=\"full\"}"),
                    name + " runs in:\n" + scrape);
            assertEquals(1.0, samples.get("backup_duration_seconds_count{component=\"" + name + "\",type=\"full\"}"), name);
            assertEquals((double) component.artifacts().stream().mapToLong(Manifest.Artifact::sizeBytes).sum(),
                    samples.get("backup_stored_bytes{component=\"" + name + "\"}"), name + " stored bytes");
            assertEquals((double) component.artifacts().stream().mapToLong(Manifest.Artifact::rawSizeBytes).sum(),
                    samples.get("backup_raw_bytes{component=\"" + name + "\"}"), name + " raw bytes");
            assertEquals((double) Instant.parse(component.completedAt()).getEpochSecond(),
                    samples.get("backup_last_success_timestamp_seconds{component=\"" + name + "\"}"), name);
        }
        assertEquals(0.0, samples.get("backup_last_success_timestamp_seconds{component=\"database\"}"),
                "a component never backed up shows 0");
        assertEquals((double) manifest.totalSizeBytes(), samples.get("repository_bytes{location=\"local\"}"));
        assertEquals(0.0, samples.get("replication_backlog_backups"), "S3 is off: nothing waits for it");
        double free = samples.get("repository_free_bytes");
        assertTrue(free > 0 && free <= samples.get("repository_capacity_bytes"), scrape);
    }

    @Test
    void restoreAndVerifyAreCountedAndTimed() {
        Map<String, Double> samples = samples(scrape);
        assertEquals(1.0, samples.get("restore_runs_total{component=\"config\",result=\"completed\"}"), scrape);
        assertEquals(1.0, samples.get("restore_duration_seconds_count{component=\"config\"}"), scrape);
        assertEquals(null, samples.get("restore_runs_total{component=\"uploads\",result=\"completed\"}"),
                "only the restored component counts");
        assertEquals(1.0, samples.get("verify_runs_total{result=\"ok\"}"), scrape);
    }

    @Test
    void camelsOwnRouteMetricsAreScrapedToo() {
        assertTrue(scrape.lines().anyMatch(line -> line.startsWith("camel_") && line.contains("routeId=\"backup\"")),
                "camel-micrometer's route metrics:\n" + scrape);
    }

    @Test
    void everyMetricTheRulesAndTheDashboardUseIsExported() throws Exception {
        Set<String> exported = new TreeSet<>();
        samples(scrape).keySet().forEach(series -> exported.add(series.replaceAll("\\{.*", "")));
        Pattern ours = Pattern.compile("\\b" + OUR_METRIC.pattern() + "\\b");
        for (String file : new String[] {"monitoring/prometheus-rules.yml", "monitoring/grafana-dashboard.json"}) {
            Matcher used = ours.matcher(Files.readString(TestStack.projectHome().resolve(file)));
            Set<String> missing = new TreeSet<>();
            while (used.find()) {
                if (!exported.contains(used.group(1))) {
                    missing.add(used.group(1));
                }
            }
            assertEquals(Set.of(), missing, file + " uses metrics the service does not export");
        }
    }

    @Test
    void theScrapePassesPromtool() throws Exception {
        Path promtool = Checkers.promtool();
        Process check = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
        check.getOutputStream().write(scrape.getBytes(StandardCharsets.UTF_8));
        check.getOutputStream().close();
        String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(check.waitFor(60, TimeUnit.SECONDS), "promtool check metrics did not end");
        // 1: the text does not parse; 3: lint problems, which only Camel's own names may have (routeId, ...)
        assertTrue(check.exitValue() == 0 || check.exitValue() == 3, output);
        assertEquals(List.of(), output.lines().filter(line -> OUR_METRIC.matcher(line).lookingAt()).toList(),
                "lint problems of our metrics");
    }

    @Test
    void healthAnswersWithoutATokenOnLoopbackOnly() throws Exception {
        for (String path : new String[] {"/observe/health", "/observe/health/live", "/observe/health/ready"}) {
            HttpResponse<String> health = get(path, null);
            assertEquals(200, health.statusCode(), path + ": " + health.body());
            assertTrue(health.body().contains("\"status\""), path + ": " + health.body());
        }
        ManagementHttpServer server = service.app().context().hasService(ManagementHttpServer.class);
        assertEquals("127.0.0.1", server.getHost(), "bound to this host unless camel.management.host says otherwise");
    }

    @Test
    void jolokiaNeedsTheToken() throws Exception {
        assertEquals(401, get("/observe/jolokia/version", null).statusCode());
        assertEquals(401, get("/observe/jolokia/version", "not-" + service.token()).statusCode());
        assertEquals(401, get("/observe/jolokia/read/java.lang:type=Memory", null).statusCode());
        HttpResponse<String> version = get("/observe/jolokia/version", service.token());
        assertEquals(200, version.statusCode(), version.body());
        assertEquals(200, json(version).get("status").asInt(), version.body());
    }

    @Test
    void jolokiaShowsRouteStatisticsAndIsReadOnly() throws Exception {
        String route = "org.apache.camel:context=backup-manager,type=routes,name=%22backup%22";
        JsonNode total = json(get("/observe/jolokia/read/" + route + "/ExchangesTotal", service.token()));
        assertEquals(200, total.get("status").asInt(), total.toString());
        assertEquals(1, total.get("value").asInt(), "the one backup went through the route: " + total);
        JsonNode dump = json(get("/observe/jolokia/exec/" + route + "/dumpRouteAsXml()", service.token()));
        assertEquals(200, dump.get("status").asInt(), "Hawtio draws routes from this: " + dump);
        JsonNode stop = json(get("/observe/jolokia/exec/" + route + "/stop()", service.token()));
        assertEquals(403, stop.get("status").asInt(), "stopping a route is refused: " + stop);
        JsonNode write = json(get("/observe/jolokia/write/" + route + "/Tracing/true", service.token()));
        assertEquals(403, write.get("status").asInt(), "writing is refused: " + write);
        JsonNode properties = json(get("/observe/jolokia/read/java.lang:type=Runtime/SystemProperties", service.token()));
        assertEquals(403, properties.get("status").asInt(), "system properties may hold -D settings: " + properties);
        JsonNode started = json(get("/observe/jolokia/read/" + route + "/State", service.token()));
        assertEquals("Started", started.get("value").asText(), "the route still runs: " + started);
    }

    @Test
    void jolokiaShowsTheQuartzTriggersAndTheExchangesInFlight() throws Exception {
        JsonNode schedulers = json(get("/observe/jolokia/search/quartz:type=QuartzScheduler,*", service.token()));
        assertEquals(1, schedulers.get("value").size(), "the schedules' Quartz scheduler: " + schedulers);
        String scheduler = schedulers.get("value").get(0).asText().replace("\"", "%22");
        JsonNode triggers = json(get("/observe/jolokia/read/" + scheduler + "/AllTriggers", service.token()));
        assertEquals(200, triggers.get("status").asInt(), triggers.toString());
        assertTrue(triggers.get("value").toString().contains("new-year"), "the schedule's trigger: " + triggers);
        JsonNode inflight = json(get("/observe/jolokia/read/org.apache.camel:context=backup-manager,type=context,"
                + "name=%22backup-manager%22/ExchangesInflight", service.token()));
        assertEquals(200, inflight.get("status").asInt(), inflight.toString());
        assertTrue(inflight.get("value").isNumber(), inflight.toString());
    }

    private static HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
                .timeout(Duration.ofSeconds(60)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return ManifestCodec.JSON.readTree(response.body());
    }

    /** series (name and labels as printed) to value, from Prometheus text. */
    static Map<String, Double> samples(String text) {
        Map<String, Double> samples = new TreeMap<>();
        text.lines().filter(line -> !line.startsWith("#")).map(SAMPLE::matcher).filter(Matcher::matches)
                .forEach(m -> samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(3))));
        return samples;
    }
}
