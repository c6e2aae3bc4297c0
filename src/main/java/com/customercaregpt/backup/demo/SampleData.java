package com.customercaregpt.backup.demo;

import com.customercaregpt.backup.component.ChromaClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.XAddParams;

/**
 * Deterministic sample data of every kind the platform stores, so that backups and restores are tested
 * on awkward data: unicode in many scripts, binary values, special file names, links, empty folders and
 * secrets in config files. The constants say what was written, for assertions.
 */
public final class SampleData {

    // PostgreSQL
    public static final int CUSTOMER_ROWS = 200;
    public static final int CONVERSATION_ROWS = 10_000;
    public static final int MESSAGE_ROWS = 2_000;
    public static final int INVOICE_ROWS = 3;
    /** {@code invoice_number_seq} is set to 424242 with setval and then used by the three invoices. */
    public static final long INVOICE_SEQUENCE_LAST_VALUE = 424_245;

    // Redis
    public static final List<Integer> REDIS_DATABASES = List.of(0, 1, 3);
    /** Keys of every type written to each of {@link #REDIS_DATABASES}. */
    public static final int REDIS_KEYS_PER_DATABASE = 13;
    /** Database 0 also gets filler keys, up to this many in all. */
    public static final int REDIS_KEYS_DB0 = 200;
    /** The TTL of {@code session:7f3a9c} in milliseconds (1 hour and 123 ms). */
    public static final long REDIS_SESSION_TTL_MS = 3_600_123;

    // Chroma
    public static final String CHROMA_ARTICLES = "support_articles";
    public static final String CHROMA_FAQ = "faq";
    public static final int CHROMA_ARTICLE_RECORDS = 40;
    public static final int CHROMA_FAQ_RECORDS = 15;
    public static final int CHROMA_DIMENSION = 8;

    // Uploads, paths relative to the uploads folder
    public static final String UPLOADS_TAB_FILE = "documents/2024/notes\twith tab.txt";
    public static final String UPLOADS_DASH_FILE = "documents/-leading-dash.txt";
    public static final String UPLOADS_UNICODE_FILE = "avatars/é/日本語/😀 smile.txt";
    public static final String UPLOADS_LARGE_FILE = "large/random 1MiB.bin";
    public static final int UPLOADS_LARGE_FILE_SIZE = 1024 * 1024;
    public static final String UPLOADS_EMPTY_FILE = "empty.txt";
    public static final String UPLOADS_PRIVATE_FILE = "private/contract – signed.txt";
    public static final String UPLOADS_SCRIPT_FILE = "scripts/cleanup.sh";
    public static final String UPLOADS_RELATIVE_LINK = "links/latest report.pdf";
    public static final String UPLOADS_RELATIVE_LINK_TARGET = "../documents/2024/Q1 report.pdf";
    /** A link out of the tree: a backup must store it as a link and never follow it. */
    public static final String UPLOADS_OUTSIDE_LINK = "links/outside-hostname";
    public static final String UPLOADS_OUTSIDE_LINK_TARGET = "/etc/hostname";
    public static final List<String> UPLOADS_EMPTY_FOLDERS =
            List.of("empty-folder", "empty-nested/level-1/level-2");
    /** The modification time of every seeded file and folder (links keep their own). */
    public static final Instant UPLOADS_MTIME = Instant.parse("2024-03-01T12:00:00Z");

    /** Every secret value that {@link #seedConfig(Path)} writes, e.g. to check that a report hides them. */
    public static final List<String> CONFIG_SECRETS = List.of(
            "demo-db-password-9f8e7d6c",
            "sk-demo-0123456789abcdefghijklmnopqrstuvwxyzDEMO",
            "demo-redis-password-1a2b3c",
            "demo-jwt-secret with spaces #and-hash",
            "sk-demo-json-api-key-77aa88bb",
            "xoxb-demo-auth-token-3c4d5e",
            "demo-yaml-secret-key-5e6f7a8b");

