package com.customercaregpt.backup.pipeline.crypto;

import javax.crypto.Cipher;
import javax.crypto.NoSuchPaddingException;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The encrypted artifact format ("CCGPTENC" version 1), shared by {@link EncryptingOutputStream}
 * and {@link DecryptingInputStream}. docs/encryption.md describes it byte by byte and
 * docs/decrypt-artifact.py reads it; a change here is a change there.
 *
 * <pre>
 * header (29 bytes)  "CCGPTENC" | version 0x01 | chunk size u32 | nonce prefix (8) | data key check (8)
 * chunk i            length u32 (= plaintext length + 16) | AES-256-GCM ciphertext | tag (16)
 *   nonce = nonce prefix | i as u32
 *   AAD   = header | i as u32 | 0x01 if it is the last chunk, else 0x00
 * </pre>
 * All integers are unsigned big-endian.
 */
public final class Envelope {

    /** The value for a manifest artifact's {@code encryption} field when it is stored in this format. */
    public static final String ARTIFACT_ENCRYPTION = "ccgptenc-v1";
    /** The algorithm named in the wrapped data key record and used for every chunk. */
    public static final String ALGORITHM = "AES-256-GCM";
    /** Suggested file name ending for encrypted artifacts, after the compression suffix. */
    public static final String SUFFIX = ".enc";

    public static final int DEFAULT_CHUNK_SIZE = 1 << 20;
    /** Bounds on the chunk size a reader accepts: the header is read before anything is authenticated. */
    public static final int MIN_CHUNK_SIZE = 16;
    public static final int MAX_CHUNK_SIZE = 16 << 20;

    static final byte[] MAGIC = "CCGPTENC".getBytes(StandardCharsets.US_ASCII);
    static final byte VERSION = 1;
    static final int NONCE_PREFIX_BYTES = 8;
    static final int KEY_CHECK_BYTES = 8;
    static final int HEADER_BYTES = MAGIC.length + 1 + 4 + NONCE_PREFIX_BYTES + KEY_CHECK_BYTES;
    static final int LENGTH_BYTES = 4;
    static final int TAG_BYTES = 16;
    static final int TAG_BITS = TAG_BYTES * 8;
    static final int NONCE_BYTES = 12;
    /** Chunk indexes are 32-bit; the last one must still fit, so an artifact has at most 2^32 chunks. */
    static final long MAX_CHUNKS = 1L << 32;

    static final SecureRandom RANDOM = new SecureRandom();

    private Envelope() {
    }

    static byte[] header(int chunkSize, byte[] noncePrefix, byte[] keyCheck) {
        byte[] header = new byte[HEADER_BYTES];
        System.arraycopy(MAGIC, 0, header, 0, MAGIC.length);
        header[8] = VERSION;
        putInt(header, 9, chunkSize);
        System.arraycopy(noncePrefix, 0, header, 13, NONCE_PREFIX_BYTES);
        System.arraycopy(keyCheck, 0, header, 21, KEY_CHECK_BYTES);
        return header;
    }

    static int chunkSize(byte[] header) {
        return getInt(header, 9);
    }

    static byte[] noncePrefix(byte[] header) {
        return Arrays.copyOfRange(header, 13, 21);
    }

    static byte[] keyCheck(byte[] header) {
        return Arrays.copyOfRange(header, 21, 29);
    }

    /** The nonce is unique per (data key, artifact, chunk): a random prefix per artifact and the chunk index. */
    static byte[] nonce(byte[] noncePrefix, long index) {
        byte[] nonce = new byte[NONCE_BYTES];
        System.arraycopy(noncePrefix, 0, nonce, 0, NONCE_PREFIX_BYTES);
        putInt(nonce, NONCE_PREFIX_BYTES, (int) index);
        return nonce;
    }

    /**
     * The header binds every chunk to this artifact's chunk size and nonce prefix; the index stops
     * reordering; the final flag makes dropping trailing chunks detectable, since the chunk that
     * ends a truncated file was sealed as "not last".
     */
    static byte[] aad(byte[] header, long index, boolean last) {
        byte[] aad = new byte[HEADER_BYTES + 5];
        System.arraycopy(header, 0, aad, 0, HEADER_BYTES);
        putInt(aad, HEADER_BYTES, (int) index);
        aad[HEADER_BYTES + 4] = (byte) (last ? 1 : 0);
        return aad;
    }

    static void checkChunkSize(int chunkSize) {
        if (chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE) {
            throw new IllegalArgumentException("chunk size must be between " + MIN_CHUNK_SIZE + " and "
                    + MAX_CHUNK_SIZE + " bytes, got " + chunkSize);
        }
    }

    static Cipher aesGcm() {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (NoSuchAlgorithmException | NoSuchPaddingException e) {
            throw new IllegalStateException("the JVM has no AES/GCM/NoPadding", e);
        }
    }

    static byte[] random(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return b;
    }

    static void putInt(byte[] b, int at, int value) {
        b[at] = (byte) (value >>> 24);
        b[at + 1] = (byte) (value >>> 16);
        b[at + 2] = (byte) (value >>> 8);
        b[at + 3] = (byte) value;
    }

    static int getInt(byte[] b, int at) {
        return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }
}
