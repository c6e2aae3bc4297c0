package com.customercaregpt.backup.component;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.net.ConnectException;

/**
 * A tiny client for the parts of Chroma's HTTP API v2 that the backup tool and its demo need,
 * in the default tenant and database.
 */
public final class ChromaClient {

    /** A call that failed: names the URL and the HTTP status (0 when no response came). */
    public static final class ChromaApiException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private final String url;
        private final int status;

        ChromaApiException(String method, String url, int status, String detail, Throwable cause) {
            super(method + " " + url + (status > 0 ? " returned HTTP " + status : " failed") + ": " + detail, cause);
            this.url = url;
            this.status = status;
        }

        public String url() {
            return url;
        }

        public int status() {
            return status;
        }
    }

    private static final String COLLECTIONS_PATH =
            "/api/v2/tenants/default_tenant/databases/default_database/collections";
    private static final int PAGE_SIZE = 100;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(2);

    private final String baseUrl;
    private HttpClient http;
    private final ObjectMapper json = new ObjectMapper();

    /** @param baseUrl e.g. {@code http://127.0.0.1:8000}, without the /api/v2 part */
    public ChromaClient(String baseUrl) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    }

    /**
     * Made on first use: its selector thread waits in native code, and the JVM's exit waits
     * 300 ms for such threads, which every command would pay even when it never talks to Chroma.
     */
    private synchronized HttpClient http() {
        if (http == null) {
            // HTTP/1.1: the default HTTP/2 upgrade attempt buys nothing against a local server.
            http = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
        }
        return http;
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** True when the server answers its heartbeat; never throws. */
    public boolean heartbeat() {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/api/v2/heartbeat"))
                    .timeout(HEARTBEAT_TIMEOUT).GET().build();
            return http().send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException | RuntimeException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Names of all collections, in the server's order. */
    public List<String> collectionNames() {
        List<String> names = new ArrayList<>();
        for (JsonNode collection : collections()) {
            names.add(collection.path("name").asText());
        }
        return names;
    }

    /** Collection name to number of records, sorted by name. */
    public Map<String, Long> recordCounts() {
        Map<String, Long> counts = new TreeMap<>();
        for (JsonNode collection : collections()) {
            counts.put(collection.path("name").asText(), count(collection.path("id").asText()));
        }
        return counts;
    }

    /** The id of the collection with this name, if it exists. */
    public Optional<String> collectionId(String name) {
        for (JsonNode collection : collections()) {
            if (name.equals(collection.path("name").asText())) {
                return Optional.of(collection.path("id").asText());
            }
        }
        return Optional.empty();
    }

    /** The server's version, from GET /api/v2/version (e.g. "1.0.0"). */
    public String version() {
        return send("GET", "/api/v2/version", null).asText();
    }

    public long count(String collectionId) {
        return send("GET", COLLECTIONS_PATH + "/" + encode(collectionId) + "/count", null).asLong();
    }

    /**
     * Creates a collection and returns its id. Metadata values must be strings, numbers or booleans;
     * null or empty metadata is left out because Chroma rejects an empty object.
     */
    public String createCollection(String name, Map<String, ?> metadata) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        if (metadata != null && !metadata.isEmpty()) {
            body.put("metadata", metadata);
        }
        JsonNode created = send("POST", COLLECTIONS_PATH, body);
        return created.path("id").asText();
    }

    /** Adds records; all lists are parallel (same length, same order). */
    public void add(String collectionId, List<String> ids, List<float[]> embeddings, List<String> documents,
                    List<? extends Map<String, ?>> metadatas) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ids", ids);
        body.put("embeddings", embeddings);
        body.put("documents", documents);
        body.put("metadatas", metadatas);
        send("POST", COLLECTIONS_PATH + "/" + encode(collectionId) + "/add", body);
    }

    private List<JsonNode> collections() {
        List<JsonNode> all = new ArrayList<>();
        for (int offset = 0; ; offset += PAGE_SIZE) {
            JsonNode page = send("GET", COLLECTIONS_PATH + "?limit=" + PAGE_SIZE + "&offset=" + offset, null);
            page.forEach(all::add);
            if (page.size() < PAGE_SIZE) {
                return all;
            }
        }
    }

    private JsonNode send(String method, String path, Object body) {
        String url = baseUrl + path;
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(REQUEST_TIMEOUT)
                    .header("Accept", "application/json");
            if (body == null) {
                request.method(method, HttpRequest.BodyPublishers.noBody());
            } else {
                request.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
            }
            HttpResponse<String> response = http().send(request.build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (response.statusCode() / 100 != 2) {
                throw new ChromaApiException(method, url, response.statusCode(), abbreviate(response.body()), null);
            }
            String text = response.body();
            return text == null || text.isBlank() ? json.nullNode() : json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ChromaApiException(method, url, 0, "invalid JSON: " + e.getOriginalMessage(), e);
        } catch (ConnectException e) {
            throw new ChromaApiException(method, url, 0, "connection refused (is Chroma running?)", e);
        } catch (IOException e) {
            throw new ChromaApiException(method, url, 0, e.toString(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChromaApiException(method, url, 0, "interrupted", e);
        }
    }

    private static String encode(String pathSegment) {
        return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String abbreviate(String text) {
        if (text == null) {
            return "(no body)";
        }
        return text.length() > 500 ? text.substring(0, 500) + "..." : text;
    }
}
