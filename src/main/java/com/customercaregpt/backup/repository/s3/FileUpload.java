package com.customercaregpt.backup.repository.s3;

import com.customercaregpt.backup.pipeline.ArtifactOutput;
import com.customercaregpt.backup.pipeline.DaemonThreads;
import com.customercaregpt.backup.pipeline.Tasks;
import com.customercaregpt.backup.repository.Repository;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
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
 * One local file sent to S3 as a multipart upload with several parts in flight, each part read
 * from its range of the file (memory does not grow with the part size or the file), while a
 * separate thread hashes the file from start to end. The upload is completed only when every part
 * arrived and the hash is the expected one; otherwise it is aborted and nothing appears in S3.
 */
final class FileUpload {
    private static final String OCTET_STREAM = "application/octet-stream";
    private static final int MAX_PARTS = 10_000;
    private static final int READ_BUFFER_BYTES = 256 * 1024;

    private final S3Repository repository;
    private final S3Client client;
    private final String bucket;
    private final String key;
    private final Map<String, String> metadata;
    private final S3Repository.S3Settings settings;

    FileUpload(S3Repository repository, S3Client client, String bucket, String key, Map<String, String> metadata,
               S3Repository.S3Settings settings) {
        this.repository = repository;
        this.client = client;
        this.bucket = bucket;
        this.key = key;
        this.metadata = metadata;
        this.settings = settings;
    }

    void send(Path file, String sha256) throws IOException {
        long size = Files.size(file);
        int partSize = settings.partSizeBytes();
        if (size <= partSize) {
            requireHash(file, sha256);
            try {
                client.putObject(b -> b.bucket(bucket).key(key).contentType(OCTET_STREAM).metadata(metadata),
                        RequestBody.fromContentProvider(() -> range(file, 0, size), size, OCTET_STREAM));
            } catch (SdkException e) {
                throw repository.failure(key, "upload", e);
            }
            return;
        }
        long partCount = (size + partSize - 1) / partSize;
        if (partCount > MAX_PARTS) {
            throw new IOException(file + " needs " + partCount + " parts of " + (partSize >> 20)
                    + " MiB, more than S3's " + MAX_PARTS + "; raise backup.s3.part-size-mb");
        }
        String uploadId = repository.startMultipartUpload(key, metadata);
        ExecutorService hashing = Executors.newSingleThreadExecutor(DaemonThreads.named("s3-upload-hash"));
        ExecutorService senders = Executors.newFixedThreadPool(settings.uploadConcurrency(), DaemonThreads.named("s3-upload-part"));
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
                parts.add(senders.submit(() -> sendPart(file, uploadId, number, offset, length)));
            }
            List<CompletedPart> done = new ArrayList<>();
            for (Future<CompletedPart> part : parts) {
                done.add(Tasks.await(part, "uploading"));
            }
            Tasks.await(hash, "uploading");
            try {
                client.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                        .multipartUpload(u -> u.parts(done)));
            } catch (SdkException e) {
                throw repository.failure(key, "complete multipart upload (" + done.size() + " parts)", e);
            }
            completed = true;
        } finally {
            senders.shutdownNow();
            hashing.shutdownNow();
            if (!completed) {
                try {
                    client.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
                } catch (SdkException ignored) {
                    // the store expires abandoned uploads; cleanup also aborts them
                }
            }
        }
    }

    private CompletedPart sendPart(Path file, String uploadId, int number, long offset, long length) throws IOException {
        try {
            UploadPartResponse response = client.uploadPart(b -> {
                b.bucket(bucket).key(key).uploadId(uploadId).partNumber(number).contentLength(length);
                if (!settings.checksumsOnlyWhenRequired()) {
                    b.checksumAlgorithm(ChecksumAlgorithm.CRC32);
                }
            }, RequestBody.fromContentProvider(() -> range(file, offset, length), length, OCTET_STREAM));
            return CompletedPart.builder().partNumber(number).eTag(response.eTag())
                    .checksumCRC32(response.checksumCRC32()).build();
        } catch (SdkException e) {
            throw repository.failure(key, "upload part " + number, e);
        }
    }

    private static void requireHash(Path file, String sha256) throws IOException {
        MessageDigest digest = ArtifactOutput.newSha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            com.customercaregpt.backup.pipeline.Streams.copy(in, java.io.OutputStream.nullOutputStream());
        }
        Repository.requireChecksum(file, sha256, digest);
    }

    /**
     * {@code length} bytes of {@code file} from {@code offset}; a fresh stream each call (the SDK
     * reads a part twice over plain http: once to sign its hash, once to send it). Buffered because
     * the SDK reads 4 KiB at a time: unbuffered, that was 250,000 read calls per 500 MB upload.
     */
    private static InputStream range(Path file, long offset, long length) {
        try {
            FileChannel channel = FileChannel.open(file).position(offset);
            return new BufferedInputStream(limited(Channels.newInputStream(channel), length), READ_BUFFER_BYTES);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** At most {@code length} bytes of {@code in}. */
    private static InputStream limited(InputStream in, long length) {
        return new FilterInputStream(in) {
            private long left = length;

            @Override
            public int read() throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int b = super.read();
                if (b >= 0) {
                    left--;
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int n = super.read(b, off, (int) Math.min(len, left));
                if (n > 0) {
                    left -= n;
                }
                return n;
            }
        };
    }
}
