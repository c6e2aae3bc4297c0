package com.customercaregpt.backup.pipeline.crypto;

import com.customercaregpt.backup.repository.ManifestCodec;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static com.customercaregpt.backup.pipeline.crypto.EnvelopeFixtures.bytes;
import static com.customercaregpt.backup.pipeline.crypto.EnvelopeFixtures.chunkOffset;
import static com.customercaregpt.backup.pipeline.crypto.EnvelopeFixtures.encrypt;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * docs/decrypt-artifact.py, the by-hand procedure of docs/encryption.md, opens what the Java code
 * writes, byte for byte, and refuses what was altered. Skipped where python3 or its
 * `cryptography` package is missing.
 */
class EnvelopePythonDecryptorTest {

    private static final Path SCRIPT = Path.of("docs", "decrypt-artifact.py");

    @TempDir
    Path dir;

    @BeforeAll
    static void needsPythonWithCryptography() throws Exception {
        assumeTrue(Files.isRegularFile(SCRIPT), "run from the project folder");
        Result probe;
        try {
            probe = run(List.of("python3", "-c", "import cryptography"));
        } catch (IOException e) {
            probe = new Result(127, e.getMessage());
        }
        assumeTrue(probe.exit == 0, "python3 with the cryptography package is not available: " + probe.output);
    }

    @Test
    void decryptsJavaArtifactsByteForByte() throws Exception {
        KeyFile master = KeyFile.generate(dir.resolve("backup.key"));
        DataKey key = DataKey.generate();
        Path manifest = manifest(key.wrap(master));

        // 1000-byte chunks for several boundaries, and one artifact in the default 1 MiB chunks.
        int[][] cases = {{0, 1000}, {1, 1000}, {1000, 1000}, {1001, 1000}, {5017, 1000},
                {3 * Envelope.DEFAULT_CHUNK_SIZE + 5, Envelope.DEFAULT_CHUNK_SIZE}};
        for (int[] c : cases) {
            byte[] plain = bytes(c[0], c[0]);
            Path artifact = dir.resolve("a" + c[0] + ".zst.enc");
            Files.write(artifact, encrypt(key, plain, c[1]));
            Path output = dir.resolve("a" + c[0] + ".zst");

            Result result = decryptByHand(master.path(), manifest, artifact, output);

            assertEquals(0, result.exit, result.output);
            assertArrayEquals(plain, Files.readAllBytes(output), c[0] + " bytes in " + c[1] + "-byte chunks");
        }
    }

    @Test
    void acceptsTheBareRecordAndABase64KeyFile() throws Exception {
        byte[] raw = bytes(32, 5);
        Path keyPath = dir.resolve("b64.key");
        Files.writeString(keyPath, java.util.Base64.getEncoder().encodeToString(raw) + "\n");
        KeyFile master = KeyFile.load(keyPath);
        DataKey key = DataKey.generate();
        Path record = dir.resolve("record.json");
        Files.write(record, ManifestCodec.JSON.writeValueAsBytes(key.wrap(master)));
        Path artifact = dir.resolve("x.enc");
        byte[] plain = bytes(4321, 1);
        Files.write(artifact, encrypt(key, plain, 512));

        Result result = decryptByHand(keyPath, record, artifact, dir.resolve("x"));

        assertEquals(0, result.exit, result.output);
        assertArrayEquals(plain, Files.readAllBytes(dir.resolve("x")));
    }

    @Test
    void acceptsAnUnpaddedBase64KeyFileAsTheToolDoes() throws Exception {
        Path keyPath = dir.resolve("unpadded.key");
        Files.writeString(keyPath, java.util.Base64.getEncoder().withoutPadding().encodeToString(bytes(32, 9)) + "\n");
        KeyFile master = KeyFile.load(keyPath);
        DataKey key = DataKey.generate();
        Path artifact = dir.resolve("u.enc");
        byte[] plain = bytes(777, 2);
        Files.write(artifact, encrypt(key, plain, 256));

        Result result = decryptByHand(keyPath, manifest(key.wrap(master)), artifact, dir.resolve("u"));

        assertEquals(0, result.exit, result.output);
        assertArrayEquals(plain, Files.readAllBytes(dir.resolve("u")));
    }

