package com.customercaregpt.backup.backup;

import com.customercaregpt.backup.demo.DemoStack;
import com.customercaregpt.backup.demo.SampleData;
import com.customercaregpt.backup.fixtures.Cli;
import com.customercaregpt.backup.fixtures.TestStack;
import com.customercaregpt.backup.pipeline.crypto.KeyFile;
import com.customercaregpt.backup.repository.Manifest;
import com.customercaregpt.backup.repository.ManifestCodec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With a key file, nothing of the platform's data is stored in the clear, and only that key reads it back. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EncryptedBackupTest {

    private Path work;
    private DemoStack stack;
    private Path keyFile;
    private Path config;
    private Manifest manifest;
    private Path folder;

    @BeforeAll
    void backUpWithAKey() throws Exception {
        stack = TestStack.shared();
        work = Files.createTempDirectory("encrypted-test-");
        keyFile = work.resolve("backup.key");
        Cli.Result generate = Cli.run("key", "generate", keyFile.toString());
        assertEquals(0, generate.exitCode(), generate.toString());
        config = properties("enc.properties", Map.of("backup.encryption.key-file", keyFile.toString()));
        Cli.Result create = Cli.run("--config", config.toString(), "create", "--output", "json");
        assertEquals(0, create.exitCode(), create.toString());
        manifest = ManifestCodec.JSON.readValue(create.stdout(), Manifest.class);
        folder = work.resolve("repo/backups").resolve(manifest.backupId());
    }

    @AfterAll
    void removeWork() {
        TestStack.deleteTree(work);
    }

    private Path properties(String name, Map<String, String> overrides) throws Exception {
        Properties properties = new Properties();
        properties.putAll(stack.settings(work.resolve("repo")));
        properties.putAll(overrides);
        Path file = TestStack.store(properties, work.resolve(name));
        return file;
    }

    @Test
    void keyGenerateWritesAPrivateKeyAndNeverOverwrites() throws Exception {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)));
        Cli.Result again = Cli.run("key", "generate", keyFile.toString());
        assertEquals(2, again.exitCode(), again.toString());
    }

    @Test
    void everyArtifactIsEncryptedAndTheManifestHidesTheFacts() throws Exception {
        assertEquals(KeyFile.load(keyFile).keyId(), manifest.dataKey().keyId());
        for (Manifest.ComponentRecord component : manifest.components()) {
            assertEquals(Map.of(), component.facts(), component.name());
            assertNotNull(component.factsEncrypted(), component.name());
            for (Manifest.Artifact artifact : component.artifacts()) {
                assertTrue(artifact.path().endsWith(".zst.enc"), artifact.path());
                assertEquals("ccgptenc-v1", artifact.encryption());
                byte[] stored = Files.readAllBytes(folder.resolve(artifact.path()));
                assertEquals("CCGPTENC", new String(stored, 0, 8, StandardCharsets.US_ASCII));
            }
        }
        String manifestText = Files.readString(folder.resolve("manifest.json"));
        assertFalse(manifestText.contains("conversations"), "table names are sealed");
        assertFalse(manifestText.contains(SampleData.CHROMA_ARTICLES), "collection names are sealed");
        String config = new String(Files.readAllBytes(folder.resolve(
                manifest.components().get(4).artifacts().get(0).path())), StandardCharsets.ISO_8859_1);
        assertFalse(config.contains("server.port"), "no plaintext of the config export");
    }

    @Test
    void withTheKeyItVerifiesAndRestoresBesideTheLiveData() throws Exception {
        Cli.Result verify = Cli.run("--config", config.toString(), "verify", manifest.backupId());
        assertEquals(0, verify.exitCode(), verify.toString());
        Path target = work.resolve("restored");
        Cli.Result restore = Cli.run("--config", config.toString(), "restore", manifest.backupId(),
                "--target-database", "encrypted_check", "--target-dir", target.toString());
        assertEquals(0, restore.exitCode(), restore.toString());
        assertEquals(SampleData.CONVERSATION_ROWS, stack.postgres().queryLong("encrypted_check",
                "SELECT count(*) FROM conversations"));
        assertTrue(Files.exists(target.resolve("uploads").resolve(SampleData.UPLOADS_TAB_FILE)));
        stack.postgres().execute("postgres", "DROP DATABASE encrypted_check");
    }

    @Test
    void aWrongOrMissingKeyIsAClearErrorBeforeAnythingIsTouched() throws Exception {
        Path otherKey = work.resolve("other.key");
        KeyFile other = KeyFile.generate(otherKey);
        Path wrong = properties("wrong.properties", Map.of("backup.encryption.key-file", otherKey.toString()));
        Cli.Result restore = Cli.run("--config", wrong.toString(), "restore", manifest.backupId(),
                "--target-database", "never_created");
        assertEquals(1, restore.exitCode(), restore.toString());
        assertTrue(restore.stderr().contains(manifest.dataKey().keyId()) && restore.stderr().contains(other.keyId()),
                restore.stderr());
        assertEquals(0, stack.postgres().queryLong("postgres",
                "SELECT count(*) FROM pg_database WHERE datname = 'never_created'"));

        Path none = properties("nokey.properties", Map.of());
        Cli.Result verify = Cli.run("--config", none.toString(), "verify", manifest.backupId());
        assertEquals(1, verify.exitCode(), verify.toString());
        assertTrue(verify.stdout().contains("set backup.encryption.key-file"), verify.stdout());
    }

    @Test
    void aTamperedChunkIsNamed() throws Exception {
        Manifest.Artifact uploads = manifest.components().get(3).artifacts().get(0);
        Path file = folder.resolve(uploads.path());
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(100);
            int b = f.read();
            f.seek(100);
            f.write(b ^ 1);
            try {
                Cli.Result verify = Cli.run("--config", config.toString(), "verify", manifest.backupId());
                assertEquals(1, verify.exitCode(), verify.toString());
                assertTrue(verify.stdout().contains(uploads.path()), verify.stdout());
            } finally {
                f.seek(100);
                f.write(b);
            }
        }
    }
}
