package com.customercaregpt.backup.pipeline.crypto;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Random;

/** Helpers shared by the envelope tests. */
final class EnvelopeFixtures {

    private EnvelopeFixtures() {
    }

    /** Deterministic bytes, different for each seed. */
    static byte[] bytes(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    static byte[] encrypt(DataKey key, byte[] plain, int chunkSize) throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (EncryptingOutputStream out = new EncryptingOutputStream(sink, key, chunkSize)) {
            out.write(plain);
        }
        return sink.toByteArray();
    }

    static byte[] decrypt(DataKey key, byte[] stored) throws IOException {
        try (InputStream in = new DecryptingInputStream(new ByteArrayInputStream(stored), key)) {
            return in.readAllBytes();
        }
    }

    /** Byte offset of chunk {@code i}'s length field when every chunk before it is full. */
    static int chunkOffset(int i, int chunkSize) {
        return Envelope.HEADER_BYTES + i * (Envelope.LENGTH_BYTES + chunkSize + Envelope.TAG_BYTES);
    }

    /** A key file holding the given 32 bytes as hex, mode 600. */
    static KeyFile keyFile(Path dir, String name, byte[] key) throws IOException {
        Path path = dir.resolve(name);
        Files.writeString(path, HexFormat.of().formatHex(key) + "\n");
        try {
            Files.setPosixFilePermissions(path, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system
        }
        return KeyFile.load(path);
    }
}
