package com.customercaregpt.backup.inventory;

import com.customercaregpt.backup.backup.ProgressMarkers;
import com.customercaregpt.backup.backup.UsageError;
import com.customercaregpt.backup.repository.BackupId;
import com.customercaregpt.backup.repository.Manifest;
import com.customercaregpt.backup.repository.ManifestCodec;
import com.customercaregpt.backup.repository.Repository;
import com.customercaregpt.backup.repository.RepositoryLock;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import com.customercaregpt.backup.catalog.CatalogRows;
import java.util.HashMap;
import java.util.Map;

/** Reads what the repository holds: list, show, delete. The repository is the truth, not the catalog. */
public final class Inventory {

    private final Repository repository;
    private final ProgressMarkers markers;
    private final RepositoryLock lock;

    public Inventory(Repository repository, ProgressMarkers markers, RepositoryLock lock) {
        this.repository = repository;
        this.markers = markers;
        this.lock = lock;
    }

    /** Newest first, optionally only one status, at most {@code limit} (0 = all). */
    public List<BackupSummary> list(String status, int limit) throws IOException {
        List<BackupId> ids = new ArrayList<>(repository.list());
        Collections.reverse(ids);
        List<BackupSummary> summaries = new ArrayList<>();
        for (BackupId id : ids) {
            BackupSummary summary = summarise(id);
            if (status == null || status.isBlank() || status.equals(summary.status())) {
                summaries.add(summary);
                if (limit > 0 && summaries.size() == limit) {
                    break;
                }
            }
        }
        return summaries;
    }

    /** Adds the catalog's last good verification and replication times (rows: backup_id, verified_at, replicated_at). */
    public List<BackupSummary> withHistory(List<BackupSummary> backups, List<Map<String, Object>> rows) {
        Map<String, Map<String, Object>> byId = new HashMap<>();
        rows.forEach(row -> byId.put(String.valueOf(row.get("backup_id")), row));
        return backups.stream().map(b -> {
            Map<String, Object> row = byId.getOrDefault(b.backupId(), Map.of());
            return b.withHistory(time(row.get("verified_at")), time(row.get("replicated_at")));
        }).toList();
    }

    private static String time(Object value) {
        return CatalogRows.iso(value);
    }

    /** Every readable manifest, oldest first (unfinished and unreadable backups are skipped). */
    public List<Manifest> manifests() throws IOException {
        List<Manifest> manifests = new ArrayList<>();
        for (BackupId id : repository.list()) {
            Optional<byte[]> json = repository.readManifest(id);
            if (json.isPresent()) {
                try {
                    manifests.add(ManifestCodec.read(id, json.get()));
                } catch (ManifestCodec.CorruptManifestException unreadable) {
                    // listed as unreadable by list; nothing to index
                }
            }
        }
        return manifests;
    }

    /** The manifest of a finished backup; a usage error when there is none. */
    public Manifest manifest(String backupId) throws IOException {
        BackupId id = new BackupId(backupId);
        Optional<byte[]> json = repository.readManifest(id);
        if (json.isEmpty()) {
            if (repository.list().contains(id)) {
                String status = summarise(id).status();
                throw new NotFinished(BackupSummary.MANIFEST_MISSING.equals(status)
                        ? id + " has files but no manifest, and no backup is writing it: put its manifest.json back "
                        + "from a copy, or remove it with `delete --force`"
                        : id + " is " + status + ": it has no manifest yet");
            }
            throw new NotFound("no backup " + id + " in " + repository.location());
        }
        return ManifestCodec.read(id, json.get());
    }

    /**
     * Removes a backup that is not being written; returns its summary. Under the repository lock,
     * like a cleanup: a restore, replication or backup in progress may be reading it.
     */
    public BackupSummary delete(String backupId) throws IOException {
        BackupId id = new BackupId(backupId);
        try (RepositoryLock.Held ignored = lock.acquire("delete")) {
            return deleteUnlocked(id);
        }
    }

    private BackupSummary deleteUnlocked(BackupId id) throws IOException {
        if (!repository.list().contains(id)) {
            throw new NotFound("no backup " + id + " in " + repository.location());
        }
        BackupSummary summary = summarise(id);
        if (BackupSummary.RUNNING.equals(summary.status())) {
            throw new UsageError("refusing to delete " + id + ": it is still being written");
        }
        List<String> dependents = dependents(id.value());
        if (!dependents.isEmpty()) {
            throw new UsageError("refusing to delete " + id + ": " + String.join(", ", dependents)
                    + (dependents.size() == 1 ? " depends" : " depend") + " on it (restoring "
                    + (dependents.size() == 1 ? "it needs" : "them needs") + " " + id
                    + "); delete with --with-dependents to remove them too");
        }
        repository.delete(id);
        return summary;
    }

    /**
     * The backups that restore on top of {@code backupId}, directly or through others (their
     * depends_on chain reaches it), newest first: the order in which they can be deleted.
     */
    public List<String> dependents(String backupId) throws IOException {
        List<Manifest> all = manifests();
        java.util.Set<String> chainMembers = new java.util.HashSet<>(List.of(backupId));
        List<String> found = new ArrayList<>();
        for (Manifest m : all) { // oldest first: a parent comes before its dependents
            if (m.dependsOn() != null && chainMembers.contains(m.dependsOn())) {
                chainMembers.add(m.backupId());
                found.add(m.backupId());
            }
        }
        Collections.reverse(found);
        return found;
    }

    /**
     * For `delete --with-dependents`: the dependents of {@code backupId} (see {@link #dependents}),
     * newest first, or none unless {@code withDependents} is true (then delete refuses if there are any).
     */
    public List<String> dependentsToDelete(String backupId, Object withDependents) throws IOException {
        return "true".equals(String.valueOf(withDependents)) ? dependents(new BackupId(backupId).value()) : List.of();
    }

    private BackupSummary summarise(BackupId id) throws IOException {
        Optional<byte[]> json = repository.readManifest(id);
        if (json.isEmpty()) {
            String state = switch (markers.stateOf(id)) {
                case RUNNING -> BackupSummary.RUNNING;
                case ABANDONED -> BackupSummary.INCOMPLETE;
                case MANIFEST_MISSING -> BackupSummary.MANIFEST_MISSING;
            };
            return new BackupSummary(id.value(), null, null, state, null, null, null, 0, List.of(), List.of(), null, null);
        }
        try {
            Manifest m = ManifestCodec.read(id, json.get());
            List<String> failed = m.components().stream()
                    .filter(c -> !Manifest.COMPLETED.equals(c.status())).map(Manifest.ComponentRecord::name).toList();
            return new BackupSummary(m.backupId(), m.type(), m.dependsOn(), m.status(), m.createdAt(), m.completedAt(), m.expiresAt(),
                    m.totalSizeBytes(), m.componentNames(), failed, null, null);
        } catch (ManifestCodec.CorruptManifestException e) {
            return new BackupSummary(id.value(), null, null, BackupSummary.UNREADABLE, null, null, null, 0, List.of(),
                    List.of(), null, null);
        }
    }

    /** The named backup does not exist: exit code 1. */
    public static final class NotFound extends RuntimeException {
        public NotFound(String message) {
            super(message);
        }
    }

    /** The named backup exists but has no manifest yet. */
    public static final class NotFinished extends RuntimeException {
        public NotFinished(String message) {
            super(message);
        }
    }
}
