package com.customercaregpt.backup.observe;

import com.customercaregpt.backup.config.SecretFiles;
import com.customercaregpt.backup.config.Settings;
import io.vertx.core.http.HttpServerRequest;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Properties;

/**
 * Camel's management server of `serve` (camel.management.port, 127.0.0.1 by default): health and
 * Prometheus metrics open to a scraper, Jolokia for Hawtio only with the management token.
 */
public final class ManagementServer {

    private static final Logger LOG = LoggerFactory.getLogger(ManagementServer.class);
    static final String HEALTH_PATH = "/observe/health";
    static final String METRICS_PATH = "/observe/metrics";
    static final String JOLOKIA_PATH = "/observe/jolokia";

    private final byte[] token;
    private final int port;

    private ManagementServer(byte[] token, int port) {
        this.token = token;
        this.port = port;
    }

    /**
     * Sets Camel's camel.management.* and camel.metrics.* options for `serve` and returns the server
     * whose Jolokia door {@link #guard} puts on; null when backup.management.enabled=false.
     */
    public static ManagementServer configure(Settings settings, Properties camel) {
        if ("false".equals(settings.get("backup.management.enabled", "true"))) {
            camel.setProperty("camel.management.enabled", "false");
            return null;
        }
        int port = settings.getInt("camel.management.port", 9876);
        String host = settings.get("camel.management.host", "127.0.0.1");
        if (port != 0 && port == settings.getInt("camel.server.port", 8080)) {
            throw new Settings.SettingsException("camel.management.port " + port + " is the REST API's port "
                    + "(camel.server.port): give the management server a port of its own");
        }
        checkPortFree(host, port);
        if (!"true".equals(settings.get("backup.api.allow-weak-token", "false"))) {
            SecretFiles.managementTokenTooShort(settings).ifPresent(weak -> {
                throw new Settings.SettingsException(weak + " (or set backup.api.allow-weak-token=true)");
            });
        }
        String token = token(settings);
        camel.setProperty("camel.management.enabled", "true");
        camel.setProperty("camel.management.port", String.valueOf(port));
        camel.setProperty("camel.management.host", host);
        camel.setProperty("camel.management.healthCheckEnabled", "true");
        camel.setProperty("camel.management.healthPath", HEALTH_PATH);
        camel.setProperty("camel.management.metricsEnabled", "true");
        camel.setProperty("camel.metrics.enabled", "true");
        camel.setProperty("camel.metrics.path", METRICS_PATH);
        camel.setProperty("camel.health.enabled", "true");
        // No token, no Jolokia: JMX over HTTP is never served open.
        camel.setProperty("camel.management.jolokiaEnabled", String.valueOf(token != null));
        camel.setProperty("camel.management.jolokiaPath", JOLOKIA_PATH);
        if (token == null) {
            LOG.warn("Jolokia is off: no backup.management.token and no REST API token to guard it with");
        }
        return new ManagementServer(token == null ? null : token.getBytes(StandardCharsets.UTF_8), port);
    }

    /** backup.management.token, else the REST API's token (backup.api.token, or the first line of backup.api.token-file). */
    static String token(Settings settings) {
        for (String key : new String[] {"backup.management.token", "backup.api.token"}) {
            String value = settings.get(key, "").strip();
            if (!value.isEmpty()) {
                return value;
            }
        }
        String file = settings.get("backup.api.token-file", "");
        if (file.isBlank()) {
            return null;
        }
        try {
            String first = Files.readString(Path.of(file), StandardCharsets.UTF_8).lines().findFirst().orElse("").strip();
            return first.isEmpty() ? null : first;
        } catch (IOException e) {
            throw new Settings.SettingsException("backup.api.token-file: cannot read " + file + ": " + e.getMessage());
        }
    }

    /** Camel's server only logs a failed bind: a service whose probes cannot reach it must not start. */
    private static void checkPortFree(String host, int port) {
        if (port == 0) {
            return;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new Settings.SettingsException("the management server cannot listen on " + host + ":" + port
                    + " (camel.management.host/port): " + e.getMessage());
        }
    }

    boolean servesJolokia() {
        return token != null;
    }

    /** Puts the token check in front of Jolokia as soon as the management server has its router, before the routes start. */
    void guard(CamelContext context) {
        if (token == null) {
            return;
        }
        VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(context,
                VertxPlatformHttpRouter.getRouterNameFromPort(port));
        if (router == null) {
            // no management server, so no Jolokia either: its health probes fail, which shows it
            LOG.error("The management server on port {} did not start", port);
            return;
        }
        router.route(JOLOKIA_PATH + "*").order(-1000).handler(request -> {
            if (authorized(request.request())) {
                request.next();
            } else {
                request.response().setStatusCode(401).putHeader("WWW-Authenticate", "Bearer")
                        .putHeader("Content-Type", "application/json").end("{\"error\":\"unauthorized\"}");
            }
        });
    }

    /**
     * "Bearer TOKEN"; or, for Hawtio, whose connections only send Basic credentials, "Basic" with the
     * token as password (the user name is not checked).
     */
    private boolean authorized(HttpServerRequest request) {
        String header = request.getHeader("Authorization");
        String presented = "";
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            presented = header.substring(7).strip();
        } else if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String pair = new String(Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
                presented = pair.substring(pair.indexOf(':') + 1);
            } catch (IllegalArgumentException malformed) {
                return false;
            }
        }
        // the same time wherever the first difference is
        return MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), token);
    }
}
