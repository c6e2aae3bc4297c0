package com.customercaregpt.backup.component;

import com.customercaregpt.backup.backup.StepFailure;
import com.customercaregpt.backup.config.Settings;
import com.customercaregpt.backup.pipeline.ArtifactOutput;
import com.customercaregpt.backup.pipeline.PrivateFiles;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The platform's configuration files, exported as one JSON document with every secret value
 * replaced by a placeholder (which values are secrets: {@link Redaction}), and checked against the JSON schema shipped with the tool
 * (schemas/config-export.schema.json) before it is stored.
 */
public final class ConfigComponent implements BackupComponent {

    public static final String NAME = "config";
    private static final ComponentInfo INFO = new ComponentInfo(NAME, RestoreTarget.FOLDER, "config files");
    public static final String ARTIFACT = "config.json";
    public static final String REDACTED = "***REDACTED***";
    /** Restore modes: the restored files written beside the live ones, or swapped in for them. */
    public static final String BESIDE = "beside";
    public static final String SWAP = "swap";
    private static final String SCHEMA = "/schemas/config-export.schema.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final YAMLMapper YAML = new YAMLMapper();

    private final List<Path> files;
    private final Redaction redaction;

    public ConfigComponent(Settings settings) {
        this.files = settings.getList("backup.config.files").stream()
                .map(f -> Path.of(f).toAbsolutePath().normalize()).toList();
        // an empty list would redact nothing by name: the default applies instead
        this.redaction = new Redaction(List.of(settings.get("backup.config.redact-keys", Redaction.DEFAULT_KEYS)
                .split(",")).stream().map(String::strip).filter(k -> !k.isEmpty()).toList());
    }

    @Override
    public ComponentInfo info() {
        return INFO;
    }

    @Override
    public String checkHealth() throws IOException {
        List<String> missing = files.stream().filter(f -> !Files.isReadable(f)).map(Path::toString).toList();
        if (!missing.isEmpty()) {
            throw new IOException("unreadable: " + String.join(", ", missing));
        }
        return files.size() + " readable";
    }

    @Override
    public Map<String, Object> backup(ComponentContext context) throws Exception {
        Export export = exportFiles();
        Map<String, Object> facts = new LinkedHashMap<>(exportFacts(export));
        facts.putAll(storeExport(context, export));
        return facts;
    }

    /** The configured files read, secrets redacted, as one JSON document, checked before it is stored. */
    public record Export(ObjectNode document, int fileCount, long keyCount, long redactedCount, String contentSha256) {
    }

