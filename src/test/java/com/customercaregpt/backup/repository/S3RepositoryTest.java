package com.customercaregpt.backup.repository;

import com.customercaregpt.backup.config.Settings;
import com.customercaregpt.backup.fixtures.S3Server;
import com.customercaregpt.backup.fixtures.TestStack;
import com.customercaregpt.backup.fixtures.Tools;
import com.customercaregpt.backup.repository.store.Store;
import com.customercaregpt.backup.repository.store.retry.RetryingStore;
import com.customercaregpt.backup.repository.store.s3.S3Store;
import com.customercaregpt.backup.repository.store.s3.S3Settings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The repository contract against a real S3 API (s3proxy), plus what only S3 has: parts, uploads, other clients. */
class S3RepositoryTest extends RepositoryContractTest {

    private static final int MIB = 1 << 20;
    private static final int PART = S3Settings.MIN_PART_SIZE;
    private static final String PREFIX = "cluster-a";

    private final S3Server server = S3Server.shared();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private String bucket;

    @TempDir
    Path scratch;

    @Override
    protected Store newStore() {
        bucket = server.createBucket();
        return new RetryingStore(new S3Store(server.settings(bucket, PREFIX, PART)), RetryingStore.Policy.DEFAULT);
    }

    @Test
    void s3proxyIgnoresConditionalPutAndListsPendingUploads() {
        assertEquals(new Store.Capabilities(false, true), store.capabilities());
    }

    private S3Repository open(S3Settings settings) {
        S3Repository repository = new S3Repository(settings);
        toClose.add(repository);
        return repository;
    }

    @Test
    void aListingOfMoreKeysThanOnePageReadsEveryPage() throws Exception {
        int count = 1003;
        for (int i = 0; i < count; i++) {
            store.save(String.format("wal/00000001/segment-%04d", i), new byte[]{(byte) i});
        }
        List<String> keys = store.keys("wal/00000001/", Integer.MAX_VALUE);
        assertEquals(count, keys.size());
        assertEquals("wal/00000001/segment-1002", keys.get(count - 1));
        assertEquals(List.of("wal/00000001/segment-0000"), store.keys("wal/00000001/", 1));
    }

    private S3Client client() {
        S3Client client = S3Store.newClient(server.settings(bucket, PREFIX, PART));
        toClose.add(client);
        return client;
    }

    @AfterEach
    void closeClients() throws Exception {
        for (AutoCloseable closeable : toClose) {
            closeable.close();
        }
    }

