package com.customercaregpt.backup.restore;

import com.customercaregpt.backup.backup.Sizes;
import com.customercaregpt.backup.component.PostgresTools;
import com.customercaregpt.backup.pipeline.Folders;
import com.customercaregpt.backup.repository.BuildRecord;
import com.customercaregpt.backup.repository.BuildRecord.Found;
import com.customercaregpt.backup.repository.BuildRecord.Item;
import com.customercaregpt.backup.repository.Owners;
import com.customercaregpt.backup.repository.RepositoryLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.io.UncheckedIOException;

/**
 * What operations that died left half-built beside live data (a restore's *_restoring_* database,
 * *.restore-* folders, scratch, private servers), found through their {@link BuildRecord}s, sized
 * and removed. An owner is running when it is a live process of this host, or, on another host,
 * when it holds the repository lock (a restore holds it while it builds).
 */
public final class Leftovers {

    private static final Logger LOG = LoggerFactory.getLogger(Leftovers.class);

    private final Path recordsRoot;
    private final PostgresTools postgres;
    private final RepositoryLock lock;

    public Leftovers(Path recordsRoot, PostgresTools postgres, RepositoryLock lock) {
        this.recordsRoot = recordsRoot;
        this.postgres = postgres;
        this.lock = lock;
    }

    /** One leftover: what it is, who left it, how big it is. */
    public record Leftover(String label, String operation, String backupId, String what, String owner, long bytes) {
    }

    public boolean isRunning(BuildRecord.Owner owner) {
        return owner.isAliveHere() || (!owner.host().equals(Owners.hostName()) && lock.heldLiveBy(owner.host(), owner.pid()));
    }

    /** Labels of operations still running: what they built or kept is theirs. */
    public Set<String> runningLabels() throws IOException {
        return BuildRecord.findAll(recordsRoot).stream().filter(f -> isRunning(f.owner()))
                .map(Found::label).collect(Collectors.toSet());
    }

    /** The leftovers of dead owners that still exist. */
    public List<Leftover> find() throws IOException {
        List<Leftover> found = new ArrayList<>();
        for (Found record : deadRecords()) {
            for (Item item : record.items()) {
                if (record.names(item) && exists(item)) {
                    found.add(leftover(record, item));
                }
            }
        }
        return found;
    }

    /**
     * Removes (with dryRun: lists) the leftovers of dead owners, and then their records. An item
     * that cannot be removed is logged and its record kept, so that a later run tries again.
     */
    public List<Leftover> remove(boolean dryRun) throws IOException {
        List<Leftover> removed = new ArrayList<>();
        for (Found record : deadRecords()) {
            boolean complete = true;
            // named before anything goes (a marker goes with its folder); servers stop before their folders go
            List<Item> named = record.items().stream().filter(record::names)
                    .sorted(Comparator.comparing(item -> !"server".equals(item.kind()))).toList();
            for (Item item : named) {
                if (!exists(item)) {
                    continue;
                }
                Leftover leftover = leftover(record, item);
                try {
                    if (!dryRun) {
                        removeItem(item);
                        LOG.warn("Removed {} left by {} {} ({})", leftover.what(), record.operation(), record.label(),
                                leftover.owner());
                    }
                    removed.add(leftover);
                } catch (IOException | SQLException | RuntimeException e) {
                    complete = false;
                    LOG.warn("Cannot remove {} left by {} {}: {}", leftover.what(), record.operation(), record.label(),
                            e.getMessage());
                }
            }
            if (complete && !dryRun) {
                BuildRecord.forget(record);
            }
        }
        return removed;
    }

    /** "3 items, 1.2 GiB: database x, folder y", for health. */
    public static String describe(List<Leftover> leftovers) {
        long bytes = leftovers.stream().mapToLong(Leftover::bytes).sum();
        return leftovers.size() + " left by dead runs, " + Sizes.human(bytes) + ": "
                + leftovers.stream().map(Leftover::what).collect(Collectors.joining(", "))
                + " (removed by the next restore or `cleanup --pre-restore`)";
    }

