package com.customercaregpt.backup.replication;

import com.customercaregpt.backup.fixtures.Cli;
import com.customercaregpt.backup.fixtures.S3Server;
import com.customercaregpt.backup.fixtures.TestStack;
import com.customercaregpt.backup.repository.BackupId;
import com.customercaregpt.backup.repository.Manifest;
import com.customercaregpt.backup.repository.ManifestCodec;
import com.customercaregpt.backup.repository.S3Repository;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Local first, then S3: every artifact and the manifest (last) reach the bucket; an S3 outage only delays it. */
class ReplicationTest {

    private Path work;
    private S3Server s3;
    private String bucket;

    @BeforeEach
    void setUp() throws Exception {
        work = Files.createTempDirectory("replication-test-");
        s3 = S3Server.shared();
        bucket = s3.createBucket();
    }

    @AfterEach
    void tearDown() {
        TestStack.deleteTree(work);
    }

    private Path config(String name, String endpoint) throws Exception {
        return config(name, endpoint, work.resolve("repo"), Map.of());
    }

    private Path config(String name, String endpoint, Path repository, Map<String, String> extra) throws Exception {
        Properties properties = new Properties();
        properties.putAll(TestStack.shared().settings(repository));
        properties.putAll(extra);
        properties.putAll(Map.of("backup.s3.enabled", "true", "backup.s3.endpoint", endpoint, "backup.s3.bucket", bucket,
                "backup.s3.prefix", "prod", "backup.s3.access-key", s3.accessKey(), "backup.s3.secret-key", s3.secretKey(),
                "backup.s3.retry-backoff-seconds", "0"));
        Path file = TestStack.store(properties, work.resolve(name));
        return file;
    }

    private S3Repository bucketView() {
        return new S3Repository(s3.settings(bucket, "prod", 5 << 20));
    }

    private void assertReplicated(Manifest manifest) throws Exception {
        BackupId id = new BackupId(manifest.backupId());
        try (S3Repository remote = bucketView()) {
            assertArrayEquals(Files.readAllBytes(work.resolve("repo/backups").resolve(id.value()).resolve("manifest.json")),
                    remote.readManifest(id).orElseThrow(), "the manifest is in S3");
            for (Manifest.ComponentRecord component : manifest.components()) {
                for (Manifest.Artifact artifact : component.artifacts()) {
                    MessageDigest sha = MessageDigest.getInstance("SHA-256");
                    try (InputStream in = remote.openArtifact(id, artifact.path())) {
                        byte[] buffer = new byte[1 << 16];
                        int n;
                        while ((n = in.read(buffer)) > 0) {
                            sha.update(buffer, 0, n);
                        }
                    }
                    assertEquals(artifact.sha256(), HexFormat.of().formatHex(sha.digest()), artifact.path());
                }
            }
        }
    }

