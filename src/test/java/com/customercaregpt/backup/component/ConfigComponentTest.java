package com.customercaregpt.backup.component;

import com.customercaregpt.backup.config.Settings;
import com.customercaregpt.backup.fixtures.TestStack;
import com.customercaregpt.backup.pipeline.ArtifactOutput;
import com.customercaregpt.backup.pipeline.Compression;
import com.customercaregpt.backup.repository.BackupId;
import com.customercaregpt.backup.repository.LocalRepository;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Redaction of every shape of secret a config file can hold. */
class ConfigComponentTest {

    @TempDir
    Path folder;

    private JsonNode export(Path... files) throws Exception {
        Settings settings = Settings.of(TestStack.projectHome(), Map.of("backup.config.files",
                String.join(",", List.of(files).stream().map(Path::toString).toList())));
        LocalRepository repository = new LocalRepository(folder.resolve("repo"));
        BackupId id = repository.allocate(Instant.now());
        new ConfigComponent(settings).backup(new ComponentContext() {
            @Override
            public ArtifactOutput newArtifact(String fileName, String format) throws java.io.IOException {
                return new ArtifactOutput("config/" + fileName, format, Compression.NONE, 0,
                        repository.createArtifact(id, "config/" + fileName), a -> { });
            }

            @Override
            public Path scratch() {
                return folder;
            }
        });
        return new ObjectMapper().readTree(repository.artifactFile(id, "config/config.json").toFile());
    }

    @Test
    void secretNamedObjectsArraysAndUrlPasswordsAreAllRedacted() throws Exception {
        Path json = folder.resolve("settings.json");
        Files.writeString(json, """
                {"credentials": {"user": "svc", "pass": "hunter2-json"},
                 "api_keys": ["key-one-secret", "key-two-secret"],
                 "database_url": "postgres://app:url-secret-1@db:5432/app",
                 "name": "kept"}""");
        Path yaml = folder.resolve("settings.yaml");
        Files.writeString(yaml, "llm:\n  tokens:\n    - yaml-token-secret\n  model: gpt\n");
        Path env = folder.resolve("platform.env");
        Files.writeString(env, "# comment kept\nexport REDIS_URL=redis://:env-url-secret@cache:6379/0\nAPP_NAME=ccgpt\n"
                + "SMTP_PASSWORD='quoted secret'\n");

        JsonNode export = export(json, yaml, env);
        String text = export.toString();
        for (String secret : List.of("hunter2-json", "key-one-secret", "key-two-secret", "url-secret-1",
                "yaml-token-secret", "env-url-secret", "quoted secret", "svc")) {
            assertFalse(text.contains(secret), secret + " leaked: " + text);
        }
        JsonNode jsonFile = export.get("files").get(0);
        assertEquals("kept", jsonFile.get("entries").get("name").asText());
        assertEquals("postgres://app:***REDACTED***@db:5432/app", jsonFile.get("entries").get("database_url").asText());
        assertEquals("gpt", export.get("files").get(1).get("entries").get("llm.model").asText());
        JsonNode envFile = export.get("files").get(2);
        assertEquals("ccgpt", envFile.get("entries").get("APP_NAME").asText());
        assertTrue(envFile.get("content_redacted").asText().startsWith("# comment kept\n"));
        assertTrue(envFile.get("content_redacted").asText().contains("SMTP_PASSWORD=***REDACTED***"));
    }
}