    /** True when the item is still there under its recorded name. */
    public boolean exists(Item item) {
        if ("database".equals(item.kind())) {
            try (Connection admin = postgres.connect("postgres");
                 PreparedStatement st = admin.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
                st.setString(1, item.name());
                try (ResultSet rs = st.executeQuery()) {
                    return rs.next();
                }
            } catch (SQLException e) {
                // PostgreSQL out of reach: the item is reported, its removal fails loudly
                return true;
            }
        }
        return Files.exists(Path.of(item.name()), LinkOption.NOFOLLOW_LINKS)
                || ("server".equals(item.kind()) && item.process().isAliveHere());
    }

    /** Drops a database, ending its connections; nothing to do when it is absent. */
    public void dropDatabase(String name) throws SQLException {
        try (Connection admin = postgres.connect("postgres"); Statement st = admin.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS \"" + name.replace("\"", "\"\"") + "\" WITH (FORCE)");
        }
    }

    private List<Found> deadRecords() throws IOException {
        return BuildRecord.findAll(recordsRoot).stream().filter(f -> !isRunning(f.owner())).toList();
    }

    private Leftover leftover(Found record, Item item) {
        String owner = record.operation() + " pid " + record.owner().pid() + " on " + record.owner().host()
                + " (started " + record.startedAt() + ", no longer running)";
        String what = "database".equals(item.kind()) ? "database " + item.name() : item.kind() + " " + item.name();
        return new Leftover(record.label(), record.operation(), record.backupId(), what, owner, sizeOf(item));
    }

    private long sizeOf(Item item) {
        if ("database".equals(item.kind())) {
            try (Connection admin = postgres.connect("postgres");
                 PreparedStatement st = admin.prepareStatement("SELECT pg_database_size(?)")) {
                st.setString(1, item.name());
                try (ResultSet rs = st.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : 0;
                }
            } catch (SQLException e) {
                return 0;
            }
        }
        try (Stream<Path> tree = Files.walk(Path.of(item.name()))) {
            return tree.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException gone) {
                    return 0;
                }
            }).sum();
        } catch (IOException | UncheckedIOException e) {
            return 0;
        }
    }

    /**
     * A restore that died between a swap's two renames left the live folder at
     * {@code <folder>.pre-restore-<label>} and nothing at its path: the old data goes back first.
     */
    private static void putBackHalfSwapped(Path restoreCopy) throws IOException {
        String name = restoreCopy.getFileName().toString();
        int at = name.lastIndexOf(".restore-");
        if (at <= 0) {
            return;
        }
        Path live = restoreCopy.resolveSibling(name.substring(0, at));
        Path kept = restoreCopy.resolveSibling(name.substring(0, at) + ".pre-restore-" + name.substring(at + ".restore-".length()));
        if (!Files.exists(live, LinkOption.NOFOLLOW_LINKS) && Files.isDirectory(kept, LinkOption.NOFOLLOW_LINKS)) {
            Files.move(kept, live, StandardCopyOption.ATOMIC_MOVE);
            Folders.syncDirectory(live.getParent());
            LOG.warn("Put {} back at {}: the restore that was swapping it died half-way", kept, live);
        }
    }

    private void removeItem(Item item) throws IOException, SQLException {
        switch (item.kind()) {
            case "database" -> dropDatabase(item.name());
            case "server" -> {
                if (item.process().isAliveHere()) {
                    ProcessHandle.of(item.process().pid()).ifPresent(server -> {
                        server.destroyForcibly();
                        server.onExit().orTimeout(30, TimeUnit.SECONDS).join();
                    });
                }
                Folders.deleteTree(Path.of(item.name()));
            }
            case "folder" -> {
                putBackHalfSwapped(Path.of(item.name()));
                Folders.deleteTree(Path.of(item.name()));
            }
            case "file" -> Files.deleteIfExists(Path.of(item.name()));
            default -> throw new IOException("unknown kind " + item.kind() + " in " + BuildRecord.FILE);
        }
    }
}
