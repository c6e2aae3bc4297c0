package com.customercaregpt.backup.pipeline.crypto;

import com.customercaregpt.backup.repository.ManifestCodec;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import static com.customercaregpt.backup.pipeline.crypto.EnvelopeFixtures.bytes;
import static com.customercaregpt.backup.pipeline.crypto.EnvelopeFixtures.decrypt;
import static com.customercaregpt.backup.pipeline.crypto.EnvelopeFixtures.encrypt;
import static com.customercaregpt.backup.pipeline.crypto.EnvelopeFixtures.keyFile;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-backup data key and its wrapping by the master key. */
class EnvelopeDataKeyTest {

    @TempDir
    Path dir;

    @Test
    void unwrappedKeyDecryptsWhatTheOriginalEncrypted() throws IOException {
        KeyFile master = keyFile(dir, "master.key", bytes(32, 1));
        DataKey key = DataKey.generate();
        byte[] plain = bytes(1000, 2);
        byte[] stored = encrypt(key, plain, 100);

        WrappedKey record = key.wrap(master);

        assertEquals("AES-256-GCM", record.algorithm());
        assertEquals(master.keyId(), record.keyId());
        assertEquals(12, Base64.getDecoder().decode(record.nonce()).length);
        assertEquals(48, Base64.getDecoder().decode(record.wrappedKey()).length, "32-byte key + 16-byte tag");
        assertArrayEquals(plain, decrypt(DataKey.unwrap(record, master), stored));
    }

    @Test
    void eachWrapUsesAFreshNonce() throws IOException {
        KeyFile master = keyFile(dir, "master.key", bytes(32, 1));
        DataKey key = DataKey.generate();
        assertNotEquals(key.wrap(master).nonce(), key.wrap(master).nonce());
    }

    @Test
    void anotherKeyFileIsAClearWrongKeyError() throws IOException {
        KeyFile master = keyFile(dir, "master.key", bytes(32, 1));
        KeyFile other = keyFile(dir, "other.key", bytes(32, 2));
        WrappedKey record = DataKey.generate().wrap(master);

        WrongKeyException e = assertThrows(WrongKeyException.class, () -> DataKey.unwrap(record, other));
        assertEquals("wrong key: the backup was encrypted with key " + master.keyId() + ", the key file "
                + other.path() + " has " + other.keyId(), e.getMessage());
    }

    @Test
    void missingKeyFileIsAClearError() throws IOException {
        KeyFile master = keyFile(dir, "master.key", bytes(32, 1));
        WrappedKey record = DataKey.generate().wrap(master);
        WrongKeyException e = assertThrows(WrongKeyException.class, () -> DataKey.unwrap(record, null));
        assertEquals("the backup is encrypted with key " + master.keyId() + " but no key file was given", e.getMessage());
    }

    @Test
    void alteredRecordFailsToUnwrap() throws IOException {
        KeyFile master = keyFile(dir, "master.key", bytes(32, 1));
        WrappedKey record = DataKey.generate().wrap(master);
        byte[] wrapped = Base64.getDecoder().decode(record.wrappedKey());
        wrapped[5] ^= 1;
        WrappedKey altered = new WrappedKey(record.algorithm(), record.keyId(), record.nonce(),
                Base64.getEncoder().encodeToString(wrapped));
        byte[] nonce = Base64.getDecoder().decode(record.nonce());
        nonce[0] ^= 1;
        WrappedKey otherNonce = new WrappedKey(record.algorithm(), record.keyId(),
                Base64.getEncoder().encodeToString(nonce), record.wrappedKey());

        for (WrappedKey bad : List.of(altered, otherNonce)) {
            WrongKeyException e = assertThrows(WrongKeyException.class, () -> DataKey.unwrap(bad, master));
            assertEquals("cannot unwrap the data key: key file " + master.path()
                    + " does not match or the manifest was altered", e.getMessage());
        }
    }

    @Test
    void malformedRecordsAreReportedByField() throws IOException {
        KeyFile master = keyFile(dir, "master.key", bytes(32, 1));
        WrappedKey record = DataKey.generate().wrap(master);
        IOException e = assertThrows(IOException.class, () -> DataKey.unwrap(
                new WrappedKey("AES-128-CBC", record.keyId(), record.nonce(), record.wrappedKey()), master));
        assertTrue(e.getMessage().contains("algorithm 'AES-128-CBC'"), e.getMessage());
        e = assertThrows(IOException.class, () -> DataKey.unwrap(
                new WrappedKey(record.algorithm(), record.keyId(), "!!", record.wrappedKey()), master));
        assertTrue(e.getMessage().contains("nonce is not base64"), e.getMessage());
        e = assertThrows(IOException.class, () -> DataKey.unwrap(
                new WrappedKey(record.algorithm(), record.keyId(), record.nonce(), "AAAA"), master));
        assertTrue(e.getMessage().contains("wrapped_key must be 48 bytes"), e.getMessage());
    }

    @Test
    void recordHasTheDocumentedJsonFieldsWithAnyMapper() throws IOException {
        KeyFile master = keyFile(dir, "master.key", bytes(32, 1));
        WrappedKey record = DataKey.generate().wrap(master);

        for (ObjectMapper mapper : List.of(new ObjectMapper(), ManifestCodec.JSON)) {
            JsonNode json = mapper.readTree(mapper.writeValueAsBytes(record));
            assertEquals(List.of("algorithm", "key_id", "nonce", "wrapped_key"),
                    iterableToList(json.fieldNames()));
            assertEquals(record, mapper.treeToValue(json, WrappedKey.class));
        }
    }

    @Test
    void toStringsDoNotRevealKeys() throws IOException {
        byte[] raw = bytes(32, 1);
        KeyFile master = keyFile(dir, "master.key", raw);
        DataKey key = DataKey.generate();
        String hex = HexFormat.of().formatHex(raw);
        assertFalse(master.toString().contains(hex.substring(0, 8)), master.toString());
        assertTrue(master.toString().contains(master.keyId()));
        assertEquals("DataKey[AES-256, value hidden]", key.toString());
    }

    private static List<String> iterableToList(java.util.Iterator<String> it) {
        List<String> list = new java.util.ArrayList<>();
        it.forEachRemaining(list::add);
        return list;
    }
}
