package com.customercaregpt.backup.observe;

import com.customercaregpt.backup.repository.BackupId;
import com.customercaregpt.backup.repository.Manifest;
import com.customercaregpt.backup.repository.ManifestCodec;
import com.customercaregpt.backup.repository.Repository;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * What the repository holds, read from its manifests at scrape time (at most every
 * backup.metrics.refresh-seconds, and again after each backup, restore or verify): bytes per
 * location, the replication backlog, and per component its newest successful backup.
 */
final class RepositoryGauges {

    private static final Logger LOG = LoggerFactory.getLogger(RepositoryGauges.class);

    /** The newest completed backup of one component: when, and its stored and raw bytes. */
    private record LastSuccess(Instant at, long storedBytes, long rawBytes) {
    }

    private record Snapshot(double localBytes, double remoteBytes, double backlog, Map<String, LastSuccess> components) {
    }

    private final Repository local;
    private final Path localRoot;
    private final Supplier<Repository> remote;
    private final Duration refresh;
    private Snapshot snapshot;
    private long takenAtNanos;

    /** {@code remote}: the S3 repository, or null when S3 is off. */
    RepositoryGauges(Repository local, Path localRoot, Supplier<Repository> remote, Duration refresh) {
        this.local = local;
        this.localRoot = localRoot;
        this.remote = remote;
        this.refresh = refresh;
    }

    void register(MeterRegistry registry, List<String> components) {
        gauge(registry, "repository_bytes", "Stored bytes of the finished backups", s -> s.localBytes, "location", "local");
        if (remote != null) {
            gauge(registry, "repository_bytes", "Stored bytes of the finished backups", s -> s.remoteBytes, "location", "s3");
        }
        gauge(registry, "replication_backlog_backups", "Finished local backups not yet in S3 (0 with S3 off)",
                s -> s.backlog);
        Gauge.builder("repository_free_bytes", this, g -> g.space(FileStore::getUsableSpace))
                .description("Free bytes on the file system of the local repository").register(registry);
        Gauge.builder("repository_capacity_bytes", this, g -> g.space(FileStore::getTotalSpace))
                .description("Size in bytes of the file system of the local repository").register(registry);
        for (String component : components) {
            gauge(registry, "backup_stored_bytes", "Stored bytes of the component's newest successful backup",
                    s -> last(s, component).storedBytes, "component", component);
            gauge(registry, "backup_raw_bytes", "Bytes before compression of the component's newest successful backup",
                    s -> last(s, component).rawBytes, "component", component);
            gauge(registry, "backup_last_success_timestamp_seconds",
                    "Unix time the component's newest successful backup completed (0: never)",
                    s -> last(s, component).at.getEpochSecond(), "component", component);
        }
    }

    /** The repository changed: the next scrape reads it again. */
    synchronized void invalidate() {
        snapshot = null;
    }

    private void gauge(MeterRegistry registry, String name, String description, ToDoubleFunction<Snapshot> value,
                       String... tags) {
        Gauge.builder(name, this, g -> {
            Snapshot current = g.snapshot();
            return current == null ? Double.NaN : value.applyAsDouble(current);
        }).description(description).tags(tags).register(registry);
    }

    private static LastSuccess last(Snapshot snapshot, String component) {
        return snapshot.components.getOrDefault(component, new LastSuccess(Instant.EPOCH, 0, 0));
    }

    private interface SpaceOf {
        long of(FileStore store) throws IOException;
    }

    private double space(SpaceOf kind) {
        try {
            return kind.of(Files.getFileStore(Files.isDirectory(localRoot) ? localRoot : localRoot.toAbsolutePath().getParent()));
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private synchronized Snapshot snapshot() {
        if (snapshot == null || System.nanoTime() - takenAtNanos > refresh.toNanos()) {
            try {
                snapshot = read();
            } catch (IOException | RuntimeException e) {
                // the gauges show NaN (no value) rather than a number that is not true
                LOG.warn("Metrics: cannot read the repository's manifests: {}", e.getMessage());
                snapshot = null;
            }
            takenAtNanos = System.nanoTime();
        }
        return snapshot;
    }

    private Snapshot read() throws IOException {
        Map<BackupId, Manifest> here = manifests(local);
        Map<BackupId, Manifest> there = remote == null ? Map.of() : manifests(remote.get());
        Map<BackupId, Manifest> all = new HashMap<>(there);
        all.putAll(here);
        long backlog = remote == null ? 0 : here.keySet().stream().filter(id -> !there.containsKey(id)).count();
        Map<String, LastSuccess> components = new LinkedHashMap<>();
        for (Manifest manifest : all.values()) {
            for (Manifest.ComponentRecord component : manifest.components()) {
                if (!Manifest.COMPLETED.equals(component.status()) || component.completedAt() == null) {
                    continue;
                }
                LastSuccess candidate = new LastSuccess(Instant.parse(component.completedAt()),
                        component.artifacts().stream().mapToLong(Manifest.Artifact::sizeBytes).sum(),
                        component.artifacts().stream().mapToLong(Manifest.Artifact::rawSizeBytes).sum());
                components.merge(component.name(), candidate, (a, b) -> a.at.isAfter(b.at) ? a : b);
            }
        }
        return new Snapshot(bytes(here), bytes(there), backlog, components);
    }

    private static double bytes(Map<BackupId, Manifest> manifests) {
        return manifests.values().stream().mapToLong(Manifest::totalSizeBytes).sum();
    }

    /** The finished backups of one location (unfinished and unreadable ones are left out). */
    private static Map<BackupId, Manifest> manifests(Repository repository) throws IOException {
        Map<BackupId, Manifest> manifests = new HashMap<>();
        for (BackupId id : repository.list()) {
            Optional<byte[]> json = repository.readManifest(id);
            try {
                json.ifPresent(bytes -> manifests.put(id, ManifestCodec.read(id, bytes)));
            } catch (ManifestCodec.CorruptManifestException unreadable) {
                // `list` and `verify` report it
            }
        }
        return manifests;
    }
}
