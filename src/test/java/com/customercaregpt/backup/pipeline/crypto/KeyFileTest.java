package com.customercaregpt.backup.pipeline.crypto;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.HexFormat;

import static com.customercaregpt.backup.pipeline.crypto.EnvelopeFixtures.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeyFileTest {

    /** 00 01 02 ... 1f; its id computed independently: sha256(b"ccgpt-backup-key-id" + key).hexdigest()[:16]. */
    private static final String KNOWN_KEY = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    private static final String KNOWN_KEY_ID = "aa0c1ec0dc4e4b74";

    @TempDir
    Path dir;

    @Test
    void generateWritesOneHexLineWithMode600() throws IOException {
        Path path = dir.resolve("backup.key");
        KeyFile generated = KeyFile.generate(path);

        String content = Files.readString(path);
        assertTrue(content.matches("[0-9a-f]{64}\n"), "one line of 64 hex characters");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
        KeyFile loaded = KeyFile.load(path);
        assertEquals(generated.keyId(), loaded.keyId());
        assertFalse(loaded.permissionsTooOpen());
        assertTrue(loaded.permissionWarning().isEmpty());
    }

    @Test
    void generatedKeysDiffer() throws IOException {
        assertNotEquals(KeyFile.generate(dir.resolve("a.key")).keyId(), KeyFile.generate(dir.resolve("b.key")).keyId());
    }

    @Test
    void generateRefusesToOverwrite() throws IOException {
        Path path = dir.resolve("backup.key");
        KeyFile.generate(path);
        String before = Files.readString(path);

        KeyFileException e = assertThrows(KeyFileException.class, () -> KeyFile.generate(path));
        assertEquals("key file " + path + " already exists; refusing to overwrite it "
                + "(backups made with the old key would become unreadable)", e.getMessage());
        assertEquals(before, Files.readString(path));
    }

    @Test
    void keyIdIsStableAndMatchesTheDocumentedDerivation() throws IOException {
        assertEquals(KNOWN_KEY_ID, load(KNOWN_KEY + "\n").keyId());
        assertEquals(KNOWN_KEY_ID, load("  " + KNOWN_KEY.toUpperCase() + "\r\n").keyId(), "case and blanks do not matter");
        byte[] raw = HexFormat.of().parseHex(KNOWN_KEY);
        assertEquals(KNOWN_KEY_ID, load(Base64.getEncoder().encodeToString(raw)).keyId(), "base64 form");
        assertEquals(KNOWN_KEY_ID, KeyFile.keyId(raw));
    }

    @Test
    void wrongLengthsAreRefusedNamingTheFile() throws IOException {
        Path path = write("short.key", KNOWN_KEY.substring(2));
        KeyFileException e = assertThrows(KeyFileException.class, () -> KeyFile.load(path));
        assertEquals("key file " + path + " holds 62 characters; a 32-byte key is 64 hex characters (or 44 base64)",
                e.getMessage());

        Path b64 = write("b64.key", Base64.getEncoder().encodeToString(bytes(31, 1)) + "AAAA");
        e = assertThrows(KeyFileException.class, () -> KeyFile.load(b64));
        assertTrue(e.getMessage().startsWith("key file " + b64), e.getMessage());
    }

    @Test
    void badCharactersAreRefusedWithoutEchoingTheKey() throws IOException {
        String secretish = KNOWN_KEY.substring(0, 20) + "zz" + KNOWN_KEY.substring(22);
        Path path = write("bad.key", secretish);
        KeyFileException e = assertThrows(KeyFileException.class, () -> KeyFile.load(path));
        assertEquals("key file " + path + ": character 21 of 64 is not a hex digit", e.getMessage());
        assertFalse(e.getMessage().contains(KNOWN_KEY.substring(0, 8)));

        Path b64 = write("bad64.key", "A".repeat(20) + "*" + "A".repeat(22) + "=");
        e = assertThrows(KeyFileException.class, () -> KeyFile.load(b64));
        assertEquals("key file " + b64 + ": character 21 of 44 is not base64", e.getMessage());
    }

    @Test
    void emptyMultiLineMissingAndHugeFilesAreRefused() throws IOException {
        Path empty = write("empty.key", "\n");
        assertEquals("key file " + empty + " is empty (expected one line of 64 hex characters)",
                assertThrows(KeyFileException.class, () -> KeyFile.load(empty)).getMessage());

        Path twoLines = write("two.key", KNOWN_KEY + "\n" + KNOWN_KEY + "\n");
        assertTrue(assertThrows(KeyFileException.class, () -> KeyFile.load(twoLines)).getMessage()
                .endsWith("has more than one line (expected one line of 64 hex characters)"));

        Path missing = dir.resolve("missing.key");
        assertEquals("key file " + missing + " does not exist",
                assertThrows(KeyFileException.class, () -> KeyFile.load(missing)).getMessage());

        Path huge = write("huge.key", "0".repeat(5000));
        assertTrue(assertThrows(KeyFileException.class, () -> KeyFile.load(huge)).getMessage()
                .contains("is larger than 1024 bytes"));

        assertTrue(assertThrows(KeyFileException.class, () -> KeyFile.load(dir)).getMessage()
                .startsWith("cannot read key file " + dir));
    }

    @Test
    void aFileOthersCanReadLoadsWithAWarning() throws IOException {
        Path path = write("open.key", KNOWN_KEY + "\n");
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-r--r--"));

        KeyFile key = KeyFile.load(path);

        assertTrue(key.permissionsTooOpen());
        assertEquals("key file " + path + " has mode 644: group or others can read or replace the key; run chmod 600 "
                + path, key.permissionWarning().orElseThrow());
        assertEquals(KNOWN_KEY_ID, key.keyId());

        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw--w----"));
        assertTrue(KeyFile.load(path).permissionWarning().orElseThrow().contains("mode 620"));
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("r--------"));
        assertFalse(KeyFile.load(path).permissionsTooOpen());
    }

    @Test
    void parsedBytesAreTheKey() throws IOException {
        assertArrayEquals(HexFormat.of().parseHex(KNOWN_KEY), KeyFile.parse(Path.of("k"), (KNOWN_KEY + "\n").getBytes()));
    }

    private KeyFile load(String content) throws IOException {
        return KeyFile.load(write("k" + System.nanoTime() + ".key", content));
    }

    private Path write(String name, String content) throws IOException {
        Path path = dir.resolve(name);
        Files.writeString(path, content);
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        return path;
    }
}
