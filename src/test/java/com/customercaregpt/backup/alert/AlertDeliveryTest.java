package com.customercaregpt.backup.alert;

import com.customercaregpt.backup.fixtures.Cli;
import com.customercaregpt.backup.fixtures.S3Server;
import com.customercaregpt.backup.fixtures.TestService;
import com.customercaregpt.backup.fixtures.TestStack;
import com.customercaregpt.backup.fixtures.WalCluster;
import com.customercaregpt.backup.repository.Manifest;
import com.customercaregpt.backup.repository.ManifestCodec;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import com.sun.net.httpserver.HttpServer;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Alerts reach people: a webhook POST and an email per alert, repeats dropped, a "resolved" when it clears. */
class AlertDeliveryTest {

    private static final String SMTP_PASSWORD = "smtp-pw-7c1e";
    private static final String WEBHOOK_TOKEN = "T0KEN-9f3a";
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static GreenMailExtension smtp = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort())
            .withConfiguration(GreenMailConfiguration.aConfig().withUser("alerts", SMTP_PASSWORD));

    private HttpServer receiver;
    private final List<String> posts = new CopyOnWriteArrayList<>();
    private volatile int answer = 200;
    private Path work;
    private Path uploads;
    private final List<Path> mounts = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hooks/", exchange -> {
            posts.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(answer, -1);
            exchange.close();
        });
        receiver.start();
        work = Files.createTempDirectory("alerts-test-");
        uploads = work.resolve("uploads-missing");
    }

    @AfterEach
    void tearDown() throws Exception {
        receiver.stop(0);
        for (Path mounted : mounts) {
            new ProcessBuilder("umount", mounted.toString()).inheritIO().start().waitFor();
        }
        TestStack.deleteTree(work);
    }

    /** The endpoints of the test's receivers; free space is not watched unless a test asks (see smallFileSystem). */
    private Map<String, String> alertSettings() {
        Map<String, String> settings = new HashMap<>(Map.of("backup.alerts.webhook-url", "http://127.0.0.1:"
                        + receiver.getAddress().getPort() + "/hooks/" + WEBHOOK_TOKEN,
                "backup.alerts.webhook-attempts", "2",
                "backup.alerts.webhook-backoff-seconds", "0",
                "backup.alerts.email.host", "127.0.0.1",
                "backup.alerts.email.port", String.valueOf(smtp.getSmtp().getPort()),
                "backup.alerts.email.user", "alerts",
                "backup.alerts.email.password", SMTP_PASSWORD,
                "backup.alerts.email.from", "backup-manager@example.org",
                "backup.alerts.email.to", "ops@example.org",
                "backup.uploads.path", uploads.toString()));
        settings.put("backup.alerts.min-free-percent", "0");
        return settings;
    }

    /** Waits (polling, generously) until the receiver got {@code count} posts; returns the last one's alert. */
    private JsonNode awaitPost(int count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (posts.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(count, posts.size(), posts.toString());
        return alertOf(posts.get(count - 1));
    }

    /** Waits until GreenMail received {@code count} emails, the webhook's twins (sent after it). */
    private static void awaitMails(int count) {
        assertTrue(smtp.waitForIncomingEmail(120_000, count), "emails: " + smtp.getReceivedMessages().length);
        assertEquals(count, smtp.getReceivedMessages().length);
    }

    /** A tmpfs of {@code mib} MiB mounted at {@code <work>/<name>} (unmounted after the test). */
    private Path smallFileSystem(String name, int mib) throws Exception {
        Path folder = Files.createDirectories(work.resolve(name));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + mib + "m", "tmpfs", folder.toString())
                .redirectErrorStream(true).start();
        String output = new String(mount.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, mount.waitFor(), "a small file system needs mount (root): " + output);
        mounts.add(folder);
        return folder;
    }

    /** Writes zeros into {@code file} until the file system is full. */
    private static void fill(Path file) throws IOException {
        byte[] chunk = new byte[64 * 1024];
        try (var out = Files.newOutputStream(file)) {
            while (true) {
                out.write(chunk);
            }
        } catch (IOException full) {
            if (!String.valueOf(full.getMessage()).contains("space")) {
                throw full;
            }
        }
    }

    private static JsonNode alertOf(String post) throws IOException {
        assertFalse(post.contains(WEBHOOK_TOKEN) || post.contains(SMTP_PASSWORD), post);
        return JSON.readTree(post).get("alert");
    }

    @Test
    void aFailedBackupIsPostedAndMailedOnceAndResolvedByTheNextCompletedBackup() throws Exception {
        try (TestService service = TestService.start("alerts-service", alertSettings())) {
            JsonNode failed = service.api().runToEnd("POST", "/backup/create", "{\"components\": [\"uploads\"]}");
            assertEquals("failed", failed.get("status").asText(), failed.toString());
            assertEquals(1, posts.size(), posts.toString());
            JsonNode alert = alertOf(posts.get(0));
            assertEquals("backup-failed", alert.get("kind").asText());
            assertEquals("firing", alert.get("status").asText());
            assertEquals("uploads", alert.get("component").asText());
            String backupId = alert.get("id").asText();
            assertTrue(backupId.startsWith("backup_"), alert.toString());
            assertEquals("backup-manager show " + backupId, alert.get("look further").asText());
            assertTrue(alert.get("cause").asText().contains("folder not found"), alert.toString());
            assertTrue(JSON.readTree(posts.get(0)).get("text").asText().contains("backup-failed [uploads]"));
            MimeMessage[] mails = smtp.getReceivedMessages();
            assertEquals(1, mails.length);
            assertEquals("ops@example.org", mails[0].getAllRecipients()[0].toString());
            assertTrue(mails[0].getSubject().contains("backup-failed [uploads] " + backupId), mails[0].getSubject());
            String mailText = mails[0].getContent().toString();
            assertTrue(mailText.contains("look further: backup-manager show " + backupId), mailText);
            assertFalse(mailText.contains(SMTP_PASSWORD) || mailText.contains(WEBHOOK_TOKEN), mailText);

            // The same failure again within the repeat window: logged, not sent again.
            service.api().runToEnd("POST", "/backup/create", "{\"components\": [\"uploads\"]}");
            assertEquals(1, posts.size(), posts.toString());
            assertEquals(1, smtp.getReceivedMessages().length);

            // The folder is back: the next backup completes and clears the alert.
            Files.createDirectories(uploads);
            Files.writeString(uploads.resolve("invoice.txt"), "paid");
            JsonNode completed = service.api().runToEnd("POST", "/backup/create", "{\"components\": [\"uploads\"]}");
            assertEquals("completed", completed.get("status").asText(), completed.toString());
            assertEquals(2, posts.size(), posts.toString());
            JsonNode resolved = alertOf(posts.get(1));
            assertEquals("backup-failed", resolved.get("kind").asText());
            assertEquals("resolved", resolved.get("status").asText());
            assertEquals("uploads", resolved.get("component").asText());
            assertEquals(alert.get("since").asText(), resolved.get("since").asText());
            assertEquals(2, smtp.getReceivedMessages().length);
            assertTrue(smtp.getReceivedMessages()[1].getSubject().contains("RESOLVED backup-failed [uploads]"));
        }
    }

    private Path cliConfig(Map<String, String> more) {
        Properties properties = new Properties();
        properties.putAll(TestStack.shared().settings(work.resolve("repo")));
        properties.putAll(alertSettings());
        properties.putAll(more);
        return TestStack.store(properties, work.resolve("alerts.properties"));
    }

    private String createdBackup(Path config) {
        Cli.Result create = Cli.run("--config", config.toString(), "create", "--components", "uploads", "--output",
                "json");
        assertEquals(0, create.exitCode(), create.toString());
        try {
            return ManifestCodec.JSON.readValue(create.stdout(), Manifest.class).backupId();
        } catch (IOException e) {
            throw new AssertionError(create.stdout(), e);
        }
    }

    /** Flips one byte in the middle of the backup's artifact of {@code component}. */
    private static void damageArtifact(Path repository, String backupId, String component) throws IOException {
        Path artifact;
        try (var files = Files.walk(repository.resolve("backups").resolve(backupId))) {
            artifact = files.filter(f -> Files.isRegularFile(f) && f.toString().contains(component)).findFirst()
                    .orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(artifact);
        bytes[bytes.length / 2] ^= 0x55;
        Files.write(artifact, bytes);
    }

    @Test
    void aFailedRestoreInTheServiceRaisesARestoreAlert() throws Exception {
        Files.createDirectories(uploads);
        Files.writeString(uploads.resolve("invoice.txt"), "paid");
        try (TestService service = TestService.start("alerts-restore", alertSettings())) {
            JsonNode created = service.api().runToEnd("POST", "/backup/create", "{\"components\": [\"uploads\"]}");
            assertEquals("completed", created.get("status").asText(), created.toString());
            String backupId = created.get("result").asText();
            damageArtifact(service.work().resolve("repo"), backupId, "uploads");
            JsonNode restored = service.api().runToEnd("POST", "/backup/" + backupId + "/restore",
                    "{\"components\": [\"uploads\"], \"target_dir\": \"" + work.resolve("restored") + "\"}");
            assertEquals("failed", restored.get("status").asText(), restored.toString());
            // the operation ends as the alert goes out: wait for its delivery
            JsonNode alert = awaitPost(1);
            assertEquals("restore-failed", alert.get("kind").asText());
            awaitMails(1);
            assertEquals(1, posts.size(), posts.toString());
        }
    }

    @Test
    void aDrillThatFailsOverTheApiRaisesOneDrillFailedAlertNamingThePlanAndTheStep() throws Exception {
        try (TestService service = TestService.start("alerts-drill", alertSettings())) {
            JsonNode created = service.api().runToEnd("POST", "/backup/create", "{\"components\": [\"config\"]}");
            assertEquals("completed", created.get("status").asText(), created.toString());
            damageArtifact(service.work().resolve("repo"), created.get("result").asText(), "config");
            JsonNode drill = service.api().runToEnd("POST", "/disaster-recovery/test",
                    "{\"plan_id\": \"application_recovery\"}");
            assertEquals("failed", drill.get("status").asText(), drill.toString());
            JsonNode alert = awaitPost(1);
            assertEquals("drill-failed", alert.get("kind").asText());
            assertEquals("application_recovery", alert.get("component").asText());
            String cause = alert.get("cause").asText();
            assertTrue(cause.startsWith("drill application_recovery: step verify-recovery-point: config: verify checksum: ")
                    && cause.contains("live data untouched"), alert.toString());
            awaitMails(1);
            assertEquals(1, posts.size(), "one alert, the drill's; its restore raises none of its own: " + posts);
            assertTrue(smtp.getReceivedMessages()[0].getSubject().contains("drill-failed [application_recovery]"),
                    smtp.getReceivedMessages()[0].getSubject());
        }
    }

    @Test
    void aWalStreamerDownLongerThanItsMaxLagRaisesAWalAlertResolvedWhenItStreamsAgain() throws Exception {
        try (WalCluster cluster = new WalCluster("alerts-wal")) {
            Map<String, String> settings = new HashMap<>(alertSettings());
            settings.putAll(cluster.values());
            settings.put("backup.wal.max-lag-seconds", "5");
            try (TestService service = TestService.start("alerts-wal-service", settings)) {
                cluster.postgres().execute(WalCluster.DATABASE, "INSERT INTO orders VALUES (2, 'streamed')");
                cluster.awaitArchivedPast(cluster.serverNow()); // streaming now
                int before = posts.size();
                assertEquals(0, pgCtl(cluster, "stop"));
                JsonNode alert = awaitPost(before + 1);
                assertEquals("wal", alert.get("kind").asText());
                assertEquals("firing", alert.get("status").asText());
                assertEquals("database", alert.get("component").asText());
                String cause = alert.get("cause").asText();
                assertTrue(cause.startsWith("WAL streaming has been down since ") && cause.contains("pg_receivewal exited with"),
                        alert.toString());
                assertFalse(posts.get(before).contains(cluster.postgres().password()), posts.get(before));
                awaitMails(before + 1);
                assertTrue(smtp.getReceivedMessages()[before].getSubject().contains("wal [database]"),
                        smtp.getReceivedMessages()[before].getSubject());

                assertEquals(0, pgCtl(cluster, "start"));
                JsonNode resolved = awaitPost(before + 2);
                assertEquals("wal", resolved.get("kind").asText());
                assertEquals("resolved", resolved.get("status").asText());
                assertEquals(alert.get("since").asText(), resolved.get("since").asText());
                awaitMails(before + 2);
            }
        }
    }

    private static int pgCtl(WalCluster cluster, String action) throws Exception {
        return new ProcessBuilder("sh", "-c", cluster.pgCtl(action)).inheritIO().start().waitFor();
    }

    @Test
    void aComponentStoredFarAboveItsMedianSizeRaisesASizeAnomaly() throws Exception {
        Path config = cliConfig(Map.of("backup.alerts.size-window", "2"));
        Files.createDirectories(uploads);
        Files.writeString(uploads.resolve("invoice.txt"), "paid");
        createdBackup(config);
        createdBackup(config);
        assertEquals(List.of(), posts);
        byte[] noise = new byte[256 * 1024];
        new Random(7).nextBytes(noise);
        Files.write(uploads.resolve("scan.bin"), noise);
        String third = createdBackup(config);
        assertEquals(1, posts.size(), posts.toString());
        JsonNode alert = alertOf(posts.get(0));
        assertEquals("size-anomaly", alert.get("kind").asText());
        assertEquals("uploads", alert.get("component").asText());
        assertEquals(third, alert.get("id").asText());
        assertTrue(alert.get("cause").asText().contains("median of its last 2 full backups"), alert.toString());
        assertEquals(1, smtp.getReceivedMessages().length);
    }

    @Test
    void aVerifyThatFindsABadArtifactRaisesAnAlertNamingIt() throws Exception {
        Path config = cliConfig(Map.of());
        Files.createDirectories(uploads);
        Files.writeString(uploads.resolve("invoice.txt"), "paid");
        String backupId = createdBackup(config);
        damageArtifact(work.resolve("repo"), backupId, "uploads");
        Cli.Result verify = Cli.run("--config", config.toString(), "verify", backupId);
        assertEquals(1, verify.exitCode(), verify.toString());
        assertEquals(1, posts.size(), posts.toString());
        JsonNode alert = alertOf(posts.get(0));
        assertEquals("verify-bad-artifact", alert.get("kind").asText());
        assertEquals("uploads", alert.get("component").asText());
        assertEquals(backupId, alert.get("id").asText());
        assertEquals("backup-manager verify " + backupId, alert.get("look further").asText());
        assertEquals(1, smtp.getReceivedMessages().length);
    }

    @Test
    void aFailedOffSiteCopyRaisesAReplicationAlertNamingTheBackup() throws Exception {
        Path config = cliConfig(Map.of("backup.s3.enabled", "true", "backup.s3.endpoint", "http://127.0.0.1:1",
                "backup.s3.bucket", "alerts", "backup.s3.access-key", "alerts", "backup.s3.secret-key", "alerts-secret",
                "backup.s3.retry-backoff-seconds", "0"));
        Files.createDirectories(uploads);
        Files.writeString(uploads.resolve("invoice.txt"), "paid");
        String backupId = createdBackup(config);
        assertEquals(1, posts.size(), posts.toString());
        JsonNode alert = alertOf(posts.get(0));
        assertEquals("replication-failed", alert.get("kind").asText());
        assertEquals(backupId, alert.get("id").asText());
        assertEquals("backup-manager show " + backupId, alert.get("look further").asText());
        assertEquals(1, smtp.getReceivedMessages().length);
    }

    @Test
    void aFailingWebhookIsRetriedAndNeitherHidesTheEmailNorChangesTheCommandsError() throws Exception {
        answer = 500;
        Path config = cliConfig(Map.of());
        Cli.Result create = Cli.run("--config", config.toString(), "create", "--components", "uploads");
        assertEquals(1, create.exitCode(), create.toString());
        assertTrue(create.stderr().contains("folder not found"), create.stderr());
        assertFalse(create.stderr().contains(WEBHOOK_TOKEN) || create.stderr().contains(SMTP_PASSWORD),
                create.stderr());
        // Two attempts (backup.alerts.webhook-attempts), then the email still went out.
        assertEquals(2, posts.size(), posts.toString());
        assertEquals("backup-failed", alertOf(posts.get(1)).get("kind").asText());
        assertEquals(1, smtp.getReceivedMessages().length);
    }

    @Test
    void aFolderLowOnSpaceRaisesASpaceAlertOnTheTimerAndAResolvedOnceItHasRoomAgain() throws Exception {
        Path scratch = smallFileSystem("scratch", 8);
        Path filler = scratch.resolve("filler.bin");
        Files.write(filler, new byte[15 * 512 * 1024]); // 7.5 of 8 MiB: under 10 % free
        Map<String, String> settings = new HashMap<>(alertSettings());
        settings.putAll(Map.of("backup.scratch.path", scratch.toString(), "backup.alerts.min-free-percent", "10",
                "backup.alerts.check-seconds", "1"));
        try (TestService service = TestService.start("alerts-space", settings)) {
            JsonNode alert = awaitPost(1);
            assertEquals("space-low", alert.get("kind").asText());
            assertEquals("firing", alert.get("status").asText());
            assertEquals("scratch", alert.get("component").asText());
            assertEquals(scratch.toString(), alert.get("id").asText());
            assertTrue(alert.get("cause").asText().contains("free of 8.0 MiB")
                    && alert.get("cause").asText().contains("under backup.alerts.min-free-percent=10"), alert.toString());
            awaitMails(1);

            Files.delete(filler);
            JsonNode resolved = awaitPost(2);
            assertEquals("space-low", resolved.get("kind").asText());
            assertEquals("resolved", resolved.get("status").asText());
            assertEquals("scratch", resolved.get("component").asText());
            assertEquals(alert.get("since").asText(), resolved.get("since").asText());
            awaitMails(2);
        }
    }

    @Test
    void aBackupOnLowSpaceWarnsAndAlertsAndUnderTheFloorDoesNotStart() throws Exception {
        Path scratch = smallFileSystem("scratch", 8);
        Files.write(scratch.resolve("filler.bin"), new byte[15 * 512 * 1024]);
        Path config = cliConfig(Map.of("backup.scratch.path", scratch.toString(), "backup.alerts.min-free-percent", "10"));
        Files.createDirectories(uploads);
        Files.writeString(uploads.resolve("invoice.txt"), "paid");
        Cli.Result low = Cli.run("--config", config.toString(), "create", "--components", "uploads");
        assertEquals(0, low.exitCode(), low.toString());
        assertTrue(low.stderr().contains("WARN") && low.stderr().contains("low on space: " + scratch), low.stderr());
        JsonNode alert = awaitPost(1);
        assertEquals("space-low", alert.get("kind").asText());
        assertEquals(scratch.toString(), alert.get("id").asText());

        fill(scratch.resolve("more.bin"));
        Cli.Result full = Cli.run("--config", config.toString(), "create", "--components", "uploads");
        assertEquals(1, full.exitCode(), full.toString());
        assertTrue(full.stderr().contains(scratch + " has 0 B free of 8.0 MiB")
                && full.stderr().contains("backup.space.refuse-below-percent=1"), full.stderr());
        try (var backups = Files.list(work.resolve("repo/backups"))) {
            assertEquals(1, backups.count(), "no backup begun under the floor");
        }
        assertEquals("space-low", awaitPost(2).get("kind").asText());
    }

    @Test
    void moreBackupsWaitingForS3ThanAllowedRaiseAReplicationBehindAlertResolvedByReplication() throws Exception {
        Files.createDirectories(uploads);
        Files.writeString(uploads.resolve("invoice.txt"), "paid");
        Path local = cliConfig(Map.of());
        createdBackup(local);
        createdBackup(local);
        assertEquals(List.of(), posts);
        S3Server s3 = S3Server.shared();
        Map<String, String> settings = new HashMap<>(alertSettings());
        settings.putAll(Map.of("backup.repository.path", work.resolve("repo").toString(), "backup.s3.enabled", "true",
                "backup.s3.endpoint", s3.endpoint(), "backup.s3.bucket", s3.createBucket(),
                "backup.s3.access-key", s3.accessKey(), "backup.s3.secret-key", s3.secretKey(),
                "backup.alerts.replication-backlog", "1", "backup.alerts.check-seconds", "1"));
        try (TestService service = TestService.start("alerts-backlog", settings)) {
            JsonNode alert = awaitPost(1);
            assertEquals("replication-behind", alert.get("kind").asText());
            assertTrue(alert.get("cause").asText().startsWith("2 finished backups are not in S3 yet"), alert.toString());
            assertEquals("backup-manager replicate", alert.get("look further").asText());
            awaitMails(1);

            service.app().request("direct:replicate", "", Map.of(), Object.class);
            JsonNode resolved = awaitPost(2);
            assertEquals("replication-behind", resolved.get("kind").asText());
            assertEquals("resolved", resolved.get("status").asText());
            awaitMails(2);
        }
    }

    /** The claim of a backup on another host that stopped beating long ago. */
    private static final String DEAD_OWNERS_CLAIM = "{\"token\": \"gone\", \"operation\": \"backup\","
            + " \"host\": \"db-host-2\", \"pid\": 4242, \"acquired_at\": \"2026-01-01T02:00:00Z\","
            + " \"heartbeat_at\": \"2026-01-01T02:05:00Z\"}";

    /** A backup takes over the dead owner's lock at {@code location}; one lock alert names that owner. */
    private void assertTakeoverAlerted(Path config, String location) throws Exception {
        Files.createDirectories(uploads);
        Files.writeString(uploads.resolve("invoice.txt"), "paid");
        createdBackup(config);
        JsonNode alert = awaitPost(1);
        assertEquals("lock", alert.get("kind").asText());
        assertEquals(location, alert.get("component").asText());
        assertTrue(alert.get("cause").asText().contains("backup on host db-host-2 (pid 4242, since 2026-01-01T02:00:00Z,"
                + " last heartbeat 2026-01-01T02:05:00Z)"), alert.toString());
        awaitMails(1);
        assertTrue(smtp.getReceivedMessages()[0].getSubject().contains("lock [" + location + "]"),
                smtp.getReceivedMessages()[0].getSubject());
    }

    @Test
    void aRunThatTakesOverTheStaleLockFileOfADeadOwnerRaisesALockAlertNamingIt() throws Exception {
        Path config = cliConfig(Map.of());
        Files.createDirectories(work.resolve("repo"));
        Files.writeString(work.resolve("repo/lock.json"), DEAD_OWNERS_CLAIM);
        assertTakeoverAlerted(config, work.resolve("repo").toString());
    }

    @Test
    void aRunThatTakesOverTheStaleBucketClaimOfADeadOwnerRaisesALockAlertNamingIt() throws Exception {
        S3Server s3 = S3Server.shared();
        String bucket = s3.createBucket();
        s3.blobStore().putBlob(bucket, s3.blobStore().blobBuilder("prod/locks/gone.json")
                .payload(DEAD_OWNERS_CLAIM.getBytes(StandardCharsets.UTF_8)).build());
        Path config = cliConfig(Map.of("backup.s3.enabled", "true", "backup.s3.endpoint", s3.endpoint(),
                "backup.s3.bucket", bucket, "backup.s3.prefix", "prod", "backup.s3.access-key", s3.accessKey(),
                "backup.s3.secret-key", s3.secretKey()));
        assertTakeoverAlerted(config, "s3://" + bucket + "/prod");
    }

    @Test
    void aBackupWithSomeComponentsFailedRaisesABackupPartialAlert() throws Exception {
        Path config = cliConfig(Map.of());
        Cli.Result create = Cli.run("--config", config.toString(), "create", "--components", "uploads", "redis");
        assertEquals(1, create.exitCode(), create.toString());
        JsonNode alert = awaitPost(1);
        assertEquals("backup-partial", alert.get("kind").asText());
        assertEquals("warning", alert.get("severity").asText());
        assertEquals("uploads", alert.get("component").asText());
        awaitMails(1);
    }

    @Test
    void aMalformedWebhookUrlIsNeverPrintedWhole() throws Exception {
        Path config = cliConfig(Map.of("backup.alerts.webhook-url", "https://hooks.example.org/services/" + WEBHOOK_TOKEN
                + " /x"));
        Cli.Result create = Cli.run("--config", config.toString(), "create", "--components", "uploads");
        assertEquals(1, create.exitCode(), create.toString());
        assertTrue(create.stderr().contains("alert not delivered to the webhook: backup.alerts.webhook-url is not a"
                + " valid http(s) URL"), create.stderr());
        assertFalse(create.stdout().contains(WEBHOOK_TOKEN) || create.stderr().contains(WEBHOOK_TOKEN), create.toString());
        awaitMails(1);
    }
}
