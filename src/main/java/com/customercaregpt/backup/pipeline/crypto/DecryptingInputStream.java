package com.customercaregpt.backup.pipeline.crypto;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;

/**
 * Reads an artifact in the {@link Envelope} format. The constructor reads and checks the header,
 * so a wrong data key or a file that is not an encrypted artifact fails before any byte is
 * returned. Then each chunk's bytes are returned only after its GCM tag has checked: a reader
 * never sees unauthenticated plaintext, and memory stays at one chunk.
 *
 * <p>Because the stream returns chunk after chunk, a consumer may have used earlier, authentic
 * chunks before a later one fails; restore code that must not act on a partial artifact should
 * read it through once first (or check the manifest's SHA-256 of the stored file).
 *
 * <p>Failures are {@link TamperedArtifactException}s naming the chunk index and the byte offset
 * in the stored file of its length field. After a failure every read repeats it. Not thread-safe.
 */
public final class DecryptingInputStream extends InputStream {

    private final InputStream in;
    private final DataKey key;
    private final Cipher cipher = Envelope.aesGcm();
    private final byte[] header;
    private final byte[] noncePrefix;
    private final int chunkSize;
    private final byte[] sealed;
    private final byte[] plain;
    private final byte[] lengthField = new byte[Envelope.LENGTH_BYTES];
    private final byte[] one = new byte[1];

    /** Bytes of the stored file consumed so far: the offsets in error messages. */
    private long position;
    private long index;
    /** Length field of the next chunk, already read to learn whether the current chunk is the last. */
    private int nextLength;
    private boolean lastSeen;
    private int pos;
    private int limit;
    private IOException failure;

