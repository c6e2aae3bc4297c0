package com.customercaregpt.backup.api;

import com.customercaregpt.backup.app.RoutesStarting;
import com.customercaregpt.backup.config.SecretFiles;
import com.customercaregpt.backup.config.Settings;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.vertx.core.http.HttpServerRequest;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The door of the REST API: a bearer token (backup.api.token, or the first line of
 * backup.api.token-file; at least 16 characters) compared in constant time, and a cap on request bodies.
 */
public final class ApiGuard {

    private static final Logger LOG = LoggerFactory.getLogger(ApiGuard.class);

    private static final String CONTEXT_PATH = "/api/v1";
    /** application/json, or a +json type, with or without parameters (charset). */
    private static final Pattern JSON_TYPE = Pattern.compile("\\s*application/([a-z.-]+\\+)?json\\s*(;|$)",
            Pattern.CASE_INSENSITIVE);

    private enum State { STARTING, SERVING, STOPPING }

    private final byte[] token;
    private final long maxBodyBytes;
    private volatile State state = State.STARTING;
    private volatile boolean installed;
    private volatile ApiEndpoints endpoints;
    private int port;

    private ApiGuard(byte[] token, long maxBodyBytes) {
        this.token = token;
        this.maxBodyBytes = maxBodyBytes;
    }

    private boolean authorized(String header) {
        if (token == null) {
            return true;
        }
        byte[] presented = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                ? header.substring(7).strip().getBytes(StandardCharsets.UTF_8) : new byte[0];
        // MessageDigest.isEqual takes the same time wherever the first difference is.
        return MessageDigest.isEqual(presented, token);
    }

    /** Refuses to build an open door unless backup.api.allow-anonymous=true says so explicitly. */
    public static ApiGuard from(Settings settings) {
        String token = settings.get("backup.api.token", "");
        String file = settings.get("backup.api.token-file", "");
        if (token.isBlank() && !file.isBlank()) {
            try {
                token = Files.readString(Path.of(file), StandardCharsets.UTF_8).lines().findFirst().orElse("").strip();
            } catch (IOException e) {
                throw new Settings.SettingsException("backup.api.token-file: cannot read " + file + ": " + e.getMessage());
            }
        }
        long maxBody = settings.getInt("backup.api.max-body-bytes", 1024 * 1024);
        if (!token.isBlank()) {
            if (!"true".equals(settings.get("backup.api.allow-weak-token", "false"))) {
                SecretFiles.tokenTooShort(settings).ifPresent(weak -> {
                    throw new Settings.SettingsException(weak + " (or set backup.api.allow-weak-token=true)");
                });
            }
            return new ApiGuard(token.getBytes(StandardCharsets.UTF_8), maxBody);
        }
        if (!"true".equals(settings.get("backup.api.allow-anonymous", "false"))) {
            throw new Settings.SettingsException("the REST API needs a token: set backup.api.token (or BACKUP_API_TOKEN, "
                    + "or backup.api.token-file), or backup.api.allow-anonymous=true to run it open");
        }
        LOG.warn("The REST API is open to anyone who can reach it (backup.api.allow-anonymous=true)");
        return new ApiGuard(null, maxBody);
    }

