package com.customercaregpt.backup.demo;

import com.customercaregpt.backup.component.ChromaClient;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/** Starts the real demo servers in temp folders, seeds them and checks the data through their own APIs. */
class DemoServersTest {

    private static final String DATABASE = "customercare";
    private static final Map<String, Long> SEEDED_CHROMA_COUNTS = Map.of(
            SampleData.CHROMA_ARTICLES, (long) SampleData.CHROMA_ARTICLE_RECORDS,
            SampleData.CHROMA_FAQ, (long) SampleData.CHROMA_FAQ_RECORDS);

    // Not @TempDir: PostgreSQL runs as OS user postgres under root and must traverse it (mode 755).
    private static Path root;

    @BeforeAll
    static void createRoot() {
        root = LocalServerSupport.createTempFolder("demo-servers-test-");
    }

    @AfterAll
    static void deleteRoot() {
        LocalServerSupport.deleteRecursively(root);
    }

    @Test
    void postgresKeepsSeededDataAcrossRestartAndAttach() throws Exception {
        try (LocalPostgres postgres = LocalPostgres.start(root.resolve("postgres"))) {
            SampleData.seedPostgres(postgres, DATABASE);
            SampleData.seedPostgres(postgres, DATABASE); // a second run must change nothing
            assertSeededPostgres(postgres);

            assertEquals(24, postgres.password().length());
            assertThrows(SQLException.class, () ->
                    DriverManager.getConnection(postgres.jdbcUrl(DATABASE), "postgres", "wrong-password").close());

            LocalPostgres attached = LocalPostgres.attach(postgres.folder());
            assertEquals(postgres.port(), attached.port());
            assertEquals(postgres.password(), attached.password());
            assertTrue(attached.isRunning());

            attached.stop();
            attached.stop(); // idempotent
            assertFalse(postgres.isRunning());
            assertThrows(SQLException.class, () -> postgres.connect(DATABASE).close());

            postgres.start();
            assertSeededPostgres(postgres);
        }
    }

    private static void assertSeededPostgres(LocalPostgres postgres) {
        assertEquals(SampleData.CONVERSATION_ROWS, postgres.queryLong(DATABASE, "SELECT count(*) FROM conversations"));
        assertEquals(SampleData.MESSAGE_ROWS, postgres.queryLong(DATABASE, "SELECT count(*) FROM messages"));
        assertEquals(SampleData.CUSTOMER_ROWS, postgres.queryLong(DATABASE, "SELECT count(*) FROM customers"));
        assertEquals(SampleData.INVOICE_ROWS, postgres.queryLong(DATABASE, "SELECT count(*) FROM invoices"));
        assertEquals(SampleData.INVOICE_SEQUENCE_LAST_VALUE,
                postgres.queryLong(DATABASE, "SELECT last_value FROM invoice_number_seq"));
        assertEquals(SampleData.MESSAGE_ROWS, postgres.queryLong(DATABASE, "SELECT last_value FROM messages_id_seq"));
        assertEquals(4, postgres.queryLong(DATABASE,
                "SELECT count(*) FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid WHERE t.typname = 'conversation_status'"));
        assertEquals(1, postgres.queryLong(DATABASE,
                "SELECT count(*) FROM pg_views WHERE viewname = 'open_conversations_per_customer'"));
        assertEquals(2, postgres.queryLong(DATABASE,
                "SELECT count(*) FROM pg_indexes WHERE indexname IN ('messages_conversation_idx', 'customers_preferences_idx')"));
        assertTrue(postgres.queryLong(DATABASE, "SELECT count(*) FROM analytics.daily_volume") > 0);

        long conversation = postgres.queryLong(DATABASE, "SELECT conversation_id FROM messages WHERE id = 1");
        assertEquals(postgres.queryLong(DATABASE, "SELECT count(*) FROM messages WHERE conversation_id = " + conversation),
                postgres.queryLong(DATABASE, "SELECT conversation_message_count(" + conversation + ")"));

        Map<String, Object> arabic = postgres.query(DATABASE,
                "SELECT display_name, avatar, preferences->>'greeting', tags[2], balance::text"
                        + " FROM customers WHERE email = 'arabic@example.com'",
                resultSet -> {
                    assertTrue(resultSet.next());
                    return Map.of("name", resultSet.getString(1), "avatar", resultSet.getBytes(2),
                            "greeting", resultSet.getString(3), "tag", resultSet.getString(4),
                            "balance", resultSet.getString(5));
                });
        assertEquals("مرحبا بالعالم", arabic.get("name"));
        assertArrayEquals(new byte[] {0x00, (byte) 0xFF, 0x00, (byte) 0xFF}, (byte[]) arabic.get("avatar"));
        assertEquals("السلام عليكم", arabic.get("greeting"));
        assertEquals("مرحبا", arabic.get("tag"));
        assertEquals("-0.0001", arabic.get("balance"));
    }

