package com.customercaregpt.backup.replication;

import com.customercaregpt.backup.fixtures.Cli;
import com.customercaregpt.backup.fixtures.S3Server;
import com.customercaregpt.backup.fixtures.TestStack;
import com.customercaregpt.backup.repository.BackupId;
import com.customercaregpt.backup.repository.Manifest;
import com.customercaregpt.backup.repository.ManifestCodec;
import com.customercaregpt.backup.repository.s3.S3Repository;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
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
        Properties properties = new Properties();
        properties.putAll(TestStack.shared().settings(work.resolve("repo")));
        properties.putAll(Map.of("backup.s3.enabled", "true", "backup.s3.endpoint", endpoint, "backup.s3.bucket", bucket,
                "backup.s3.prefix", "prod", "backup.s3.access-key", s3.accessKey(), "backup.s3.secret-key", s3.secretKey(),
                "backup.s3.retry-backoff-seconds", "0"));
        Path file = work.resolve(name);
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            properties.store(out, null);
        }
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

        // An independent client sees the same objects.
        ProcessBuilder aws = new ProcessBuilder("aws", "--endpoint-url", s3.endpoint(), "s3", "ls", "--recursive",
                "s3://" + bucket + "/prod/backups/" + manifest.backupId() + "/").redirectErrorStream(true);
        aws.environment().putAll(Map.of("AWS_ACCESS_KEY_ID", s3.accessKey(), "AWS_SECRET_ACCESS_KEY", s3.secretKey(),
                "AWS_DEFAULT_REGION", "us-east-1"));
        Process process = aws.start();
        String listing = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), listing);
        assertTrue(listing.contains("manifest.json") && listing.contains("database/database.dump.zst"), listing);
    }

    @Test
    void withS3DownTheBackupCompletesLocallyRaisesAnAlertAndReplicateResumesIt() throws Exception {
        Cli.Result create = Cli.run("--config", config("down.properties", "http://127.0.0.1:1").toString(), "create",
                "--components", "config", "--output", "json");
        assertEquals(0, create.exitCode(), "completed locally: " + create);
        Manifest manifest = ManifestCodec.JSON.readValue(create.stdout(), Manifest.class);
        assertEquals(Manifest.COMPLETED, manifest.status());
        assertTrue(create.stderr().contains("ALERT replication: " + manifest.backupId()), create.stderr());
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
}
