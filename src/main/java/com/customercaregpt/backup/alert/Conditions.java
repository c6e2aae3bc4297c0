package com.customercaregpt.backup.alert;

import com.customercaregpt.backup.backup.Sizes;
import com.customercaregpt.backup.backup.StepFailure;
import com.customercaregpt.backup.replication.Replicator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Conditions that last until someone acts, checked on a timer and before each backup: free space of the
 * repository and scratch folders, and the backups waiting for their off-site copy. Each check returns the
 * alerts to raise: one per condition that holds, and a "resolved" for each open one that cleared.
 */
public final class Conditions {

    public static final String SPACE_LOW = "space-low";
    public static final String REPLICATION_BEHIND = "replication-behind";

    private static final Logger LOG = LoggerFactory.getLogger(Conditions.class);

    /** The space thresholds: a folder is low under either minimum; a backup does not start under the floor. */
    public record SpaceLimits(double minFreePercent, long minFreeBytes, double refuseBelowPercent) {
    }

    private final Alerts alerts;
    /** The folders watched, by name (repository, scratch), in that order. */
    private final Map<String, Path> folders;
    private final SpaceLimits limits;
    private final Replicator replicator;
    private final int maxBacklog;
    private final Clock clock;

    public Conditions(Alerts alerts, Map<String, Path> folders, SpaceLimits limits, Replicator replicator,
                      int maxBacklog, Clock clock) {
        this.alerts = alerts;
        this.folders = folders;
        this.limits = limits;
        this.replicator = replicator;
        this.maxBacklog = maxBacklog;
        this.clock = clock;
    }

    /** Free and total bytes of the file system holding one watched folder. */
    private record Space(String name, Path folder, long free, long total) {

        double percentFree() {
            return total == 0 ? 100 : free * 100.0 / total;
        }

        String describe() {
            return Sizes.human(free) + " free of " + Sizes.human(total) + " ("
                    + String.format(Locale.ROOT, "%.1f", percentFree()) + " %)";
        }
    }

    /** A space-low alert per watched folder under a minimum; a "resolved" per open one that has room again. */
    public List<Alert> space() {
        List<Alert> found = new ArrayList<>();
        for (Space space : spaces()) {
            String under = under(space);
            String look = "df -h " + space.folder() + "; backup-manager cleanup";
            if (under != null) {
                found.add(new Alert(SPACE_LOW, "warning", space.name(), space.folder().toString(),
                        clock.instant().toString(), space.describe() + ", under " + under, look, false));
            } else {
                found.addAll(alerts.clears(SPACE_LOW, space.name(), space.describe() + " again", look));
            }
        }
        return found;
    }

    /** Refuses to start a backup that would fill a watched folder's file system (backup.space.refuse-below-percent). */
    public void requireSpaceToStart() {
        for (Space space : spaces()) {
            if (space.percentFree() < limits.refuseBelowPercent()) {
                throw new StepFailure(space.name(), "space", space.folder() + " has " + space.describe()
                        + ", under backup.space.refuse-below-percent=" + number(limits.refuseBelowPercent())
                        + ": the backup does not start; free space (backup-manager cleanup) or add some");
            }
        }
    }

    /** A replication-behind alert when more finished backups than backup.alerts.replication-backlog wait for S3. */
    public List<Alert> replicationBacklog() {
        if (!replicator.enabled()) {
            return List.of();
        }
        List<String> waiting;
        try {
            waiting = replicator.backlog();
        } catch (IOException | RuntimeException unreachable) {
            // S3 cannot be read: the failed replication raises its own alert
            LOG.warn("replication backlog not checked: {}", unreachable.getMessage());
            return List.of();
        }
        if (waiting.size() > maxBacklog) {
            return List.of(new Alert(REPLICATION_BEHIND, "warning", null, null, clock.instant().toString(),
                    waiting.size() + " finished backups are not in S3 yet (more than backup.alerts.replication-backlog="
                            + maxBacklog + "), the oldest " + waiting.get(0), "backup-manager replicate", false));
        }
        return alerts.clears(REPLICATION_BEHIND, null, waiting.size() + " backup(s) waiting for S3, at most "
                + "backup.alerts.replication-backlog=" + maxBacklog, "backup-manager list");
    }

    /** The threshold a folder is under, or null when it has room. */
    private String under(Space space) {
        if (space.percentFree() < limits.minFreePercent()) {
            return "backup.alerts.min-free-percent=" + number(limits.minFreePercent());
        }
        if (space.free() < limits.minFreeBytes()) {
            return "backup.alerts.min-free-bytes=" + limits.minFreeBytes();
        }
        return null;
    }

    /** Each watched folder's file system once: a scratch folder on the repository's file system is not told twice. */
    private List<Space> spaces() {
        List<Space> spaces = new ArrayList<>();
        List<FileStore> seen = new ArrayList<>();
        folders.forEach((name, folder) -> {
            try {
                FileStore store = Files.getFileStore(existingPart(folder));
                if (!seen.contains(store)) {
                    seen.add(store);
                    spaces.add(new Space(name, folder, store.getUsableSpace(), store.getTotalSpace()));
                }
            } catch (IOException e) {
                LOG.warn("free space of {} not checked: {}", folder, e.getMessage());
            }
        });
        return spaces;
    }

    /** The folder, or its nearest parent that exists (a scratch folder is made on first use). */
    private static Path existingPart(Path folder) {
        Path existing = folder.toAbsolutePath();
        while (!Files.exists(existing) && existing.getParent() != null) {
            existing = existing.getParent();
        }
        return existing;
    }

    private static String number(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
    }
}
