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
import com.customercaregpt.backup.restore.Leftovers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an on-call engineer asks first: can we write backups, are they recent, and can we reach
 * every system we back up and the catalog?
 */
public final class HealthChecks {

    private final Settings settings;
    private final Path repositoryPath;
    private final Inventory inventory;
    private final CatalogSchema catalog;
    private final Leftovers leftovers;
    private final Components components;

    public HealthChecks(Settings settings, Path repositoryPath, Inventory inventory, CatalogSchema catalog,
                        Leftovers leftovers, Components components) {
        this.components = components;
        this.leftovers = leftovers;
        this.settings = settings;
        this.repositoryPath = repositoryPath;
        this.inventory = inventory;
        this.catalog = catalog;
    }

    public HealthReport run() {
        List<Check> checks = new ArrayList<>();
        checks.add(check("repository", this::repository));
        checks.add(check("free space", this::freeSpace));
        checks.add(check("restore leftovers", () -> {
            List<Leftovers.Leftover> found = leftovers.find();
            return found.isEmpty() ? ok("none") : new Check("", HealthReport.WARN, Leftovers.describe(found));
        }));
        checks.addAll(newestBackups());
        checks.add(check("catalog", () -> {
            catalog.ensureReady();
            return ok("reachable at " + settings.get("backup.catalog.url"));
        }));
        for (String name : components.names()) {
            BackupComponent component = components.get(name);
            checks.add(check(component.info().healthCheckName(), () -> ok(component.checkHealth())));
        }
        String status = checks.stream().map(Check::status).reduce(HealthReport.OK, HealthChecks::worst);
        return new HealthReport(status, checks);
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
        return free < total / 10 ? new Check("", HealthReport.WARN, detail + " (under 10%)") : ok(detail);
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

    private interface Probe {
        Check run() throws Exception;
    }

    private static Check check(String name, Probe probe) {
        try {
            Check result = probe.run();
            return new Check(name, result.status(), result.detail());
        } catch (Exception e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return new Check(name, HealthReport.FAIL, message.lines().findFirst().orElse(message));
        }
    }

    private static Check ok(String detail) {
        return new Check("", HealthReport.OK, detail);
    }

    private static String worst(String a, String b) {
        List<String> order = List.of(HealthReport.OK, HealthReport.WARN, HealthReport.FAIL);
        return order.indexOf(a) >= order.indexOf(b) ? a : b;
    }
}