    @Test
    void badKeyFilesAndManifestsAreOneLineErrorsNotTracebacks() throws Exception {
        KeyFile master = KeyFile.generate(dir.resolve("backup.key"));
        DataKey key = DataKey.generate();
        Path manifest = manifest(key.wrap(master));
        Path artifact = dir.resolve("a.enc");
        Files.write(artifact, encrypt(key, new byte[10], 100));
        Path malformedKey = dir.resolve("malformed.key");
        Files.writeString(malformedKey, "not a key at all\n");
        Path unencrypted = dir.resolve("plain-manifest.json");
        Files.writeString(unencrypted, "{\"format_version\": 2, \"data_key\": null, \"components\": []}");
        Path notJson = dir.resolve("not-json.json");
        Files.writeString(notJson, "{ cut");

        expectOneLineError(decryptByHand(dir.resolve("missing.key"), manifest, artifact, dir.resolve("a")),
                "missing.key does not exist");
        expectOneLineError(decryptByHand(malformedKey, manifest, artifact, dir.resolve("a")),
                "does not hold a 32-byte key");
        expectOneLineError(decryptByHand(master.path(), unencrypted, artifact, dir.resolve("a")),
                "has no data_key record");
        expectOneLineError(decryptByHand(master.path(), notJson, artifact, dir.resolve("a")), "is not JSON");
        expectOneLineError(decryptByHand(master.path(), dir.resolve("missing.json"), artifact, dir.resolve("a")),
                "missing.json cannot be read");
        expectOneLineError(decryptByHand(master.path(), manifest, dir.resolve("missing.enc"), dir.resolve("a")),
                "missing.enc");
        assertFalse(Files.exists(dir.resolve("a")), "no output on failure");
    }

    private static void expectOneLineError(Result result, String message) {
        assertEquals(1, result.exit, result.output);
        assertEquals(1, result.output.strip().lines().count(), "one line: " + result.output);
        assertTrue(result.output.startsWith("decrypt-artifact: ") && result.output.contains(message), result.output);
    }

    @Test
    void refusesAlteredAndTruncatedArtifactsAndLeavesNoOutput() throws Exception {
        KeyFile master = KeyFile.generate(dir.resolve("backup.key"));
        DataKey key = DataKey.generate();
        Path manifest = manifest(key.wrap(master));
        byte[] stored = encrypt(key, bytes(5 * 100 + 17, 3), 100);

        byte[] flipped = stored.clone();
        flipped[chunkOffset(2, 100) + 30] ^= 1;
        expectFailure(master, manifest, flipped,
                "chunk 2 at byte offset " + chunkOffset(2, 100) + " failed authentication");

        byte[] truncated = java.util.Arrays.copyOf(stored, chunkOffset(3, 100));
        expectFailure(master, manifest, truncated, "chunk 2 at byte offset " + chunkOffset(2, 100) + " failed authentication");

        byte[] longer = java.util.Arrays.copyOf(stored, stored.length + 10);
        expectFailure(master, manifest, longer, "failed authentication");

        expectFailure(master, manifest, encrypt(DataKey.generate(), new byte[10], 100), "another data key");
    }

    @Test
    void wrongKeyFileIsNamedByKeyId() throws Exception {
        KeyFile master = KeyFile.generate(dir.resolve("backup.key"));
        KeyFile other = KeyFile.generate(dir.resolve("other.key"));
        DataKey key = DataKey.generate();
        Path artifact = dir.resolve("a.enc");
        Files.write(artifact, encrypt(key, new byte[10], 100));

        Result result = decryptByHand(other.path(), manifest(key.wrap(master)), artifact, dir.resolve("a"));

        assertEquals(1, result.exit);
        assertTrue(result.output.contains("wrong key: the backup was encrypted with key " + master.keyId()
                + ", the key file has " + other.keyId()), result.output);
    }

    private void expectFailure(KeyFile master, Path manifest, byte[] artifactBytes, String message) throws Exception {
        Path artifact = dir.resolve("bad.enc");
        Files.write(artifact, artifactBytes);
        Path output = dir.resolve("bad");

        Result result = decryptByHand(master.path(), manifest, artifact, output);

        assertEquals(1, result.exit, result.output);
        assertTrue(result.output.contains(message), result.output);
        assertFalse(Files.exists(output), "no output on failure");
        assertFalse(Files.exists(dir.resolve("bad.part")), "no partial output on failure");
    }

    /** A manifest.json as a backup would write it, with the wrapped key under "data_key". */
    private Path manifest(WrappedKey wrapped) throws IOException {
        ObjectNode manifest = ManifestCodec.JSON.createObjectNode();
        manifest.put("format_version", 2);
        manifest.put("backup_id", "backup_20261124_023135");
        manifest.set("data_key", ManifestCodec.JSON.valueToTree(wrapped));
        manifest.putArray("components");
        Path path = dir.resolve("manifest.json");
        Files.write(path, ManifestCodec.JSON.writeValueAsBytes(manifest));
        return path;
    }

    private static Result decryptByHand(Path keyFile, Path manifest, Path artifact, Path output) throws Exception {
        return run(List.of("python3", SCRIPT.toString(), keyFile.toString(), manifest.toString(),
                artifact.toString(), output.toString()));
    }

    private record Result(int exit, String output) {
    }

    private static Result run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "python3 did not finish");
        return new Result(process.exitValue(), output);
    }
}