    @Test
    void aBackupIsCopiedToTheBucketArtifactsFirstManifestLast() throws Exception {
        Cli.Result create = Cli.run("--config", config("s3.properties", s3.endpoint()).toString(), "create",
                "--components", "database", "uploads", "config", "--output", "json");
        assertEquals(0, create.exitCode(), create.toString());
        Manifest manifest = ManifestCodec.JSON.readValue(create.stdout(), Manifest.class);
        assertReplicated(manifest);
        Cli.Result list = Cli.run("--config", work.resolve("s3.properties").toString(), "list", "--output", "json");
        assertTrue(list.stdout().contains("\"replicated_at\" : \"20"), "list shows when it reached S3: " + list.stdout());

        // An independent client sees the same objects.
        ProcessBuilder aws = new ProcessBuilder("aws", "--endpoint-url", s3.endpoint(), "s3", "ls", "--recursive",
                "s3://" + bucket + "/prod/backups/" + manifest.backupId() + "/").redirectErrorStream(true);
        aws.environment().putAll(Map.of("AWS_ACCESS_KEY_ID", s3.accessKey(), "AWS_SECRET_ACCESS_KEY", s3.secretKey(),
                "AWS_DEFAULT_REGION", "us-east-1"));
        Process process = aws.start();
        String listing = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), listing);
        assertTrue(listing.contains("manifest.json") && listing.contains("database/toc.dat.zst"), listing);
    }

    @Test
    void withS3DownTheBackupCompletesLocallyRaisesAnAlertAndReplicateResumesIt() throws Exception {
        Cli.Result create = Cli.run("--config", config("down.properties", "http://127.0.0.1:1").toString(), "create",
                "--components", "config", "--output", "json");
        assertEquals(0, create.exitCode(), "completed locally: " + create);
        Manifest manifest = ManifestCodec.JSON.readValue(create.stdout(), Manifest.class);
        assertEquals(Manifest.COMPLETED, manifest.status());
        assertTrue(create.stderr().lines().anyMatch(l -> l.contains("ALERT") && l.contains("replication: "
                + manifest.backupId())), create.stderr());
        try (S3Repository remote = bucketView()) {
            assertTrue(remote.readManifest(new BackupId(manifest.backupId())).isEmpty(), "nothing listed remotely");
        }

        Cli.Result replicate = Cli.run("--config", config("up.properties", s3.endpoint()).toString(), "replicate");
        assertEquals(0, replicate.exitCode(), replicate.toString());
        assertTrue(replicate.stdout().contains(manifest.backupId() + ": replicated"), replicate.stdout());
        assertReplicated(manifest);
        Cli.Result again = Cli.run("--config", work.resolve("up.properties").toString(), "replicate",
                manifest.backupId());
        assertTrue(again.stdout().contains("already-replicated"), again.stdout());
    }

    @Test
    void s3StoppedMidUploadFailsLoudlyAndReplicateResumesWithoutSendingAgainWhatArrived() throws Exception {
        try (S3Server own = S3Server.start()) {
            String ownBucket = own.createBucket();
            // 40 MB that do not compress: eight 5 MiB parts, a copy that takes a moment.
            Path uploads = Files.createDirectories(work.resolve("big-uploads"));
            byte[] random = new byte[1 << 20];
            try (var out = Files.newOutputStream(uploads.resolve("video.bin"))) {
                java.util.Random generator = new java.util.Random(7);
                for (int i = 0; i < 40; i++) {
                    generator.nextBytes(random);
                    out.write(random);
                }
            }
            Properties properties = new Properties();
            properties.putAll(TestStack.shared().settings(work.resolve("repo")));
            properties.putAll(Map.of("backup.uploads.path", uploads.toString(), "backup.s3.enabled", "false",
                    "backup.s3.endpoint", own.endpoint(), "backup.s3.bucket", ownBucket, "backup.s3.prefix", "prod",
                    "backup.s3.access-key", own.accessKey(), "backup.s3.secret-key", own.secretKey(),
                    "backup.s3.retry-backoff-seconds", "0", "backup.s3.part-size-mb", "5"));
            Path config = TestStack.store(properties, work.resolve("own-s3.properties"));
            Cli.Result create = Cli.run("--config", config.toString(), "create", "--components", "database", "uploads",
                    "--output", "json");
            assertEquals(0, create.exitCode(), create.toString());
            Manifest manifest = ManifestCodec.JSON.readValue(create.stdout(), Manifest.class);
            String prefix = "prod/backups/" + manifest.backupId() + "/";
            properties.setProperty("backup.s3.enabled", "true");
            config = TestStack.store(properties, work.resolve("own-s3-enabled.properties"));

            // The copy starts in another process; S3 goes away once the database's artifacts are in
            // and the large uploads artifact is on its way.
            List<Manifest.Artifact> artifacts = manifest.components().stream()
                    .flatMap(c -> c.artifacts().stream()).toList();
            // (the large tar is followed by its small tar snapshot)
            Manifest.Artifact large = artifacts.stream().filter(a -> a.path().startsWith("uploads/uploads.tar"))
                    .findFirst().orElseThrow();
            String lastBeforeUploads = artifacts.get(artifacts.indexOf(large) - 1).path();
            Process replicate = new ProcessBuilder(com.customercaregpt.backup.fixtures.ChildJvm.command(config, "replicate"))
                    .redirectErrorStream(true).redirectOutput(work.resolve("replicate-1.log").toFile()).start();
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
            while (!own.blobStore().blobExists(ownBucket, prefix + lastBeforeUploads)) {
                assertTrue(System.nanoTime() < deadline && replicate.isAlive(), lastBeforeUploads + " never arrived: "
                        + Files.readString(work.resolve("replicate-1.log")));
                Thread.sleep(5);
            }
            own.pause();
            assertTrue(replicate.waitFor(120, java.util.concurrent.TimeUnit.SECONDS));
            String firstRun = Files.readString(work.resolve("replicate-1.log"));
            assertEquals(1, replicate.exitValue(), firstRun);
            assertTrue(firstRun.contains("backup-manager: error: replication: " + manifest.backupId()), firstRun);
            assertTrue(!own.blobStore().blobExists(ownBucket, prefix + "manifest.json"), "not listed as replicated");

            // Two artifacts travel at once, so which ones arrived depends on timing: the resumed
            // copy must send exactly those that did not, and the large one is among them.
            long arrived = artifacts.stream().filter(a -> own.blobStore().blobExists(ownBucket, prefix + a.path())).count();
            assertTrue(arrived >= 1 && arrived < artifacts.size(), arrived + " of " + artifacts.size() + " arrived");
            assertTrue(!own.blobStore().blobExists(ownBucket, prefix + large.path()));

            own.resume();
            Cli.Result resumed = Cli.run("--config", config.toString(), "replicate");
            assertEquals(0, resumed.exitCode(), resumed.toString());
            assertTrue(resumed.stdout().contains(manifest.backupId() + ": replicated"), resumed.stdout());
            assertTrue(resumed.stderr().contains((artifacts.size() - arrived) + " artifacts sent, " + arrived
                    + " already there from an earlier attempt"), resumed.stderr());
            try (S3Repository remote = new S3Repository(own.settings(ownBucket, "prod", 5 << 20))) {
                BackupId id = new BackupId(manifest.backupId());
                assertTrue(remote.readManifest(id).isPresent());
                for (Manifest.ComponentRecord component : manifest.components()) {
                    for (Manifest.Artifact artifact : component.artifacts()) {
                        assertEquals(artifact.sha256(), remote.stat(id, artifact.path()).orElseThrow().sha256());
                        MessageDigest sha = MessageDigest.getInstance("SHA-256");
                        try (InputStream in = remote.openArtifact(id, artifact.path())) {
                            sha.update(in.readAllBytes());
                        }
                        assertEquals(artifact.sha256(), HexFormat.of().formatHex(sha.digest()), artifact.path());
                    }
                }
            }
        }
    }

    @Test
    void aFreshHostWithOnlyTheSettingsAndTheKeyRebuildsTheCatalogAndRestoresFromS3() throws Exception {
        Path key = work.resolve("backup.key");
        assertEquals(0, Cli.run("key", "generate", key.toString()).exitCode());
        Map<String, String> encrypted = Map.of("backup.encryption.key-file", key.toString());
        Cli.Result create = Cli.run("--config", config("first-host.properties", s3.endpoint(), work.resolve("repo"),
                encrypted).toString(), "create", "--components", "database", "uploads", "config", "--output", "json");
        assertEquals(0, create.exitCode(), create.toString());
        String id = ManifestCodec.JSON.readValue(create.stdout(), Manifest.class).backupId();

        // The new host: an empty local repository, no catalog; the bucket and the key are all it has.
        Path fresh = config("fresh-host.properties", s3.endpoint(), work.resolve("fresh-repo"), encrypted);
        var stack = TestStack.shared();
        stack.postgres().execute("postgres", "DROP DATABASE IF EXISTS backup_catalog WITH (FORCE)");
        Cli.Result rebuild = Cli.run("--config", fresh.toString(), "catalog", "rebuild");
        assertEquals(0, rebuild.exitCode(), rebuild.toString());
        assertTrue(rebuild.stdout().contains("1 backups and 0 WAL files indexed"), rebuild.stdout());
        Cli.Result list = Cli.run("--config", fresh.toString(), "list");
        assertTrue(list.stdout().lines().anyMatch(l -> l.startsWith(id) && l.contains("completed")), list.stdout());
        Cli.Result verify = Cli.run("--config", fresh.toString(), "verify", id);
        assertEquals(0, verify.exitCode(), verify.toString());

        Path target = work.resolve("fresh-restore");
        Cli.Result restore = Cli.run("--config", fresh.toString(), "restore", id, "--target-database", "fresh_host_check",
                "--target-dir", target.toString());
        assertEquals(0, restore.exitCode(), restore.toString());
        try {
            assertEquals(stack.postgres().queryLong("customercaregpt", "SELECT count(*) FROM conversations"),
                    stack.postgres().queryLong("fresh_host_check", "SELECT count(*) FROM conversations"));
            com.customercaregpt.backup.fixtures.Fingerprints.assertSame(
                    com.customercaregpt.backup.fixtures.Fingerprints.tree(stack.uploads()),
                    com.customercaregpt.backup.fixtures.Fingerprints.tree(target.resolve("uploads")), "uploads from S3");
        } finally {
            stack.postgres().execute("postgres", "DROP DATABASE IF EXISTS fresh_host_check");
        }
    }
}
