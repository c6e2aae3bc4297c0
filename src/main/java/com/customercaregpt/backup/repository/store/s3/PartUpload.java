package com.customercaregpt.backup.repository.store.s3;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * One multipart upload, the only code that speaks S3's multipart calls: started, parts sent (from
 * any thread, in any order), then completed (only then does the key exist) or aborted. Whether the
 * parts come from a buffer (an artifact being written) or from ranges of a file is the caller's.
 */
final class PartUpload {
    /** S3's limit on the parts of one upload. */
    static final int MAX_PARTS = 10_000;

    /** Turns an SDK failure of {@code operation} into the store's message and error kind. */
    interface Failures {
        IOException of(String operation, SdkException e);
    }

    private final S3Client client;
    private final String bucket;
    private final String objectKey;
    private final String uploadId;
    private final boolean crc32;
    private final Failures failures;

    private PartUpload(S3Client client, String bucket, String objectKey, String uploadId, boolean crc32,
                       Failures failures) {
        this.client = client;
        this.bucket = bucket;
        this.objectKey = objectKey;
        this.uploadId = uploadId;
        this.crc32 = crc32;
        this.failures = failures;
    }

    static PartUpload start(S3Client client, String bucket, String objectKey, Map<String, String> metadata,
                            boolean crc32, Failures failures) throws IOException {
        try {
            String uploadId = client.createMultipartUpload(b -> {
                b.bucket(bucket).key(objectKey).contentType(S3Store.OCTET_STREAM).metadata(metadata);
                if (crc32) {
                    b.checksumAlgorithm(ChecksumAlgorithm.CRC32);
                }
            }).uploadId();
            return new PartUpload(client, bucket, objectKey, uploadId, crc32, failures);
        } catch (SdkException e) {
            throw failures.of("start multipart upload", e);
        }
    }

    /** Sends part {@code number} (from 1); the body must be replayable (the SDK reads it to sign it). */
    CompletedPart send(int number, RequestBody body, long length) throws IOException {
        try {
            UploadPartResponse response = client.uploadPart(b -> {
                b.bucket(bucket).key(objectKey).uploadId(uploadId).partNumber(number).contentLength(length);
                if (crc32) {
                    b.checksumAlgorithm(ChecksumAlgorithm.CRC32);
                }
            }, body);
            return CompletedPart.builder().partNumber(number).eTag(response.eTag())
                    .checksumCRC32(response.checksumCRC32()).build();
        } catch (SdkException e) {
            throw failures.of("upload part " + number, e);
        }
    }

    /** Joins the parts, in order of their numbers, into the object. */
    void complete(List<CompletedPart> parts) throws IOException {
        try {
            client.completeMultipartUpload(b -> b.bucket(bucket).key(objectKey).uploadId(uploadId)
                    .multipartUpload(u -> u.parts(parts)));
        } catch (SdkException e) {
            throw failures.of("complete multipart upload (" + parts.size() + " parts)", e);
        }
    }

    /** Best effort: a half-sent upload costs storage until aborted, and removeFolder aborts what is left. */
    void abort() {
        try {
            client.abortMultipartUpload(b -> b.bucket(bucket).key(objectKey).uploadId(uploadId));
        } catch (SdkException ignored) {
            // the store expires abandoned uploads; removing the backup aborts them too
        }
    }
}
