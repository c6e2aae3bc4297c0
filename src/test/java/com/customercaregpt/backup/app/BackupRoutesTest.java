package com.customercaregpt.backup.app;

import com.customercaregpt.backup.backup.BackupRequest;
import com.customercaregpt.backup.backup.UsageError;
import com.customercaregpt.backup.fixtures.TestStack;
import com.customercaregpt.backup.repository.Manifest;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The wiring of routes/*.camel.yaml, watched with camel-test's AdviceWith and mock endpoints. */
class BackupRoutesTest {

    @TempDir
    Path repository;

    private BackupApplication start(Map<String, String> overrides) throws Exception {
        return BackupApplication.start(TestStack.settings(repository, overrides));
    }

    private static MockEndpoint tapAlerts(CamelContext context) throws Exception {
        AdviceWith.adviceWith(context, "alert", route -> route.weaveAddLast().to("mock:alerts"));
        return context.getEndpoint("mock:alerts", MockEndpoint.class);
    }

    @Test
    void everyRequestedComponentGoesThroughTheComponentRouteAndAFailureRaisesOneAlert() throws Exception {
        try (BackupApplication app = start(Map.of("backup.redis.port", "1"))) {
            MockEndpoint alerts = tapAlerts(app.context());
            alerts.expectedMessageCount(1);
            AdviceWith.adviceWith(app.context(), "backup-component", route -> route.weaveAddLast().to("mock:components"));
            MockEndpoint components = app.context().getEndpoint("mock:components", MockEndpoint.class);
            components.expectedPropertyValuesReceivedInAnyOrder("component", "redis", "config");
            // config's own runbook (routes/components/config.camel.yaml) ran to its end
            AdviceWith.adviceWith(app.context(), "backup-config", route -> route.weaveAddLast().to("mock:config-runbook"));
            MockEndpoint configRunbook = app.context().getEndpoint("mock:config-runbook", MockEndpoint.class);
            configRunbook.expectedMessageCount(1);

            Manifest manifest = app.request("direct:backup", new BackupRequest("full", List.of("redis", "config"), 3, "test"),
                    Map.of(), Manifest.class);

            components.assertIsSatisfied();
            configRunbook.assertIsSatisfied();
            alerts.assertIsSatisfied();
            String alert = alerts.getExchanges().get(0).getMessage().getBody(String.class);
            assertEquals("backup " + manifest.backupId() + " is partial: " + manifest.components().get(0).error(), alert);
            assertEquals(3, manifest.retentionDays());
            assertEquals(1, TestStack.shared().postgres().queryLong("backup_catalog", "SELECT count(*) FROM operation"
                    + " WHERE backup_id = '" + manifest.backupId() + "' AND trigger = 'test' AND status = 'partial'"
                    + " AND repository = '" + repository.toAbsolutePath().normalize() + "'"));
        }
    }

    @Test
    void badInputIsRefusedWithoutAnAlertOrABackup() throws Exception {
        try (BackupApplication app = start(Map.of())) {
            MockEndpoint alerts = tapAlerts(app.context());
            alerts.expectedMessageCount(0);
            UsageError refused = assertThrows(UsageError.class, () -> app.request("direct:backup",
                    new BackupRequest("full", List.of("nosuch"), null, "test"), Map.of(), Manifest.class));
            assertTrue(refused.getMessage().startsWith("unknown component 'nosuch'"));
            alerts.assertIsSatisfied(200);
            assertFalse(repository.resolve("backups").toFile().exists(), "nothing was created");
        }
    }

    @Test
    void everyRouteHasAnIdAndTheOperatorFacingOnesFailLoudly() throws Exception {
        try (BackupApplication app = start(Map.of())) {
            List<String> ids = app.context().getRoutes().stream().map(Route::getRouteId).sorted().toList();
            assertTrue(ids.containsAll(List.of("alert", "backup", "backup-component", "catalog-forget", "catalog-index",
                    "delete-backup", "list-backups", "show-backup", "start-service", "stop-service")), ids.toString());
            for (String component : List.of("database", "redis", "chromadb", "uploads", "config")) {
                assertTrue(ids.containsAll(List.of("backup-" + component, "restore-prepare-" + component)),
                        component + "'s runbook is loaded from routes/components/: " + ids);
            }
            assertTrue(ids.stream().noneMatch(id -> id.startsWith("route")), "no generated route ids: " + ids);
            for (String id : List.of("backup", "backup-component", "list-backups", "show-backup", "delete-backup")) {
                assertEquals("loud-failures", app.context().getRoute(id).getConfigurationId(), id);
            }
        }
    }
}
