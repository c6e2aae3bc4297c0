package com.customercaregpt.backup.api;

import com.customercaregpt.backup.fixtures.ApiClient;
import com.customercaregpt.backup.fixtures.S3Server;
import com.customercaregpt.backup.fixtures.TestService;
import com.fasterxml.jackson.databind.JsonNode;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every kind of long work the REST API starts runs to its end, dry runs included, and leaves
 * nothing behind: no operation still running, no repository lock here or in the bucket.
 */
class OperationsEndTest {

    private static Path work;
    private static String bucket;
    private static TestService service;
    private static ApiClient api;

    @BeforeAll
    static void startService() throws Exception {
        S3Server s3 = S3Server.shared();
        bucket = s3.createBucket();
        service = TestService.start("operations-end-test", Map.of("backup.s3.enabled", "true",
                "backup.s3.endpoint", s3.endpoint(), "backup.s3.bucket", bucket, "backup.s3.prefix", "prod",
                "backup.s3.access-key", s3.accessKey(), "backup.s3.secret-key", s3.secretKey(),
                "backup.s3.retry-backoff-seconds", "0"));
        work = service.work();
        api = service.api();
    }

    @AfterAll
    static void stopService() throws Exception {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void everyKindOfOperationEndsWithItsResultAndLeavesNoLockOrRunningOperationBehind() throws Exception {
        JsonNode created = finished("POST", "/backup/create", "{\"components\": [\"config\"]}");
        String backupId = created.get("result").asText();
        assertTrue(backupId.startsWith("backup_"), created.toString());

        JsonNode planned = finished("POST", "/backup/" + backupId + "/restore", "{\"dry_run\": true}");
        assertEquals("planned", planned.get("outcome").asText(), planned.toString());
        JsonNode plan = planned.get("result");
        assertTrue(plan.get("dry_run").asBoolean(), planned.toString());
        assertFalse(plan.get("plan").get("config").isEmpty(), "the plan is the result: " + planned);

        Path target = work.resolve("restored");
        JsonNode restored = finished("POST", "/backup/" + backupId + "/restore",
                "{\"components\": [\"config\"], \"target_dir\": \"" + target + "\"}");
        assertEquals("completed", restored.get("outcome").asText(), restored.toString());
        assertTrue(Files.isDirectory(target.resolve("config")), "restored beside: " + restored);

        assertEquals("ok", finished("POST", "/backup/" + backupId + "/verify", null).get("outcome").asText());
        JsonNode replicated = finished("POST", "/backup/" + backupId + "/replicate", null);
        assertTrue(replicated.get("result").toString().contains(backupId), replicated.toString());
        assertTrue(S3Server.shared().blobStore().blobExists(bucket, "prod/backups/" + backupId + "/manifest.json"));

        JsonNode dryCleanup = finished("POST", "/backup/cleanup", "{\"dry_run\": true}");
        assertTrue(dryCleanup.get("result").isArray(), dryCleanup.toString());
        JsonNode cleanup = finished("POST", "/backup/cleanup", "{\"dry_run\": false}");
        assertTrue(cleanup.get("result").toString().contains(backupId), "the newest full backup stays: " + cleanup);

        JsonNode rebuilt = finished("POST", "/catalog/rebuild", null);
        assertEquals(1, rebuilt.get("result").get("backups").asInt(), rebuilt.toString());

        var deleted = api.call("DELETE", "/backup/" + backupId, null);
        assertEquals(200, deleted.statusCode(), deleted.body());
        assertNothingLeftBehind("delete");
        assertEquals(404, api.call("GET", "/backup/" + backupId, null).statusCode());
    }

    /** Starts the work (202, so nothing is left of the previous one), waits for it, checks what remains. */
    private static JsonNode finished(String method, String path, String body) throws Exception {
        JsonNode operation = api.runToEnd(method, path, body);
        assertEquals("completed", operation.get("status").asText(), method + " " + path + " " + body + ": " + operation);
        assertFalse(operation.get("result").isNull(), operation.toString());
        assertNothingLeftBehind(method + " " + path + " " + body);
        return operation;
    }

    private static void assertNothingLeftBehind(String after) throws Exception {
        assertFalse(Files.exists(work.resolve("repo/lock.json")), "repository lock left by " + after);
        assertTrue(S3Server.shared().blobStore().list(bucket, ListContainerOptions.Builder.prefix("prod/locks/")
                .recursive()).isEmpty(), "bucket lock left by " + after);
        List<String> running = new ArrayList<>();
        for (JsonNode operation : ApiClient.json(api.call("GET", "/operations", null))) {
            if ("running".equals(operation.get("status").asText())) {
                running.add(operation.toString());
            }
        }
        assertEquals(List.of(), running, "operations still running after " + after);
    }
}
