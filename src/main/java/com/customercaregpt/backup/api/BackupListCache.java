package com.customercaregpt.backup.api;

import com.customercaregpt.backup.catalog.CatalogChanges;

import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * GET /backup/list answers kept in memory, as sent (JSON bytes), per filter. An answer is reused
 * only while the catalog has not changed since it was read: {@link CatalogChanges} hears every
 * change (from any instance or the CLI), and while it cannot listen nothing is reused.
 */
public final class BackupListCache {

    private static final int MAX_ENTRIES = 256;

    private record Entry(long version, byte[] json) {
    }

    private final CatalogChanges changes;
    private final Map<String, Entry> answers = new ConcurrentHashMap<>();

    public BackupListCache(CatalogChanges changes) {
        this.changes = changes;
    }

    /** The answer for these filters, or null when it must be read from the catalog. */
    public byte[] get(@Header("status") String status, @Header("type") String type, @Header("limit") int limit) {
        if (changes == null || !changes.listening()) {
            return null;
        }
        Entry entry = answers.get(key(status, type, limit));
        return entry != null && entry.version() == changes.version() ? entry.json() : null;
    }

    /** Keeps {@code json}, read at catalog version {@code version}, and returns it. */
    public byte[] put(@Header("status") String status, @Header("type") String type, @Header("limit") int limit,
                      @ExchangeProperty("catalogVersion") long version, @Body byte[] json) {
        if (changes != null && changes.listening() && version == changes.version()) {
            if (answers.size() >= MAX_ENTRIES) {
                answers.clear();
            }
            answers.put(key(status, type, limit), new Entry(version, json));
        }
        return json;
    }

    /** The catalog version before reading it: an answer read after a change is never kept as current. */
    public long version() {
        return changes == null ? -1 : changes.version();
    }

    private static String key(String status, String type, int limit) {
        return status + "|" + type + "|" + limit;
    }
}
