package com.customercaregpt.backup.pipeline.crypto;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.SplittableRandom;

import static com.customercaregpt.backup.pipeline.crypto.EnvelopeFixtures.bytes;
import static com.customercaregpt.backup.pipeline.crypto.EnvelopeFixtures.decrypt;
import static com.customercaregpt.backup.pipeline.crypto.EnvelopeFixtures.encrypt;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EnvelopeRoundTripTest {

    private static final int CHUNK = 64;
    private final DataKey key = DataKey.generate();

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 5 * CHUNK + 17})
    void roundTripsAroundChunkBoundaries(int size) throws IOException {
        byte[] plain = bytes(size, size);
        byte[] stored = encrypt(key, plain, CHUNK);

        assertArrayEquals(plain, decrypt(key, stored));
        // Exactly ceil(size / chunk) chunks, at least one (an empty artifact has one empty final chunk):
        // no extra empty chunk after an artifact that is a whole number of chunks.
        int chunks = Math.max(1, (size + CHUNK - 1) / CHUNK);
        assertEquals(Envelope.HEADER_BYTES + chunks * (Envelope.LENGTH_BYTES + Envelope.TAG_BYTES) + size, stored.length);
    }

    @Test
    void headerIsAsDocumented() throws IOException {
        byte[] stored = encrypt(key, new byte[0], CHUNK);
        assertArrayEquals("CCGPTENC".getBytes(), Arrays.copyOf(stored, 8));
        assertEquals(1, stored[8]);
        assertEquals(CHUNK, Envelope.getInt(stored, 9));
        assertArrayEquals(key.check(), Arrays.copyOfRange(stored, 21, 29));
        assertEquals(Envelope.TAG_BYTES, Envelope.getInt(stored, 29), "empty final chunk = just a tag");
    }

    @Test
    void sameInputEncryptsDifferentlyEachTime() throws IOException {
        byte[] plain = bytes(200, 1);
        // A fresh nonce prefix per artifact: two artifacts under one data key never share a nonce.
        assertFalse(Arrays.equals(encrypt(key, plain, CHUNK), encrypt(key, plain, CHUNK)));
    }

    @Test
    void byteAtATimeWritesAndReadsMatchBulk() throws IOException {
        byte[] plain = bytes(3 * CHUNK + 5, 7);
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (EncryptingOutputStream out = new EncryptingOutputStream(sink, key, CHUNK)) {
            for (byte b : plain) {
                out.write(b);
            }
        }
        ByteArrayOutputStream back = new ByteArrayOutputStream();
        try (InputStream in = new DecryptingInputStream(new ByteArrayInputStream(sink.toByteArray()), key)) {
            for (int b = in.read(); b >= 0; b = in.read()) {
                back.write(b);
            }
            assertEquals(-1, in.read(), "end of stream stays the end");
        }
        assertArrayEquals(plain, back.toByteArray());
    }

    @Test
    void finishLeavesTheTargetOpenAndRefusesMoreData() throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        boolean[] closed = {false};
        OutputStream target = new OutputStream() {
            @Override
            public void write(int b) {
                sink.write(b);
            }

            @Override
            public void close() {
                closed[0] = true;
            }
        };
        EncryptingOutputStream out = new EncryptingOutputStream(target, key, CHUNK);
        out.write(bytes(100, 3));
        out.finish();
        out.finish();
        assertFalse(closed[0]);
        assertThrows(IOException.class, () -> out.write(1));
        out.close();
        assertTrue(closed[0]);
        assertArrayEquals(bytes(100, 3), decrypt(key, sink.toByteArray()));
    }

    @Test
    void rejectsUnreasonableChunkSizes() {
        assertThrows(IllegalArgumentException.class, () -> new EncryptingOutputStream(OutputStream.nullOutputStream(), key, 15));
        assertThrows(IllegalArgumentException.class,
                () -> new EncryptingOutputStream(OutputStream.nullOutputStream(), key, Envelope.MAX_CHUNK_SIZE + 1));
    }

    /**
     * 20 MiB + 17 bytes in default 1 MiB chunks, streamed from a generator through encryption and
     * decryption (two threads joined by a pipe), never held in memory as a whole. Memory is shown
     * to stay at one chunk without measuring the heap: the encrypted output never lags the input
     * by more than one chunk (plus header and framing), and the decrypted output never lags the
     * encrypted input by more than one chunk. SHA-256 of both ends must match.
     */
    @Test
    void streamsTwentyMebibytesWithBoundedBuffering() throws Exception {
        long size = 20L * Envelope.DEFAULT_CHUNK_SIZE + 17;
        int chunk = Envelope.DEFAULT_CHUNK_SIZE;
        long overhead = Envelope.LENGTH_BYTES + Envelope.TAG_BYTES;
        MessageDigest sourceSha = MessageDigest.getInstance("SHA-256");
        MessageDigest resultSha = MessageDigest.getInstance("SHA-256");

        java.io.PipedInputStream pipeIn = new java.io.PipedInputStream(64 << 10);
        java.io.PipedOutputStream pipeOut = new java.io.PipedOutputStream(pipeIn);
        CountingStream encrypted = new CountingStream(pipeOut);
        long[] maxEncryptLag = {0};

        Thread writer = new Thread(() -> {
            try (EncryptingOutputStream out = new EncryptingOutputStream(encrypted, key)) {
                SplittableRandom random = new SplittableRandom(42);
                byte[] block = new byte[100_003]; // not a divisor of the chunk size, on purpose
                long written = 0;
                while (written < size) {
                    int n = (int) Math.min(block.length, size - written);
                    for (int i = 0; i < n; i++) {
                        block[i] = (byte) random.nextInt();
                    }
                    out.write(block, 0, n);
                    sourceSha.update(block, 0, n);
                    written += n;
                    long sealedPlaintext = encrypted.count - Envelope.HEADER_BYTES
                            - (encrypted.count > Envelope.HEADER_BYTES ? chunksIn(encrypted.count, chunk) * overhead : 0);
                    maxEncryptLag[0] = Math.max(maxEncryptLag[0], written - sealedPlaintext);
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        writer.start();

        long read = 0;
        long maxDecryptLag = 0;
        CountingInput counted = new CountingInput(pipeIn);
        try (DecryptingInputStream in = new DecryptingInputStream(counted, key)) {
            byte[] buffer = new byte[65_537];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                resultSha.update(buffer, 0, n);
                read += n;
                // Ciphertext consumed minus plaintext delivered: at most the chunk in hand, its framing,
                // the header and the next length field read ahead.
                long consumedPlaintext = counted.count - Envelope.HEADER_BYTES - chunksIn(counted.count, chunk) * overhead;
                maxDecryptLag = Math.max(maxDecryptLag, consumedPlaintext - read);
            }
        }
        writer.join();

        assertEquals(size, read);
        assertArrayEquals(sourceSha.digest(), resultSha.digest());
        assertTrue(maxEncryptLag[0] <= chunk, "encryption buffered " + maxEncryptLag[0] + " bytes");
        assertTrue(maxDecryptLag <= chunk + overhead, "decryption buffered " + maxDecryptLag + " bytes");
    }

    /** Chunks whose framing is (at least partly) inside the first {@code stored} bytes. */
    private static long chunksIn(long stored, int chunk) {
        long afterHeader = Math.max(0, stored - Envelope.HEADER_BYTES);
        long frame = chunk + Envelope.LENGTH_BYTES + Envelope.TAG_BYTES;
        return (afterHeader + frame - 1) / frame;
    }

    private static final class CountingStream extends OutputStream {
        private final OutputStream out;
        volatile long count;

        CountingStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }

    private static final class CountingInput extends java.io.FilterInputStream {
        long count;

        CountingInput(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
