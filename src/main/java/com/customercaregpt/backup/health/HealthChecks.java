package com.customercaregpt.backup.health;

import com.customercaregpt.backup.pipeline.PrivateFiles;
import com.customercaregpt.backup.backup.Sizes;
import com.customercaregpt.backup.catalog.CatalogSchema;
import com.customercaregpt.backup.component.BackupComponent;
import com.customercaregpt.backup.component.Components;
import com.customercaregpt.backup.config.Settings;
import com.customercaregpt.backup.health.HealthReport.Check;
import com.customercaregpt.backup.inventory.BackupSummary;
import com.customercaregpt.backup.inventory.Inventory;
import com.customercaregpt.backup.repository.Repository;
import com.customercaregpt.backup.restore.Leftovers;

import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheckRegistry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What an on-call engineer asks first: can we write backups, are they recent, and can we reach
 * every system we back up and the catalog?
 */
public final class HealthChecks {

    /** How many checks (repository, free space, restore leftovers) come before the newest backups' lines. */
    private static final int REPOSITORY_CHECKS = 3;

    private final Settings settings;
    private final Path repositoryPath;
    private final Inventory inventory;
    private final CatalogSchema catalog;
    private final Leftovers leftovers;
    private final Components components;
    private final Supplier<Repository> s3;
    private List<BackupHealthCheck> checks;

    /** {@code s3}: the off-site copy's store, or null when backup.s3.enabled is off. */
    public HealthChecks(Settings settings, Path repositoryPath, Inventory inventory, CatalogSchema catalog,
                        Leftovers leftovers, Components components, Supplier<Repository> s3) {
        this.components = components;
        this.s3 = s3;
        this.leftovers = leftovers;
        this.settings = settings;
        this.repositoryPath = repositoryPath;
        this.inventory = inventory;
        this.catalog = catalog;
    }

    /**
     * Registers the dependency and component checks in Camel's health registry, so that Camel's
     * own health endpoints see what `health` and GET /api/v1/health report.
     */
    public void register(CamelContext context) {
        HealthCheckRegistry registry = HealthCheckRegistry.get(context);
        if (registry != null) {
            checks().forEach(registry::register);
        }
    }

    public HealthReport run() {
        List<Check> lines = new ArrayList<>();
        List<BackupHealthCheck> checks = checks();
        checks.subList(0, REPOSITORY_CHECKS).forEach(check -> lines.add(check.line()));
        lines.addAll(newestBackups());
        checks.subList(REPOSITORY_CHECKS, checks.size()).forEach(check -> lines.add(check.line()));
        String status = lines.stream().map(Check::status).reduce(HealthReport.OK, HealthChecks::worst);
        return new HealthReport(status, lines);
    }

    /** Repository, free space and restore leftovers, then the catalog, S3 (when on) and each component. */
    private synchronized List<BackupHealthCheck> checks() {
        if (checks == null) {
            List<BackupHealthCheck> all = new ArrayList<>();
            all.add(new BackupHealthCheck("repository", this::repository));
            all.add(new BackupHealthCheck("free space", this::freeSpace));
            all.add(new BackupHealthCheck("restore leftovers", () -> {
                List<Leftovers.Leftover> found = leftovers.find();
                return found.isEmpty() ? ok("none") : new Check("", HealthReport.WARN, Leftovers.describe(found));
            }));
            all.add(new BackupHealthCheck("catalog", () -> {
                catalog.ensureReady();
                return ok("reachable at " + settings.get("backup.catalog.url"));
            }));
            if (s3 != null) {
                all.add(new BackupHealthCheck("s3", () -> {
                    Repository bucket = s3.get();
                    bucket.list();
                    return ok(bucket.location() + " is readable");
                }));
            }
            for (String name : components.names()) {
                BackupComponent component = components.get(name);
                all.add(new BackupHealthCheck(component.info().healthCheckName(), () -> ok(component.checkHealth())));
            }
            checks = List.copyOf(all);
        }
        return checks;
    }

    private Check repository() throws IOException {
        PrivateFiles.createDirectories(repositoryPath);
        Path probe = Files.createTempFile(repositoryPath, ".health-", ".tmp");
        Files.delete(probe);
        inventory.list(null, 1);
        return ok(repositoryPath + " is readable and writable");
    }

    private Check freeSpace() throws IOException {
        var store = Files.getFileStore(repositoryPath);
        long free = store.getUsableSpace();
        long total = store.getTotalSpace();
        String detail = Sizes.human(free) + " free of " + Sizes.human(total);
        // the same threshold as the space-low alert (routes/checks.camel.yaml)
        String minimum = settings.get("backup.alerts.min-free-percent", "10");
        return free * 100.0 < total * Double.parseDouble(minimum)
                ? new Check("", HealthReport.WARN, detail + " (under " + minimum + "%)") : ok(detail);
    }

    /** Per component: the newest completed backup that holds it, and its age. */
    private List<Check> newestBackups() {
        Map<String, BackupSummary> newest = new LinkedHashMap<>();
        List<String> needOperator = new ArrayList<>();
        try {
            for (BackupSummary b : inventory.list(null, 0)) {
                if (b.needsOperator()) {
                    needOperator.add(b.backupId() + " (" + b.status() + ")");
                }
                if (b.type() == null) {
                    continue;
                }
                for (String component : b.components()) {
                    if (!b.failedComponents().contains(component)) {
                        newest.putIfAbsent(component, b);
                    }
                }
            }
        } catch (IOException e) {
            return List.of(new Check("newest backups", HealthReport.FAIL, "cannot list: " + e.getMessage()));
        }
        Duration maxAge = Duration.ofHours(settings.getInt("backup.health.max-backup-age-hours", 26));
        List<Check> checks = new ArrayList<>();
        // nothing removes these automatically: restore the manifest from a copy, or delete the backup
        checks.add(needOperator.isEmpty() ? new Check("damaged backups", HealthReport.OK, "none")
                : new Check("damaged backups", HealthReport.WARN, String.join(", ", needOperator)));
        for (String component : components.names()) {
            BackupSummary b = newest.get(component);
            if (b == null) {
                checks.add(new Check("newest backup " + component, HealthReport.WARN, "no completed backup"));
                continue;
            }
            Duration age = Duration.between(Instant.parse(b.createdAt()), Instant.now());
            String detail = b.backupId() + ", " + age.toHours() + " h " + age.toMinutesPart() + " min old";
            checks.add(new Check("newest backup " + component, age.compareTo(maxAge) > 0 ? HealthReport.WARN
                    : HealthReport.OK, detail));
        }
        return checks;
    }

    private static Check ok(String detail) {
        return new Check("", HealthReport.OK, detail);
    }

    private static String worst(String a, String b) {
        List<String> order = List.of(HealthReport.OK, HealthReport.WARN, HealthReport.FAIL);
        return order.indexOf(a) >= order.indexOf(b) ? a : b;
    }
}