    @Test
    void redisHoldsKeysOfEveryTypeInSeveralDatabases() throws IOException {
        String password = "test-redis-password";
        try (LocalRedis redis = LocalRedis.start(root.resolve("redis"), password)) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(redis.configFile())));
            long pid = LocalServerSupport.readPid(redis.pidFile()).orElseThrow();
            String commandLine = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"));
            assertFalse(commandLine.contains(password), "the password must not be on the command line");

            SampleData.seedRedis(redis);
            try (Jedis jedis = redis.client()) {
                assertEquals(SampleData.REDIS_KEYS_DB0, jedis.dbSize());
                jedis.select(1);
                assertEquals(SampleData.REDIS_KEYS_PER_DATABASE, jedis.dbSize());
                jedis.select(2);
                assertEquals(0, jedis.dbSize());
                jedis.select(3);
                assertEquals(SampleData.REDIS_KEYS_PER_DATABASE, jedis.dbSize());

                assertEquals(Map.of("greeting", "string", "customer:1001", "hash", "queue:outgoing-emails", "list",
                                "tags:active", "set", "leaderboard:agents", "zset", "events:conversations", "stream"),
                        Stream.of("greeting", "customer:1001", "queue:outgoing-emails", "tags:active",
                                        "leaderboard:agents", "events:conversations")
                                .collect(Collectors.toMap(key -> key, jedis::type)));
                assertEquals(-0.125, jedis.zscore("leaderboard:agents", "agent:chloé"));
                assertEquals(3, jedis.xlen("events:conversations"));
                assertArrayEquals(SampleData.redisBinaryValue(3), jedis.get("blob:binary-value".getBytes(StandardCharsets.UTF_8)));
                assertEquals("value under a key that is not UTF-8 (db 3)",
                        new String(jedis.get(SampleData.redisBinaryKey()), StandardCharsets.UTF_8));
                long ttl = jedis.pttl("session:7f3a9c");
                assertTrue(ttl > SampleData.REDIS_SESSION_TTL_MS - 60_000 && ttl <= SampleData.REDIS_SESSION_TTL_MS,
                        "TTL in ms: " + ttl);
                assertEquals(-1, jedis.pttl("config:feature-flags"));
            }
            try (Jedis anonymous = new Jedis(redis.host(), redis.port())) {
                assertThrows(JedisDataException.class, () -> anonymous.get("greeting"));
            }

            LocalRedis attached = LocalRedis.attach(redis.folder());
            assertEquals(redis.port(), attached.port());
            assertEquals(password, attached.password());
            attached.stop();
            attached.stop(); // idempotent
            assertFalse(redis.isRunning());
            assertFalse(LocalServerSupport.isPortOpen(redis.port()));

            redis.start();
            try (Jedis jedis = redis.client()) {
                // Snapshots are off and stop does not save: a restart starts empty unless a dump.rdb was put there.
                assertEquals(0, jedis.dbSize());
            }
        }
    }

    @Test
    void chromaKeepsCollectionsAcrossRestart() {
        Path folder;
        try (LocalChroma chroma = LocalChroma.startTemporary()) {
            folder = chroma.logFolder();
            ChromaClient client = chroma.client();
            SampleData.seedChroma(client);
            SampleData.seedChroma(client); // existing collections are left alone
            assertEquals(List.of(SampleData.CHROMA_ARTICLES, SampleData.CHROMA_FAQ),
                    client.collectionNames().stream().sorted(Comparator.reverseOrder()).toList());
            assertEquals(SEEDED_CHROMA_COUNTS, client.recordCounts());

            chroma.stop();
            chroma.stop(); // idempotent
            assertFalse(chroma.isRunning());
            assertFalse(client.heartbeat());

            chroma.start();
            assertTrue(client.heartbeat());
            assertEquals(SEEDED_CHROMA_COUNTS, client.recordCounts());

            ChromaClient.ChromaApiException error = assertThrows(ChromaClient.ChromaApiException.class,
                    () -> client.createCollection(SampleData.CHROMA_FAQ, null));
            assertTrue(error.getMessage().contains(chroma.url()), error.getMessage());
        }
        assertFalse(Files.exists(folder), "startTemporary's folder is deleted on close");
    }

    @Test
    void chromaStopAndStartCommandsWorkThroughShell() throws Exception {
        try (LocalChroma chroma = LocalChroma.start(root.resolve("chroma-data"), root.resolve("chroma-run"))) {
            ChromaClient client = chroma.client();
            SampleData.seedChroma(client);
            long firstPid = chroma.pid();

            assertEquals(0, sh(chroma.stopCommand()));
            assertFalse(chroma.isRunning());
            assertFalse(client.heartbeat());
            assertEquals(0, sh(chroma.stopCommand()), "stopping a stopped server succeeds");

            assertEquals(0, sh(chroma.startCommand()));
            chroma.awaitReady();
            assertNotEquals(firstPid, chroma.pid());
            assertEquals(SEEDED_CHROMA_COUNTS, client.recordCounts());

            LocalChroma attached = LocalChroma.attach(root.resolve("chroma-run"));
            assertEquals(chroma.pid(), attached.pid());
            assertEquals(chroma.url(), attached.url());
            attached.stop();
            assertFalse(chroma.isRunning());
            assertFalse(client.heartbeat());
        }
    }

    private static int sh(String command) throws IOException, InterruptedException {
        Path log = root.resolve("sh.log");
        Process process = new ProcessBuilder("sh", "-c", command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "sh -c did not finish: " + command);
        return process.exitValue();
    }

    @Test
    void uploadsTreeHoldsAwkwardEntries(@TempDir Path temp) throws IOException {
        Path uploads = temp.resolve("uploads");
        FileTime hostnameTime = Files.exists(Path.of("/etc/hostname"))
                ? Files.getLastModifiedTime(Path.of("/etc/hostname")) : null;
        SampleData.seedUploads(uploads);
        SampleData.seedUploads(uploads); // running twice is fine

        Path outside = uploads.resolve(SampleData.UPLOADS_OUTSIDE_LINK);
        assertTrue(Files.isSymbolicLink(outside));
        assertEquals(Path.of("/etc/hostname"), Files.readSymbolicLink(outside));
        if (hostnameTime != null) {
            assertEquals(hostnameTime, Files.getLastModifiedTime(Path.of("/etc/hostname")), "the link target is untouched");
        }
        Path relative = uploads.resolve(SampleData.UPLOADS_RELATIVE_LINK);
        assertTrue(Files.isSymbolicLink(relative));
        assertEquals(Path.of(SampleData.UPLOADS_RELATIVE_LINK_TARGET), Files.readSymbolicLink(relative));
        assertTrue(Files.isRegularFile(relative), "the relative link resolves inside the tree");

        Path tabFile = uploads.resolve(SampleData.UPLOADS_TAB_FILE);
        assertTrue(tabFile.getFileName().toString().contains("\t"));
        assertTrue(Files.isRegularFile(tabFile, LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.isRegularFile(uploads.resolve(SampleData.UPLOADS_DASH_FILE)));
        assertTrue(Files.isRegularFile(uploads.resolve(SampleData.UPLOADS_UNICODE_FILE)));
        for (String empty : SampleData.UPLOADS_EMPTY_FOLDERS) {
            try (Stream<Path> children = Files.list(uploads.resolve(empty))) {
                assertEquals(0, children.count(), empty);
            }
        }
        assertEquals(0, Files.size(uploads.resolve(SampleData.UPLOADS_EMPTY_FILE)));
        assertEquals(SampleData.UPLOADS_LARGE_FILE_SIZE, Files.size(uploads.resolve(SampleData.UPLOADS_LARGE_FILE)));
        assertEquals("rw-------", mode(uploads.resolve(SampleData.UPLOADS_PRIVATE_FILE)));
        assertEquals("rwxr-xr-x", mode(uploads.resolve(SampleData.UPLOADS_SCRIPT_FILE)));
        assertEquals("rw-r--r--", mode(uploads.resolve(SampleData.UPLOADS_LARGE_FILE)));
        assertEquals(FileTime.from(SampleData.UPLOADS_MTIME),
                Files.getLastModifiedTime(uploads.resolve(SampleData.UPLOADS_LARGE_FILE)));

        Path again = temp.resolve("again");
        SampleData.seedUploads(again);
        assertArrayEquals(Files.readAllBytes(uploads.resolve(SampleData.UPLOADS_LARGE_FILE)),
                Files.readAllBytes(again.resolve(SampleData.UPLOADS_LARGE_FILE)), "the data is deterministic");
    }

    @Test
    void configFilesHoldSecretsInEveryFormat(@TempDir Path temp) throws IOException {
        List<Path> files = SampleData.seedConfig(temp.resolve("config"));
        assertEquals(List.of("app.properties", "platform.env", "settings.json", "settings.yaml"),
                files.stream().map(file -> file.getFileName().toString()).toList());

        Properties app = new Properties();
        try (Reader reader = Files.newBufferedReader(files.get(0))) {
            app.load(reader);
        }
        assertEquals("8000", app.getProperty("server.port"));
        assertEquals("INFO", app.getProperty("log.level"));
        assertEquals("Grüß Gott", app.getProperty("app.greeting"));
        assertEquals("rw-------", mode(files.get(1)));

        JsonNode settings = new ObjectMapper().readTree(files.get(2).toFile());
        assertEquals("sk-demo-json-api-key-77aa88bb", settings.at("/integrations/openai/api_key").asText());
        assertEquals("xoxb-demo-auth-token-3c4d5e", settings.at("/integrations/slack/webhook/auth_token").asText());
        assertTrue(Files.readString(files.get(3)).contains("credentials:\n  secret_key: "));

        StringBuilder all = new StringBuilder();
        for (Path file : files) {
            all.append(Files.readString(file));
        }
        for (String secret : SampleData.CONFIG_SECRETS) {
            assertTrue(all.toString().contains(secret), secret);
        }
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    }
}
