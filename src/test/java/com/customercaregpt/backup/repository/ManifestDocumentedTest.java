package com.customercaregpt.backup.repository;

import com.customercaregpt.backup.component.ChromaClient;
import com.customercaregpt.backup.demo.DemoStack;
import com.customercaregpt.backup.fixtures.Cli;
import com.customercaregpt.backup.fixtures.TestStack;
import com.customercaregpt.backup.pipeline.crypto.DataKey;
import com.customercaregpt.backup.pipeline.crypto.KeyFile;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/repository-format.md lists exactly the fields a real manifest has: a backup of every
 * component against real servers, plain and encrypted, and an incremental one on the plain one,
 * is compared field by field with the tables of the document itself, so the two cannot drift apart.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ManifestDocumentedTest {

    private static final Path DOC = Path.of("docs", "repository-format.md");
    private static final Pattern CODE = Pattern.compile("`([^`]+)`");

    private Path work;
    private DemoStack stack;
    private JsonNode plain;
    private JsonNode incremental;
    private JsonNode encrypted;
    private Manifest encryptedUnsealed;
    private Map<String, Map<String, Field>> doc;

    /**
     * One documented field: optional when its type says "absent ...", never written when its meaning
     * says it is absent from every backup this version writes, and the values its meaning names.
     */
    private record Field(String name, boolean optional, boolean neverWritten, Set<String> namedValues) {
    }

    @BeforeAll
    void backUpPlainAndEncrypted() throws Exception {
        stack = TestStack.shared();
        work = Files.createTempDirectory("manifest-doc-test-");
        Path keyFile = work.resolve("backup.key");
        KeyFile key = KeyFile.generate(keyFile);
        plain = backUp("plain", Map.of(), "full");
        incremental = backUp("plain", Map.of(), "incremental");
        encrypted = backUp("encrypted", Map.of("backup.encryption.key-file", keyFile.toString()), "full");
        Manifest sealed = ManifestCodec.JSON.treeToValue(encrypted, Manifest.class);
        encryptedUnsealed = ManifestKeys.unseal(sealed, DataKey.unwrap(sealed.dataKey(), key));
        doc = documentedFields();
    }

    @AfterAll
    void removeWork() {
        TestStack.deleteTree(work);
    }

    @Test
    void topLevelFieldsAreTheDocumentedOnes() {
        checkFields("Top-level fields", List.of(plain, incremental, encrypted), List::of);
    }

    @Test
    void componentRecordsHaveTheDocumentedFields() {
        checkFields("Component record", List.of(plain, incremental, encrypted), ManifestDocumentedTest::components);
    }

    @Test
    void artifactRecordsHaveTheDocumentedFieldsAndValues() {
        List<JsonNode> artifacts = new ArrayList<>();
        for (JsonNode manifest : List.of(plain, incremental, encrypted)) {
            components(manifest).forEach(c -> c.path("artifacts").forEach(artifacts::add));
        }
        assertFalse(artifacts.isEmpty());
        checkFields("Artifact record", artifacts, List::of);
        Map<String, Field> fields = doc.get("Artifact record");
        for (JsonNode artifact : artifacts) {
            for (String valued : List.of("format", "compression", "encryption")) {
                String value = artifact.path(valued).asText();
                assertTrue(fields.get(valued).namedValues().contains(value),
                        valued + " '" + value + "' of " + artifact.path("path").asText()
                                + " is not among the values the document names: " + fields.get(valued).namedValues());
            }
        }
    }

    @Test
    void everyComponentsFactsAreTheDocumentedOnesPlainAndSealed() throws Exception {
        Map<String, Map<String, Field>> facts = documentedFacts();
        List<Map<String, Object>> all = new ArrayList<>();
        for (JsonNode manifest : List.of(plain, incremental)) {
            for (JsonNode component : components(manifest)) {
                all.add(ManifestCodec.JSON.convertValue(component.path("facts"), Map.class));
            }
        }
        for (JsonNode component : components(encrypted)) {
            assertEquals(0, component.path("facts").size(), "sealed: " + component.path("name").asText());
        }
        for (Manifest.ComponentRecord component : encryptedUnsealed.components()) {
            all.add(component.facts());
        }
        List<String> names = new ArrayList<>();
        components(plain).forEach(c -> names.add(c.path("name").asText()));
        components(incremental).forEach(c -> names.add(c.path("name").asText()));
        names.addAll(encryptedUnsealed.componentNames());
        assertEquals(List.of("database", "redis", "chromadb", "uploads", "config"), names.subList(0, 5));
        for (int i = 0; i < all.size(); i++) {
            String component = names.get(i);
            Map<String, Field> documented = facts.get(component);
            Set<String> undocumented = new TreeSet<>(all.get(i).keySet());
            undocumented.removeAll(documented.keySet());
            assertEquals(Set.of(), undocumented, component + " facts missing from the document");
            for (Field field : documented.values()) {
                assertTrue(field.optional() || all.get(i).containsKey(field.name()),
                        component + " fact " + field.name() + " is documented but not written");
            }
        }
        String serverVersion = new ChromaClient(stack.chroma().url()).version();
        assertEquals(serverVersion, all.get(2).get("chroma_version"), "chromadb records its server's version");
    }

    private void checkFields(String table, List<JsonNode> records, Function<JsonNode, List<JsonNode>> select) {
        Map<String, Field> documented = doc.get(table);
        Set<String> seen = new TreeSet<>();
        for (JsonNode manifest : records) {
            for (JsonNode record : select.apply(manifest)) {
                Set<String> names = new TreeSet<>();
                record.fieldNames().forEachRemaining(names::add);
                seen.addAll(names);
                Set<String> undocumented = new TreeSet<>(names);
                undocumented.removeAll(documented.keySet());
                assertEquals(Set.of(), undocumented, "fields missing from the document's table '" + table + "'");
                for (Field field : documented.values()) {
                    assertTrue(field.optional() || names.contains(field.name()),
                            table + ": " + field.name() + " is documented but not written");
                }
            }
        }
        assertTrue(seen.containsAll(documented.values().stream().filter(f -> !f.neverWritten()).map(Field::name).toList()),
                table + ": every documented field appears in a plain or an encrypted manifest: " + seen);
    }

    private static List<JsonNode> components(JsonNode manifest) {
        List<JsonNode> list = new ArrayList<>();
        manifest.path("components").forEach(list::add);
        return list;
    }

    private JsonNode backUp(String name, Map<String, String> overrides, String type) throws Exception {
        Properties properties = new Properties();
        properties.putAll(stack.settings(work.resolve(name)));
        properties.putAll(overrides);
        Path config = TestStack.store(properties, work.resolve(name + ".properties"));
        Cli.Result create = Cli.run("--config", config.toString(), "create", "--type", type, "--output", "json");
        assertEquals(0, create.exitCode(), create.toString());
        String id = ManifestCodec.JSON.readTree(create.stdout()).path("backup_id").asText();
        return ManifestCodec.JSON.readTree(Files.readAllBytes(
                work.resolve(name).resolve("backups").resolve(id).resolve("manifest.json")));
    }

    /** The tables under the document's "### Top-level fields", "### Component record" and "### Artifact record". */
    private static Map<String, Map<String, Field>> documentedFields() throws IOException {
        Map<String, Map<String, Field>> tables = new LinkedHashMap<>();
        for (String heading : List.of("Top-level fields", "Component record", "Artifact record")) {
            Map<String, Field> fields = new LinkedHashMap<>();
            for (List<String> row : tableRows("### " + heading)) {
                for (String name : codes(row.get(0))) {
                    fields.put(name, new Field(name, row.get(1).contains("absent"),
                            row.get(2).contains("Absent from every backup this version writes"), Set.copyOf(codes(row.get(2)))));
                }
            }
            assertTrue(fields.size() >= 5, heading + " table parsed: " + fields.keySet());
            tables.put(heading, fields);
        }
        return tables;
    }

    /** The table under "## Facts per component": component (blank = as above), fact names, type, meaning. */
    private static Map<String, Map<String, Field>> documentedFacts() throws IOException {
        Map<String, Map<String, Field>> facts = new LinkedHashMap<>();
        String component = null;
        boolean variant = false;
        for (List<String> row : tableRows("## Facts per component")) {
            if (!row.get(0).isBlank()) {
                // "database (base backup)": facts only that kind of record has, so optional for the component
                component = row.get(0).trim().replaceFirst(" \\(.*\\)$", "");
                variant = row.get(0).contains("(");
            }
            for (String name : codes(row.get(1))) {
                boolean optional = variant || row.get(2).contains("absent");
                facts.computeIfAbsent(component, c -> new LinkedHashMap<>())
                        .merge(name, new Field(name, optional, false, Set.of()),
                                (a, b) -> a.optional() ? b : a);
            }
        }
        assertEquals(Set.of("database", "redis", "chromadb", "uploads", "config"), facts.keySet());
        return facts;
    }

    /** Body rows of the first table after {@code heading}, as cells. */
    private static List<List<String>> tableRows(String heading) throws IOException {
        List<String> lines = Files.readAllLines(DOC);
        int at = lines.indexOf(heading);
        assertTrue(at >= 0, "the document has a section " + heading);
        List<List<String>> rows = new ArrayList<>();
        int i = at + 1;
        while (i < lines.size() && !lines.get(i).startsWith("|")) {
            i++;
        }
        for (i += 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            String line = lines.get(i);
            List<String> cells = new ArrayList<>(List.of(line.substring(1, line.length() - 1).split("(?<!\\\\)\\|", -1)));
            rows.add(cells);
        }
        return rows;
    }

    private static List<String> codes(String cell) {
        List<String> names = new ArrayList<>();
        Matcher matcher = CODE.matcher(cell);
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return names;
    }
}
