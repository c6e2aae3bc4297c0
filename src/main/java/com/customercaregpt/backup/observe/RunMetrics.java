package com.customercaregpt.backup.observe;

import com.customercaregpt.backup.backup.BackupJob;
import com.customercaregpt.backup.repository.Manifest;
import com.customercaregpt.backup.restore.RestoreReport;
import com.customercaregpt.backup.verify.VerifyReport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Route;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.RoutePolicyFactory;
import org.apache.camel.support.RoutePolicySupport;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;

/**
 * Counts and times what the backup, restore and verify routes did, read from what each leaves on
 * its exchange at the end (the manifest, the restore report, the verify reports). Meter names are
 * written as Prometheus shows them (backup_runs becomes backup_runs_total).
 */
final class RunMetrics extends RoutePolicySupport implements RoutePolicyFactory {

    private static final Set<String> ROUTES = Set.of("backup", "restore", "verify");
    private static final String STARTED = "metrics.started-nanos";
    /** From a config export (seconds) to a large database (hours). */
    private static final Duration[] BUCKETS = {Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(15),
            Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(5),
            Duration.ofMinutes(10), Duration.ofMinutes(20), Duration.ofMinutes(30), Duration.ofHours(1),
            Duration.ofHours(2), Duration.ofHours(4), Duration.ofHours(8)};

    private final MeterRegistry registry;
    private final RepositoryGauges gauges;

    RunMetrics(MeterRegistry registry, RepositoryGauges gauges) {
        this.registry = registry;
        this.gauges = gauges;
    }

    @Override
    public RoutePolicy createRoutePolicy(CamelContext context, String routeId, NamedNode route) {
        return ROUTES.contains(routeId) ? this : null;
    }

    @Override
    public void onExchangeBegin(Route route, Exchange exchange) {
        exchange.setProperty(STARTED + "." + route.getRouteId(), System.nanoTime());
    }

    @Override
    public void onExchangeDone(Route route, Exchange exchange) {
        switch (route.getRouteId()) {
            case "backup" -> backupDone(exchange);
            case "restore" -> restoreDone(exchange);
            default -> verifyDone(exchange);
        }
        // what the repository holds has changed: the next scrape reads it again
        gauges.invalidate();
    }

    /** One count per component: its own outcome in the run (a partial run has completed and failed ones). */
    private void backupDone(Exchange exchange) {
        Manifest manifest = exchange.getProperty("manifest", Manifest.class);
        if (manifest != null) {
            for (Manifest.ComponentRecord component : manifest.components()) {
                countBackup(manifest.type(), component.name(), component.status());
                Duration took = between(component.startedAt(), component.completedAt());
                if (took != null) {
                    timer("backup_duration", "How long each component took to back up",
                            "type", manifest.type(), "component", component.name()).record(took);
                }
            }
            return;
        }
        // failed before it had a manifest (the lock, the repository); a refused request never had a job
        BackupJob job = exchange.getProperty("job", BackupJob.class);
        if (job != null) {
            job.getComponentNames().forEach(name -> countBackup(job.type(), name, Manifest.FAILED));
        }
    }

    private void countBackup(String type, String component, String result) {
        Counter.builder("backup_runs").description("Backup runs per component, by the component's outcome")
                .tags("type", type, "component", component, "result", result).register(registry).increment();
    }

    private void restoreDone(Exchange exchange) {
        RestoreReport report = exchange.getProperty("restoreReport", RestoreReport.class);
        Long started = exchange.getProperty(STARTED + ".restore", Long.class);
        if (report == null || report.dryRun()) {
            return; // a refused request, or a dry run that changed nothing
        }
        for (String component : report.components()) {
            Counter.builder("restore_runs").description("Restores per component, by outcome")
                    .tags("component", component, "result", report.status()).register(registry).increment();
            if (started != null) {
                timer("restore_duration", "How long the restore that brought the component back took",
                        "component", component).record(Duration.ofNanos(System.nanoTime() - started));
            }
        }
    }

    private void verifyDone(Exchange exchange) {
        List<?> reports = exchange.getProperty("verifyReports", List.class);
        if (reports == null) {
            if (exchange.getException() != null) {
                countVerify("failed");
            }
            return;
        }
        for (Object report : reports) {
            if (report instanceof VerifyReport verified) {
                countVerify(verified.status());
            }
        }
    }

    private void countVerify(String result) {
        Counter.builder("verify_runs").description("Backups verified, by outcome").tag("result", result)
                .register(registry).increment();
    }

    private Timer timer(String name, String description, String... tags) {
        return Timer.builder(name).description(description).tags(tags).serviceLevelObjectives(BUCKETS).register(registry);
    }

    private static Duration between(String from, String to) {
        if (from == null || to == null) {
            return null;
        }
        try {
            return Duration.between(Instant.parse(from), Instant.parse(to));
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
