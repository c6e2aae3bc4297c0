package com.customercaregpt.backup.pipeline.crypto;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

import static com.customercaregpt.backup.pipeline.crypto.EnvelopeFixtures.decrypt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The worked example of docs/encryption.md still decrypts, and the document still shows it: the
 * test vector pins the format, so a change to it cannot go unnoticed.
 */
class EnvelopeDocVectorTest {

    static final String MASTER_KEY = "bb298252d4c730cd9929591fed3b5de7a64d82f80b6fb515b3063d0eeac34617";
    static final String KEY_ID = "6a58758a119f5e73";
    static final String NONCE = "kHcPyMmsC821Rqfk";
    static final String WRAPPED_KEY = "TUgBrt/pIFMTWHm9fvwWpRehk1YlvwsPUZFfkwIi8WdngwXBD8Mi53Xrd2Ey2oTj";
    static final String ARTIFACT = "4343475054454e4301000000105a5c626497ef10aaab5a138a42025973000000203220de83eed0b7"
            + "3eac9ba62675e4441d003882f1da4ea3eded3e16caa049254e0000001bef1ffeb288f9e2a7c3a6ebc042b0599050b4"
            + "1660ed4804ce20690b";
    static final String PLAINTEXT = "hello, backup!\nsecond line\n";

    @TempDir
    Path dir;

    @Test
    void workedExampleDecrypts() throws IOException {
        KeyFile master = EnvelopeFixtures.keyFile(dir, "example.key", HexFormat.of().parseHex(MASTER_KEY));
        assertEquals(KEY_ID, master.keyId());

        DataKey key = DataKey.unwrap(new WrappedKey("AES-256-GCM", KEY_ID, NONCE, WRAPPED_KEY), master);

        byte[] stored = HexFormat.of().parseHex(ARTIFACT);
        assertEquals(96, stored.length);
        assertEquals(PLAINTEXT, new String(decrypt(key, stored), StandardCharsets.UTF_8));
    }

    @Test
    void documentShowsTheExample() throws IOException {
        Path doc = Path.of("docs", "encryption.md");
        String text = Files.readString(doc);
        for (String value : new String[] {MASTER_KEY, KEY_ID, NONCE, WRAPPED_KEY, ARTIFACT}) {
            assertTrue(text.contains(value), "docs/encryption.md no longer shows " + value);
        }
    }
}