    /**
     * Puts the door on the HTTP server as soon as it exists, before the routes start: until
     * {@link #serving} every API path answers 503, never a 404 of a route not up yet.
     */
    public void installBeforeRoutes(Main main, int port) {
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterConfigure(BaseMainSupport configured) {
                RoutesStarting.then(configured.getCamelContext(), started -> install(started, port));
            }
        });
    }

    /** The routes are up: requests go through from now on. Throws when the door was never put on. */
    public void serving(CamelContext context) {
        if (!installed) {
            throw new IllegalStateException("the HTTP server on port " + port + " did not start");
        }
        endpoints = ApiEndpoints.of(context, CONTEXT_PATH);
        state = State.SERVING;
    }

    /** The service is stopping: new requests get 503 while the routes go down. */
    public void stopping() {
        state = State.STOPPING;
    }

    /**
     * Puts the door in front of everything under /api/v1 on the HTTP server itself, so that it also
     * guards what Camel serves without a route of ours (the OpenAPI document, unknown paths).
     */
    private void install(CamelContext context, int port) {
        this.port = port;
        VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(context,
                VertxPlatformHttpRouter.getRouterNameFromPort(port));
        if (router == null) {
            return; // serving() refuses to go on
        }
        router.route(CONTEXT_PATH + "/*").order(-1000).handler(request -> {
            HttpServerRequest http = request.request();
            if (!authorized(http.getHeader("Authorization"))) {
                request.response().setStatusCode(401).putHeader("WWW-Authenticate", "Bearer")
                        .putHeader("Content-Type", "application/json").end(errorJson("unauthorized", null));
                return;
            }
            Refusal refusal = refusal(http, request.normalizedPath());
            if (refusal != null) {
                refusal.headers().forEach(request.response()::putHeader);
                request.response().setStatusCode(refusal.status()).putHeader("Content-Type", "application/json")
                        .end(errorJson(refusal.error(), refusal.detail()));
                return;
            }
            request.next();
        });
        // Anything under /api/v1 that no endpoint took: a JSON 404, like every other answer.
        router.route(CONTEXT_PATH + "/*").order(Integer.MAX_VALUE).handler(request -> {
            if (!request.response().ended()) {
                request.response().setStatusCode(404).putHeader("Content-Type", "application/json")
                        .end(errorJson("not found", "no endpoint " + request.request().method() + " "
                                + request.normalizedPath() + "; see " + CONTEXT_PATH + "/openapi.json"));
            }
        });
        // What the server itself refuses once a request is past the door (a body without a length that
        // outgrows camel.server.maxBodySize is a 413): JSON too, as the OpenAPI document declares.
        router.route(CONTEXT_PATH + "/*").order(-1000).failureHandler(failed -> {
            if (failed.response().headWritten()) {
                return;
            }
            boolean tooLarge = failed.statusCode() == 413;
            failed.response().setStatusCode(tooLarge ? 413 : 500).putHeader("Content-Type", "application/json")
                    .end(tooLarge ? errorJson("request body too large", "at most " + maxBodyBytes
                            + " bytes are accepted; the server stopped reading the body")
                            : errorJson("internal error", null));
        });
        installed = true;
    }

    private record Refusal(int status, String error, String detail, Map<String, String> headers) {
        Refusal(int status, String error, String detail) {
            this(status, error, detail, Map.of());
        }
    }

    /** Why the server itself answers a request before any route sees it, or null to let it through. */
    private Refusal refusal(HttpServerRequest http, String path) {
        if (state != State.SERVING) {
            return new Refusal(503, "unavailable", "the service is " + state.name().toLowerCase()
                    + "; try again in a few seconds", Map.of("Retry-After", "5"));
        }
        String length = http.getHeader("Content-Length");
        boolean hasBody = length != null ? !length.strip().equals("0") : http.getHeader("Transfer-Encoding") != null;
        ApiProblem tooLarge = length != null && length.matches("\\d{1,18}") ? tooLarge(Long.parseLong(length)) : null;
        if (tooLarge != null) {
            return new Refusal(tooLarge.status(), tooLarge.error(), tooLarge.getMessage());
        }
        String method = http.method().name();
        Set<String> allowed = endpoints.allowed(path);
        if (!allowed.isEmpty() && !allowed.contains(method)) {
            return new Refusal(405, "method not allowed", method + " is not allowed on " + path + "; allowed: "
                    + String.join(", ", allowed), Map.of("Allow", String.join(", ", allowed)));
        }
        if (hasBody && !"POST".equals(method)) {
            return new Refusal(400, "bad request", "a " + method + " request takes no body");
        }
        String type = http.getHeader("Content-Type");
        boolean json = type != null && JSON_TYPE.matcher(type).lookingAt();
        if (!json && (hasBody || type != null && endpoints.takesJson(method, path))) {
            return new Refusal(415, "unsupported media type", "the body must be JSON (Content-Type: "
                    + "application/json), got " + (type == null ? "no Content-Type" : "'" + type + "'"));
        }
        return null;
    }

    /** The refusals of the server itself, in the same JSON as every other answer. */
    private static String errorJson(String error, String detail) {
        try {
            return ApiJsonFormat.MAPPER.writeValueAsString(new ApiBodies.Problem(error, detail));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The refusal of a request body of {@code size} bytes, or null when it is within backup.api.max-body-bytes. */
    ApiProblem tooLarge(long size) {
        return size <= maxBodyBytes ? null : new ApiProblem.BadRequest("request body too large",
                "at most " + maxBodyBytes + " bytes are accepted, got " + size);
    }

    /**
     * Called again before every /api/v1 route (also during start-up, before install): the token, and
     * a request body the JSON binding refused.
     */
    public void check(Exchange exchange) {
        if (!authorized(exchange.getMessage().getHeader("Authorization", String.class))) {
            throw new ApiProblem.Unauthorized();
        }
        exchange.getMessage().removeHeader("Authorization");
        if (exchange.getMessage().getBody() instanceof ApiJsonFormat.Rejected rejected) {
            throw rejected.problem();
        }
    }
}
