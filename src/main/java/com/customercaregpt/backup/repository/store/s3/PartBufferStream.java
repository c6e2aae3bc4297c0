package com.customercaregpt.backup.repository.store.s3;

import com.customercaregpt.backup.repository.Repository.ArtifactStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.CompletedPart;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * An object of unknown length, buffered one part at a time: the first full part starts a
 * {@link PartUpload}, every further full part is sent as it fills, and close() sends the rest and
 * completes the upload (only then does the key exist). An object that never fills a part goes as
 * one PutObject.
 *
 * <p>The part is held in fixed chunks rather than one array: small objects take only the chunks
 * they fill, nothing is copied to grow, and no chunk is big enough to be a G1 "humongous" object
 * (a 8 MiB array would occupy whole heap regions of its own).
 */
final class PartBufferStream extends ArtifactStream {
    private static final int MIB = 1 << 20;
    /** Smaller than G1's humongous-object threshold (half a region, 512 KiB at least). */
    private static final int CHUNK = 256 * 1024;

    private final S3Store store;
    private final String key;
    private final Map<String, String> metadata;
    private final int partSize;
    /** Reused from part to part: never more than one part's worth. */
    private final List<byte[]> chunks = new ArrayList<>();
    /** Bytes of the current part in {@link #chunks}. */
    private int filled;
    private PartUpload upload;
    private final List<CompletedPart> parts = new ArrayList<>();
    private boolean finished;
    private IOException failed;

    PartBufferStream(S3Store store, String key, Map<String, String> metadata) {
        this.store = store;
        this.key = key;
        this.metadata = metadata;
        this.partSize = store.settings().partSizeBytes();
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        checkWritable();
        while (len > 0) {
            if (filled == partSize) {
                // sent only once more bytes arrive, so an object of exactly one part is a single PutObject
                uploadBufferedPart();
            }
            int chunk = filled / CHUNK;
            int within = filled % CHUNK;
            if (chunk == chunks.size()) {
                chunks.add(new byte[CHUNK]);
            }
            int n = Math.min(len, Math.min(CHUNK - within, partSize - filled));
            System.arraycopy(b, off, chunks.get(chunk), within, n);
            filled += n;
            off += n;
            len -= n;
        }
    }

    private void uploadBufferedPart() throws IOException {
        try {
            if (upload == null) {
                upload = store.startParts(key, metadata);
            }
            int partNumber = parts.size() + 1;
            if (partNumber > PartUpload.MAX_PARTS) {
                throw new IOException(store.url(key) + ": artifact exceeds " + PartUpload.MAX_PARTS + " parts of "
                        + partSize / MIB + " MiB; raise backup.s3.part-size-mb");
            }
            parts.add(upload.send(partNumber, bufferedBody(), filled));
            filled = 0;
        } catch (IOException e) {
            throw fail(e);
        }
    }

    /** The buffered bytes without a copy; the provider can replay them for the SDK's signing read. */
    private RequestBody bufferedBody() {
        List<byte[]> used = List.copyOf(chunks.subList(0, (filled + CHUNK - 1) / CHUNK));
        int length = filled;
        return RequestBody.fromContentProvider(() -> {
            List<InputStream> pieces = new ArrayList<>(used.size());
            for (int i = 0; i < used.size(); i++) {
                pieces.add(new ByteArrayInputStream(used.get(i), 0, Math.min(CHUNK, length - i * CHUNK)));
            }
            return new SequenceInputStream(Collections.enumeration(pieces));
        }, length, S3Store.OCTET_STREAM);
    }

    @Override
    public void close() throws IOException {
        if (finished) {
            if (failed != null) {
                throw new IOException(store.url(key) + ": not committed, the upload failed earlier", failed);
            }
            return;
        }
        if (upload == null) {
            try {
                store.put(key, "upload", bufferedBody(), b -> b.contentType(S3Store.OCTET_STREAM).metadata(metadata));
            } catch (IOException e) {
                throw fail(e);
            }
        } else {
            if (filled > 0) {
                uploadBufferedPart();
            }
            try {
                upload.complete(parts);
            } catch (IOException e) {
                throw fail(e);
            }
        }
        finished = true;
        chunks.clear();
    }

    @Override
    public void abort() {
        if (finished) {
            return;
        }
        finished = true;
        chunks.clear();
        if (upload != null) {
            upload.abort();
        }
    }

    private void checkWritable() throws IOException {
        if (failed != null) {
            throw new IOException(store.url(key) + ": the upload failed earlier", failed);
        }
        if (finished) {
            throw new IOException(store.url(key) + ": artifact stream already closed");
        }
    }

    /** A failed upload is abandoned at once: a half-sent multipart upload costs storage until aborted. */
    private IOException fail(IOException e) {
        failed = e;
        abort();
        return e;
    }
}
