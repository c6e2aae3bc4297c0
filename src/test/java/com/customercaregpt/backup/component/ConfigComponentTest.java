package com.customercaregpt.backup.component;

import com.customercaregpt.backup.backup.StepFailure;
import com.customercaregpt.backup.config.Settings;
import com.customercaregpt.backup.fixtures.TestStack;
import com.customercaregpt.backup.pipeline.ArtifactOutput;
import com.customercaregpt.backup.pipeline.ArtifactReader;
import com.customercaregpt.backup.pipeline.Compression;
import com.customercaregpt.backup.repository.BackupId;
import com.customercaregpt.backup.repository.BuildRecord;
import com.customercaregpt.backup.repository.LocalRepository;
import com.customercaregpt.backup.repository.Manifest.Artifact;
import com.customercaregpt.backup.repository.Manifest.ComponentRecord;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Redaction of every shape of secret a config file can hold. */
class ConfigComponentTest {

    @TempDir
    Path folder;
    private LocalRepository repository;
    private BackupId id;
    private Artifact exported;

    private JsonNode export(Path... files) throws Exception {
        return export(Map.of(), files);
    }

    private JsonNode export(Map<String, String> overrides, Path... files) throws Exception {
        Map<String, String> values = new HashMap<>(overrides);
        values.put("backup.config.files", String.join(",", List.of(files).stream().map(Path::toString).toList()));
        Settings settings = Settings.of(TestStack.projectHome(), values);
        repository = new LocalRepository(folder.resolve("repo"));
        id = repository.allocate(Instant.now());
        new ConfigComponent(settings).backup(new ComponentContext() {
            @Override
            public ArtifactOutput newArtifact(String fileName, String format) throws java.io.IOException {
                return new ArtifactOutput("config/" + fileName, format, Compression.NONE, 0,
                        repository.createArtifact(id, "config/" + fileName), a -> exported = a);
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
        Path json = write("settings.json", """
                {"credentials": {"user": "svc", "pass": "hunter2-json"},
                 "api_keys": ["key-one-secret", "key-two-secret"],
                 "database_url": "postgres://app:url-secret-1@db:5432/app",
                 "name": "kept"}""");
        Path yaml = write("settings.yaml", "llm:\n  tokens:\n    - yaml-token-secret\n  model: gpt\n");
        Path env = write("platform.env", "# comment kept\nexport REDIS_URL=redis://:env-url-secret@cache:6379/0\nAPP_NAME=ccgpt\n"
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

    @Test
    void aPropertiesValueContinuedOverSeveralLinesIsRedactedWhole() throws Exception {
        Path properties = write("app.properties", """
                db.password=first-half-secret\\
                    second-half-secret\\
                    third-part-secret
                banner=Welcome to \\
                    the platform
                next.entry=kept
                """);

        JsonNode file = export(properties).get("files").get(0);

        assertNoLeak(file, "first-half-secret", "second-half-secret", "third-part-secret");
        assertEquals("db.password=***REDACTED***\nbanner=Welcome to \\\n    the platform\nnext.entry=kept\n",
                file.get("content_redacted").asText());
        assertEquals("Welcome to the platform", file.get("entries").get("banner").asText());
        assertEquals("kept", file.get("entries").get("next.entry").asText());
        assertEquals(List.of("db.password"), texts(file.get("redacted_keys")));
    }

    @Test
    void passwordKeysByEveryUsualNameAreRedactedInEveryFormat() throws Exception {
        Path properties = write("mail.properties", "passwd=p-passwd-1\nmail.pwd=p-pwd-1\nPASS=p-pass-1\nsmtp.pass=p-pass-2\n"
                + "auth=p-auth-1\nsmtp.passwd p-space-separated-1\nsmtp.host=mail.example.com\n");
        Path env = write("mail.env", "DB_PASSWD=e-passwd-1\nADMIN_PASS=e-pass-1\nAUTH=e-auth-1\n"
                + "PRIVATE_KEY=\"-----BEGIN KEY-----\ne-multiline-key-1\n-----END KEY-----\"\nHOST=db\n");
        Path yaml = write("mail.yaml", "mail:\n  pwd: y-pwd-1\n  pass: y-pass-1\n  auth: y-auth-1\n  host: smtp\n");
        Path json = write("mail.json", "{\"passwd\": \"j-passwd-1\", \"auth\": {\"user\": \"j-user-1\", \"PASS\": \"j-pass-1\"},"
                + " \"host\": \"smtp\"}");

        JsonNode files = export(properties, env, yaml, json).get("files");

        assertNoLeak(files, "p-passwd-1", "p-pwd-1", "p-pass-1", "p-pass-2", "p-auth-1", "p-space-separated-1",
                "e-passwd-1", "e-pass-1", "e-auth-1", "e-multiline-key-1", "y-pwd-1", "y-pass-1", "y-auth-1",
                "j-passwd-1", "j-user-1", "j-pass-1");
        assertEquals(List.of("passwd", "mail.pwd", "PASS", "smtp.pass", "auth", "smtp.passwd"),
                texts(files.get(0).get("redacted_keys")));
        assertEquals("mail.example.com", files.get(0).get("entries").get("smtp.host").asText());
        assertEquals("db", files.get(1).get("entries").get("HOST").asText());
        assertTrue(files.get(1).get("content_redacted").asText().endsWith("PRIVATE_KEY=***REDACTED***\nHOST=db\n"),
                files.get(1).get("content_redacted").asText());
        assertEquals("smtp", files.get(2).get("entries").get("mail.host").asText());
        assertEquals("smtp", files.get(3).get("entries").get("host").asText());
    }

    @Test
    void urlPasswordsAndSecretQueryParametersAreRedactedInEveryFormat() throws Exception {
        Path properties = write("hooks.properties", "notify.url=https://user:u-secret-1@hooks.example.com/notify\n"
                + "backup.alerts.webhook-url=https://hooks.slack.com/services/T0/B0/u-hook-1\n"
                + "callback: https://api.example.com/cb?token=u-token-1&lang=en\n"
                + "mirror https://deploy:u-secret-2@git.example.com/repo.git\n"
                + "# old endpoint: https://admin:u-secret-3@old.example.com\n");
        Path env = write("hooks.env", "SLACK_HOOK=https://hooks.example.com/x?access_token=u-token-2\n"
                + "UPSTREAM=\"https://svc:p@ss-u-secret-4@upstream:8443/api\"\n");
        Path yaml = write("hooks.yaml", "hooks:\n  - https://bot:u-secret-5@chat.example.com/hook\n"
                + "  - https://chat.example.com/hook?lang=en&api_key=u-key-1\n");
        Path json = write("hooks.json", "{\"callback\": \"https://api.example.com/cb?sig=u-sig-1&id=7\","
                + " \"proxy\": \"http://u:u-secret-6@proxy:3128\"}");

        JsonNode files = export(properties, env, yaml, json).get("files");

        assertNoLeak(files, "u-secret-1", "u-token-1", "u-secret-2", "u-secret-3", "u-token-2", "u-secret-4", "ss-u-secret-4",
                "u-secret-5", "u-key-1", "u-sig-1", "u-secret-6", "u-hook-1");
        JsonNode entries = files.get(0).get("entries");
        assertEquals("https://user:***REDACTED***@hooks.example.com/notify", entries.get("notify.url").asText());
        // A webhook URL is a secret as a whole: its token is in the path.
        assertEquals("***REDACTED***", entries.get("backup.alerts.webhook-url").asText());
        assertEquals("https://api.example.com/cb?token=***REDACTED***&lang=en", entries.get("callback").asText());
        assertEquals("https://deploy:***REDACTED***@git.example.com/repo.git", entries.get("mirror").asText());
        assertEquals("https://svc:***REDACTED***@upstream:8443/api", files.get(1).get("entries").get("UPSTREAM").asText());
        assertEquals("https://chat.example.com/hook?lang=en&api_key=***REDACTED***",
                files.get(2).get("entries").get("hooks[1]").asText());
        assertEquals("https://api.example.com/cb?sig=***REDACTED***&id=7", files.get(3).get("entries").get("callback").asText());
    }

    @Test
    void theRedactedKeyPatternsAreConfigurable() throws Exception {
        Path properties = write("atm.properties", "atm.pin=4711\nPinCode=8080\napi.token=visible-by-choice\n");

        JsonNode file = export(Map.of("backup.config.redact-keys", "*pin, pincode"), properties).get("files").get(0);

        assertEquals(List.of("atm.pin", "PinCode"), texts(file.get("redacted_keys")));
        assertEquals("visible-by-choice", file.get("entries").get("api.token").asText());
        assertNoLeak(file, "4711", "8080");
    }

    @Test
    void aRestoreFillsAContinuedSecretBackFromTheLiveFileLineForLine() throws Exception {
        Path properties = folder.resolve("app.properties");
        String live = "db.password=first-half-secret\\\n    second-half-secret\nnext.entry=kept\n";
        Files.writeString(properties, live);
        export(properties);

        PreparedRestore restore = new ConfigComponent(Settings.of(TestStack.projectHome(), Map.of()))
                .prepareRestore(restoreContext());
        restore.commit();

        assertEquals(live, Files.readString(Path.of(properties + ".restored-20261206_000000")));
    }

    @Test
    void aSwapThatFailsHalfWayPutsEveryLiveFileBack() throws Exception {
        Path first = write("first.properties", "greeting=hello\n");
        Path second = write("second.env", "MODE=fast\n");
        export(first, second);
        Files.writeString(first, "greeting=changed since\n");
        Files.writeString(second, "MODE=changed since\n");
        PreparedRestore swap = new ConfigComponent(Settings.of(TestStack.projectHome(), Map.of()))
                .prepareRestore(restoreContext(), ConfigComponent.SWAP);
        // the second file's kept name taken meanwhile: its swap fails after the first one's
        Files.createDirectory(Path.of(second + ".pre-restore-20261206_000000"));

        StepFailure failure = assertThrows(StepFailure.class, swap::commit);

        assertTrue(failure.getMessage().contains("cannot swap " + second) && failure.getMessage()
                .contains("every live file put back"), failure.getMessage());
        assertEquals("greeting=changed since\n", Files.readString(first));
        assertEquals("MODE=changed since\n", Files.readString(second));
        assertFalse(Files.exists(Path.of(first + ".pre-restore-20261206_000000")), "the first file's kept copy went back");
        swap.discard();
        assertFalse(Files.exists(Path.of(first + ".restored-20261206_000000")), "the prepared copies are dropped");
    }

    @Test
    void aSwapCreatesAFileThatIsNotThereLiveWithItsBackedUpMode() throws Exception {
        Path file = write("extra.properties", "feature.flag=on\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        export(file);
        Files.delete(file);
        PreparedRestore swap = new ConfigComponent(Settings.of(TestStack.projectHome(), Map.of()))
                .prepareRestore(restoreContext(), ConfigComponent.SWAP);

        assertEquals(List.of("create " + file + " (not there live)"), swap.outcome());
        assertEquals(List.of(), swap.commit(), "nothing replaced, nothing kept");
        swap.checkLive();
        assertEquals("feature.flag=on\n", Files.readString(file));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }

    private RestoreContext restoreContext() {
        return new RestoreContext() {
            @Override
            public String backupId() {
                return id.value();
            }

            @Override
            public ComponentRecord record() {
                return new ComponentRecord(ConfigComponent.NAME, "completed", null, null, null, List.of(exported), Map.of());
            }

            @Override
            public ArtifactReader reader() {
                return new ArtifactReader(repository, id, ConfigComponent.NAME);
            }

            @Override
            public String label() {
                return "20261206_000000";
            }

            @Override
            public Optional<String> targetDatabase() {
                return Optional.empty();
            }

            @Override
            public Optional<Path> targetDir() {
                return Optional.empty();
            }

            @Override
            public Path scratch() {
                return folder;
            }

            @Override
            public Path preRestoreArea() {
                return folder;
            }

            @Override
            public void willBuild(BuildRecord.Item item) {
                // the build record is the restore's (RestoreJobs), not under test here
            }
        };
    }

    private Path write(String name, String content) throws java.io.IOException {
        return Files.writeString(folder.resolve(name), content);
    }

    private static void assertNoLeak(JsonNode export, String... secrets) {
        String text = export.toString();
        for (String secret : secrets) {
            assertFalse(text.contains(secret), secret + " leaked: " + text);
        }
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new java.util.ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }
}
