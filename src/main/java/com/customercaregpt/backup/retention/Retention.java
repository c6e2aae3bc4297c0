package com.customercaregpt.backup.retention;

import com.customercaregpt.backup.repository.BackupId;
import com.customercaregpt.backup.repository.Manifest;
import com.customercaregpt.backup.repository.Repository;
import com.customercaregpt.backup.repository.RepositoryLock;
import com.customercaregpt.backup.inventory.Inventory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Which backups `cleanup` removes: finished backups past their expires_at, except the newest
 * completed full backup (a repository is never left without one). Backups still being written are
 * never considered (they have no manifest). Every decision carries its reason, for --dry-run.
 */
public final class Retention {

    private static final Logger LOG = LoggerFactory.getLogger(Retention.class);

    private final Repository repository;
    private final Inventory inventory;

    private final RepositoryLock lock;

    public Retention(Repository repository, Inventory inventory, RepositoryLock lock) {
        this.lock = lock;
        this.repository = repository;
        this.inventory = inventory;
    }

    /** One backup's fate and why. */
    public record Decision(String backupId, boolean remove, String reason) {
    }

    public List<Decision> plan(Instant now) throws IOException {
        List<Manifest> manifests = inventory.manifests();
        Optional<String> newestFull = manifests.stream()
                .filter(m -> "full".equals(m.type()) && Manifest.COMPLETED.equals(m.status()))
                .max(Comparator.comparing(m -> new BackupId(m.backupId())))
                .map(Manifest::backupId);
        List<Decision> decisions = new ArrayList<>();
        for (Manifest m : manifests) {
            Instant expires = Instant.parse(m.expiresAt());
            if (!expires.isBefore(now)) {
                decisions.add(new Decision(m.backupId(), false, "kept until " + m.expiresAt()));
            } else if (newestFull.isPresent() && newestFull.get().equals(m.backupId())) {
                decisions.add(new Decision(m.backupId(), false, "expired on " + m.expiresAt()
                        + " but kept: the newest completed full backup"));
            } else {
                decisions.add(new Decision(m.backupId(), true, "expired on " + m.expiresAt() + " ("
                        + m.retentionDays() + " days, " + m.status() + ")"));
            }
        }
        return decisions;
    }

    /** Removes what {@link #plan} marks (unless dryRun); returns every decision. */
    public List<Decision> apply(boolean dryRun) throws IOException {
        if (dryRun) {
            return plan(Instant.now());
        }
        try (RepositoryLock.Held ignored = lock.acquire("cleanup")) {
            List<Decision> decisions = plan(Instant.now());
            for (Decision d : decisions) {
                if (d.remove()) {
                    repository.delete(new BackupId(d.backupId()));
                    LOG.info("Removed {}: {}", d.backupId(), d.reason());
                }
            }
            return decisions;
        }
    }
}
