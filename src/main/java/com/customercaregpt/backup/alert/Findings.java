package com.customercaregpt.backup.alert;

import com.customercaregpt.backup.inventory.Inventory;
import com.customercaregpt.backup.repository.Manifest;
import com.customercaregpt.backup.verify.VerifyReport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** Alerts found in results rather than raised by a failure: bad artifacts a verify found, unusual backup sizes. */
public final class Findings {

    /** Fewer earlier backups than this (or the window, when smaller) make no median worth comparing with. */
    private static final int MINIMUM_HISTORY = 3;

    private static final Logger LOG = LoggerFactory.getLogger(Findings.class);

    private final Inventory inventory;
    private final int sizeWindow;
    private final double sizeFactor;
    private final Clock clock;

    public Findings(Inventory inventory, int sizeWindow, double sizeFactor, Clock clock) {
        this.inventory = inventory;
        this.sizeWindow = Math.max(1, sizeWindow);
        this.sizeFactor = sizeFactor;
        this.clock = clock;
    }

    /** One alert per backup whose verify found a bad artifact. */
    public List<Alert> badArtifacts(List<VerifyReport> reports) {
        List<Alert> alerts = new ArrayList<>();
        for (VerifyReport report : reports) {
            List<VerifyReport.ArtifactCheck> bad = report.artifacts().stream()
                    .filter(check -> VerifyReport.BAD.equals(check.status())).toList();
            if (bad.isEmpty()) {
                continue;
            }
            String components = bad.stream().map(VerifyReport.ArtifactCheck::component).distinct()
                    .collect(Collectors.joining(","));
            VerifyReport.ArtifactCheck first = bad.get(0);
            alerts.add(new Alert("verify-bad-artifact", "critical", components, report.backupId(),
                    clock.instant().toString(), bad.size() + " bad artifact(s), first " + first.path() + ": "
                    + first.error(), "backup-manager verify " + report.backupId(), false));
        }
        return alerts;
    }

    /**
     * One alert per component whose stored size differs from the median of its last backups of the same type by
     * more than the size factor, either way.
     */
    public List<Alert> sizeAnomalies(Manifest backup) {
        List<Manifest> all;
        try {
            all = inventory.manifests();
        } catch (IOException | RuntimeException unreadable) {
            // the check must not fail the backup it looks at (an off-site copy that is down, say)
            LOG.warn("size check of {} skipped: {}", backup.backupId(), unreadable.getMessage());
            return List.of();
        }
        List<Manifest> earlier = all.stream()
                .filter(m -> m.type().equals(backup.type()) && !m.backupId().equals(backup.backupId())
                        && m.createdAt().compareTo(backup.createdAt()) <= 0)
                .toList();
        List<Alert> alerts = new ArrayList<>();
        for (Manifest.ComponentRecord component : backup.components()) {
            if (!Manifest.COMPLETED.equals(component.status())) {
                continue;
            }
            List<Long> history = new ArrayList<>();
            for (int i = earlier.size() - 1; i >= 0 && history.size() < sizeWindow; i--) {
                storedSize(earlier.get(i), component.name()).ifPresent(history::add);
            }
            if (history.size() < Math.min(sizeWindow, MINIMUM_HISTORY)) {
                continue;
            }
            long size = stored(component);
            double median = median(history);
            if (median > 0 && (size > median * sizeFactor || size * sizeFactor < median)) {
                alerts.add(new Alert("size-anomaly", "warning", component.name(), backup.backupId(),
                        clock.instant().toString(), "stored " + size + " bytes; the median of its last "
                        + history.size() + " " + backup.type() + " backups is " + Math.round(median) + " bytes",
                        "backup-manager show " + backup.backupId(), false));
            }
        }
        return alerts;
    }

    private static Optional<Long> storedSize(Manifest manifest, String component) {
        return manifest.components().stream()
                .filter(c -> c.name().equals(component) && Manifest.COMPLETED.equals(c.status()))
                .findFirst().map(Findings::stored);
    }

    private static long stored(Manifest.ComponentRecord component) {
        return component.artifacts().stream().mapToLong(Manifest.Artifact::sizeBytes).sum();
    }

    private static double median(List<Long> sizes) {
        List<Long> sorted = sizes.stream().sorted().toList();
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2.0;
    }
}
