package com.customercaregpt.backup.catalog;

import org.postgresql.PGConnection;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.PGNotification;

/**
 * Hears the catalog's change announcements (LISTEN catalog_changed, sent by triggers on every
 * write from any instance or the CLI) on one dedicated connection. {@link #version()} moves on
 * each change; {@link #listening()} is false while the connection is down, and then nothing may
 * be answered from memory.
 */
public final class CatalogChanges implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CatalogChanges.class);

    private final PGSimpleDataSource catalog;
    private final CatalogSchema schema;
    private final AtomicLong version = new AtomicLong();
    private volatile boolean listening;
    private volatile boolean closed;
    private final Thread listener;

    public CatalogChanges(PGSimpleDataSource catalog, CatalogSchema schema) {
        this.catalog = catalog;
        this.schema = schema;
        this.listener = new Thread(this::listen, "catalog-changes");
        this.listener.setDaemon(true);
    }

    public CatalogChanges start() {
        listener.start();
        return this;
    }

    public long version() {
        return version.get();
    }

    public boolean listening() {
        return listening;
    }

    private void listen() {
        boolean warned = false;
        while (!closed) {
            try {
                schema.ensureReady();
                try (Connection connection = catalog.getConnection(); Statement st = connection.createStatement()) {
                    st.execute("LISTEN catalog_changed");
                    version.incrementAndGet(); // whatever changed while we were not listening
                    listening = true;
                    warned = false;
                    PGConnection pg = connection.unwrap(PGConnection.class);
                    while (!closed) {
                        PGNotification[] notes = pg.getNotifications(1000);
                        if (notes != null && notes.length > 0) {
                            version.incrementAndGet();
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                listening = false;
                version.incrementAndGet();
                if (!warned && !closed) {
                    LOG.warn("Not hearing catalog changes ({}); answering every request from the catalog itself", e.getMessage());
                    warned = true;
                }
                sleep();
            }
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        listening = false;
        listener.interrupt();
    }
}
