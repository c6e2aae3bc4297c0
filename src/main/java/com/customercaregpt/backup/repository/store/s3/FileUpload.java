package com.customercaregpt.backup.repository.store.s3;

import com.customercaregpt.backup.pipeline.ArtifactOutput;
import com.customercaregpt.backup.pipeline.DaemonThreads;
import com.customercaregpt.backup.pipeline.Streams;
import com.customercaregpt.backup.pipeline.Tasks;
import com.customercaregpt.backup.repository.store.FileRanges;
import com.customercaregpt.backup.repository.store.Store;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.CompletedPart;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One local file sent as a {@link PartUpload} with several parts in flight, each part read from
 * its range of the file (memory does not grow with the part size or the file), while a separate
 * thread hashes the file from start to end. The upload is completed only when every part arrived
 * and the hash is the expected one; otherwise it is aborted and nothing appears in S3.
 */
final class FileUpload {
    private static final int READ_BUFFER_BYTES = 256 * 1024;

    private final S3Store store;
    private final String key;
    private final Map<String, String> metadata;

    FileUpload(S3Store store, String key, Map<String, String> metadata) {
        this.store = store;
        this.key = key;
        this.metadata = metadata;
    }

    void send(Path file, String sha256) throws IOException {
        long size = Files.size(file);
        int partSize = store.settings().partSizeBytes();
        if (size <= partSize) {
            requireHash(file, sha256);
            store.put(key, "upload", body(file, 0, size),
                    b -> b.contentType(S3Store.OCTET_STREAM).metadata(metadata));
            return;
        }
        long partCount = (size + partSize - 1) / partSize;
        if (partCount > PartUpload.MAX_PARTS) {
            throw new IOException(file + " needs " + partCount + " parts of " + (partSize >> 20)
                    + " MiB, more than S3's " + PartUpload.MAX_PARTS + "; raise backup.s3.part-size-mb");
        }
        PartUpload upload = store.startParts(key, metadata);
        ExecutorService hashing = Executors.newSingleThreadExecutor(DaemonThreads.named("s3-upload-hash"));
        ExecutorService senders = Executors.newFixedThreadPool(store.settings().uploadConcurrency(),
                DaemonThreads.named("s3-upload-part"));
        boolean completed = false;
        try {
            Future<?> hash = hashing.submit(() -> {
                requireHash(file, sha256);
                return null;
            });
            List<Future<CompletedPart>> parts = new ArrayList<>();
            for (int i = 0; i < partCount; i++) {
                int number = i + 1;
                long offset = (long) i * partSize;
                long length = Math.min(partSize, size - offset);
                parts.add(senders.submit(() -> upload.send(number, body(file, offset, length), length)));
            }
            List<CompletedPart> done = new ArrayList<>();
            for (Future<CompletedPart> part : parts) {
                done.add(Tasks.await(part, "uploading"));
            }
            Tasks.await(hash, "uploading");
            upload.complete(done);
            completed = true;
        } finally {
            senders.shutdownNow();
            hashing.shutdownNow();
            if (!completed) {
                upload.abort();
            }
        }
    }

    private static void requireHash(Path file, String sha256) throws IOException {
        MessageDigest digest = ArtifactOutput.newSha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            Streams.copy(in, OutputStream.nullOutputStream());
        }
        Store.requireChecksum(file, sha256, digest);
    }

    /**
     * {@code length} bytes of {@code file} from {@code offset}; a fresh stream each call (the SDK
     * reads a part twice over plain http: once to sign its hash, once to send it). Buffered because
     * the SDK reads 4 KiB at a time: unbuffered, that was 250,000 read calls per 500 MB upload.
     */
    private static RequestBody body(Path file, long offset, long length) {
        return RequestBody.fromContentProvider(() -> {
            try {
                return new BufferedInputStream(FileRanges.open(file, offset, length), READ_BUFFER_BYTES);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, length, S3Store.OCTET_STREAM);
    }
}
