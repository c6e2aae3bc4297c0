package com.customercaregpt.backup.component;

import com.customercaregpt.backup.fixtures.Cli;
import com.customercaregpt.backup.fixtures.TestStack;
import com.customercaregpt.backup.repository.Manifest;
import com.customercaregpt.backup.repository.ManifestCodec;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A component registered by a configuration class of the test tree, and named in
 * backup.components, is backed up, listed, verified, checked by health and restored like the
 * platform's own, with no change to the tool.
 */
class AddedComponentTest {

    private Path work;
    private Path notes;
    private Path config;

    @BeforeEach
    void setUp() throws Exception {
        work = Files.createTempDirectory("added-component-test-");
        notes = Files.createDirectories(work.resolve("notes"));
        Files.writeString(notes.resolve("a.txt"), "first note\n");
        Files.writeString(notes.resolve("b.txt"), "second note\n");
        Properties properties = new Properties();
        properties.putAll(TestStack.shared().settings(work.resolve("repo")));
        properties.setProperty("backup.components", "database,redis,chromadb,uploads,config,notes");
        properties.setProperty("camel.main.configuration-classes",
                PlatformComponents.class.getName() + "," + NotesComponents.class.getName());
        properties.setProperty("backup.notes.path", notes.toString());
        config = TestStack.store(properties, work.resolve("notes.properties"));
    }

    @AfterEach
    void tearDown() {
        TestStack.deleteTree(work);
    }

    @Test
    void aComponentOfTheTestTreeIsBackedUpListedVerifiedAndRestored() throws Exception {
        Cli.Result create = Cli.run("--config", config.toString(), "create", "--components", "notes", "--output", "json");
        assertEquals(0, create.exitCode(), create.toString());
        Manifest manifest = ManifestCodec.JSON.readValue(create.stdout(), Manifest.class);
        assertEquals(List.of("notes"), manifest.components().stream().map(Manifest.ComponentRecord::name).toList());
        assertEquals(2, manifest.components().get(0).artifacts().size());

        Cli.Result list = Cli.run("--config", config.toString(), "list", "--output", "json");
        assertEquals(0, list.exitCode(), list.toString());
        JsonNode listed = ManifestCodec.JSON.readTree(list.stdout()).get(0);
        assertEquals(manifest.backupId(), listed.get("backup_id").asText());
        assertTrue(listed.get("components").toString().contains("\"notes\""), listed.toString());

        Cli.Result verify = Cli.run("--config", config.toString(), "verify", manifest.backupId());
        assertEquals(0, verify.exitCode(), verify.toString());

        Cli.Result health = Cli.run("--config", config.toString(), "health", "--output", "json");
        JsonNode notesCheck = null;
        for (JsonNode check : ManifestCodec.JSON.readTree(health.stdout()).get("checks")) {
            if (check.get("name").asText().equals("notes folder")) {
                notesCheck = check;
            }
        }
        assertTrue(notesCheck != null && notesCheck.get("status").asText().equals("ok")
                && notesCheck.get("detail").asText().startsWith("2 notes"), health.toString());

        Files.writeString(notes.resolve("a.txt"), "changed after the backup\n");
        Files.delete(notes.resolve("b.txt"));
        Cli.Result restore = Cli.run("--config", config.toString(), "restore", manifest.backupId(), "--components",
                "notes", "--yes");
        assertEquals(0, restore.exitCode(), restore.toString());
        assertEquals("first note\n", Files.readString(notes.resolve("a.txt")));
        assertEquals("second note\n", Files.readString(notes.resolve("b.txt")));
        try (var kept = Files.list(work)) {
            Path old = kept.filter(p -> p.getFileName().toString().startsWith("notes.pre-restore-")).findFirst().orElseThrow();
            assertEquals("changed after the backup\n", Files.readString(old.resolve("a.txt")));
        }

        Path target = work.resolve("isolated");
        Cli.Result isolated = Cli.run("--config", config.toString(), "restore", manifest.backupId(), "--components",
                "notes", "--target-dir", target.toString());
        assertEquals(0, isolated.exitCode(), isolated.toString());
        assertEquals("second note\n", Files.readString(target.resolve("notes/b.txt")));
    }
}