    /** Reads the configured files into one JSON document, secrets redacted, and checks it. */
    public Export exportFiles() throws IOException {
        if (files.isEmpty()) {
            throw new StepFailure(NAME, "read", "no files configured (set backup.config.files)");
        }
        ObjectNode export = JSON.createObjectNode();
        export.put("format_version", 1);
        export.put("exported_at", Instant.now().toString());
        ArrayNode exported = export.putArray("files");
        long keys = 0;
        long redacted = 0;
        for (Path file : files) {
            ObjectNode entry = exportFile(file);
            keys += entry.get("entries").size();
            redacted += entry.get("redacted_keys").size();
            exported.add(entry);
        }
        validate(export);
        // the files as exported, without the export's own time: equal hashes mean an equal export
        String contentSha256 = HexFormat.of().formatHex(sha256().digest(JSON.writeValueAsBytes(exported)));
        return new Export(export, files.size(), keys, redacted, contentSha256);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    /**
     * The export stored as its artifact; in an incremental or differential backup nothing is
     * stored when it equals the parent's (same content_sha256). Returns the facts that say which:
     * "incremental" and the backup that holds the export ("unchanged_since"), or why it is whole.
     */
    public Map<String, Object> storeExport(ComponentContext context, Export export) throws IOException {
        Map<String, Object> facts = new LinkedHashMap<>();
        Optional<ParentBackup> parent = context.parent();
        if (parent.isPresent() && export.contentSha256().equals(parent.get().record().facts().get("content_sha256"))) {
            facts.put("incremental", true);
            facts.put("unchanged_since", parent.get().record().facts().getOrDefault("unchanged_since",
                    parent.get().backupId()));
            return facts;
        }
        try (ArtifactOutput out = context.newArtifact(ARTIFACT, "config-json")) {
            out.write(JSON.writeValueAsBytes(export.document()));
            out.commit();
        }
        parent.ifPresent(p -> facts.putAll(WholeCopy.facts(context, NAME, "changed since " + p.backupId()
                + ": stored whole", false)));
        return facts;
    }

    /** How many files, keys and redacted secrets the export holds, and its hash: what verify and restore check. */
    public Map<String, Object> exportFacts(Export export) {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("file_count", export.fileCount());
        facts.put("key_count", export.keyCount());
        facts.put("redacted_count", export.redactedCount());
        facts.put("content_sha256", export.contentSha256());
        return facts;
    }

    @Override
    public void verify(Verification v) throws Exception {
        try (InputStream in = v.reader().openDecompressed(v.artifact())) {
            JsonNode export = JSON.readTree(in);
            validate(export);
            Object expected = v.facts().get("file_count");
            if (expected != null && export.get("files").size() != ((Number) expected).intValue()) {
                throw new StepFailure(NAME, "verify export", v.artifact().path() + " holds " + export.get("files").size()
                        + " files but the manifest says " + expected);
            }
        } catch (JsonProcessingException e) {
            throw new StepFailure(NAME, "verify export", v.artifact().path() + " is not valid JSON");
        }
    }

    @Override
    public List<String> planRestore(RestoreContext context) throws IOException {
        List<String> plan = new ArrayList<>();
        for (JsonNode file : readExport(context).get("files")) {
            String live = file.get("path").asText();
            plan.add("write " + restoredPath(context, file) + " (redacted secrets taken from the live " + live + ")"
                    + (context.targetDir().isPresent() ? "" : "; in restore mode " + SWAP + " it then replaces " + live
                    + ", kept as " + ConfigSwap.sibling(Path.of(live), "pre-restore", context.label())));
        }
        return plan;
    }

    /** A restore in mode {@value #BESIDE}: the live files are never replaced. */
    @Override
    public PreparedRestore prepareRestore(RestoreContext context) throws IOException {
        return prepareRestore(context, BESIDE);
    }

    /**
     * Each file of the export with its redacted secrets filled from the live file where it has
     * one (a redacted placeholder must never replace a real secret). Mode {@value #BESIDE}: written
     * beside the live one ({@code <file>.restored-<label>}, or into --target-dir) at the swap step,
     * never over it, a placeholder without a live value left (and reported). Mode {@value #SWAP}:
     * refused before anything is written while a placeholder has no live value; otherwise written
     * beside now and swapped in for the live file at the swap step ({@link ConfigSwap}).
     */
    public PreparedRestore prepareRestore(RestoreContext context, String mode) throws IOException {
        if (!BESIDE.equals(mode) && !SWAP.equals(mode)) {
            throw new StepFailure(NAME, "restore", "restore mode must be " + BESIDE + " or " + SWAP + ", got '" + mode
                    + "' (backup.config.restore-mode, or a recovery plan's configRestoreMode)");
        }
        List<RestoredFile> files = new ArrayList<>();
        List<String> unresolved = new ArrayList<>();
        for (JsonNode file : readExport(context).get("files")) {
            Path live = Path.of(file.get("path").asText());
            String format = file.get("format").asText();
            String text = file.get("content_redacted").asText();
            String restored = "json".equals(format) || "yaml".equals(format)
                    ? fillTree(live, text, format, unresolved) : fillLines(live, text, format, unresolved);
            files.add(new RestoredFile(live, restoredPath(context, file), restored,
                    file.path("mode").isTextual() ? file.get("mode").asText() : null));
        }
        if (SWAP.equals(mode) && context.targetDir().isEmpty()) {
            if (!unresolved.isEmpty()) {
                throw new StepFailure(NAME, "restore", "not swapped, nothing changed: " + String.join(", ", unresolved)
                        + " redacted in the backup with no live value to fill it (restore in mode " + BESIDE
                        + " and fill it by hand)");
            }
            return ConfigSwap.prepare(context, files);
        }
        return new PreparedRestore() {
            @Override
            public List<String> plan() {
                return outcome();
            }

            @Override
            public List<String> outcome() {
                List<String> lines = new ArrayList<>();
                unresolved.forEach(k -> lines.add("left redacted (no live value to take): " + k));
                return lines;
            }

            @Override
            public List<String> commit() throws IOException {
                for (RestoredFile file : files) {
                    Files.createDirectories(file.target().getParent());
                    PrivateFiles.writeAtomically(file.target(), file.content().getBytes(StandardCharsets.UTF_8));
                }
                return List.of();
            }

            @Override
            public void checkLive() {
                // nothing live was replaced
            }

            @Override
            public void discard() {
                // nothing was written before commit
            }
        };
    }

    /** One restored file: its live path, where the restored copy goes, its content, and its mode at the backup. */
    record RestoredFile(Path live, Path target, String content, String backedUpMode) {
    }

    /** The export, from the backup that stores it: the oldest of the chain when it was unchanged since. */
    private static JsonNode readExport(RestoreContext context) throws IOException {
        ChainLink storing = context.chain().get(0);
        try (InputStream in = storing.reader().openDecompressed(storing.artifact(ARTIFACT))) {
            return JSON.readTree(in);
        }
    }

    private static Path restoredPath(RestoreContext context, JsonNode file) {
        return context.targetDir()
                .map(dir -> dir.resolve(NAME).resolve(file.get("name").asText()))
                .orElse(Path.of(file.get("path").asText() + ".restored-" + context.label()));
    }

    /** Each redacted value takes the live file's raw value (continuation lines included). */
    private static String fillLines(Path live, String text, String format, List<String> unresolved) {
        boolean properties = "properties".equals(format);
        Map<String, String> liveValues = Map.of();
        if (Files.isRegularFile(live)) {
            try {
                liveValues = KeyValueLines.rawValues(Files.readString(live, StandardCharsets.UTF_8), properties);
            } catch (IOException e) {
                throw new StepFailure(NAME, "restore", "cannot read live " + live + ": " + e.getMessage(), e);
            }
        }
        List<String> out = new ArrayList<>();
        for (KeyValueLines.Line line : KeyValueLines.parse(text, properties)) {
            if (line.isAssignment() && line.rawValue().contains(REDACTED)) {
                String value = liveValues.get(line.key().strip());
                if (value == null) {
                    unresolved.add(live + ": " + line.key().strip());
                    out.add(line.text());
                } else {
                    out.add(line.withRawValue(value));
                }
            } else {
                out.add(line.text());
            }
        }
        return String.join("\n", out);
    }

    private static String fillTree(Path live, String text, String format, List<String> unresolved) throws IOException {
        JsonNode restored = "json".equals(format) ? JSON.readTree(text) : YAML.readTree(text);
        JsonNode current = Files.isRegularFile(live) ? parseTree(live, Files.readString(live), format) : null;
        fill(restored, current, live + ": ", unresolved);
        return serialise(restored, format, live);
    }

    /** Replaces each placeholder leaf with the live tree's value at the same place. */
    private static void fill(JsonNode node, JsonNode live, String path, List<String> unresolved) {
        if (node instanceof ObjectNode object) {
            object.fields().forEachRemaining(field -> {
                JsonNode liveChild = live == null ? null : live.get(field.getKey());
                if (field.getValue().isTextual() && field.getValue().asText().contains(REDACTED)) {
                    if (liveChild != null && !liveChild.isContainerNode()) {
                        field.setValue(liveChild);
                    } else {
                        unresolved.add(path + field.getKey());
                    }
                } else {
                    fill(field.getValue(), liveChild, path + field.getKey() + ".", unresolved);
                }
            });
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                JsonNode liveChild = live == null ? null : live.get(i);
                if (array.get(i).isTextual() && array.get(i).asText().contains(REDACTED)) {
                    if (liveChild != null && !liveChild.isContainerNode()) {
                        array.set(i, liveChild);
                    } else {
                        unresolved.add(path + "[" + i + "]");
                    }
                } else {
                    fill(array.get(i), liveChild, path + "[" + i + "].", unresolved);
                }
            }
        }
    }

