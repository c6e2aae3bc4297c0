package com.customercaregpt.backup.repository;

import com.customercaregpt.backup.fixtures.S3rver;
import com.customercaregpt.backup.repository.store.Store;
import com.customercaregpt.backup.repository.store.retry.RetryingStore;
import com.customercaregpt.backup.repository.store.s3.S3Store;
import com.customercaregpt.backup.repository.store.s3.S3Settings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The repository contract against a second S3 implementation, s3rver, which leaves out calls
 * s3proxy has: where it lacks one the repository uses, the repository copes.
 */
class S3rverRepositoryTest extends RepositoryContractTest {

    private static final int PART = S3Settings.MIN_PART_SIZE;
    private static final String PREFIX = "cluster-b";

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private S3Settings settings;

    @Override
    protected Store newStore() {
        S3rver server = S3rver.shared();
        settings = server.settings(server.createBucket(), PREFIX, PART);
        return new RetryingStore(new S3Store(settings), RetryingStore.Policy.DEFAULT);
    }

    @AfterEach
    void closeClients() throws Exception {
        for (AutoCloseable closeable : toClose) {
            closeable.close();
        }
    }

    @Test
    void deleteRemovesEveryObjectOnAStoreWithoutListMultipartUploads() throws Exception {
        BackupId id = repository.allocate(Instant.now());
        try (Repository.ArtifactStream out = repository.createArtifact(id, "config/config.json")) {
            out.write("{}".getBytes(StandardCharsets.UTF_8));
        }
        Repository.ArtifactStream dead = repository.createArtifact(id, "uploads/uploads.tar");
        dead.write(new byte[PART + 1]); // a writer that died mid-upload: a pending multipart upload
        repository.writeManifest(id, "{}".getBytes(StandardCharsets.UTF_8));
        S3Client client = S3Store.newClient(settings);
        toClose.add(client);
        AwsServiceException refused = assertThrows(AwsServiceException.class,
                () -> client.listMultipartUploads(b -> b.bucket(settings.bucket())));
        assertEquals(501, refused.statusCode(), "the store this test needs answers NotImplemented");

        repository.delete(id);

        assertEquals(List.of(), client.listObjectsV2(b -> b.bucket(settings.bucket()).prefix(PREFIX + "/"))
                .contents().stream().map(S3Object::key).toList());
        assertFalse(repository.list().contains(id));
        assertEquals(Optional.empty(), repository.readManifest(id));
        assertEquals(new Store.Capabilities(false, false), store.capabilities(), "what it lacks was noticed");
    }
}
