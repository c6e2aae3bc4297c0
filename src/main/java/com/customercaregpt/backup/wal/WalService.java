package com.customercaregpt.backup.wal;

import com.customercaregpt.backup.alert.Alert;
import com.customercaregpt.backup.component.PostgresTools;
import com.customercaregpt.backup.config.Settings;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;

import java.io.IOException;
import java.time.Instant;

/** What `serve` runs with backup.wal.enabled=true: the streamer, its alerts sent through direct:alert (kind wal). */
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
        return new WalStreamer(wal, WalArchive.from(settings), new PostgresTools(settings), new WalStreamer.Listener() {
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
        }).start();
    }
}
