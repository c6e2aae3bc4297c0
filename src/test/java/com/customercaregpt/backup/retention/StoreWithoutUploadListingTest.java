package com.customercaregpt.backup.retention;

import com.customercaregpt.backup.fixtures.Cli;
import com.customercaregpt.backup.fixtures.S3rver;
import com.customercaregpt.backup.fixtures.TestStack;
import com.customercaregpt.backup.repository.Manifest;
import com.customercaregpt.backup.repository.ManifestCodec;
import com.customercaregpt.backup.repository.S3Repository;
import com.customercaregpt.backup.repository.store.s3.S3Store;
import com.customercaregpt.backup.repository.store.s3.S3Settings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `cleanup` and `delete` remove backups from a store that does not implement ListMultipartUploads (s3rver). */
class StoreWithoutUploadListingTest {

    private Path work;
    private Path config;
    private S3Settings s3;

    @BeforeEach
    void setUp() throws Exception {
        work = Files.createTempDirectory("upload-listing-test-");
        S3rver server = S3rver.shared();
        s3 = server.settings(server.createBucket(), "prod", S3Settings.MIN_PART_SIZE);
        Properties properties = new Properties();
        properties.putAll(TestStack.shared().settings(work.resolve("repo")));
        properties.putAll(Map.of("backup.s3.enabled", "true", "backup.s3.endpoint", s3.endpoint(),
                "backup.s3.bucket", s3.bucket(), "backup.s3.prefix", s3.prefix(), "backup.s3.access-key", s3.accessKey(),
                "backup.s3.secret-key", s3.secretKey(), "backup.s3.retry-attempts", "1"));
        config = TestStack.store(properties, work.resolve("s3rver.properties"));
    }

    @AfterEach
    void tearDown() {
        TestStack.deleteTree(work);
    }

    @Test
    void cleanupAndDeleteRemoveTheBackupsObjects() throws Exception {
        String expired = create();
        String newest = create();
        assertTrue(!keys(expired).isEmpty() && !keys(newest).isEmpty(), "both backups are in the bucket");
        Path manifest = work.resolve("repo/backups").resolve(expired).resolve("manifest.json");
        Files.writeString(manifest, Files.readString(manifest)
                .replaceFirst("\"expires_at\" : \"[^\"]+\"", "\"expires_at\" : \"2020-01-01T00:00:00Z\""));

        Cli.Result cleanup = Cli.run("--config", config.toString(), "cleanup", "--yes");
        assertEquals(0, cleanup.exitCode(), cleanup.toString());
        assertEquals(List.of(), keys(expired));

        Cli.Result delete = Cli.run("--config", config.toString(), "delete", newest, "--force");
        assertEquals(0, delete.exitCode(), delete.toString());
        assertEquals(List.of(), keys(newest));
    }

    private String create() throws Exception {
        Cli.Result create = Cli.run("--config", config.toString(), "create", "--components", "config", "--output", "json");
        assertEquals(0, create.exitCode(), create.toString());
        return ManifestCodec.JSON.readValue(create.stdout(), Manifest.class).backupId();
    }

    private List<String> keys(String backupId) {
        try (S3Client client = S3Store.newClient(s3)) {
            return client.listObjectsV2(b -> b.bucket(s3.bucket()).prefix(s3.prefix() + "/backups/" + backupId + "/"))
                    .contents().stream().map(S3Object::key).toList();
        }
    }
}
