package com.customercaregpt.backup.observe;

import com.customercaregpt.backup.config.Settings;
import com.customercaregpt.backup.fixtures.TestStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How `serve` sets up its management server from the settings, and what it refuses. */
class ManagementSettingsTest {

    private static Settings settings(Map<String, String> values) {
        return Settings.of(TestStack.projectHome(), values);
    }

    @Test
    void aPortHeldByAnotherProcessStopsTheStartNamingTheSetting() throws Exception {
        try (ServerSocket held = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Settings settings = settings(Map.of("camel.management.port", String.valueOf(held.getLocalPort()),
                    "backup.api.token", "a-token-of-some-length"));
            Settings.SettingsException refused = assertThrows(Settings.SettingsException.class,
                    () -> ManagementServer.configure(settings, new Properties()));
            assertTrue(refused.getMessage().contains("camel.management.host/port"), refused.getMessage());
        }
    }

    @Test
    void theRestApisPortIsRefused() {
        Settings settings = settings(Map.of("camel.management.port", "8181", "camel.server.port", "8181"));
        Settings.SettingsException refused = assertThrows(Settings.SettingsException.class,
                () -> ManagementServer.configure(settings, new Properties()));
        assertTrue(refused.getMessage().contains("camel.server.port"), refused.getMessage());
    }

    @Test
    void withoutAnyTokenJolokiaIsOffButHealthAndMetricsServe() {
        Properties camel = new Properties();
        ManagementServer.configure(settings(Map.of("camel.management.port", "0", "backup.api.allow-anonymous", "true")),
                camel);
        assertEquals("false", camel.getProperty("camel.management.jolokiaEnabled"));
        assertEquals("true", camel.getProperty("camel.management.healthCheckEnabled"));
        assertEquals("true", camel.getProperty("camel.management.metricsEnabled"));
        assertEquals("127.0.0.1", camel.getProperty("camel.management.host"), "this host only, by default");
    }

    @Test
    void theTokenIsTheManagementTokenElseTheApiTokenElseTheApiTokenFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("api.token"), "token-from-the-file\nsecond line\n");
        assertEquals("token-from-the-file", ManagementServer.token(settings(Map.of("backup.api.token-file", file.toString()))));
        assertEquals("api-token", ManagementServer.token(settings(Map.of("backup.api.token", "api-token",
                "backup.api.token-file", file.toString()))));
        assertEquals("management-token", ManagementServer.token(settings(Map.of("backup.management.token", "management-token",
                "backup.api.token", "api-token"))));
    }

    @Test
    void offMeansNoManagementServer() {
        Properties camel = new Properties();
        assertEquals(null, ManagementServer.configure(settings(Map.of("backup.management.enabled", "false")), camel));
        assertEquals("false", camel.getProperty("camel.management.enabled"));
    }
}
