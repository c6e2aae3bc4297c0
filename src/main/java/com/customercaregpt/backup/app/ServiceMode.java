package com.customercaregpt.backup.app;

import com.customercaregpt.backup.config.Settings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * What `serve` adds to the application: the HTTP server for the REST API, the schedules file
 * (backup.schedules.file, by default routes/schedules.camel.yaml) and, when asked, route reload.
 */
final class ServiceMode {

    private ServiceMode() {
    }

    /** backup.api.enabled=false runs the schedules alone: no HTTP server, no REST routes. */
    static boolean apiEnabled(Settings settings) {
        return !"false".equals(settings.get("backup.api.enabled", "true"));
    }

    /**
     * Refuses a port another process holds, before anything starts: Camel's HTTP server only logs
     * a failed bind and starts anyway, and a service that cannot listen must not look healthy.
     */
    static void checkPortFree(Settings settings) {
        if (!apiEnabled(settings)) {
            return;
        }
        String host = settings.get("camel.server.host", "0.0.0.0");
        int port = settings.getInt("camel.server.port", 8080);
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new Settings.SettingsException("the REST API cannot listen on " + host + ":" + port
                    + " (camel.server.host/port): " + e.getMessage());
        }
    }

    static void configure(Settings settings, Properties camel) {
        camel.setProperty("camel.server.enabled", String.valueOf(apiEnabled(settings)));
        camel.setProperty("camel.server.port", settings.get("camel.server.port", "8080"));
        camel.setProperty("camel.server.host", settings.get("camel.server.host", "0.0.0.0"));
        camel.setProperty("camel.server.path", "/");
        // Bounded memory: the server refuses (413) bodies it would otherwise buffer whole; the API
        // answers 400 from backup.api.max-body-bytes, below this.
        camel.setProperty("camel.server.maxBodySize",
                String.valueOf(2L * settings.getInt("backup.api.max-body-bytes", 1024 * 1024)));
        if ("true".equals(settings.get("backup.routes.reload", "false"))) {
            camel.setProperty("camel.main.routes-reload-enabled", "true");
            camel.setProperty("camel.main.routes-reload-directory", settings.home().resolve("routes").toString());
            camel.setProperty("camel.main.routes-reload-pattern", "*.camel.yaml");
            // routes/components/ too: a component's runbook is edited like any other
            camel.setProperty("camel.main.routes-reload-directory-recursive", "true");
            // Replace only the routes of the edited file; the default would drop every other route.
            camel.setProperty("camel.main.routes-reload-remove-all-routes", "false");
        }
    }

    /** The runbooks plus the schedules file, which may live outside routes/. */
    static String routes(Settings settings, String runbooks) {
        Path schedules = schedulesFile(settings);
        if (!Files.isRegularFile(schedules)) {
            throw new Settings.SettingsException("backup.schedules.file: no such file: " + schedules);
        }
        return schedules.equals(defaultSchedulesFile(settings)) ? runbooks : runbooks + ",file:" + schedules;
    }

    /**
     * routes/schedules.camel.yaml when another schedules file is configured (by exact location: an
     * Ant pattern like **&#47;schedules.camel.yaml would drop the configured file too), else nothing.
     */
    static String excluded(Settings settings) {
        Path defaults = defaultSchedulesFile(settings);
        String schedules = schedulesFile(settings).equals(defaults) ? null : "file:" + defaults;
        String api = apiEnabled(settings) ? null : "**/api.camel.yaml";
        return schedules == null ? api : api == null ? schedules : schedules + "," + api;
    }

    private static Path defaultSchedulesFile(Settings settings) {
        return settings.home().resolve("routes/schedules.camel.yaml").toAbsolutePath().normalize();
    }

    static Path schedulesFile(Settings settings) {
        return Path.of(settings.get("backup.schedules.file",
                settings.home().resolve("routes/schedules.camel.yaml").toString())).toAbsolutePath().normalize();
    }
}
