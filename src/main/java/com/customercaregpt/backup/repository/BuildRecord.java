package com.customercaregpt.backup.repository;

import com.customercaregpt.backup.pipeline.PrivateFiles;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * building.json: what a long operation (a restore, a drill) builds beside live data — databases,
 * folders, private servers — each written down before it is built, with the operation's owner
 * (host, pid, process start). A later run removes what a dead owner left and never what a
 * running one builds. Every built name must carry the operation's label, so a damaged record
 * cannot point at anything else; a folder under a name the operator chose (--target-dir) instead holds
 * a marker file naming the label while it is half-built, removed once it is finished and handed over.
 */
public final class BuildRecord {

    public static final String FILE = "building.json";
    /** Followed by the label: inside a folder the operator named, while an operation builds it. */
    public static final String MARKER = ".backup-manager-building-";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A process: the owner of an operation, or a private server it started. */
    public record Owner(String host, long pid, String processStartedAt) {

        public static Owner of(ProcessHandle process) {
            return new Owner(Owners.hostName(), process.pid(),
                    process.info().startInstant().map(Instant::toString).orElse(""));
        }

        /** This host only: the process lives and is the one recorded (not a later one given the same pid). */
        public boolean isAliveHere() {
            if (!host.equals(Owners.hostName()) || !Owners.isAlive(pid)) {
                return false;
            }
            Optional<Instant> started = ProcessHandle.of(pid).flatMap(p -> p.info().startInstant());
            if (processStartedAt.isEmpty() || started.isEmpty()) {
                return true;
            }
            try {
                return Duration.between(Instant.parse(processStartedAt), started.get()).abs().toSeconds() < 2;
            } catch (DateTimeParseException damaged) {
                return true; // the pid alone then: a live process is never taken for a dead one
            }
        }
    }

    /** One thing built: kind database (a name), folder (a path) or server (its folder, and its process). */
    public record Item(String kind, String name, Owner process) {

        public static Item database(String name) {
            return new Item("database", name, null);
        }

        public static Item folder(Path path) {
            return new Item("folder", path.toAbsolutePath().normalize().toString(), null);
        }

        /** A single file built beside a live one (a config file's {@code <file>.restored-<label>}). */
        public static Item file(Path path) {
            return new Item("file", path.toAbsolutePath().normalize().toString(), null);
        }

        public static Item server(Path folder, ProcessHandle process) {
            return new Item("server", folder.toAbsolutePath().normalize().toString(), Owner.of(process));
        }
    }

    /** A record read back: whose it is and what it lists. */
    public record Found(Path file, String operation, String label, String backupId, String startedAt, Owner owner,
                        List<Item> items) {

        /**
         * True when the item's name carries this record's label, or its folder still holds this label's marker
         * (anything else is never removed: a finished --target-dir has no marker).
         */
        public boolean names(Item item) {
            if (!"folder".equals(item.kind()) && !"server".equals(item.kind())) {
                return item.name().contains(label);
            }
            Path folder = Path.of(item.name());
            return folder.getFileName().toString().contains(label)
                    || Files.isRegularFile(folder.resolve(MARKER + label), LinkOption.NOFOLLOW_LINKS);
        }
    }

    private final Path file;
    private final Map<String, Object> content = new LinkedHashMap<>();
    private final List<Item> items = new ArrayList<>();

    private BuildRecord(Path file) {
        this.file = file;
    }

    /** Writes an empty record for an operation in {@code folder} (made private), owned by this process. */
    public static BuildRecord begin(Path folder, String operation, String label, Map<String, Object> about)
            throws IOException {
        BuildRecord record = new BuildRecord(PrivateFiles.createDirectories(folder).resolve(FILE));
        record.content.put("operation", operation);
        record.content.put("label", label);
        record.content.putAll(about);
        record.content.put("started_at", Instant.now().toString());
        Owner owner = Owner.of(ProcessHandle.current());
        record.content.put("owner", Map.of("host", owner.host(), "pid", owner.pid(),
                "process_started_at", owner.processStartedAt()));
        record.write();
        return record;
    }

    /** Marks a folder under a name without the label (--target-dir) as half-built by the operation {@code label}. */
    public static void markBuilding(Path folder, String label) throws IOException {
        PrivateFiles.write(folder.resolve(MARKER + label), new byte[0]);
    }

    /** The folder is finished and handed over: no later run removes it. */
    public static void unmarkBuilding(Path folder, String label) throws IOException {
        Files.deleteIfExists(folder.resolve(MARKER + label));
    }

    /** Records an item, durably, before it is built. */
    public synchronized void add(Item item) throws IOException {
        if (!items.contains(item)) {
            items.add(item);
            write();
        }
    }

    public synchronized List<Item> items() {
        return List.copyOf(items);
    }

    /** Forgets an item no longer there under its recorded name (removed, or swapped in). */
    public synchronized void drop(Item item) throws IOException {
        if (items.remove(item)) {
            write();
        }
    }

    /** The operation ended and removed what it built: the record goes, and its folder if nothing else is left. */
    public synchronized void finish() throws IOException {
        Files.deleteIfExists(file);
        deleteFolderIfEmpty(file.getParent());
    }

    private void write() throws IOException {
        content.put("building", items.stream().map(BuildRecord::toJson).toList());
        PrivateFiles.writeAtomically(file, JSON.writeValueAsBytes(content));
    }

    private static Map<String, Object> toJson(Item item) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("kind", item.kind());
        json.put("name", item.name());
        if (item.process() != null) {
            json.put("pid", item.process().pid());
            json.put("process_started_at", item.process().processStartedAt());
        }
        return json;
    }

    /** Every record in the folders directly under {@code root} (e.g. pre-restore/<label>/building.json). */
    public static List<Found> findAll(Path root) throws IOException {
        List<Found> found = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return found;
        }
        try (Stream<Path> folders = Files.list(root)) {
            for (Path folder : folders.sorted().toList()) {
                Path file = folder.resolve(FILE);
                if (Files.isRegularFile(file)) {
                    found.add(read(file));
                }
            }
        }
        return found;
    }

    private static Found read(Path file) throws IOException {
        JsonNode node;
        try {
            node = JSON.readTree(file.toFile());
        } catch (IOException unreadable) {
            // written atomically: an unreadable record was damaged by hand; it names nothing to remove
            node = JSON.createObjectNode();
        }
        JsonNode owner = node.path("owner");
        Owner who = new Owner(owner.path("host").asText(""), owner.path("pid").asLong(-1),
                owner.path("process_started_at").asText(""));
        List<Item> items = new ArrayList<>();
        for (JsonNode item : node.path("building")) {
            Owner process = item.has("pid") ? new Owner(who.host(), item.path("pid").asLong(),
                    item.path("process_started_at").asText("")) : null;
            items.add(new Item(item.path("kind").asText(), item.path("name").asText(), process));
        }
        String label = node.path("label").asText(file.getParent().getFileName().toString());
        return new Found(file, node.path("operation").asText("?"), label, node.path("backup_id").asText(""),
                node.path("started_at").asText(""), who, items);
    }

    /** Removes a dead owner's record, and its folder when nothing else (a kept.json, a saved snapshot) is in it. */
    public static void forget(Found found) throws IOException {
        Files.deleteIfExists(found.file());
        deleteFolderIfEmpty(found.file().getParent());
    }

    private static void deleteFolderIfEmpty(Path folder) throws IOException {
        try (Stream<Path> entries = Files.list(folder)) {
            if (entries.findAny().isPresent()) {
                return;
            }
        }
        Files.deleteIfExists(folder);
    }
}
