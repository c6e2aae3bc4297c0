package com.customercaregpt.backup.pipeline.crypto;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import java.io.IOException;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.util.Objects;
import java.util.Arrays;

/**
 * Encrypts a stream into the {@link Envelope} format: the header, then AES-256-GCM chunks of
 * {@code chunkSize} plaintext bytes, each authenticated on its own so a reader can release a
 * chunk's bytes as soon as its tag checks, and memory stays at one chunk whatever the size.
 *
 * <p>A full chunk is held back until more data arrives or the stream ends, because only then is
 * it known whether it is the last one (sealed with final flag 1). So the output lags the input
 * by at most one chunk; {@link #flush()} cannot emit a partial chunk and only flushes what is
 * sealed. {@link #finish()} (or {@link #close()}) seals the last chunk, which is empty only when
 * nothing was written at all. Not thread-safe.
 */
public final class EncryptingOutputStream extends OutputStream {

    private final OutputStream out;
    private final DataKey key;
    private final Cipher cipher = Envelope.aesGcm();
    private final byte[] header;
    private final byte[] noncePrefix;
    private final byte[] plain;
    private final byte[] sealed;
    private final byte[] length = new byte[Envelope.LENGTH_BYTES];
    private int filled;
    private long index;
    private boolean finished;
    private boolean closed;

    /** Writes the header to {@code out} at once. */
    public EncryptingOutputStream(OutputStream out, DataKey key) throws IOException {
        this(out, key, Envelope.DEFAULT_CHUNK_SIZE);
    }

    /**
     * @param chunkSize plaintext bytes per chunk, between {@value Envelope#MIN_CHUNK_SIZE} and
     *                  {@value Envelope#MAX_CHUNK_SIZE}; the default 1 MiB keeps the 16-byte tag
     *                  and 4-byte length overhead negligible
     */
    public EncryptingOutputStream(OutputStream out, DataKey key, int chunkSize) throws IOException {
        Envelope.checkChunkSize(chunkSize);
        this.out = Objects.requireNonNull(out, "out");
        this.key = Objects.requireNonNull(key, "key");
        this.noncePrefix = Envelope.random(Envelope.NONCE_PREFIX_BYTES);
        this.header = Envelope.header(chunkSize, noncePrefix, key.check());
        this.plain = new byte[chunkSize];
        this.sealed = new byte[chunkSize + Envelope.TAG_BYTES];
        out.write(header);
    }

    @Override
    public void write(int b) throws IOException {
        ensureOpen();
        if (filled == plain.length) {
            seal(false);
        }
        plain[filled++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        ensureOpen();
        while (len > 0) {
            if (filled == plain.length) {
                seal(false); // more data follows, so the buffered chunk is not the last
            }
            int n = Math.min(len, plain.length - filled);
            System.arraycopy(b, off, plain, filled, n);
            filled += n;
            off += n;
            len -= n;
        }
    }

    /** Flushes the chunks sealed so far; the chunk being filled stays buffered (see class comment). */
    @Override
    public void flush() throws IOException {
        out.flush();
    }

    /** Seals the last chunk and flushes, leaving the underlying stream open. Idempotent. */
    public void finish() throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        if (!finished) {
            seal(true);
            finished = true;
            Arrays.fill(plain, (byte) 0); // do not keep plaintext around after the stream
            out.flush();
        }
    }

    /** Seals the last chunk, then closes the underlying stream. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            finish();
        } finally {
            closed = true;
            out.close();
        }
    }

    private void seal(boolean last) throws IOException {
        if (index >= Envelope.MAX_CHUNKS) {
            throw new IOException("artifact too large: more than 2^32 chunks of " + plain.length + " bytes");
        }
        int n;
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key.secretKey(),
                    new GCMParameterSpec(Envelope.TAG_BITS, Envelope.nonce(noncePrefix, index)));
            cipher.updateAAD(Envelope.aad(header, index, last));
            n = cipher.doFinal(plain, 0, filled, sealed, 0);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is not usable in this JVM", e);
        }
        Envelope.putInt(length, 0, n);
        out.write(length);
        out.write(sealed, 0, n);
        index++;
        filled = 0;
    }

    private void ensureOpen() throws IOException {
        if (closed || finished) {
            throw new IOException(closed ? "stream closed" : "stream finished: the last chunk is already sealed");
        }
    }
}
