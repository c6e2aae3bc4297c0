package com.customercaregpt.backup.component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/** The few calls of Chroma's v2 HTTP API that backup and restore need. */
public final class ChromaApi {

    private static final String DATABASE = "/api/v2/tenants/default_tenant/databases/default_database";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String baseUrl;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public ChromaApi(String baseUrl) {
        this.baseUrl = baseUrl.replaceAll("/+$", "");
    }

    public String url() {
        return baseUrl;
    }

    public boolean heartbeat() {
        try {
            return get("/api/v2/heartbeat").has("nanosecond heartbeat");
        } catch (IOException e) {
            return false;
        }
    }

    /** Collection name to record count, for the default tenant and database. */
    public Map<String, Long> recordCounts() throws IOException {
        Map<String, Long> counts = new TreeMap<>();
        int offset = 0;
        while (true) {
            JsonNode page = get(DATABASE + "/collections?limit=100&offset=" + offset);
            for (JsonNode collection : page) {
                String id = collection.get("id").asText();
                counts.put(collection.get("name").asText(), get(DATABASE + "/collections/" + id + "/count").asLong());
            }
            if (page.size() < 100) {
                return counts;
            }
            offset += 100;
        }
    }

    public JsonNode get(String path) throws IOException {
        return send(HttpRequest.newBuilder(URI.create(baseUrl + path)).GET());
    }

    public JsonNode post(String path, Object body) throws IOException {
        return send(HttpRequest.newBuilder(URI.create(baseUrl + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))));
    }

    private JsonNode send(HttpRequest.Builder request) throws IOException {
        HttpRequest built = request.timeout(Duration.ofSeconds(30)).build();
        try {
            HttpResponse<byte[]> response = http.send(built, HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() / 100 != 2) {
                throw new IOException(built.method() + " " + built.uri() + " answered HTTP " + response.statusCode());
            }
            return JSON.readTree(response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted calling " + built.uri());
        } catch (java.net.ConnectException e) {
            throw new IOException("Chroma API at " + baseUrl + " is unreachable (connection refused)", e);
        }
    }
}