    private ObjectNode exportFile(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new StepFailure(NAME, "read", "file not found: " + file);
        } catch (IOException e) {
            throw new StepFailure(NAME, "read", "cannot read " + file + ": " + e.getMessage(), e);
        }
        String format = formatOf(file);
        ObjectNode entry = JSON.createObjectNode();
        entry.put("path", file.toString());
        entry.put("name", file.getFileName().toString());
        entry.put("format", format);
        entry.put("mode", mode(file));
        ObjectNode entries = entry.putObject("entries");
        ArrayNode redactedKeys = entry.putArray("redacted_keys");
        switch (format) {
            case "json", "yaml" -> {
                JsonNode tree = parseTree(file, text, format);
                flatten("", tree, entries, redactedKeys, false);
                entry.put("content_redacted", serialise(redactTree(tree), format, file));
            }
            default -> entry.put("content_redacted", redactLines(text, "properties".equals(format), entries, redactedKeys));
        }
        return entry;
    }

    static String formatOf(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".json")) {
            return "json";
        }
        if (name.endsWith(".yaml") || name.endsWith(".yml")) {
            return "yaml";
        }
        return name.endsWith(".properties") ? "properties" : "env";
    }

    /**
     * Key-value lines with the secret values replaced, comments and layout kept. A secret value
     * continued over several lines becomes the placeholder on one line; URL credentials are
     * removed from comments too.
     */
    private String redactLines(String text, boolean properties, ObjectNode entries, ArrayNode redactedKeys) {
        List<String> out = new ArrayList<>();
        for (KeyValueLines.Line line : KeyValueLines.parse(text, properties)) {
            if (!line.isAssignment()) {
                out.add(redaction.redactUrls(line.text()));
                continue;
            }
            String key = line.key().strip();
            String withoutUrlSecrets = redaction.redactUrls(line.value());
            if (redaction.isSecretKey(key)) {
                entries.put(key, REDACTED);
                redactedKeys.add(key);
                out.add(line.withRawValue(REDACTED));
            } else if (!withoutUrlSecrets.equals(line.value())) {
                entries.put(key, withoutUrlSecrets);
                redactedKeys.add(key);
                String raw = redaction.redactUrls(line.rawValue());
                // a URL split over continuation lines is only redacted whole: it is written on one line
                out.add(line.withRawValue(raw.contains(REDACTED) ? raw : withoutUrlSecrets));
            } else {
                entries.put(key, line.value());
                out.add(line.text());
            }
        }
        return String.join("\n", out);
    }

    private static JsonNode parseTree(Path file, String text, String format) {
        try {
            JsonNode tree = "json".equals(format) ? JSON.readTree(text) : YAML.readTree(text);
            return tree == null ? JSON.createObjectNode() : tree;
        } catch (IOException e) {
            throw new StepFailure(NAME, "parse", file + " is not valid " + format + ": "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    /** Flattens to dotted keys; every leaf under a secret-named key is redacted, whatever its shape. */
    private void flatten(String prefix, JsonNode node, ObjectNode entries, ArrayNode redactedKeys,
                                boolean secret) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                String key = prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey();
                flatten(key, field.getValue(), entries, redactedKeys, secret || redaction.isSecretKey(field.getKey()));
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                flatten(prefix + "[" + i + "]", node.get(i), entries, redactedKeys, secret);
            }
        } else if (secret || node.isTextual() && !redaction.redactUrls(node.asText()).equals(node.asText())) {
            entries.put(prefix, secret ? REDACTED : redaction.redactUrls(node.asText()));
            redactedKeys.add(prefix);
        } else {
            entries.put(prefix, node.isNull() ? null : node.asText());
        }
    }

    /** The same tree with every leaf under a secret-named key, and every URL secret, replaced. */
    private JsonNode redactTree(JsonNode node) {
        return redacted(node, false);
    }

    private JsonNode redacted(JsonNode node, boolean secret) {
        if (node.isObject()) {
            ObjectNode copy = JSON.createObjectNode();
            node.fields().forEachRemaining(field -> copy.set(field.getKey(),
                    redacted(field.getValue(), secret || redaction.isSecretKey(field.getKey()))));
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = JSON.createArrayNode();
            node.forEach(element -> copy.add(redacted(element, secret)));
            return copy;
        }
        if (secret) {
            return JSON.getNodeFactory().textNode(REDACTED);
        }
        if (node.isTextual()) {
            return JSON.getNodeFactory().textNode(redaction.redactUrls(node.asText()));
        }
        return node;
    }

    private static String serialise(JsonNode tree, String format, Path file) {
        try {
            return "json".equals(format) ? JSON.writeValueAsString(tree) : YAML.writeValueAsString(tree);
        } catch (IOException e) {
            throw new StepFailure(NAME, "export", "cannot serialise " + file + ": " + e.getMessage(), e);
        }
    }

    private static String mode(Path file) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    private static void validate(JsonNode export) {
        try (InputStream schemaText = ConfigComponent.class.getResourceAsStream(SCHEMA)) {
            JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(schemaText);
            Set<ValidationMessage> problems = schema.validate(export);
            if (!problems.isEmpty()) {
                throw new StepFailure(NAME, "validate", "export does not match " + SCHEMA + ": "
                        + problems.iterator().next().getMessage());
            }
        } catch (IOException e) {
            throw new StepFailure(NAME, "validate", "cannot read " + SCHEMA + ": " + e.getMessage(), e);
        }
    }
}
