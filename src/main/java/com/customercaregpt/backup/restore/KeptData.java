package com.customercaregpt.backup.restore;

import com.customercaregpt.backup.backup.Sizes;
import com.customercaregpt.backup.pipeline.Folders;
import com.customercaregpt.backup.pipeline.PrivateFiles;
import com.customercaregpt.backup.repository.BuildRecord;
import com.customercaregpt.backup.repository.ManifestCodec;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What restores kept of the data they replaced, listed in pre-restore/<label>/kept.json, and its
 * removal (`cleanup --pre-restore`), with the leftovers of dead restores. Only names a restore
 * made are ever removed: folders "*.pre-restore-<label>", databases "*_pre_restore_<label>",
 * files inside pre-restore/<label>/; nothing of a restore still running.
 */
public final class KeptData {

    private static final Pattern LABEL = Pattern.compile("\\d{8}_\\d{6}");

    private static final String KEPT_LIST = "kept.json";
    private static final String DATABASE = "database ";

    private final Path preRestoreRoot;
    private final Leftovers leftovers;

    public KeptData(Path preRestoreRoot, Leftovers leftovers) {
        this.preRestoreRoot = preRestoreRoot;
        this.leftovers = leftovers;
    }

    /**
     * One entry of `cleanup --pre-restore`: a kept item (action remove; gone when removed by hand;
     * refuse when it is not a name a restore makes; failed when its removal failed), or a leftover
     * of a dead restore (action leftover).
     */
    public record Item(String label, String backupId, String what, String action, String detail) {

        public static final String REMOVE = "remove";
        public static final String GONE = "gone";
        public static final String REFUSE = "refuse";
        public static final String FAILED = "failed";
        public static final String LEFTOVER = "leftover";

        /** Refused or failed: the command names it and exits 1. */
        public boolean bad() {
            return REFUSE.equals(action) || FAILED.equals(action);
        }
    }

    /**
     * Removes the leftovers of dead restores, then every kept item of restores no longer running
     * (with dryRun: decides alike and only lists). Each item is judged on its own: a refused or
     * failed one stays in its kept.json and does not stop the others; one removed by hand is
     * reported as gone and dropped from kept.json.
     */
    public List<Item> remove(boolean dryRun) throws Exception {
        List<Item> items = new ArrayList<>();
        for (Leftovers.Leftover leftover : leftovers.remove(dryRun)) {
            items.add(new Item(leftover.label(), leftover.backupId(), leftover.what(), Item.LEFTOVER,
                    leftover.owner() + ", " + Sizes.human(leftover.bytes())));
        }
        if (!Files.isDirectory(preRestoreRoot)) {
            return items;
        }
        Set<String> running = leftovers.runningLabels();
        List<Path> folders;
        try (Stream<Path> labels = Files.list(preRestoreRoot)) {
            folders = labels.sorted().toList();
        }
        for (Path folder : folders) {
            String label = folder.getFileName().toString();
            Path list = folder.resolve(KEPT_LIST);
            if (!LABEL.matcher(label).matches() || !Files.isRegularFile(list) || running.contains(label)) {
                continue;
            }
            ObjectNode kept = (ObjectNode) ManifestCodec.JSON.readTree(list.toFile());
            String backupId = kept.path("backup_id").asText();
            List<String> whats = new ArrayList<>();
            kept.path("kept").forEach(what -> whats.add(what.asText()));
            List<String> remaining = new ArrayList<>();
            for (String what : whats) {
                Item item = decide(label, backupId, what, dryRun);
                items.add(item);
                if (item.bad()) {
                    remaining.add(what);
                }
            }
            if (!dryRun) {
                rewrite(list, kept, remaining);
            }
        }
        return items;
    }

    private Item decide(String label, String backupId, String what, boolean dryRun) {
        String refusal = refusal(label, what);
        if (refusal != null) {
            return new Item(label, backupId, what, Item.REFUSE, refusal);
        }
        if (!exists(what)) {
            return new Item(label, backupId, what, Item.GONE, "no longer there (removed by hand)");
        }
        if (!dryRun) {
            try {
                removeItem(what);
            } catch (Exception e) {
                String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                return new Item(label, backupId, what, Item.FAILED, message.lines().findFirst().orElse(message));
            }
        }
        return new Item(label, backupId, what, Item.REMOVE, "kept by restore " + label + " of " + backupId);
    }

    /** Why {@code what} is not something restore {@code label} kept, or null when it is. */
    private String refusal(String label, String what) {
        if (what.startsWith(DATABASE)) {
            return what.substring(DATABASE.length()).endsWith("_pre_restore_" + label) ? null
                    : "not a database a restore keeps (*_pre_restore_" + label + ")";
        }
        Path path = Path.of(what);
        if (!path.isAbsolute()) {
            return "not an absolute path";
        }
        boolean keptFolder = path.getFileName().toString().endsWith(".pre-restore-" + label);
        boolean insideArea = path.normalize().startsWith(preRestoreRoot.resolve(label))
                && !path.normalize().equals(preRestoreRoot.resolve(label));
        return keptFolder || insideArea ? null : "not a folder a restore keeps (*.pre-restore-" + label
                + ") nor a file in " + preRestoreRoot.resolve(label);
    }

    private boolean exists(String what) {
        return what.startsWith(DATABASE) ? leftovers.exists(BuildRecord.Item.database(what.substring(DATABASE.length())))
                : Files.exists(Path.of(what), LinkOption.NOFOLLOW_LINKS);
    }

    private void removeItem(String what) throws Exception {
        if (what.startsWith(DATABASE)) {
            leftovers.dropDatabase(what.substring(DATABASE.length()));
            return;
        }
        Folders.deleteTree(Path.of(what));
    }

    /** kept.json keeps only what is still to be removed; without anything, it goes (and its folder, once empty). */
    private static void rewrite(Path list, ObjectNode kept, List<String> remaining) throws IOException {
        if (!remaining.isEmpty()) {
            ArrayNode left = kept.putArray("kept");
            remaining.forEach(left::add);
            PrivateFiles.writeAtomically(list, ManifestCodec.JSON.writeValueAsBytes(kept));
            return;
        }
        Files.delete(list);
        try (Stream<Path> rest = Files.list(list.getParent())) {
            if (rest.findAny().isPresent()) {
                return; // a saved snapshot nobody listed, or a dead restore's record that could not be finished
            }
        }
        Files.delete(list.getParent());
    }

}
