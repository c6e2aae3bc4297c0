package com.customercaregpt.backup.repository.s3;

import com.customercaregpt.backup.config.Settings;
import com.customercaregpt.backup.repository.BackupId;
import com.customercaregpt.backup.repository.Repository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Error;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * A repository in an S3 bucket (AWS or any S3-compatible store):
 * {@code s3://<bucket>/<prefix>/backups/<backup_id>/<path>}.
 *
 * <p>How it keeps the {@link Repository} contract without a file system:
 * <ul>
 *   <li>No fsync and no renames: an object exists whole or not at all, and is durable, once its
 *       PutObject or CompleteMultipartUpload has returned. Artifacts are committed by that call,
 *       manifests and progress markers are single PUTs (atomic replacement).</li>
 *   <li>No directories: a backup place is reserved by a marker object ({@code <id>/.allocated}),
 *       exclusive through a conditional PUT where the store honours it (see {@link #allocate}).</li>
 *   <li>No file modes: who may read the backups is the bucket policy's business.</li>
 *   <li>Artifacts stream with bounded memory: at most one part ({@link S3Settings#partSizeBytes})
 *       is held per open artifact.</li>
 * </ul>
 */
public final class S3Repository implements Repository, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(S3Repository.class);

    static final String MANIFEST = "manifest.json";
    static final String PROGRESS_MARKER = "in-progress.json";
    /** Reserves a place; the fallback writes {@code .allocated.<token>} claims instead. */
    static final String PLACE_MARKER = ".allocated";
    private static final int MIB = 1 << 20;
    /** Part buffers are made of these: smaller than G1's humongous-object threshold (half a region, 512 KiB at least). */
    private static final int CHUNK = 256 * 1024;
    private static final int MAX_PARTS = 10_000;
    private static final int DELETE_BATCH = 1000;
    private static final String OCTET_STREAM = "application/octet-stream";
    private static final String JSON = "application/json";
    private static final String SHA256_METADATA = "sha256";

    private final S3Settings settings;
    private final S3Client client;
    private final String bucket;
    /** {@code <prefix>/backups/} (or {@code backups/}): every key starts with it. */
    private final String backupsPrefix;
    /** Null until probed: whether PutObject honours {@code If-None-Match: *}. */
    private volatile Boolean conditionalPutHonoured;
    /** Set once the store has refused a DeleteObjects batch: from then on, one DeleteObject per key. */
    private volatile boolean batchDeleteRefused;
    /** Set once the store has said it does not implement ListMultipartUploads: delete() stops asking. */
    private volatile boolean uploadListingRefused;
    /** Serialises this object's callers in the fallback allocation, so they never collide (see {@link #claimByListing}). */
    private final Object claimLock = new Object();

    public S3Repository(S3Settings settings) {
        this.settings = settings;
        this.client = newClient(settings);
        this.bucket = settings.bucket();
        this.backupsPrefix = settings.prefix().isEmpty() ? "backups/" : settings.prefix() + "/backups/";
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
                // Plain bodies, signed whole, instead of aws-chunked encoding with a signature per
                // chunk: a store decodes and checks less per byte (s3proxy: 25% faster uploads).
                .serviceConfiguration(software.amazon.awssdk.services.s3.S3Configuration.builder()
                        .chunkedEncodingEnabled(false).build())
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
    public void close() {
        client.close();
    }

    // ---- allocation -------------------------------------------------------------------------

    /**
     * Reserves the first free {@code backup_<time>[_N]} place. S3 has no mkdir, so the place is
     * taken by a marker object: written with {@code If-None-Match: *} where the store honours it
     * (AWS S3 does since 2024), which makes exactly one concurrent writer succeed. Stores that
     * ignore the header or answer NotImplemented get {@link #claimByListing}.
     */
    @Override
    public BackupId allocate(Instant startedAt) throws IOException {
        String base = BackupId.at(startedAt, 0).value();
        // one listing finds every suffix already taken in this second, instead of one probe per suffix
        Set<String> taken = new HashSet<>(placeNamesStartingWith(base));
        boolean honoured = conditionalPutHonoured();
        for (int attempt = 0; attempt < 10_000; attempt++) {
            BackupId id = BackupId.at(startedAt, attempt);
            if (taken.contains(id.value())) {
                continue;
            }
            boolean reserved = honoured ? claimWithConditionalPut(id) : claimByListing(id);
            if (reserved) {
                return id;
            }
        }
        throw new IOException(url(backupsPrefix + base) + ": no free backup id for " + startedAt);
    }

    private boolean claimWithConditionalPut(BackupId id) throws IOException {
        String key = placePrefix(id) + PLACE_MARKER;
        try {
            client.putObject(b -> b.bucket(bucket).key(key).ifNoneMatch("*").contentType(JSON),
                    RequestBody.fromString(claimBody()));
            return true;
        } catch (AwsServiceException e) {
            if (e.statusCode() == 412 || e.statusCode() == 409) {
                return false; // PreconditionFailed: the marker exists; ConditionalRequestConflict: a racing PUT won
            }
            if (notImplemented(e)) {
                conditionalPutHonoured = false; // the probe passed but this store refuses it after all
                return claimByListing(id);
            }
            throw failure(key, "reserve backup place", e);
        } catch (SdkException e) {
            throw failure(key, "reserve backup place", e);
        }
    }

    /**
     * Fallback for stores without conditional PUT: each contender writes its own claim object
     * ({@code .allocated.<token>}) and then lists the place; it wins only if its claim is the only
     * object there, and then writes the usual {@code .allocated} marker before removing its claim,
     * so the place is never empty again. Losers remove their claim. With a strongly consistent
     * LIST (AWS S3 since 2020, MinIO, Ceph) two contenders cannot both win: the later one's
     * listing shows the earlier claim or marker. Two that claim at the same instant both lose and
     * move on to the next suffix.
     *
     * <p>The listing is taken twice ({@link #onlyKeyTwice}): on a store whose LIST is not a snapshot
     * a single scan was seen (1 run in about 10 of a 16-way test) to miss both a rival's new marker
     * and its just-deleted claim.
     *
     * <p>The race that remains: a store whose LIST lags behind its PUTs (eventually consistent
     * listings) can show each of two processes only its own claim, and both get the same id.
     * Callers sharing this repository are serialised by a lock, so it needs two repositories
     * (processes) allocating in the same second against such a store.
     */
    private boolean claimByListing(BackupId id) throws IOException {
        String place = placePrefix(id);
        String claimKey = place + PLACE_MARKER + "." + UUID.randomUUID();
        synchronized (claimLock) {
            if (!keysUnder(place, 1).isEmpty()) {
                return false;
            }
            try {
                client.putObject(b -> b.bucket(bucket).key(claimKey).contentType(JSON),
                        RequestBody.fromString(claimBody()));
            } catch (SdkException e) {
                throw failure(claimKey, "reserve backup place", e);
            }
            boolean won = onlyKeyTwice(place, claimKey);
            if (won) {
                String markerKey = place + PLACE_MARKER;
                try {
                    client.putObject(b -> b.bucket(bucket).key(markerKey).contentType(JSON),
                            RequestBody.fromString(claimBody()));
                } catch (SdkException e) {
                    throw failure(markerKey, "reserve backup place", e);
                }
            }
            deleteKey(claimKey, won ? "replace claim by place marker" : "withdraw claim on backup place");
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
        if (!keysUnder(prefix, 2).equals(List.of(key))) {
            return false;
        }
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while listing " + url(prefix), e);
        }
        return keysUnder(prefix, 2).equals(List.of(key));
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
        String key = backupsPrefix + ".conditional-put-probe-" + UUID.randomUUID();
        try {
            client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString("probe"));
            try {
                client.putObject(b -> b.bucket(bucket).key(key).ifNoneMatch("*"), RequestBody.fromString("probe"));
                return false; // a second create of the same key succeeded: the header was ignored
            } catch (AwsServiceException e) {
                if (e.statusCode() == 412) {
                    return true;
                }
                if (notImplemented(e) || e.statusCode() == 400) {
                    return false; // NotImplemented, or a store that rejects the header it does not know
                }
                throw e;
            }
        } catch (SdkException e) {
            throw failure(key, "probe conditional PUT support", e);
        } finally {
            deleteQuietly(key);
        }
    }

    /** When the place was claimed: only for people looking at the bucket. */
    private static String claimBody() {
        return "{\"claimedAt\":\"" + Instant.now() + "\"}";
    }

    // ---- artifacts -----------------------------------------------------------------------------

    @Override
    public ArtifactStream createArtifact(BackupId id, String path) {
        return new PartUploadStream(placePrefix(id) + Repository.checkRelativePath(path), null);
    }

    /** The checksum goes into the object's metadata (x-amz-meta-sha256), read back by {@link #stat}. */
    @Override
    public ArtifactStream createArtifact(BackupId id, String path, String sha256) {
        return new PartUploadStream(placePrefix(id) + Repository.checkRelativePath(path), sha256);
    }

    /**
     * A local file is sent as {@code uploadConcurrency} parts at a time, each read straight from
     * its range of the file (no part is buffered), while one more thread hashes the file in order:
     * the upload is completed only if that SHA-256 is the manifest's.
     */
    @Override
    public void putFile(BackupId id, String path, java.nio.file.Path file, String sha256) throws IOException {
        String key = placePrefix(id) + Repository.checkRelativePath(path);
        new FileUpload(this, client, bucket, key, Map.of(SHA256_METADATA, sha256), settings).send(file, sha256);
    }

    /** Where lock claims live: {@code <prefix>/locks/}, beside {@code backups/}. */
    String locksPrefix() {
        return settings.prefix().isEmpty() ? "locks/" : settings.prefix() + "/locks/";
    }

    /** Starts a multipart upload of {@code key}; returns its upload id. */
    String startMultipartUpload(String key, Map<String, String> metadata) throws IOException {
        try {
            return client.createMultipartUpload(b -> {
                b.bucket(bucket).key(key).contentType(OCTET_STREAM).metadata(metadata);
                if (!settings.checksumsOnlyWhenRequired()) {
                    b.checksumAlgorithm(ChecksumAlgorithm.CRC32);
                }
            }).uploadId();
        } catch (SdkException e) {
            throw failure(key, "start multipart upload", e);
        }
    }

    @Override
    public Optional<Stored> stat(BackupId id, String path) throws IOException {
        String key = placePrefix(id) + Repository.checkRelativePath(path);
        try {
            var head = client.headObject(b -> b.bucket(bucket).key(key));
            return Optional.of(new Stored(head.contentLength(), head.metadata().get(SHA256_METADATA)));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw failure(key, "stat", e);
        } catch (SdkException e) {
            throw failure(key, "stat", e);
        }
    }

    @Override
    public InputStream openArtifact(BackupId id, String path) throws IOException {
        String key = placePrefix(id) + Repository.checkRelativePath(path);
        InputStream body;
        try {
            body = client.getObject(b -> b.bucket(bucket).key(key));
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

    /**
     * Buffers one part in memory; the first full part starts a multipart upload, every further
     * full part is sent as it fills, and close() sends the rest and completes the upload (only
     * then does the key exist). An artifact that never fills a part goes as one PutObject.
     *
     * <p>The part is held in fixed chunks rather than one array: small artifacts take only the
     * chunks they fill, nothing is copied to grow, and no chunk is big enough to be a G1
     * "humongous" object (a 8 MiB array would occupy whole heap regions of its own).
     */
    private final class PartUploadStream extends ArtifactStream {
        private final String key;
        private final int partSize = settings.partSizeBytes();
        /** Reused from part to part: never more than one part's worth. */
        private final List<byte[]> chunks = new ArrayList<>();
        /** Bytes of the current part in {@link #chunks}. */
        private int filled;
        private String uploadId;
        private final List<CompletedPart> parts = new ArrayList<>();
        private boolean finished;
        private IOException failed;
        private final Map<String, String> metadata;

        PartUploadStream(String key, String sha256) {
            this.key = key;
            this.metadata = sha256 == null ? Map.of() : Map.of(SHA256_METADATA, sha256);
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
                    // sent only once more bytes arrive, so an artifact of exactly one part is a single PutObject
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
            if (uploadId == null) {
                try {
                    uploadId = startMultipartUpload(key, metadata);
                } catch (IOException e) {
                    throw fail(e);
                }
            }
            int partNumber = parts.size() + 1;
            if (partNumber > MAX_PARTS) {
                throw fail(new IOException(url(key) + ": artifact exceeds " + MAX_PARTS + " parts of "
                        + partSize / MIB + " MiB; raise backup.s3.part-size-mb"));
            }
            try {
                UploadPartResponse response = client.uploadPart(b -> {
                    b.bucket(bucket).key(key).uploadId(uploadId).partNumber(partNumber).contentLength((long) filled);
                    if (!settings.checksumsOnlyWhenRequired()) {
                        b.checksumAlgorithm(ChecksumAlgorithm.CRC32);
                    }
                }, bufferedBody());
                parts.add(CompletedPart.builder().partNumber(partNumber).eTag(response.eTag())
                        .checksumCRC32(response.checksumCRC32()).build());
                filled = 0;
            } catch (SdkException e) {
                throw fail(failure(key, "upload part " + partNumber, e));
            }
        }

        /** The buffered bytes without a copy; the provider can replay them for SDK retries. */
        private RequestBody bufferedBody() {
            List<byte[]> used = List.copyOf(chunks.subList(0, (filled + CHUNK - 1) / CHUNK));
            int length = filled;
            return RequestBody.fromContentProvider(() -> {
                List<InputStream> pieces = new ArrayList<>(used.size());
                for (int i = 0; i < used.size(); i++) {
                    pieces.add(new ByteArrayInputStream(used.get(i), 0, Math.min(CHUNK, length - i * CHUNK)));
                }
                return new SequenceInputStream(Collections.enumeration(pieces));
            }, length, OCTET_STREAM);
        }

        @Override
        public void close() throws IOException {
            if (finished) {
                if (failed != null) {
                    throw new IOException(url(key) + ": not committed, the upload failed earlier", failed);
                }
                return;
            }
            if (uploadId == null) {
                try {
                    client.putObject(b -> b.bucket(bucket).key(key).contentType(OCTET_STREAM).metadata(metadata),
                            bufferedBody());
                } catch (SdkException e) {
                    throw fail(failure(key, "upload", e));
                }
            } else {
                if (filled > 0) {
                    uploadBufferedPart();
                }
                try {
                    client.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                            .multipartUpload(u -> u.parts(parts)));
                } catch (SdkException e) {
                    throw fail(failure(key, "complete multipart upload (" + parts.size() + " parts)", e));
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
            abortUpload();
        }

        private void checkWritable() throws IOException {
            if (failed != null) {
                throw new IOException(url(key) + ": the upload failed earlier", failed);
            }
            if (finished) {
                throw new IOException(url(key) + ": artifact stream already closed");
            }
        }

        /** A failed upload is abandoned at once: a half-sent multipart upload costs storage until aborted. */
        private IOException fail(IOException e) {
            failed = e;
            finished = true;
            chunks.clear();
            abortUpload();
            return e;
        }

        private void abortUpload() {
            if (uploadId == null) {
                return;
            }
            try {
                client.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
            } catch (SdkException ignored) {
                // the place is unfinished and delete() aborts what is left under it
            }
        }
    }

    // ---- manifest, markers, listing, deletion -------------------------------------------------

    @Override
    public void writeManifest(BackupId id, byte[] manifestJson) throws IOException {
        putSmall(placePrefix(id) + MANIFEST, manifestJson, "write manifest");
    }

    @Override
    public Optional<byte[]> readManifest(BackupId id) throws IOException {
        return readIfPresent(placePrefix(id) + MANIFEST, "read manifest");
    }

    @Override
    public void writeProgressMarker(BackupId id, byte[] markerJson) throws IOException {
        putSmall(placePrefix(id) + PROGRESS_MARKER, markerJson, "write progress marker");
    }

    @Override
    public Optional<byte[]> readProgressMarker(BackupId id) throws IOException {
        return readIfPresent(placePrefix(id) + PROGRESS_MARKER, "read progress marker");
    }

    @Override
    public void removeProgressMarker(BackupId id) throws IOException {
        deleteKey(placePrefix(id) + PROGRESS_MARKER, "remove progress marker");
    }

    @Override
    public List<BackupId> list() throws IOException {
        List<BackupId> ids = new ArrayList<>();
        for (String name : placeNamesStartingWith("")) {
            if (BackupId.isValid(name)) {
                ids.add(new BackupId(name));
            }
        }
        ids.sort(Comparator.naturalOrder());
        return ids;
    }

    /**
     * Manifest first (so a half-deleted backup reads as unfinished), then every other object,
     * then the place markers; pending multipart uploads under the place are aborted too, where
     * the store can list them.
     */
    @Override
    public void delete(BackupId id) throws IOException {
        String place = placePrefix(id);
        deleteKey(place + MANIFEST, "delete manifest");
        abortPendingUploads(place);
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
            throw failure(place, "list for delete", e);
        }
        deleteBatch(batch);
        deleteBatch(markers);
    }

    /**
     * Optional: a pending upload holds no object, only storage, and stores that cannot list
     * uploads (s3rver, some gateways) either have none or expire them themselves.
     */
    private void abortPendingUploads(String place) throws IOException {
        if (uploadListingRefused) {
            return;
        }
        try {
            for (MultipartUpload upload : client.listMultipartUploadsPaginator(b -> b.bucket(bucket).prefix(place)).uploads()) {
                if (upload.key().startsWith(place)) {
                    client.abortMultipartUpload(b -> b.bucket(bucket).key(upload.key()).uploadId(upload.uploadId()));
                }
            }
        } catch (AwsServiceException e) {
            if (!notImplemented(e)) {
                throw failure(place, "abort pending uploads", e);
            }
            uploadListingRefused = true;
            LOG.debug("{}: skipped aborting pending uploads, the store does not implement it: {}", url(place), describe(e));
        } catch (SdkException e) {
            throw failure(place, "abort pending uploads", e);
        }
    }

    /**
     * One DeleteObjects call for up to 1000 keys. Since SDK 2.30 that request must carry a CRC32
     * checksum, which S3-compatible stores often refuse (s3proxy: NotImplemented, older MinIO and
     * Ceph: MissingContentMD5); those get one DeleteObject per key, which needs no checksum.
     */
    private void deleteBatch(List<String> keys) throws IOException {
        if (keys.isEmpty()) {
            return;
        }
        if (batchDeleteRefused) {
            for (String key : keys) {
                deleteKey(key, "delete");
            }
            return;
        }
        List<ObjectIdentifier> objects = keys.stream().map(k -> ObjectIdentifier.builder().key(k).build()).toList();
        DeleteObjectsResponse response;
        try {
            response = client.deleteObjects(b -> b.bucket(bucket)
                    .delete(Delete.builder().objects(objects).quiet(true).build()));
        } catch (AwsServiceException e) {
            if (notImplemented(e) || e.statusCode() == 400) {
                batchDeleteRefused = true;
                LOG.debug("{}: the store refuses DeleteObjects, deleting one object at a time: {}", url(keys.get(0)),
                        describe(e));
                deleteBatch(keys);
                return;
            }
            throw failure(keys.get(0), "delete " + keys.size() + " objects", e);
        } catch (SdkException e) {
            throw failure(keys.get(0), "delete " + keys.size() + " objects", e);
        }
        if (response.hasErrors() && !response.errors().isEmpty()) {
            S3Error first = response.errors().get(0);
            throw new IOException(url(first.key()) + ": delete failed: " + first.code() + ": " + first.message()
                    + (response.errors().size() > 1 ? " (and " + (response.errors().size() - 1) + " more)" : ""));
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    /** Names of the "folders" directly under backups/ that start with {@code start}. */
    private List<String> placeNamesStartingWith(String start) throws IOException {
        List<String> names = new ArrayList<>();
        try {
            for (CommonPrefix prefix : client.listObjectsV2Paginator(b -> b.bucket(bucket)
                    .prefix(backupsPrefix + start).delimiter("/")).commonPrefixes()) {
                String name = prefix.prefix().substring(backupsPrefix.length());
                names.add(name.endsWith("/") ? name.substring(0, name.length() - 1) : name);
            }
        } catch (SdkException e) {
            throw failure(backupsPrefix, "list backups", e);
        }
        return names;
    }

    /** Up to {@code limit} keys under {@code prefix} (one request: enough to tell empty, one, several). */
    List<String> keysUnder(String prefix, int limit) throws IOException {
        try {
            return client.listObjectsV2(b -> b.bucket(bucket).prefix(prefix).maxKeys(limit))
                    .contents().stream().map(S3Object::key).toList();
        } catch (SdkException e) {
            throw failure(prefix, "list", e);
        }
    }

    void putSmall(String key, byte[] content, String operation) throws IOException {
        try {
            client.putObject(b -> b.bucket(bucket).key(key).contentType(JSON), RequestBody.fromBytes(content));
        } catch (SdkException e) {
            throw failure(key, operation, e);
        }
    }

    Optional<byte[]> readIfPresent(String key, String operation) throws IOException {
        try {
            return Optional.of(client.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray());
        } catch (NoSuchKeyException absent) {
            return Optional.empty();
        } catch (SdkException e) {
            throw failure(key, operation, e);
        }
    }

    /** DeleteObject succeeds on a missing key, which makes removal idempotent for free. */
    void deleteKey(String key, String operation) throws IOException {
        try {
            client.deleteObject(b -> b.bucket(bucket).key(key));
        } catch (SdkException e) {
            throw failure(key, operation, e);
        }
    }

    private void deleteQuietly(String key) {
        try {
            client.deleteObject(b -> b.bucket(bucket).key(key));
        } catch (SdkException ignored) {
            // a stray probe object is harmless: list() only reports backup ids
        }
    }

    private String placePrefix(BackupId id) {
        return backupsPrefix + id.value() + "/";
    }

    private String url(String key) {
        return "s3://" + bucket + "/" + key;
    }

    /**
     * Whether the store answered that it lacks this call (NotImplemented, or MethodNotAllowed from
     * stores that route only the calls they know): S3-compatible stores each leave out some.
     */
    static boolean notImplemented(AwsServiceException e) {
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        return e.statusCode() == 501 || e.statusCode() == 405 || "NotImplemented".equals(code)
                || "MethodNotAllowed".equals(code);
    }

    /** "s3://bucket/key: operation failed: reason", with a hint where the reason is usually configuration. */
    IOException failure(String key, String operation, SdkException e) {
        return new IOException(url(key) + ": " + operation + " failed: " + describe(e), e);
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

    /**
     * Where and how to reach the bucket. The keys are never printed: {@link #toString()} leaves
     * them out, and error messages name only the bucket, the object key and the operation.
     *
     * @param endpoint      empty for AWS, else the S3-compatible endpoint URL
     * @param prefix        optional folder inside the bucket, without leading or trailing '/'
     * @param checksumMode  "when-required" (S3-compatible stores) or "when-supported" (AWS)
     * @param partSizeBytes multipart part size, also the memory held per open artifact
     * @param uploadConcurrency parts of one file sent at once by {@link #putFile}
     */
    public record S3Settings(String endpoint, String bucket, String prefix, String region, String accessKey,
                             String secretKey, boolean pathStyle, String checksumMode, int partSizeBytes,
                             int uploadConcurrency) {

        /** S3 refuses smaller parts (except the last). */
        public static final int MIN_PART_SIZE = 5 * MIB;
        /** S3 allows 5 GiB, but a part is held in memory per open artifact: keep that sane. */
        public static final int MAX_PART_SIZE = 1024 * MIB;
        public static final String WHEN_REQUIRED = "when-required";
        public static final String WHEN_SUPPORTED = "when-supported";

        public S3Settings {
            endpoint = endpoint == null ? "" : endpoint.trim();
            bucket = bucket == null ? "" : bucket.trim();
            prefix = prefix == null ? "" : stripSlashes(prefix.trim());
            region = region == null || region.isBlank() ? "us-east-1" : region.trim();
            accessKey = accessKey == null ? "" : accessKey.trim();
            secretKey = secretKey == null ? "" : secretKey.trim();
            checksumMode = checksumMode == null || checksumMode.isBlank()
                    ? (endpoint.isEmpty() ? WHEN_SUPPORTED : WHEN_REQUIRED)
                    : checksumMode.trim().toLowerCase(Locale.ROOT);
            if (bucket.isEmpty()) {
                throw new Settings.SettingsException("backup.s3.bucket is required for an S3 repository");
            }
            if (Arrays.asList(prefix.split("/")).contains("..") || prefix.contains("//")) {
                throw new Settings.SettingsException("backup.s3.prefix must be a plain folder path, got '" + prefix + "'");
            }
            if (!checksumMode.equals(WHEN_REQUIRED) && !checksumMode.equals(WHEN_SUPPORTED)) {
                throw new Settings.SettingsException("backup.s3.checksum-mode must be " + WHEN_REQUIRED + " or "
                        + WHEN_SUPPORTED + ", got '" + checksumMode + "'");
            }
            if (partSizeBytes < MIN_PART_SIZE || partSizeBytes > MAX_PART_SIZE) {
                throw new Settings.SettingsException("the S3 part size (backup.s3.part-size-mb) must be between "
                        + MIN_PART_SIZE / MIB + " and " + MAX_PART_SIZE / MIB + " MiB, got "
                        + String.format(Locale.ROOT, "%.1f MiB", partSizeBytes / (double) MIB));
            }
            if (uploadConcurrency < 1 || uploadConcurrency > 64) {
                throw new Settings.SettingsException("backup.s3.upload-concurrency must be between 1 and 64, got "
                        + uploadConcurrency);
            }
            if (accessKey.isEmpty() != secretKey.isEmpty()) {
                throw new Settings.SettingsException("set both backup.s3.access-key and backup.s3.secret-key, or neither"
                        + " (to use the AWS default credentials)");
            }
        }

        /** Reads backup.s3.* (endpoint, bucket, prefix, region, access-key, secret-key, path-style,
         *  checksum-mode, part-size-mb, upload-concurrency). */
        public static S3Settings from(Settings settings) {
            String endpoint = settings.get("backup.s3.endpoint", "");
            String pathStyle = settings.get("backup.s3.path-style", "true").toLowerCase(Locale.ROOT);
            if (!pathStyle.equals("true") && !pathStyle.equals("false")) {
                throw new Settings.SettingsException("backup.s3.path-style must be true or false, got '" + pathStyle + "'");
            }
            long partSizeBytes = (long) settings.getInt("backup.s3.part-size-mb", 8) * MIB;
            return new S3Settings(endpoint,
                    settings.get("backup.s3.bucket", ""),
                    settings.get("backup.s3.prefix", ""),
                    settings.get("backup.s3.region", ""),
                    settings.get("backup.s3.access-key", ""),
                    settings.get("backup.s3.secret-key", ""),
                    Boolean.parseBoolean(pathStyle),
                    settings.get("backup.s3.checksum-mode", ""),
                    (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, partSizeBytes)), // saturated: the record refuses it
                    settings.getInt("backup.s3.upload-concurrency", 4));
        }

        boolean checksumsOnlyWhenRequired() {
            return checksumMode.equals(WHEN_REQUIRED);
        }

        private static String stripSlashes(String value) {
            int start = 0;
            int end = value.length();
            while (start < end && value.charAt(start) == '/') {
                start++;
            }
            while (end > start && value.charAt(end - 1) == '/') {
                end--;
            }
            return value.substring(start, end);
        }

        /** Everything but the credentials (the project never prints keys: see Settings.isSecretKey). */
        @Override
        public String toString() {
            return "S3Settings[endpoint=" + (endpoint.isEmpty() ? "(AWS)" : endpoint) + ", bucket=" + bucket
                    + ", prefix=" + prefix + ", region=" + region + ", credentials="
                    + (accessKey.isEmpty() ? "(AWS default chain)" : "(static, hidden)") + ", pathStyle=" + pathStyle
                    + ", checksumMode=" + checksumMode + ", partSizeBytes=" + partSizeBytes + "]";
        }
    }
}
