package com.customercaregpt.backup.repository.store.s3;

import com.customercaregpt.backup.repository.Repository.ArtifactStream;
import com.customercaregpt.backup.repository.store.PermanentStoreException;
import com.customercaregpt.backup.repository.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Error;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * A store in an S3 bucket (AWS or any S3-compatible store): key {@code k} is the object
 * {@code s3://<bucket>/<prefix>/k}.
 *
 * <p>How it keeps the {@link Store} contract without a file system:
 * <ul>
 *   <li>No fsync and no renames: an object exists whole or not at all, and is durable, once its
 *       PutObject or CompleteMultipartUpload has returned.</li>
 *   <li>No directories: a folder is reserved by a marker object ({@code <folder>/.allocated}),
 *       exclusive through a conditional PUT where the store honours it (see {@link #reserveFolder}).</li>
 *   <li>No file modes: who may read the backups is the bucket policy's business.</li>
 *   <li>No retries here (the SDK's are off too): {@code RetryingStore} is the one retry layer.</li>
 * </ul>
 */
public final class S3Store implements Store {

    private static final Logger LOG = LoggerFactory.getLogger(S3Store.class);

    /** Reserves a folder; the fallback writes {@code .allocated.<token>} claims instead. */
    static final String PLACE_MARKER = ".allocated";
    private static final int DELETE_BATCH = 1000;
    private static final int LIST_PAGE = 1000;
    static final String OCTET_STREAM = "application/octet-stream";
    private static final String JSON = "application/json";
    static final String SHA256_METADATA = "sha256";

    private final S3Settings settings;
    private final S3Client client;
    private final String bucket;
    /** {@code <prefix>/} (or nothing): every key is stored under it. */
    private final String root;
    /** Null until probed: whether PutObject honours {@code If-None-Match: *}. */
    private volatile Boolean conditionalPutHonoured;
    /** Set once the store has refused a DeleteObjects batch: from then on, one DeleteObject per key. */
    private volatile boolean batchDeleteRefused;
    /** Set once the store has said it does not implement ListMultipartUploads: removeFolder stops asking. */
    private volatile boolean uploadListingRefused;
    /** Serialises this object's callers in the fallback reservation, so they never collide (see {@link #claimByListing}). */
    private final Object claimLock = new Object();

    public S3Store(S3Settings settings) {
        this.settings = settings;
        this.client = newClient(settings);
        this.bucket = settings.bucket();
        this.root = settings.prefix().isEmpty() ? "" : settings.prefix() + "/";
    }

    /** The SDK client these settings describe (also handy for tools and tests that look at the bucket). */
    public static S3Client newClient(S3Settings settings) {
        AwsCredentialsProvider credentials = settings.accessKey().isEmpty() && settings.secretKey().isEmpty()
                ? DefaultCredentialsProvider.builder().build()
                : StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKey(), settings.secretKey()));
        boolean whenRequired = settings.checksumsOnlyWhenRequired();
        S3ClientBuilder builder = S3Client.builder()
                .httpClientBuilder(ApacheHttpClient.builder())
                .region(Region.of(settings.region()))
                .credentialsProvider(credentials)
                .forcePathStyle(settings.pathStyle())
                // one retry layer, configured by backup.s3.retry-*: RetryingStore, around this store
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                // Plain bodies, signed whole, instead of aws-chunked encoding with a signature per
                // chunk: a store decodes and checks less per byte (s3proxy: 25% faster uploads).
                .serviceConfiguration(S3Configuration.builder().chunkedEncodingEnabled(false).build())
                // S3-compatible stores often reject the SDK's default flexible checksums (s3proxy 2.6
                // answers NotImplemented on multipart uploads): send them only where S3 requires one
                .requestChecksumCalculation(whenRequired
                        ? RequestChecksumCalculation.WHEN_REQUIRED : RequestChecksumCalculation.WHEN_SUPPORTED)
                .responseChecksumValidation(whenRequired
                        ? ResponseChecksumValidation.WHEN_REQUIRED : ResponseChecksumValidation.WHEN_SUPPORTED);
        if (!settings.endpoint().isEmpty()) {
            builder.endpointOverride(URI.create(settings.endpoint()));
        }
        return builder.build();
    }

    @Override
    public String location() {
        return settings.prefix().isEmpty() ? "s3://" + bucket : "s3://" + bucket + "/" + settings.prefix();
    }

    @Override
    public String url(String key) {
        return "s3://" + bucket + "/" + root + key;
    }

    /** Conditional PUT is probed once; upload listing is assumed until the store refuses it. */
    @Override
    public Capabilities capabilities() {
        try {
            return new Capabilities(conditionalPutHonoured(), !uploadListingRefused);
        } catch (IOException unreachable) {
            return new Capabilities(false, !uploadListingRefused);
        }
    }

    @Override
    public void close() {
        client.close();
    }

    // ---- writing -------------------------------------------------------------------------------

    @Override
    public void save(String key, byte[] content) throws IOException {
        put(key, "write", RequestBody.fromBytes(content), b -> b.contentType(key.endsWith(".json") ? JSON : OCTET_STREAM));
    }

    /** The checksum goes into the object's metadata (x-amz-meta-sha256), read back by {@link #stat}. */
    @Override
    public ArtifactStream create(String key, String sha256) {
        return new PartBufferStream(this, key, metadata(sha256));
    }

    /**
     * A local file is sent as {@code uploadConcurrency} parts at a time, each read straight from
     * its range of the file (no part is buffered), while one more thread hashes the file in order:
     * the upload is completed only if that SHA-256 is the manifest's.
     */
    @Override
    public void saveFile(String key, Path file, String sha256) throws IOException {
        new FileUpload(this, key, metadata(sha256)).send(file, sha256);
    }

    private static Map<String, String> metadata(String sha256) {
        return sha256 == null ? Map.of() : Map.of(SHA256_METADATA, sha256);
    }

    /** One PutObject of {@code key} (with whatever else {@code request} adds). */
    void put(String key, String operation, RequestBody body,
             Consumer<software.amazon.awssdk.services.s3.model.PutObjectRequest.Builder> request) throws IOException {
        try {
            client.putObject(b -> request.accept(b.bucket(bucket).key(root + key)), body);
        } catch (SdkException e) {
            throw failure(key, operation, e);
        }
    }

    /** A multipart upload of {@code key}, started now: the one way parts reach the store. */
    PartUpload startParts(String key, Map<String, String> metadata) throws IOException {
        return PartUpload.start(client, bucket, root + key, metadata, !settings.checksumsOnlyWhenRequired(),
                (operation, e) -> failure(key, operation, e));
    }

    S3Settings settings() {
        return settings;
    }

    // ---- reading -------------------------------------------------------------------------------

    @Override
    public InputStream open(String key) throws IOException {
        return get(key, b -> b.bucket(bucket).key(root + key));
    }

    @Override
    public InputStream openRange(String key, long offset, long length) throws IOException {
        if (length <= 0) {
            return InputStream.nullInputStream();
        }
        return get(key, b -> b.bucket(bucket).key(root + key).range("bytes=" + offset + "-" + (offset + length - 1)));
    }

    private InputStream get(String key, Consumer<GetObjectRequest.Builder> request) throws IOException {
        InputStream body;
        try {
            body = client.getObject(request);
        } catch (NoSuchKeyException e) {
            throw new NoSuchFileException(url(key), null, "no such object");
        } catch (SdkException e) {
            throw failure(key, "download", e);
        }
        return new FilterInputStream(body) {
            // the SDK can fail mid-stream with unchecked exceptions (checksum mismatch): readers expect IOException
            @Override
            public int read() throws IOException {
                try {
                    return super.read();
                } catch (SdkException e) {
                    throw failure(key, "download", e);
                }
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                try {
                    return super.read(b, off, len);
                } catch (SdkException e) {
                    throw failure(key, "download", e);
                }
            }
        };
    }

    @Override
    public Optional<byte[]> read(String key) throws IOException {
        try {
            return Optional.of(client.getObjectAsBytes(b -> b.bucket(bucket).key(root + key)).asByteArray());
        } catch (NoSuchKeyException absent) {
            return Optional.empty();
        } catch (SdkException e) {
            throw failure(key, "read", e);
        }
    }

    @Override
    public Optional<Stat> stat(String key) throws IOException {
        try {
            var head = client.headObject(b -> b.bucket(bucket).key(root + key));
            return Optional.of(new Stat(head.contentLength(), head.metadata().get(SHA256_METADATA)));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (AwsServiceException e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw failure(key, "stat", e);
        } catch (SdkException e) {
            throw failure(key, "stat", e);
        }
    }

    @Override
    public List<String> folders(String folder, String nameStart) throws IOException {
        String under = root + folder;
        List<String> names = new ArrayList<>();
        try {
            for (CommonPrefix prefix : client.listObjectsV2Paginator(b -> b.bucket(bucket)
                    .prefix(under + nameStart).delimiter("/")).commonPrefixes()) {
                String name = prefix.prefix().substring(under.length());
                names.add(name.endsWith("/") ? name.substring(0, name.length() - 1) : name);
            }
        } catch (SdkException e) {
            throw failure(folder, "list backups", e);
        }
        return names;
    }

    /**
     * Up to 1000 keys are one page, cut to {@code limit} here: a page the store has to truncate
     * needs a continuation token, which s3rver answers with an internal error. More (a WAL
     * archive's thousands of segments) are read page by page.
     */
    @Override
    public List<String> keys(String prefix, int limit) throws IOException {
        try {
            if (limit > LIST_PAGE) {
                return client.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(root + prefix)).contents().stream()
                        .limit(limit).map(o -> o.key().substring(root.length())).toList();
            }
            return client.listObjectsV2(b -> b.bucket(bucket).prefix(root + prefix).maxKeys(LIST_PAGE))
                    .contents().stream().limit(limit).map(o -> o.key().substring(root.length())).toList();
        } catch (SdkException e) {
            throw failure(prefix, "list", e);
        }
    }

    // ---- reserving folders ---------------------------------------------------------------------

    /**
     * S3 has no mkdir, so a folder is taken by a marker object: written with {@code If-None-Match: *}
     * where the store honours it (AWS S3 does since 2024), which makes exactly one concurrent writer
     * succeed. Stores that ignore the header or answer NotImplemented get {@link #claimByListing}.
     */
    @Override
    public boolean reserveFolder(String folder) throws IOException {
        return conditionalPutHonoured() ? claimWithConditionalPut(folder) : claimByListing(folder);
    }

    private boolean claimWithConditionalPut(String folder) throws IOException {
        String key = folder + PLACE_MARKER;
        try {
            client.putObject(b -> b.bucket(bucket).key(root + key).ifNoneMatch("*").contentType(JSON),
                    RequestBody.fromString(claimBody()));
            return true;
        } catch (AwsServiceException e) {
            if (e.statusCode() == 412 || e.statusCode() == 409) {
                return false; // PreconditionFailed: the marker exists; ConditionalRequestConflict: a racing PUT won
            }
            if (notImplemented(e)) {
                conditionalPutHonoured = false; // the probe passed but this store refuses it after all
                LOG.debug("{}: conditional PUT refused, reserving by claim and listing: {}", url(key), describe(e));
                return claimByListing(folder);
            }
            throw failure(key, "reserve backup place", e);
        } catch (SdkException e) {
            throw failure(key, "reserve backup place", e);
        }
    }

    /**
     * Fallback for stores without conditional PUT: each contender writes its own claim object
     * ({@code .allocated.<token>}) and then lists the folder; it wins only if its claim is the only
     * object there, and then writes the usual {@code .allocated} marker before removing its claim,
     * so the folder is never empty again. Losers remove their claim. With a strongly consistent
     * LIST (AWS S3 since 2020, MinIO, Ceph) two contenders cannot both win: the later one's
     * listing shows the earlier claim or marker. Two that claim at the same instant both lose and
     * the caller moves on to the next id.
     *
     * <p>The race that remains: a store whose LIST lags behind its PUTs (eventually consistent
     * listings) can show each of two processes only its own claim, and both get the same folder.
     * Callers sharing this store are serialised by a lock, so it needs two stores (processes)
     * reserving the same folder at once against such a store.
     */
    private boolean claimByListing(String folder) throws IOException {
        String claimKey = folder + PLACE_MARKER + "." + UUID.randomUUID();
        synchronized (claimLock) {
            if (!keys(folder, 1).isEmpty()) {
                return false;
            }
            put(claimKey, "reserve backup place", RequestBody.fromString(claimBody()), b -> b.contentType(JSON));
            boolean won;
            try {
                won = onlyKeyTwice(folder, claimKey);
                if (won) {
                    put(folder + PLACE_MARKER, "reserve backup place", RequestBody.fromString(claimBody()),
                            b -> b.contentType(JSON));
                }
            } catch (IOException e) {
                withdrawQuietly(claimKey); // a claim left behind would make a retry, or a rival, give up this folder
                throw e;
            }
            remove(claimKey, won ? "replace claim by place marker" : "withdraw claim on backup place");
            return won;
        }
    }

    /**
     * Whether {@code key} is the only key under {@code prefix}, in two listings 20 ms apart. Some
     * stores' LIST is not a snapshot (s3proxy's filesystem store scans a folder while others
     * create and delete in it): one listing can miss a contender's marker created, and its claim
     * deleted, during the scan. The second listing starts after those writes and sees the marker.
     */
    boolean onlyKeyTwice(String prefix, String key) throws IOException {
        if (!keys(prefix, 2).equals(List.of(key))) {
            return false;
        }
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while listing " + url(prefix), e);
        }
        return keys(prefix, 2).equals(List.of(key));
    }

    /**
     * Whether PutObject honours {@code If-None-Match: *}: asked once with a throw-away object,
     * because stores that do not know the header (s3proxy 2.6 among them) silently ignore it.
     */
    private boolean conditionalPutHonoured() throws IOException {
        Boolean known = conditionalPutHonoured;
        if (known != null) {
            return known;
        }
        synchronized (this) {
            if (conditionalPutHonoured == null) {
                conditionalPutHonoured = probeConditionalPut();
            }
            return conditionalPutHonoured;
        }
    }

    private boolean probeConditionalPut() throws IOException {
        String key = "backups/.conditional-put-probe-" + UUID.randomUUID();
        try {
            client.putObject(b -> b.bucket(bucket).key(root + key), RequestBody.fromString("probe"));
            try {
                client.putObject(b -> b.bucket(bucket).key(root + key).ifNoneMatch("*"), RequestBody.fromString("probe"));
                return false; // a second create of the same key succeeded: the header was ignored
            } catch (AwsServiceException e) {
                if (e.statusCode() == 412) {
                    return true;
                }
                if (notImplemented(e) || e.statusCode() == 400) {
                    LOG.debug("{}: no conditional PUT on this store: {}", url(key), describe(e));
                    return false; // NotImplemented, or a store that rejects the header it does not know
                }
                throw e;
            }
        } catch (SdkException e) {
            throw failure(key, "probe conditional PUT support", e);
        } finally {
            try {
                client.deleteObject(b -> b.bucket(bucket).key(root + key));
            } catch (SdkException ignored) {
                // a stray probe object is harmless: readers only look at backup ids
            }
        }
    }

    private void withdrawQuietly(String claimKey) {
        try {
            remove(claimKey, "withdraw claim on backup place");
        } catch (IOException ignored) {
            // the store is failing: the caller reports the first failure, and a stray claim only costs an id
        }
    }

    /** When the folder was claimed: only for people looking at the bucket. */
    private static String claimBody() {
        return "{\"claimedAt\":\"" + Instant.now() + "\"}";
    }

    // ---- removing ------------------------------------------------------------------------------

    @Override
    public void remove(String key) throws IOException {
        remove(key, "delete");
    }

    /** DeleteObject succeeds on a missing key, which makes removal idempotent for free. */
    private void remove(String key, String operation) throws IOException {
        try {
            client.deleteObject(b -> b.bucket(bucket).key(root + key));
        } catch (SdkException e) {
            throw failure(key, operation, e);
        }
    }

    /**
     * Every object but the folder markers, then the markers (so a half-removed folder stays
     * reserved); pending multipart uploads in the folder are aborted first, where the store can
     * list them.
     */
    @Override
    public void removeFolder(String folder) throws IOException {
        String place = root + folder;
        abortPendingUploads(folder);
        List<String> markers = new ArrayList<>();
        List<String> batch = new ArrayList<>();
        try {
            for (S3Object object : client.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(place)).contents()) {
                String name = object.key().substring(place.length());
                if (name.startsWith(PLACE_MARKER)) {
                    markers.add(object.key());
                    continue;
                }
                batch.add(object.key());
                if (batch.size() == DELETE_BATCH) {
                    deleteBatch(batch);
                    batch.clear();
                }
            }
        } catch (SdkException e) {
            throw failure(folder, "list for delete", e);
        }
        deleteBatch(batch);
        deleteBatch(markers);
    }

    /**
     * Optional: a pending upload holds no object, only storage, and stores that cannot list
     * uploads (s3rver, some gateways) either have none or expire them themselves.
     */
    private void abortPendingUploads(String folder) throws IOException {
        if (uploadListingRefused) {
            return;
        }
        String place = root + folder;
        try {
            for (MultipartUpload upload : client.listMultipartUploadsPaginator(b -> b.bucket(bucket).prefix(place)).uploads()) {
                if (upload.key().startsWith(place)) {
                    client.abortMultipartUpload(b -> b.bucket(bucket).key(upload.key()).uploadId(upload.uploadId()));
                }
            }
        } catch (AwsServiceException e) {
            if (!notImplemented(e)) {
                throw failure(folder, "abort pending uploads", e);
            }
            uploadListingRefused = true;
            LOG.debug("{}: skipped aborting pending uploads, the store does not implement it: {}", url(folder),
                    describe(e));
        } catch (SdkException e) {
            throw failure(folder, "abort pending uploads", e);
        }
    }

    /**
     * One DeleteObjects call for up to 1000 full object keys. Since SDK 2.30 that request must carry
     * a CRC32 checksum, which S3-compatible stores often refuse (s3proxy: NotImplemented, older MinIO
     * and Ceph: MissingContentMD5); those get one DeleteObject per key, which needs no checksum.
     */
    private void deleteBatch(List<String> objectKeys) throws IOException {
        if (objectKeys.isEmpty()) {
            return;
        }
        if (batchDeleteRefused) {
            for (String objectKey : objectKeys) {
                remove(objectKey.substring(root.length()));
            }
            return;
        }
        List<ObjectIdentifier> objects = objectKeys.stream().map(k -> ObjectIdentifier.builder().key(k).build()).toList();
        String first = objectKeys.get(0).substring(root.length());
        DeleteObjectsResponse response;
        try {
            response = client.deleteObjects(b -> b.bucket(bucket)
                    .delete(Delete.builder().objects(objects).quiet(true).build()));
        } catch (AwsServiceException e) {
            if (notImplemented(e) || e.statusCode() == 400) {
                batchDeleteRefused = true;
                LOG.debug("{}: the store refuses DeleteObjects, deleting one object at a time: {}", url(first),
                        describe(e));
                deleteBatch(objectKeys);
                return;
            }
            throw failure(first, "delete " + objectKeys.size() + " objects", e);
        } catch (SdkException e) {
            throw failure(first, "delete " + objectKeys.size() + " objects", e);
        }
        if (response.hasErrors() && !response.errors().isEmpty()) {
            S3Error error = response.errors().get(0);
            throw new IOException("s3://" + bucket + "/" + error.key() + ": delete failed: " + error.code() + ": "
                    + error.message() + (response.errors().size() > 1
                    ? " (and " + (response.errors().size() - 1) + " more)" : ""));
        }
    }

    /** Claim objects under {@code <prefix>/locks/}, beside {@code backups/}. */
    @Override
    public BucketLock lock(Duration staleAfter) {
        return new BucketLock(this, staleAfter);
    }

    // ---- errors --------------------------------------------------------------------------------

    /**
     * Whether the store answered that it lacks this call (NotImplemented, or MethodNotAllowed from
     * stores that route only the calls they know): S3-compatible stores each leave out some.
     */
    static boolean notImplemented(AwsServiceException e) {
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        return e.statusCode() == 501 || e.statusCode() == 405 || "NotImplemented".equals(code)
                || "MethodNotAllowed".equals(code);
    }

    /**
     * "s3://bucket/key: operation failed: reason", with a hint where the reason is usually
     * configuration; permanent for answers a retry would get again (4xx but timeouts and throttling).
     */
    IOException failure(String key, String operation, SdkException e) {
        String message = url(key) + ": " + operation + " failed: " + describe(e);
        if (e instanceof AwsServiceException service && service.statusCode() >= 400 && service.statusCode() < 500
                && service.statusCode() != 408 && service.statusCode() != 429
                && !"RequestTimeout".equals(service.awsErrorDetails() == null ? null : service.awsErrorDetails().errorCode())) {
            return new PermanentStoreException(message, e);
        }
        return new IOException(message, e);
    }

    private static String describe(SdkException e) {
        if (e instanceof AwsServiceException service && service.awsErrorDetails() != null) {
            AwsErrorDetails details = service.awsErrorDetails();
            String code = details.errorCode() == null ? "error" : details.errorCode();
            String text = code + " (HTTP " + service.statusCode() + ")"
                    + (details.errorMessage() == null ? "" : ": " + details.errorMessage());
            if (service.statusCode() == 403 || code.equals("InvalidAccessKeyId") || code.equals("SignatureDoesNotMatch")) {
                text += " - check backup.s3.access-key, backup.s3.secret-key and the bucket's policy";
            } else if (code.equals("NoSuchBucket")) {
                text += " - check backup.s3.bucket and backup.s3.endpoint";
            }
            return text;
        }
        return e.getMessage();
    }
}
