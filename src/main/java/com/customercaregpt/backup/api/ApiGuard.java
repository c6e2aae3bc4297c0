package com.customercaregpt.backup.api;

import com.customercaregpt.backup.config.Settings;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;

/**
 * The door of the REST API: a bearer token (backup.api.token, or the first line of
 * backup.api.token-file) compared in constant time, and a cap on request bodies.
 */
public final class ApiGuard {

    private static final Logger LOG = LoggerFactory.getLogger(ApiGuard.class);

    private final byte[] token;
    private final long maxBodyBytes;

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
     * Puts the door in front of everything under /api/v1 on the HTTP server itself, so that it also
     * guards what Camel serves without a route of ours (the OpenAPI document, unknown paths).
     */
    public void install(CamelContext context, int port) {
        VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(context,
                VertxPlatformHttpRouter.getRouterNameFromPort(port));
        if (router == null) {
            throw new IllegalStateException("the HTTP server on port " + port + " did not start");
        }
        router.route("/api/v1/*").order(-1000).handler(request -> {
            if (!authorized(request.request().getHeader("Authorization"))) {
                request.response().setStatusCode(401).putHeader("WWW-Authenticate", "Bearer")
                        .putHeader("Content-Type", "application/json").end("{\"error\":\"unauthorized\"}");
                return;
            }
            String length = request.request().getHeader("Content-Length");
            if (length != null && length.matches("\\d{1,18}") && Long.parseLong(length) > maxBodyBytes) {
                request.response().setStatusCode(400).putHeader("Content-Type", "application/json")
                        .end("{\"error\":\"request body too large\",\"detail\":\"at most " + maxBodyBytes
                                + " bytes are accepted, got " + length + "\"}");
                return;
            }
            request.next();
        });
        // Anything under /api/v1 that no endpoint took: a JSON 404, like every other answer.
        router.route("/api/v1/*").order(Integer.MAX_VALUE).handler(request -> {
            if (!request.response().ended()) {
                request.response().setStatusCode(404).putHeader("Content-Type", "application/json")
                        .end("{\"error\":\"not found\",\"detail\":\"no endpoint " + request.request().method() + " "
                                + request.normalizedPath().replace("\"", "") + "; see /api/v1/openapi.json\"}");
            }
        });
    }

    /** Called again before every /api/v1 route (also during start-up, before install): token and body size. */
    public void check(Exchange exchange) {
        if (!authorized(exchange.getMessage().getHeader("Authorization", String.class))) {
            throw new ApiProblem.Unauthorized();
        }
        exchange.getMessage().removeHeader("Authorization");
        if (exchange.getMessage().getBody() == null) {
            return; // a GET: nothing to measure
        }
        Long length = exchange.getMessage().getHeader(Exchange.CONTENT_LENGTH, Long.class);
        byte[] body = exchange.getMessage().getBody(byte[].class);
        long size = body != null ? body.length : length == null ? 0 : length;
        if (size > maxBodyBytes) {
            throw new ApiProblem.BadRequest("request body too large",
                    "at most " + maxBodyBytes + " bytes are accepted, got " + size);
        }
        if (body != null) {
            exchange.getMessage().setBody(body);
        }
    }
}