    @Test
    void aLargeArtifactGoesUpInPartsWithBoundedMemoryAndComesBackByteExact() throws Exception {
        BackupId id = repository.allocate(Instant.now());
        long size = 18L * MIB + 12_345; // four parts of 5 MiB, the last one short
        String key = key(id, "database/database.dump.zst");
        S3Client client = client();
        long baseline = usedHeapAfterGc();
        long peakGrowth = 0;
        MessageDigest written = MessageDigest.getInstance("SHA-256");
        try (Repository.ArtifactStream out = repository.createArtifact(id, "database/database.dump.zst")) {
            SplittableRandom random = new SplittableRandom(42);
            byte[] chunk = new byte[64 * 1024];
            for (long sent = 0; sent < size; ) {
                int n = (int) Math.min(chunk.length, size - sent);
                for (int i = 0; i < n; i++) {
                    chunk[i] = (byte) random.nextInt();
                }
                out.write(chunk, 0, n);
                written.update(chunk, 0, n);
                sent += n;
                if (sent % (2 * MIB) == 0) {
                    peakGrowth = Math.max(peakGrowth, usedHeapAfterGc() - baseline);
                }
                if (sent == 12 * MIB) { // two parts sent while writing, and nothing visible yet
                    assertEquals(List.of(key), pendingUploads(client));
                    assertThrows(NoSuchFileException.class, () -> repository.openArtifact(id, "database/database.dump.zst"));
                }
            }
        }
        assertEquals(List.of(), pendingUploads(client), "close() completes the multipart upload");
        // holding the artifact would take 18 MiB; the stream may hold one part (plus slack for the client)
        assertTrue(peakGrowth < 2L * PART, "heap grew by " + peakGrowth / MIB + " MiB while writing 18 MiB");

        MessageDigest read = MessageDigest.getInstance("SHA-256");
        long readBack = 0;
        try (InputStream in = repository.openArtifact(id, "database/database.dump.zst")) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                read.update(buffer, 0, n);
                readBack += n;
            }
        }
        assertEquals(size, readBack);
        assertEquals(HexFormat.of().formatHex(written.digest()), HexFormat.of().formatHex(read.digest()));
    }

    @Test
    void abortingAMultipartUploadLeavesNoObjectAndNoPendingUpload() throws Exception {
        BackupId id = repository.allocate(Instant.now());
        Repository.ArtifactStream out = repository.createArtifact(id, "redis/dump.rdb");
        out.write(new byte[2 * PART + 1]); // two full parts: the multipart upload has started
        S3Client client = client();
        assertEquals(List.of(key(id, "redis/dump.rdb")), pendingUploads(client));

        out.abort();

        assertEquals(List.of(), pendingUploads(client));
        assertThrows(NoSuchFileException.class, () -> repository.openArtifact(id, "redis/dump.rdb"));
        assertEquals(List.of(key(id, ".allocated")), keys(client, PREFIX + "/backups/" + id.value() + "/"));
        assertThrows(IOException.class, () -> out.write(1), "an aborted stream takes no more bytes");
    }

    @Test
    void deleteAlsoAbortsUploadsLeftByADeadWriter() throws Exception {
        BackupId id = repository.allocate(Instant.now());
        Repository.ArtifactStream out = repository.createArtifact(id, "uploads/uploads.tar");
        out.write(new byte[PART + 1]); // the writer "dies" here: never closed, never aborted
        S3Client client = client();
        assertEquals(1, pendingUploads(client).size());

        repository.delete(id);

        assertEquals(List.of(), pendingUploads(client));
        assertEquals(List.of(), keys(client, PREFIX + "/"));
    }

    /**
     * s3proxy ignores If-None-Match, so this runs the claim-and-list fallback between two
     * repositories (as two processes would): gaps are allowed, a shared id is not.
     */
    @Test
    void twoRepositoriesOnOneBucketNeverGetTheSameId() throws Exception {
        Repository other = open(server.settings(bucket, PREFIX, PART));
        Instant second = Instant.parse("2026-11-24T07:00:00Z");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<BackupId>> calls = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            Repository target = i % 2 == 0 ? repository : other;
            calls.add(pool.submit(() -> target.allocate(second)));
        }
        Set<BackupId> ids = new HashSet<>();
        for (Future<BackupId> call : calls) {
            ids.add(call.get());
        }
        pool.shutdown();
        assertEquals(16, ids.size(), "ids handed out: " + ids);
        assertEquals(new TreeSet<>(ids), new TreeSet<>(repository.list()));
        for (BackupId id : ids) {
            assertEquals(List.of(key(id, ".allocated")), keys(client(), PREFIX + "/backups/" + id.value() + "/"));
        }
    }

    @Test
    void aMissingArtifactIsNoSuchFileNamingTheObject() throws Exception {
        BackupId id = repository.allocate(Instant.now());
        NoSuchFileException missing = assertThrows(NoSuchFileException.class,
                () -> repository.openArtifact(id, "chromadb/chroma.tar.zst"));
        assertEquals("s3://" + bucket + "/" + key(id, "chromadb/chroma.tar.zst"), missing.getFile());
    }

    @Test
    void listShowsOnlyBackupIdsUnderItsOwnPrefix() throws Exception {
        BackupId id = repository.allocate(Instant.parse("2026-11-24T05:00:00Z"));
        S3Client client = client();
        for (String stray : List.of(PREFIX + "/backups/notes/readme.txt", PREFIX + "/backups/loose-file",
                "other-cluster/backups/backup_20260101_000000/manifest.json")) {
            client.putObject(b -> b.bucket(bucket).key(stray), RequestBody.fromString("x"));
        }
        assertEquals(List.of(id), repository.list());
        assertEquals("s3://" + bucket + "/" + PREFIX, repository.location());
    }

    @Test
    void theAwsCliListsAndDownloadsWhatTheRepositoryWrote() throws Exception {
        BackupId id = repository.allocate(Instant.now());
        byte[] content = new byte[PART + 3 * MIB]; // two parts
        new SplittableRandom(7).nextBytes(content);
        try (Repository.ArtifactStream out = repository.createArtifact(id, "database/database.dump.zst")) {
            out.write(content);
        }
        repository.writeManifest(id, "{\"complete\":true}".getBytes(StandardCharsets.UTF_8));
        String place = "s3://" + bucket + "/" + PREFIX + "/backups/" + id.value() + "/";

        Tools.Run listing = aws("s3", "ls", "--recursive", place);
        assertEquals(0, listing.exitCode(), listing.output());
        assertTrue(listing.output().contains(content.length + " " + key(id, "database/database.dump.zst")), listing.output());
        assertTrue(listing.output().contains(key(id, "manifest.json")), listing.output());

        Path downloaded = scratch.resolve("database.dump.zst");
        Tools.Run copy = aws("s3", "cp", place + "database/database.dump.zst", downloaded.toString());
        assertEquals(0, copy.exitCode(), copy.output());
        assertEquals(sha256(content), Tools.sha256(downloaded));
    }

    @Test
    void aWrongSecretKeyFailsNamingTheBucketWithoutShowingTheKey() {
        S3Settings good = server.settings(bucket, PREFIX, PART);
        String wrongSecret = "wrong-" + good.secretKey();
        S3Repository wrong = open(new S3Settings(good.endpoint(), bucket, PREFIX, good.region(), good.accessKey(),
                wrongSecret, true, S3Settings.WHEN_REQUIRED, PART, 4));

        IOException listing = assertThrows(IOException.class, wrong::list);
        IOException allocating = assertThrows(IOException.class, () -> wrong.allocate(Instant.now()));

        for (IOException e : List.of(listing, allocating)) {
            assertTrue(e.getMessage().startsWith("s3://" + bucket + "/" + PREFIX + "/backups/"), e.getMessage());
            assertTrue(e.getMessage().contains("SignatureDoesNotMatch"), e.getMessage());
            assertTrue(e.getMessage().contains("backup.s3.secret-key"), e.getMessage());
            assertFalse(e.getMessage().contains(wrongSecret), e.getMessage());
        }
        assertTrue(listing.getMessage().contains("list backups failed"), listing.getMessage());
    }

    @Test
    void settingsComeFromTheConfigurationWithDefaultsPerTarget() {
        S3Settings compatible = S3Settings.from(Settings.of(TestStack.projectHome(), Map.of(
                "backup.s3.endpoint", "http://127.0.0.1:9000",
                "backup.s3.bucket", "backups",
                "backup.s3.prefix", "/prod/eu/",
                "backup.s3.access-key", "AKIAEXAMPLE",
                "backup.s3.secret-key", "very-secret-value")));
        assertEquals("prod/eu", compatible.prefix());
        assertEquals("us-east-1", compatible.region());
        assertTrue(compatible.pathStyle());
        assertEquals(S3Settings.WHEN_REQUIRED, compatible.checksumMode());
        assertEquals(8 * MIB, compatible.partSizeBytes());
        assertFalse(compatible.toString().contains("very-secret-value"), compatible.toString());
        assertFalse(compatible.toString().contains("AKIAEXAMPLE"), compatible.toString());

        S3Settings aws = S3Settings.from(Settings.of(TestStack.projectHome(), Map.of(
                "backup.s3.bucket", "backups", "backup.s3.region", "eu-west-1",
                "backup.s3.path-style", "false", "backup.s3.part-size-mb", "16")));
        assertEquals(S3Settings.WHEN_SUPPORTED, aws.checksumMode());
        assertFalse(aws.pathStyle());
        assertEquals(16 * MIB, aws.partSizeBytes());
        assertEquals("s3://backups", open(aws).location());

        assertThrows(Settings.SettingsException.class, () -> S3Settings.from(Settings.of(TestStack.projectHome(),
                Map.of("backup.s3.bucket", "backups", "backup.s3.part-size-mb", "1"))));
        assertThrows(Settings.SettingsException.class, () -> S3Settings.from(Settings.of(TestStack.projectHome(),
                Map.of("backup.s3.bucket", "backups", "backup.s3.checksum-mode", "always"))));
    }

    // ---- helpers -------------------------------------------------------------------------------

    private static String key(BackupId id, String path) {
        return PREFIX + "/backups/" + id.value() + "/" + path;
    }

    private List<String> pendingUploads(S3Client client) {
        return client.listMultipartUploads(b -> b.bucket(bucket)).uploads().stream()
                .map(MultipartUpload::key).toList();
    }

    private List<String> keys(S3Client client, String prefix) {
        return client.listObjectsV2(b -> b.bucket(bucket).prefix(prefix)).contents().stream().map(S3Object::key).toList();
    }

    /**
     * Runs the real aws CLI against the test server. Its own config file (path-style addressing,
     * checksums only when required, as s3proxy needs) and no access to the user's ~/.aws.
     */
    private Tools.Run aws(String... arguments) throws IOException, InterruptedException {
        Path cli = awsCli();
        Path config = scratch.resolve("aws-config");
        Files.writeString(config, """
                [default]
                request_checksum_calculation = when_required
                response_checksum_validation = when_required
                s3 =
                    addressing_style = path
                """);
        List<String> command = new ArrayList<>(List.of(cli.toString(), "--endpoint-url", server.endpoint()));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.put("AWS_ACCESS_KEY_ID", server.accessKey());
        env.put("AWS_SECRET_ACCESS_KEY", server.secretKey());
        env.put("AWS_DEFAULT_REGION", server.region());
        env.put("AWS_CONFIG_FILE", config.toString());
        env.put("AWS_SHARED_CREDENTIALS_FILE", scratch.resolve("no-credentials-file").toString());
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        env.put("AWS_PAGER", "");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Tools.Run(process.waitFor(), output);
    }

    /** The aws CLI on PATH or where the installer puts it; missing is a failure, not a skip. */
    private static Path awsCli() {
        List<Path> candidates = new ArrayList<>();
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty()) {
                candidates.add(Path.of(dir, "aws"));
            }
        }
        candidates.add(Path.of("/root/.pyenv/shims/aws"));
        return candidates.stream().filter(Files::isExecutable).findFirst()
                .orElseThrow(() -> new AssertionError("the aws CLI is required for this test and was not found on PATH"
                        + " or at /root/.pyenv/shims/aws"));
    }

    private static String sha256(byte[] content) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }

    private static long usedHeapAfterGc() {
        Runtime runtime = Runtime.getRuntime();
        System.gc();
        return runtime.totalMemory() - runtime.freeMemory();
    }
}
