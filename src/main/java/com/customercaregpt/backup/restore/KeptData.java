package com.customercaregpt.backup.restore;

import com.customercaregpt.backup.pipeline.Folders;
import com.customercaregpt.backup.backup.StepFailure;
import com.customercaregpt.backup.component.PostgresTools;
import com.customercaregpt.backup.repository.ManifestCodec;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What restores kept of the data they replaced, listed in pre-restore/<label>/kept.json, and its
 * removal (`cleanup --pre-restore`). Only names a restore made are ever removed: folders
 * "*.pre-restore-<label>", databases "*_pre_restore_<label>", files inside pre-restore/<label>/.
 */
public final class KeptData {

    private static final Pattern LABEL = Pattern.compile("\\d{8}_\\d{6}");

    private final Path preRestoreRoot;
    private final PostgresTools postgres;

    public KeptData(Path preRestoreRoot, PostgresTools postgres) {
        this.preRestoreRoot = preRestoreRoot;
        this.postgres = postgres;
    }

    /** One kept item and the restore that kept it. */
    public record Item(String label, String backupId, String what) {
    }

    public List<Item> list() throws IOException {
        List<Item> items = new ArrayList<>();
        if (!Files.isDirectory(preRestoreRoot)) {
            return items;
        }
        try (Stream<Path> labels = Files.list(preRestoreRoot)) {
            for (Path folder : labels.sorted().toList()) {
                String label = folder.getFileName().toString();
                Path list = folder.resolve("kept.json");
                if (!LABEL.matcher(label).matches() || !Files.isRegularFile(list)) {
                    continue;
                }
                JsonNode kept = ManifestCodec.JSON.readTree(list.toFile());
                for (JsonNode what : kept.path("kept")) {
                    items.add(new Item(label, kept.path("backup_id").asText(), what.asText()));
                }
                if (kept.path("kept").isEmpty()) {
                    items.add(new Item(label, kept.path("backup_id").asText(), folder.toString()));
                }
            }
        }
        return items;
    }

    /** Removes every kept item (or, with dryRun, only lists them); returns what was (or would be) removed. */
    public List<Item> remove(boolean dryRun) throws Exception {
        List<Item> items = list();
        if (dryRun) {
            return items;
        }
        for (Item item : items) {
            removeItem(item);
        }
        for (String label : items.stream().map(Item::label).distinct().toList()) {
            Folders.deleteTree(preRestoreRoot.resolve(label));
        }
        return items;
    }

    private void removeItem(Item item) throws Exception {
        if (item.what().startsWith("database ")) {
            String name = item.what().substring("database ".length());
            if (!name.endsWith("_pre_restore_" + item.label())) {
                throw new StepFailure("database", "cleanup", "refusing to drop " + name + ": not a kept database");
            }
            try (Connection admin = postgres.connect("postgres"); Statement st = admin.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS \"" + name.replace("\"", "\"\"") + "\" WITH (FORCE)");
            }
            return;
        }
        Path path = Path.of(item.what());
        boolean keptFolder = path.getFileName().toString().endsWith(".pre-restore-" + item.label());
        boolean insideArea = path.normalize().startsWith(preRestoreRoot.resolve(item.label()));
        if (!keptFolder && !insideArea) {
            throw new StepFailure("cleanup", "pre-restore", "refusing to remove " + path + ": not kept by a restore");
        }
        Folders.deleteTree(path);
    }

}
