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
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Which backups `cleanup` removes: finished backups past their expires_at, except the newest
 * backup in which each component completed (a repository is never left without a restorable copy
 * of any component, whatever later backups of other components hold) and any backup that a kept
 * incremental or differential backup depends on. Backups still being written are
 * never considered (they have no manifest). Every decision carries its reason, for --dry-run.
 */
public final class Retention {

    private static final Logger LOG = LoggerFactory.getLogger(Retention.class);

    private final Repository repository;
    private final Inventory inventory;
    private final RepositoryLock lock;
    private final Repository local;
    private final Supplier<Repository> remote;
    private final Integer localRetentionDays;

    /**
     * @param local              the local repository alone
     * @param remote             the S3 repository, or null when replication is off
     * @param localRetentionDays days the local copy of a backup already in S3 is kept (null: as long as the backup)
     */
    public Retention(Repository repository, Inventory inventory, RepositoryLock lock, Repository local,
                     Supplier<Repository> remote, Integer localRetentionDays) {
        this.lock = lock;
        this.repository = repository;
        this.inventory = inventory;
        this.local = local;
        this.remote = remote;
        this.localRetentionDays = localRetentionDays;
    }

    /** One backup's fate and why; localOnly: only the local copy goes, the one in S3 stays. */
    public record Decision(String backupId, boolean remove, String reason, boolean localOnly) {
        Decision(String backupId, boolean remove, String reason) {
            this(backupId, remove, reason, false);
        }

        /** Removed everywhere, so also forgotten by the catalog. */
        public boolean isGone() {
            return remove && !localOnly;
        }
    }

    public List<Decision> plan(Instant now) throws IOException {
        List<Manifest> manifests = inventory.manifests();
        Map<String, List<String>> newestOf = newestBackupOfEachComponent(manifests);
        List<Decision> decisions = new ArrayList<>();
        for (Manifest m : manifests) {
            Instant expires = Instant.parse(m.expiresAt());
            boolean newest = newestOf.containsKey(m.backupId());
            if (!expires.isBefore(now) && !newest && localCopyExpired(m, now)) {
                decisions.add(new Decision(m.backupId(), true, "local copy older than " + localRetentionDays
                        + " days (backup.local.retention-days); kept in S3 until " + m.expiresAt(), true));
            } else if (!expires.isBefore(now)) {
                decisions.add(new Decision(m.backupId(), false, "kept until " + m.expiresAt()));
            } else if (newest) {
                decisions.add(new Decision(m.backupId(), false, "expired on " + m.expiresAt()
                        + " but kept: the newest backup of " + String.join(", ", newestOf.get(m.backupId()))));
            } else {
                decisions.add(new Decision(m.backupId(), true, "expired on " + m.expiresAt() + " ("
                        + m.retentionDays() + " days, " + m.status() + ")"));
            }
        }
        return keepWhatKeptBackupsDependOn(manifests, decisions, newestOf, now);
    }

    /** Backup id to the components it holds the newest completed copy of (only backups that hold one). */
    private static Map<String, List<String>> newestBackupOfEachComponent(List<Manifest> manifests) {
        Map<String, BackupId> newestByComponent = new LinkedHashMap<>();
        for (Manifest m : manifests) {
            BackupId id = new BackupId(m.backupId());
            for (Manifest.ComponentRecord component : m.components()) {
                if (Manifest.COMPLETED.equals(component.status())) {
                    newestByComponent.merge(component.name(), id, (a, b) -> a.compareTo(b) >= 0 ? a : b);
                }
            }
        }
        Map<String, List<String>> components = new HashMap<>();
        newestByComponent.forEach((component, id) ->
                components.computeIfAbsent(id.value(), k -> new ArrayList<>()).add(component));
        return components;
    }

    /**
     * An incremental or differential backup restores only together with the backups it depends on
     * (its manifest's depends_on, followed to the full backup): while it is kept, so is every
     * backup of its chain, whatever their own expiry.
     */
    private static List<Decision> keepWhatKeptBackupsDependOn(List<Manifest> manifests, List<Decision> decisions,
                                                              Map<String, List<String>> newestOf, Instant now) {
        Map<String, Manifest> byId = new HashMap<>();
        manifests.forEach(m -> byId.put(m.backupId(), m));
        Map<String, Decision> byBackup = new LinkedHashMap<>();
        decisions.forEach(d -> byBackup.put(d.backupId(), d));
        for (Decision kept : decisions) {
            if (kept.isGone()) {
                continue;
            }
            Manifest dependent = byId.get(kept.backupId());
            Set<String> seen = new HashSet<>();
            String needed = dependent.dependsOn();
            while (needed != null && seen.add(needed) && byId.containsKey(needed)) {
                Decision decision = byBackup.get(needed);
                if (decision.isGone()) {
                    Manifest base = byId.get(needed);
                    byBackup.put(needed, new Decision(needed, false, "expired on " + base.expiresAt() + " but kept: "
                            + dependent.backupId() + " (" + dependent.type() + ", " + whyKept(dependent, newestOf, now)
                            + ") depends on it"));
                }
                needed = byId.get(needed).dependsOn();
            }
        }
        return new ArrayList<>(byBackup.values());
    }

    /** "kept until <expires_at>", or for an expired backup kept as the newest of a component, which. */
    private static String whyKept(Manifest kept, Map<String, List<String>> newestOf, Instant now) {
        return Instant.parse(kept.expiresAt()).isBefore(now) && newestOf.containsKey(kept.backupId())
                ? "the newest backup of " + String.join(", ", newestOf.get(kept.backupId()))
                : "kept until " + kept.expiresAt();
    }

    /** A local copy past backup.local.retention-days whose backup is safely in S3 (its manifest is there). */
    private boolean localCopyExpired(Manifest m, Instant now) throws IOException {
        if (localRetentionDays == null || remote == null) {
            return false;
        }
        BackupId id = new BackupId(m.backupId());
        if (Instant.parse(m.createdAt()).plus(Duration.ofDays(localRetentionDays)).isAfter(now)
                || local.readManifest(id).isEmpty()) {
            return false;
        }
        return remote.get().readManifest(id).isPresent();
    }

    /** Removes what {@link #plan} marks (unless dryRun); returns every decision. */
    public List<Decision> apply(boolean dryRun) throws IOException {
        if (dryRun) {
            return plan(Instant.now());
        }
        try (RepositoryLock.Held ignored = lock.acquire("cleanup")) {
            List<Decision> decisions = plan(Instant.now());
            for (Decision d : decisions) {
                if (d.remove() && d.localOnly()) {
                    local.delete(new BackupId(d.backupId()));
                    LOG.info("Removed the local copy of {}: {}", d.backupId(), d.reason());
                } else if (d.remove()) {
                    repository.delete(new BackupId(d.backupId()));
                    LOG.info("Removed {}: {}", d.backupId(), d.reason());
                }
            }
            return decisions;
        }
    }
}