    /**
     * Reads and checks the header and the first chunk's length field. On failure {@code in} is
     * closed, so {@code try (var d = new DecryptingInputStream(Files.newInputStream(p), key))}
     * does not leak the file.
     */
    public DecryptingInputStream(InputStream in, DataKey key) throws IOException {
        this.in = Objects.requireNonNull(in, "in");
        this.key = Objects.requireNonNull(key, "key");
        try {
            this.header = readHeader();
            this.chunkSize = Envelope.chunkSize(header);
            this.noncePrefix = Envelope.noncePrefix(header);
            this.sealed = new byte[chunkSize + Envelope.TAG_BYTES];
            this.plain = new byte[chunkSize];
            int got = readFully(lengthField);
            if (got < Envelope.LENGTH_BYTES) {
                throw new TamperedArtifactException("the artifact was truncated: it ends after its header, chunk 0 at byte offset "
                        + Envelope.HEADER_BYTES + " is missing", 0, Envelope.HEADER_BYTES);
            }
            nextLength = Envelope.getInt(lengthField, 0);
        } catch (IOException | RuntimeException e) {
            try {
                in.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    @Override
    public int read() throws IOException {
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        while (pos == limit) {
            if (lastSeen) {
                return -1;
            }
            nextChunk(); // may be empty: only the last chunk of an empty artifact is, so loop
        }
        int n = Math.min(len, limit - pos);
        System.arraycopy(plain, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public int available() {
        return limit - pos;
    }

    @Override
    public void close() throws IOException {
        Arrays.fill(plain, (byte) 0);
        pos = limit = 0;
        in.close();
    }

    private byte[] readHeader() throws IOException {
        byte[] h = new byte[Envelope.HEADER_BYTES];
        int got = readFully(h);
        if (got < Envelope.MAGIC.length || !Arrays.equals(h, 0, Envelope.MAGIC.length, Envelope.MAGIC, 0, Envelope.MAGIC.length)) {
            throw new IOException("not an encrypted artifact: it does not start with \"CCGPTENC\"");
        }
        if (got < Envelope.HEADER_BYTES) {
            throw new TamperedArtifactException("the artifact was truncated inside its " + Envelope.HEADER_BYTES
                    + "-byte header (" + got + " bytes)", -1, got);
        }
        if (h[8] != Envelope.VERSION) {
            throw new IOException("encrypted artifact version " + (h[8] & 0xff) + " is not supported (this tool reads version "
                    + Envelope.VERSION + ")");
        }
        int size = Envelope.chunkSize(h);
        if (size < Envelope.MIN_CHUNK_SIZE || size > Envelope.MAX_CHUNK_SIZE) {
            // Checked before the allocation it would drive; the header itself is authenticated with chunk 0.
            throw new TamperedArtifactException("the artifact's header was altered: impossible chunk size "
                    + Integer.toUnsignedString(size), -1, 9);
        }
        // Not secret, but compared in constant time anyway: it is derived from the key.
        if (!MessageDigest.isEqual(Envelope.keyCheck(h), key.check())) {
            throw new WrongKeyException("the artifact was encrypted with another data key: it belongs to another "
                    + "backup, or its header was altered");
        }
        return h;
    }

    /**
     * Reads and opens the next chunk. Whether it is the last is decided by what follows it: the end
     * of the file means "last". When the tag does not check under that assumption, the opposite
     * one is tried only to word the error (truncation, trailing data or alteration).
     */
    private void nextChunk() throws IOException {
        if (failure != null) {
            throw failure;
        }
        long offset = position - Envelope.LENGTH_BYTES;
        int length = nextLength;
        if (index >= Envelope.MAX_CHUNKS) {
            // The 32-bit index in nonce and AAD would repeat: chunk 0 could be replayed here.
            throw fail(new TamperedArtifactException("chunk " + index + " at byte offset " + offset
                    + ": more than 2^32 chunks, the artifact was altered", index, offset));
        }
        if (length < Envelope.TAG_BYTES || length > chunkSize + Envelope.TAG_BYTES) {
            throw fail(new TamperedArtifactException(authenticationFailed(offset)
                    + " (its length field says " + Integer.toUnsignedString(length) + " bytes)", index, offset));
        }
        int got = readFully(sealed, length);
        if (got < length) {
            throw fail(new TamperedArtifactException("chunk " + index + " at byte offset " + offset
                    + " is cut short (" + got + " of " + length + " bytes): the artifact was truncated", index, offset));
        }
        long end = position;
        int peeked = readFully(lengthField);
        boolean endOfFile = peeked == 0;
        boolean endFollows = peeked < Envelope.LENGTH_BYTES;

        int n = open(length, endFollows);
        if (n < 0) {
            if (open(length, !endFollows) < 0) {
                throw fail(new TamperedArtifactException(authenticationFailed(offset), index, offset));
            } else if (endOfFile) {
                throw fail(new TamperedArtifactException("the artifact was truncated: it ends after chunk " + index
                        + " (byte offset " + offset + "), which is not the final chunk", index, offset));
            } else if (endFollows) {
                throw fail(new TamperedArtifactException("the artifact was truncated inside the length field of chunk "
                        + (index + 1) + " at byte offset " + end, index + 1, end));
            } else {
                throw fail(trailingData(end));
            }
        }
        if (endFollows && !endOfFile) {
            throw fail(trailingData(end)); // the final chunk checked, yet 1 to 3 bytes follow it
        }
        pos = 0;
        limit = n;
        lastSeen = endOfFile;
        if (!endOfFile) {
            nextLength = Envelope.getInt(lengthField, 0);
        }
        index++;
    }

    /** Decrypts {@code sealed[0, length)} into {@link #plain}; -1 when the tag does not check. */
    private int open(int length, boolean last) {
        try {
            cipher.init(Cipher.DECRYPT_MODE, key.secretKey(),
                    new GCMParameterSpec(Envelope.TAG_BITS, Envelope.nonce(noncePrefix, index)));
            cipher.updateAAD(Envelope.aad(header, index, last));
            return cipher.doFinal(sealed, 0, length, plain, 0);
        } catch (AEADBadTagException e) {
            return -1;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is not usable in this JVM", e);
        }
    }

    private String authenticationFailed(long offset) {
        return "chunk " + index + " at byte offset " + offset
                + " failed authentication: the artifact was altered or truncated";
    }

    private TamperedArtifactException trailingData(long offset) {
        return new TamperedArtifactException("unexpected data after the final chunk " + index + ", at byte offset "
                + offset + ": the artifact was altered", index, offset);
    }

    private IOException fail(IOException e) {
        failure = e;
        pos = limit = 0;
        return e;
    }

    private int readFully(byte[] b) throws IOException {
        return readFully(b, b.length);
    }

    /** Reads up to {@code len} bytes, fewer only at the end of the stream; counts them in {@link #position}. */
    private int readFully(byte[] b, int len) throws IOException {
        int n = in.readNBytes(b, 0, len);
        position += n;
        return n;
    }
}