    private SampleData() {
    }

    // ------------------------------------------------------------------------------------ PostgreSQL

    /**
     * Creates {@code database} if missing and fills it, in one transaction. Does nothing when the
     * database already holds tables, so running it twice is safe.
     */
    public static void seedPostgres(LocalPostgres postgres, String database) {
        if (!postgres.databaseExists(database)) {
            postgres.createDatabase(database);
        }
        long existingRelations = postgres.queryLong(database, "SELECT count(*) FROM pg_class c"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'");
        if (existingRelations > 0) {
            return;
        }
        try (Connection connection = postgres.connect(database)) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                for (String sql : postgresScript()) {
                    statement.execute(sql);
                }
            }
            connection.commit();
        } catch (SQLException e) {
            throw new IllegalStateException("Seeding " + postgres.jdbcUrl(database) + " failed: " + e.getMessage(), e);
        }
    }

    private static List<String> postgresScript() {
        return List.of(
                "CREATE TYPE conversation_status AS ENUM ('open', 'waiting_on_customer', 'escalated', 'closed')",

                """
                CREATE TABLE customers (
                    id serial PRIMARY KEY,
                    display_name text NOT NULL,
                    email text NOT NULL UNIQUE,
                    locale text NOT NULL,
                    avatar bytea,
                    preferences jsonb NOT NULL DEFAULT '{}',
                    tags text[] NOT NULL DEFAULT '{}',
                    favourite_numbers integer[],
                    balance numeric(14,4) NOT NULL DEFAULT 0,
                    signed_up_at timestamptz NOT NULL
                )""",
                "COMMENT ON TABLE customers IS 'Customers of the platform; names in many scripts'",
                // Hand-written rows for the awkward cases; standard_conforming_strings is on, so '\\' is one backslash.
                """
                INSERT INTO customers (display_name, email, locale, avatar, preferences, tags, favourite_numbers,
                                       balance, signed_up_at) VALUES
                ('Zoë Ørsted-Łukasiewicz 😀', 'zoe@example.com', 'da-DK', '\\x89504e470d0a1a0a0000ff00',
                 '{"theme": "dark", "notifications": {"email": true, "sms": false}, "languages": ["da", "en"]}',
                 ARRAY['vip', 'early-adopter'], ARRAY[7, 42, -1], 12345.6789, '2023-01-15 09:30:00+01'),
                ('مرحبا بالعالم', 'arabic@example.com', 'ar-EG', decode('00ff00ff', 'hex'),
                 '{"rtl": true, "greeting": "السلام عليكم"}', ARRAY['rtl', 'مرحبا'], ARRAY[]::integer[], -0.0001,
                 '2023-06-30 23:59:59.999999+03'),
                ('שלום עולם', 'hebrew@example.com', 'he-IL', NULL, '{"rtl": true}', ARRAY['rtl'], NULL, 0,
                 '2024-02-29 12:00:00+02'),
                ('日本語のお客様 🍣', 'nihon@example.com', 'ja-JP', '\\x00', '{"honorific": "様", "score": 1.5e3}',
                 ARRAY['日本', 'asia'], ARRAY[1, 2, 3], 9999999999.9999, '2022-12-31 15:00:00+00'),
                ('O''Brien "Quotes" \\ Backslash', 'quotes@example.com', 'en-IE', '',
                 '{"note": "line1\\nline2\\ttab", "nested": {"empty": {}, "list": [null, 1, "two"]}}',
                 ARRAY['needs "quoting"', 'comma,inside', 'NULL', ''], ARRAY[0], 0.5, 'infinity'),
                ('Combining e\u0301 vs é, family 👨‍👩‍👧‍👦', 'unicode@example.com', 'fr-FR',
                 decode(repeat('ff00', 512), 'hex'), '{"emoji": "✅🔥"}', ARRAY['unicode'], ARRAY[2147483647],
                 -99999.5, '1999-12-31 23:59:59+00')""",
                """
                INSERT INTO customers (display_name, email, locale, preferences, tags, balance, signed_up_at)
                SELECT 'Customer ' || i, 'customer' || i || '@example.com', (ARRAY['en-US', 'de-DE', 'fr-FR', 'ja-JP'])[1 + i % 4],
                       jsonb_build_object('plan', (ARRAY['free', 'pro', 'enterprise'])[1 + i % 3]), ARRAY['generated'],
                       round(i * 12.3456, 4), timestamptz '2023-01-01 00:00:00+00' + i * interval '1 hour'
                FROM generate_series(7, 200) AS i""",

                "CREATE SEQUENCE invoice_number_seq START 1000",
                "SELECT setval('invoice_number_seq', 424242, true)",
                """
                CREATE TABLE invoices (
                    number bigint PRIMARY KEY DEFAULT nextval('invoice_number_seq'),
                    customer_id integer NOT NULL REFERENCES customers (id),
                    amount numeric(12,2) NOT NULL,
                    issued_at timestamptz NOT NULL
                )""",
                """
                INSERT INTO invoices (customer_id, amount, issued_at) VALUES
                (1, 19.99, '2024-01-31 10:00:00+00'), (2, 0.01, '2024-02-29 10:00:00+00'),
                (4, 123456.78, '2024-03-31 10:00:00+00')""",

                """
                CREATE TABLE conversations (
                    id bigint PRIMARY KEY,
                    customer_id integer NOT NULL REFERENCES customers (id),
                    status conversation_status NOT NULL,
                    subject text NOT NULL,
                    channel text NOT NULL,
                    started_at timestamptz NOT NULL,
                    satisfaction numeric(3,2),
                    metadata jsonb NOT NULL
                )""",
                """
                INSERT INTO conversations
                SELECT i, 1 + i % 200, (enum_range(NULL::conversation_status))[1 + i % 4],
                       'Conversation #' || i || CASE WHEN i % 100 = 0 THEN ' — ünïcödé ✓ 你好' ELSE '' END,
                       (ARRAY['web', 'email', 'whatsapp'])[1 + i % 3],
                       timestamptz '2024-01-01 00:00:00+00' + i * interval '7 minutes',
                       CASE WHEN i % 5 = 0 THEN NULL ELSE round((i % 500) / 100.0, 2) END,
                       jsonb_build_object('priority', i % 3, 'tags', jsonb_build_array('t' || i % 7), 'bot', i % 2 = 0)
                FROM generate_series(1, 10000) AS i""",

                """
                CREATE TABLE messages (
                    id serial PRIMARY KEY,
                    conversation_id bigint NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
                    sender text NOT NULL CHECK (sender IN ('customer', 'agent', 'bot')),
                    body text NOT NULL,
                    attachment bytea,
                    token_counts integer[] NOT NULL,
                    sent_at timestamptz NOT NULL
                )""",
                """
                INSERT INTO messages (conversation_id, sender, body, attachment, token_counts, sent_at)
                SELECT 1 + (i * 37) % 10000, (ARRAY['customer', 'agent', 'bot'])[1 + i % 3],
                       CASE i % 4 WHEN 0 THEN 'Hello, I need help with order ' || i
                                  WHEN 1 THEN 'مرحبا، أحتاج إلى مساعدة ' || i
                                  WHEN 2 THEN 'Danke schön! Grüße aus Köln 🇩🇪 ' || i
                                  ELSE E'multi\\nline\\tmessage ' || i END,
                       CASE WHEN i % 50 = 0 THEN decode(md5(i::text), 'hex') || '\\x00ff'::bytea END,
                       ARRAY[i % 100, i % 7],
                       timestamptz '2024-01-01 00:00:00+00' + i * interval '13 minutes 7.123456 seconds'
                FROM generate_series(1, 2000) AS i""",

                "CREATE INDEX messages_conversation_idx ON messages (conversation_id, sent_at)",
                "CREATE INDEX customers_preferences_idx ON customers USING gin (preferences)",
                """
                CREATE VIEW open_conversations_per_customer AS
                SELECT c.id AS customer_id, c.display_name, count(*) AS open_conversations
                FROM customers c JOIN conversations v ON v.customer_id = c.id
                WHERE v.status IN ('open', 'escalated')
                GROUP BY c.id, c.display_name""",
                """
                CREATE FUNCTION conversation_message_count(conversation bigint) RETURNS integer
                LANGUAGE plpgsql STABLE AS $$
                DECLARE
                    total integer;
                BEGIN
                    SELECT count(*) INTO total FROM messages WHERE conversation_id = conversation;
                    RETURN total;
                END;
                $$""",

                // A second schema: restores must not assume everything lives in public.
                "CREATE SCHEMA analytics",
                """
                CREATE TABLE analytics.daily_volume AS
                SELECT started_at::date AS day, count(*) AS conversations
                FROM conversations GROUP BY 1 ORDER BY 1""");
    }

    // ------------------------------------------------------------------------------------ Redis

    /** The key in every seeded database whose bytes are not valid UTF-8. */
    public static byte[] redisBinaryKey() {
        return new byte[] {'b', 'i', 'n', ':', (byte) 0xC3, 0x28, (byte) 0xFF, 0x00, (byte) 0x80};
    }

    /** The value of {@code blob:binary-value} in database {@code db}: holds 0x00 and 0xFF bytes. */
    public static byte[] redisBinaryValue(int db) {
        return new byte[] {0x00, (byte) 0xFF, 0x01, (byte) 0x80, 0x00, (byte) 0xFE, (byte) db};
    }

    /**
     * Writes keys of every type into databases 0, 1 and 3 ({@link #REDIS_KEYS_PER_DATABASE} each, database
     * 0 filled up to {@link #REDIS_KEYS_DB0}). Values name their database, so a restore into the wrong
     * database shows. Collection keys are rewritten from scratch, so running it twice gives the same data.
     */
    public static void seedRedis(LocalRedis redis) {
        try (Jedis jedis = redis.client()) {
            for (int db : REDIS_DATABASES) {
                jedis.select(db);
                seedRedisDatabase(jedis, db);
            }
            jedis.select(0);
            for (int i = 1; i <= REDIS_KEYS_DB0 - REDIS_KEYS_PER_DATABASE; i++) {
                String key = String.format("conversation:%05d:state", i);
                if (i % 10 == 0) {
                    jedis.del(key);
                    jedis.hset(key, Map.of("status", "open", "agent", "agent-" + i % 7, "unread", Integer.toString(i % 4)));
                } else {
                    jedis.set(key, "{\"step\":" + i + ",\"bot\":" + (i % 2 == 0) + "}");
                }
                if (i % 25 == 0) {
                    jedis.pexpire(key, 86_400_000L + i);
                }
            }
        }
    }

    private static void seedRedisDatabase(Jedis jedis, int db) {
        String suffix = " (db " + db + ")";
        jedis.set("greeting", "héllo wörld 👋 مرحبا שלום 日本語" + suffix);
        jedis.set("blob:binary-value".getBytes(StandardCharsets.UTF_8), redisBinaryValue(db));
        jedis.set(redisBinaryKey(), ("value under a key that is not UTF-8" + suffix).getBytes(StandardCharsets.UTF_8));
        jedis.set("config:feature-flags", "{\"smart_replies\":true,\"max_tokens\":512}");
        jedis.set("db:marker", "db " + db);
        jedis.set("counter:messages", Integer.toString(2000 + db));

        jedis.del("customer:1001", "queue:outgoing-emails", "tags:active", "leaderboard:agents",
                "events:conversations", "cache:faq:index");
        Map<String, String> customer = new LinkedHashMap<>();
        customer.put("name", "Zoë Ørsted");
        customer.put("email", "zoe@example.com");
        customer.put("plan", "pro");
        customer.put("名前", "値" + suffix);
        jedis.hset("customer:1001", customer);
        jedis.rpush("queue:outgoing-emails", "welcome:1001", "reset:1002", "digest:1003", "welcome:1001", "survey:ü");
        jedis.sadd("tags:active", "vip", "billing", "日本", "🔥", "with space");
        Map<String, Double> scores = new LinkedHashMap<>();
        scores.put("agent:alice", 3.14159);
        scores.put("agent:bob", 2.5);
        scores.put("agent:chloé", -0.125);
        scores.put("agent:dmitri", 0.001);
        scores.put("agent:eve", 1_000_000.5);
        jedis.zadd("leaderboard:agents", scores);
        jedis.xadd("events:conversations", XAddParams.xAddParams().id(1_700_000_000_000L, 0),
                Map.of("type", "opened", "conversation", "1"));
        jedis.xadd("events:conversations", XAddParams.xAddParams().id(1_700_000_000_000L, 1),
                Map.of("type", "message", "conversation", "1", "text", "¿Dónde está mi pedido?"));
        jedis.xadd("events:conversations", XAddParams.xAddParams().id(1_700_000_001_234L, 0),
                Map.of("type", "closed", "conversation", "1"));

        jedis.set("session:7f3a9c", "{\"user\":1001,\"db\":" + db + "}");
        jedis.pexpire("session:7f3a9c", REDIS_SESSION_TTL_MS);
        jedis.hset("cache:faq:index", Map.of("reset-password", "faq-0001", "refund", "faq-0002"));
        jedis.pexpire("cache:faq:index", 7_200_456L);
    }

    // ------------------------------------------------------------------------------------ Chroma

    /** Creates {@code support_articles} (40 records) and {@code faq} (15 records); skips existing ones. */
    public static void seedChroma(ChromaClient chroma) {
        if (chroma.collectionId(CHROMA_ARTICLES).isEmpty()) {
            Map<String, Object> metadata = new LinkedHashMap<>();
            metadata.put("description", "Help-center articles — Hilfe-Artikel — ヘルプ記事");
            metadata.put("owner", "support-team");
            metadata.put("schema_version", 2);
            metadata.put("multilingual", true);
            String id = chroma.createCollection(CHROMA_ARTICLES, metadata);
            addRecords(chroma, id, "article", CHROMA_ARTICLE_RECORDS, 1, i -> {
                Map<String, Object> record = new LinkedHashMap<>();
                record.put("category", List.of("billing", "account", "technical", "shipping").get(i % 4));
                record.put("language", List.of("en", "de", "ja", "ar").get(i % 4));
                record.put("views", i * 17);
                record.put("rating", 3.5 + (i % 3) * 0.5);
                record.put("published", i % 4 != 0);
                return record;
            });
        }
        if (chroma.collectionId(CHROMA_FAQ).isEmpty()) {
            String id = chroma.createCollection(CHROMA_FAQ, Map.of("description", "Frequently asked questions"));
            addRecords(chroma, id, "faq", CHROMA_FAQ_RECORDS, 2, i -> {
                Map<String, Object> record = new LinkedHashMap<>();
                record.put("question_number", i);
                record.put("audience", i % 2 == 0 ? "customers" : "agents");
                record.put("verified", i % 3 == 0);
                return record;
            });
        }
    }

    private static void addRecords(ChromaClient chroma, String collectionId, String prefix, int count, int seed,
                                   IntFunction<Map<String, Object>> metadata) {
        List<String> documents = List.of(
                "How to reset your password: open Settings → Security.",
                "Passwort zurücksetzen: Öffnen Sie Einstellungen → Sicherheit.",
                "パスワードをリセットするには、設定を開きます。",
                "لإعادة تعيين كلمة المرور افتح الإعدادات",
                "Refunds take 5–7 business days 💳 \"quoted\" and\nmulti-line.");
        List<String> ids = new ArrayList<>();
        List<float[]> embeddings = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        List<Map<String, Object>> metadatas = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            ids.add(String.format("%s-%04d", prefix, i));
            float[] embedding = new float[CHROMA_DIMENSION];
            for (int j = 0; j < CHROMA_DIMENSION; j++) {
                embedding[j] = (float) Math.sin(seed * 0.37 + i * 0.71 + j * 1.3);
            }
            embeddings.add(embedding);
            texts.add(prefix + " " + i + ": " + documents.get(i % documents.size()));
            metadatas.add(metadata.apply(i));
        }
        chroma.add(collectionId, ids, embeddings, texts, metadatas);
    }

    // ------------------------------------------------------------------------------------ Uploads

    /**
     * Fills {@code folder} with an uploads tree full of awkward entries (see the UPLOADS_ constants):
     * names with spaces, unicode, a tab and a leading dash; empty folders; a relative link inside the tree
     * and a link to {@value #UPLOADS_OUTSIDE_LINK_TARGET}; modes 0600, 0644 and 0755; a 1 MiB binary file
     * and an empty file. Modes and modification times are set explicitly, so the umask does not matter.
     */
    public static void seedUploads(Path folder) {
        requireUnicodeFileNames();
        try {
            Files.createDirectories(folder);
            writeFile(folder, "avatars/user 1.png", deterministicBytes(2048, 1), "rw-r--r--");
            writeFile(folder, UPLOADS_UNICODE_FILE, text("Bonjour 😀 こんにちは\n"), "rw-r--r--");
            writeFile(folder, "documents/2024/Q1 report.pdf", deterministicBytes(64 * 1024, 2), "rw-r--r--");
            writeFile(folder, UPLOADS_TAB_FILE, text("a name with a tab\n"), "rw-r--r--");
            writeFile(folder, UPLOADS_DASH_FILE, text("looks like an option to tar and cp\n"), "rw-r--r--");
            writeFile(folder, UPLOADS_PRIVATE_FILE, text("signed by both parties\n"), "rw-------");
            writeFile(folder, UPLOADS_SCRIPT_FILE, text("#!/bin/sh\nfind /tmp -name '*.tmp' -mtime +7 -delete\n"),
                    "rwxr-xr-x");
            writeFile(folder, UPLOADS_LARGE_FILE, deterministicBytes(UPLOADS_LARGE_FILE_SIZE, 3), "rw-r--r--");
            writeFile(folder, UPLOADS_EMPTY_FILE, new byte[0], "rw-r--r--");
            for (String empty : UPLOADS_EMPTY_FOLDERS) {
                Files.createDirectories(folder.resolve(empty));
            }
            replaceLink(folder.resolve(UPLOADS_RELATIVE_LINK), Path.of(UPLOADS_RELATIVE_LINK_TARGET));
            replaceLink(folder.resolve(UPLOADS_OUTSIDE_LINK), Path.of(UPLOADS_OUTSIDE_LINK_TARGET));

            List<Path> entries;
            try (Stream<Path> walk = Files.walk(folder)) {
                // Deepest first, so setting a folder's time is not undone by touching its children.
                entries = walk.sorted(Comparator.reverseOrder()).toList();
            }
            for (Path entry : entries) {
                // Never touch a link: setting its time or mode would change its target, e.g. /etc/hostname.
                if (Files.isSymbolicLink(entry)) {
                    continue;
                }
                if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                    Files.setPosixFilePermissions(entry, PosixFilePermissions.fromString(
                            entry.endsWith("private") ? "rwx------" : "rwxr-xr-x"));
                }
                Files.setLastModifiedTime(entry, FileTime.from(UPLOADS_MTIME));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not seed uploads in " + folder, e);
        }
    }

    /** Java 17 encodes file names in the locale's charset; under LANG=C it cannot write "日本語". */
    private static void requireUnicodeFileNames() {
        String encoding = System.getProperty("sun.jnu.encoding", "UTF-8");
        if (!encoding.replace("-", "").equalsIgnoreCase("UTF8")) {
            throw new IllegalStateException("File names are encoded as " + encoding + " in this JVM, so unicode"
                    + " upload names cannot be written: run it with a UTF-8 locale, e.g. LANG=C.UTF-8");
        }
    }

    private static void writeFile(Path root, String relative, byte[] content, String mode) throws IOException {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.write(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
    }

    private static void replaceLink(Path link, Path target) throws IOException {
        Files.createDirectories(link.getParent());
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, target);
    }

    /** Random-looking but always the same bytes for the same seed. */
    static byte[] deterministicBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static byte[] text(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------------------------ Config

    /**
     * Writes the platform's config files into {@code folder} and returns them: {@code app.properties},
     * {@code platform.env}, {@code settings.json} and {@code settings.yaml}. They hold the fake secrets
     * listed in {@link #CONFIG_SECRETS}.
     */
    public static List<Path> seedConfig(Path folder) {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("app.properties", """
                # CustomerCareGPT application settings
                app.name=CustomerCareGPT
                app.greeting=Gr\\u00fc\\u00df Gott
                server.port=8000
                log.level=INFO
                DATABASE_URL=jdbc:postgresql://127.0.0.1:5432/customercare
                DATABASE_USER=customercare
                DATABASE_PASSWORD=demo-db-password-9f8e7d6c
                OPENAI_API_KEY=sk-demo-0123456789abcdefghijklmnopqrstuvwxyzDEMO
                """);
        files.put("platform.env", """
                # Platform environment (.env style)
                APP_NAME=CustomerCareGPT
                APP_ENV=production

                # Redis
                REDIS_HOST=127.0.0.1
                REDIS_PORT=6379
                REDIS_PASSWORD=demo-redis-password-1a2b3c
                JWT_SECRET="demo-jwt-secret with spaces #and-hash"
                EMPTY_VALUE=
                export CHROMA_URL=http://127.0.0.1:8001
                """);
        files.put("settings.json", """
                {
                  "app": {"name": "CustomerCareGPT", "version": "2.4.1", "debug": false},
                  "server": {"port": 8000, "workers": 4, "timeout_seconds": 30.5},
                  "integrations": {
                    "openai": {"model": "gpt-4o-mini", "api_key": "sk-demo-json-api-key-77aa88bb", "temperature": 0.2},
                    "slack": {
                      "enabled": true,
                      "webhook": {"channel": "#support", "auth_token": "xoxb-demo-auth-token-3c4d5e"}
                    }
                  },
                  "languages": ["en", "de", "日本語"],
                  "limits": [{"plan": "free", "messages": 100}, {"plan": "pro", "messages": 10000}],
                  "retention_days": null
                }
                """);
        files.put("settings.yaml", """
                # CustomerCareGPT worker settings
                app:
                  name: CustomerCareGPT
                  environment: production
                worker:
                  concurrency: 4
                  queues:
                    - emails
                    - embeddings
                credentials:
                  secret_key: demo-yaml-secret-key-5e6f7a8b
                  token_ttl_minutes: 60
                """);
        Map<String, String> modes = Map.of("app.properties", "rw-r-----", "platform.env", "rw-------");
        List<Path> written = new ArrayList<>();
        try {
            Files.createDirectories(folder);
            for (Map.Entry<String, String> file : files.entrySet()) {
                Path path = folder.resolve(file.getKey());
                Files.writeString(path, file.getValue(), StandardCharsets.UTF_8);
                Files.setPosixFilePermissions(path,
                        PosixFilePermissions.fromString(modes.getOrDefault(file.getKey(), "rw-r--r--")));
                written.add(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write config files in " + folder, e);
        }
        return written;
    }
}
