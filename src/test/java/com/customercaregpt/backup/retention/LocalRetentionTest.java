package com.customercaregpt.backup.retention;

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

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** backup.local.retention-days keeps local copies shorter than the ones in S3, never losing the only copy. */
class LocalRetentionTest {

    private Path work;
    private S3Server s3;
    private String bucket;

    @BeforeEach
    void setUp() throws Exception {
        work = Files.createTempDirectory("local-retention-test-");
        s3 = S3Server.shared();
        bucket = s3.createBucket();
    }

    @AfterEach
    void tearDown() {
        TestStack.deleteTree(work);
    }

    private Path config(String name, String endpoint) {
        Properties properties = new Properties();
        properties.putAll(TestStack.shared().settings(work.resolve("repo")));
        properties.putAll(Map.of("backup.s3.enabled", "true", "backup.s3.endpoint", endpoint, "backup.s3.bucket", bucket,
                "backup.s3.prefix", "prod", "backup.s3.access-key", s3.accessKey(), "backup.s3.secret-key", s3.secretKey(),
                "backup.s3.retry-attempts", "1", "backup.local.retention-days", "1"));
        return TestStack.store(properties, work.resolve(name));
    }

    private String create(Path config) throws Exception {
        Cli.Result create = Cli.run("--config", config.toString(), "create", "--components", "config", "--output", "json");
        assertEquals(0, create.exitCode(), create.toString());
        return ManifestCodec.JSON.readValue(create.stdout(), Manifest.class).backupId();
    }

    /** The local copy looks two days old (its manifest says so); its expiry stays in the future. */
    private void ageLocally(String id) throws Exception {
        Path manifest = work.resolve("repo/backups").resolve(id).resolve("manifest.json");
        Files.writeString(manifest, Files.readString(manifest).replaceFirst("\"created_at\" : \"[^\"]+\"",
                "\"created_at\" : \"" + java.time.Instant.now().minus(java.time.Duration.ofDays(2)) + "\""));
    }

    @Test
    void oldLocalCopiesOfBackupsInS3GoTheRestStays() throws Exception {
        Path up = config("up.properties", s3.endpoint());
        Path down = config("down.properties", "http://127.0.0.1:1");
        String inS3 = create(up);
        String onlyLocal = create(down);
        String newest = create(up);
        for (String id : new String[]{inS3, onlyLocal, newest}) {
            ageLocally(id);
        }

        Cli.Result dryRun = Cli.run("--config", up.toString(), "cleanup", "--dry-run");
        assertEquals(0, dryRun.exitCode(), dryRun.toString());
        assertTrue(dryRun.stdout().contains("would remove " + inS3 + ": local copy older than 1 days"), dryRun.stdout());

        Cli.Result cleanup = Cli.run("--config", up.toString(), "cleanup", "--yes");
        assertEquals(0, cleanup.exitCode(), cleanup.toString());
        assertFalse(Files.exists(work.resolve("repo/backups").resolve(inS3)), "its local copy went");
        assertTrue(Files.exists(work.resolve("repo/backups").resolve(onlyLocal)), "not in S3: the only copy stays");
        assertTrue(Files.exists(work.resolve("repo/backups").resolve(newest)), "the newest backup of config stays local");
        try (S3Repository remote = new S3Repository(s3.settings(bucket, "prod", 5 << 20))) {
            assertTrue(remote.readManifest(new BackupId(inS3)).isPresent(), "still in S3");
        }
        Cli.Result list = Cli.run("--config", up.toString(), "list");
        assertTrue(list.stdout().contains(inS3), "still listed, from S3: " + list.stdout());
        assertEquals(1, TestStack.shared().postgres().queryLong("backup_catalog", "SELECT count(*) FROM backup WHERE "
                + "backup_id = '" + inS3 + "' AND repository = '" + work.resolve("repo").toAbsolutePath().normalize() + "'"),
                "still in the catalog");
    }
}
