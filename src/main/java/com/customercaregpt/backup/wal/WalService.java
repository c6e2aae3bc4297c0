package com.customercaregpt.backup.wal;

import com.customercaregpt.backup.alert.Alert;
import com.customercaregpt.backup.component.PostgresTools;
import com.customercaregpt.backup.config.Settings;
import com.customercaregpt.backup.health.BackupHealthCheck;
import com.customercaregpt.backup.health.HealthReport;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.ProducerTemplate;

import java.io.IOException;
import java.time.Instant;

/**
 * What `serve` runs with backup.wal.enabled=true: the streamer, its alerts sent through direct:alert (kind wal),
 * each archived file indexed through direct:catalog-index-wal,
 * its metrics (wal_archive_lag_seconds, wal_last_archived_timestamp_seconds) and its health check.
 */
public final class WalService {

    private WalService() {
    }

    /** Starts the streamer, or returns null when WAL is off. */
    public static WalStreamer startIfEnabled(Settings settings, CamelContext camel) throws IOException {
        WalSettings wal = WalSettings.from(settings);
        if (!wal.enabled()) {
            return null;
        }
        ProducerTemplate template = camel.createProducerTemplate();
        WalStreamer streamer = new WalStreamer(wal, WalArchive.from(settings), new PostgresTools(settings), new WalStreamer.Listener() {
            private Alert open;

            @Override
            public synchronized void down(String cause, Instant since) {
                open = new Alert("wal", "critical", "database", null, since.toString(), cause,
                        "backup-manager wal status", false);
                template.sendBody("direct:alert", open);
            }

            @Override
            public synchronized void back(Instant since) {
                if (open != null) {
                    template.sendBody("direct:alert", open.asResolved("WAL streaming is back (down since " + since + ")",
                            null, "backup-manager wal status"));
                    open = null;
                }
            }

            @Override
            public void lost(String segment, String cause) {
                template.sendBody("direct:alert", new Alert("wal-gap", "critical", "database", segment,
                        Instant.now().toString(), cause, "backup-manager wal verify", false));
            }

            @Override
            public void archived(ArchivedSegment segment) {
                // beside the archiver: a catalog that is down must not hold back the next segment
                template.asyncSendBody("direct:catalog-index-wal", segment);
            }
        });
        MeterRegistry metrics = camel.getRegistry().findByType(MeterRegistry.class).stream().findFirst().orElse(null);
        if (metrics != null) {
            Gauge.builder("wal_archive_lag_seconds", streamer, WalStreamer::lagSeconds)
                    .description("Seconds of WAL written but not yet archived (0 when everything written is archived)")
                    .register(metrics);
            Gauge.builder("wal_last_archived_timestamp_seconds", streamer,
                            s -> s.lastArchivedAt() == null ? 0 : s.lastArchivedAt().getEpochSecond())
                    .description("When the newest archived WAL segment was completed (0: none yet)")
                    .register(metrics);
        }
        HealthCheckRegistry health = HealthCheckRegistry.get(camel);
        if (health != null) {
            health.register(new BackupHealthCheck("wal streamer", () -> new HealthReport.Check("wal streamer",
                    streamer.isStreaming() ? HealthReport.OK : HealthReport.FAIL,
                    streamer.isStreaming() ? "streaming from slot " + wal.slot() + ", lag " + streamer.lagSeconds() + " s"
                            : "not streaming: " + (streamer.lastError() == null ? "starting" : streamer.lastError()))));
        }
        return streamer.start();
    }
}
