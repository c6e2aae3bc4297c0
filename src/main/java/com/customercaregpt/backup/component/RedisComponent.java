package com.customercaregpt.backup.component;

import com.customercaregpt.backup.pipeline.PrivateFiles;
import com.customercaregpt.backup.backup.StepFailure;
import com.customercaregpt.backup.config.Settings;
import com.customercaregpt.backup.pipeline.ArtifactOutput;
import com.customercaregpt.backup.pipeline.ExternalTool;
import com.customercaregpt.backup.pipeline.Streams;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;
import redis.clients.jedis.resps.Tuple;

import com.fasterxml.jackson.databind.JsonNode;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.params.RestoreParams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Redis, twice: the server's own RDB snapshot (fetched over the network with redis-cli --rdb,
 * loadable by any redis-server) and a JSON-lines export of every key in every logical database
 * (type, TTL, readable value and the DUMP payload), restorable over the network with RESTORE.
 */
public final class RedisComponent implements BackupComponent {

    public static final String NAME = "redis";
    private static final ComponentInfo INFO = new ComponentInfo(NAME, RestoreTarget.SERVER, "server redis");
    public static final String RDB_ARTIFACT = "dump.rdb";
    public static final String KEYS_ARTIFACT = "keys.jsonl";
    private static final Logger LOG = LoggerFactory.getLogger(RedisComponent.class);
    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    private final String host;
    private final int port;
    private final String password;
    private final List<String> redisCliOptions;

    public RedisComponent(Settings settings) {
        this.host = settings.get("backup.redis.host", "localhost");
        this.port = settings.getInt("backup.redis.port", 6379);
        this.password = settings.get("backup.redis.password", "");
        this.redisCliOptions = settings.getOptions("backup.redis.redis-cli-options");
    }

    @Override
    public ComponentInfo info() {
        return INFO;
    }

    @Override
    public String checkHealth() {
        try (Jedis redis = connect()) {
            return host + ":" + port + " answers " + redis.ping();
        }
    }

    public Jedis connect() {
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(5000).socketTimeoutMillis(60_000).clientName("backup-manager");
        if (!password.isEmpty()) {
            config.password(password);
        }
        return new Jedis(new HostAndPort(host, port), config.build());
    }

    private Jedis connectOrFail() {
        Jedis redis = null;
        try {
            redis = connect();
            redis.ping();
            return redis;
        } catch (RuntimeException e) {
            if (redis != null) {
                redis.close();
            }
            throw new StepFailure(NAME, "connect", "cannot reach Redis at " + host + ":" + port + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public Map<String, Object> backup(ComponentContext context) throws Exception {
        Map<String, Object> facts = new LinkedHashMap<>(serverVersion());
        facts.putAll(storeRdb(context));
        facts.putAll(storeKeys(context));
        return facts;
    }

    /** The server's version, a fact for a restore by hand with redis-server. */
    public Map<String, Object> serverVersion() {
        try (Jedis redis = connectOrFail()) {
            return Map.of("redis_version", infoField(redis.info("server"), "redis_version"));
        }
    }

    /**
     * A fresh RDB snapshot (redis-cli --rdb has the server write one) streamed into its artifact;
     * in an incremental or differential backup, returns the facts saying it is a whole copy.
     */
    public Map<String, Object> storeRdb(ComponentContext context) throws IOException {
        try (ArtifactOutput out = context.newArtifact(RDB_ARTIFACT, "redis-rdb")) {
            fetchRdb(out);
            out.commit();
        }
        return WholeCopy.facts(context, NAME, "Redis has no incremental snapshot: a full RDB", false);
    }

    /** Every key with its TTL, one JSON line each, streamed into its artifact; returns the key counts per database. */
    public Map<String, Object> storeKeys(ComponentContext context) throws IOException {
        try (Jedis redis = connectOrFail(); ArtifactOutput out = context.newArtifact(KEYS_ARTIFACT, "redis-jsonl")) {
            Map<String, Long> counts = exportKeys(redis, out);
            out.commit();
            return Map.of("key_counts", counts);
        }
    }

    @Override
    public void verify(Verification v) throws Exception {
        if (v.artifact().format().equals("redis-rdb")) {
            try (InputStream in = v.reader().openDecompressed(v.artifact())) {
                byte[] header = in.readNBytes(9);
                if (header.length < 9 || !new String(header, 0, 5, StandardCharsets.US_ASCII).equals("REDIS")) {
                    throw new StepFailure(NAME, "verify rdb", v.artifact().path() + " does not start with an RDB header");
                }
                Streams.copy(in, OutputStream.nullOutputStream());
            }
            return;
        }
        long lines = 0;
        try (BufferedReader reader = jsonLines(v.reader().openDecompressed(v.artifact()))) {
            String line;
            while ((line = reader.readLine()) != null) {
                JsonNode key = JSON.readTree(line);
                if (!key.hasNonNull("dump") || !key.has("db")) {
                    throw new StepFailure(NAME, "verify keys", v.artifact().path() + " line " + (lines + 1)
                            + " is not a key export");
                }
                lines++;
            }
        } catch (JsonProcessingException e) {
            throw new StepFailure(NAME, "verify keys", v.artifact().path() + " line " + (lines + 1) + " is not JSON");
        }
        long expected = keyTotal(v.facts());
        if (lines != expected) {
            throw new StepFailure(NAME, "verify keys", v.artifact().path() + " holds " + lines
                    + " keys but the manifest says " + expected);
        }
    }

    @Override
    public List<String> planRestore(RestoreContext context) {
        return List.of("save the current data of " + host + ":" + port + " as an RDB snapshot in "
                        + "pre-restore/" + context.label() + "/redis-dump.rdb",
                "flush every database that holds keys now or in the backup",
                "load " + keyTotal(context.record().facts()) + " keys with their TTLs (RESTORE ... REPLACE) from "
                        + context.artifact(KEYS_ARTIFACT).path());
    }

    @Override
    public PreparedRestore prepareRestore(RestoreContext context) throws Exception {
        if (context.targetDir().isPresent() || context.targetDatabase().isPresent()) {
            throw new StepFailure(NAME, "restore", "Redis is restored over the network into the configured server only");
        }
        try (Jedis ignored = connectOrFail()) {
            // the server answers: the restore can go ahead once everything is prepared
        }
        return new PreparedRestore() {
            private final Map<Integer, Long> restored = new TreeMap<>();
            private final Map<Integer, Long> expiringSoon = new TreeMap<>();

            @Override
            public List<String> plan() {
                return planRestore(context);
            }


            @Override
            public List<String> commit() throws Exception {
                Path saved = context.preRestoreArea().resolve("redis-dump.rdb");
                try (OutputStream out = PrivateFiles.newOutputStream(saved)) {
                    fetchRdb(out);
                }
                try (Jedis redis = connectOrFail()) {
                    Set<Integer> databases = new TreeSet<>(databasesWithKeys(redis));
                    countsOf(context.record().facts()).keySet().forEach(databases::add);
                    for (int db : databases) {
                        redis.select(db);
                        redis.flushDB();
                    }
                    loadKeys(redis, context);
                    redis.select(0);
                }
                return List.of(saved.toString());
            }

            private void loadKeys(Jedis redis, RestoreContext context) throws IOException {
                long now = System.currentTimeMillis();
                int selected = -1;
                Pipeline pipeline = null;
                int pending = 0;
                try (BufferedReader reader = jsonLines(context.reader().openDecompressed(context.artifact(KEYS_ARTIFACT)))) {
                    String line;
                    while ((line = reader.readLine()) != null) {
                        JsonNode key = JSON.readTree(line);
                        int db = key.get("db").asInt();
                        if (db != selected || pending >= 1000) {
                            if (pipeline != null) {
                                pipeline.sync();
                                pipeline.close();
                            }
                            if (db != selected) {
                                redis.select(db);
                                selected = db;
                            }
                            pipeline = redis.pipelined();
                            pending = 0;
                        }
                        long ttl = Math.max(0, key.get("ttl_ms").asLong());
                        pipeline.restore(bytes(key.get("key")), ttl, Base64.getDecoder().decode(key.get("dump").asText()),
                                RestoreParams.restoreParams().replace());
                        pending++;
                        restored.merge(db, 1L, Long::sum);
                        if (ttl > 0 && ttl < 120_000) {
                            expiringSoon.merge(db, 1L, Long::sum);
                        }
                    }
                    if (pipeline != null) {
                        pipeline.sync();
                        pipeline.close();
                    }
                }
                LOG.debug("Redis: {} keys restored in {} ms", restored, System.currentTimeMillis() - now);
            }

            @Override
            public void checkLive() {
                try (Jedis redis = connectOrFail()) {
                    for (Map.Entry<Integer, Long> db : countsOf(context.record().facts()).entrySet()) {
                        redis.select(db.getKey());
                        long size = redis.dbSize();
                        long soon = expiringSoon.getOrDefault(db.getKey(), 0L);
                        if (size > db.getValue() || size < db.getValue() - soon) {
                            throw new StepFailure(NAME, "check restored keys", "database " + db.getKey() + " holds "
                                    + size + " keys but the backup holds " + db.getValue());
                        }
                    }
                    redis.select(0);
                }
            }

            @Override
            public void discard() {
                // nothing was prepared outside the live server
            }
        };
    }

    private static BufferedReader jsonLines(InputStream in) {
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
    }

    /** A key as written by {@link #text}: a string, or {"base64": ...} for other bytes. */
    private static byte[] bytes(JsonNode value) {
        return value.isObject() ? Base64.getDecoder().decode(value.get("base64").asText())
                : value.asText().getBytes(StandardCharsets.UTF_8);
    }

    @SuppressWarnings("unchecked")
    private static Map<Integer, Long> countsOf(Map<String, Object> facts) {
        Map<Integer, Long> counts = new TreeMap<>();
        Object keyCounts = facts.get("key_counts");
        if (keyCounts instanceof Map<?, ?> map) {
            ((Map<String, Object>) map).forEach((db, n) -> counts.put(Integer.parseInt(db), ((Number) n).longValue()));
        }
        return counts;
    }

    private static long keyTotal(Map<String, Object> facts) {
        return countsOf(facts).values().stream().mapToLong(Long::longValue).sum();
    }

    private void fetchRdb(OutputStream out) {
        String cli = ExternalTool.locate("redis-cli", List.of());
        if (cli == null) {
            throw new StepFailure(NAME, "rdb snapshot", "redis-cli not found on PATH");
        }
        Map<String, String> environment = password.isEmpty() ? Map.of() : Map.of("REDISCLI_AUTH", password);
        List<String> command = new ArrayList<>(List.of(cli, "-h", host, "-p", String.valueOf(port)));
        command.addAll(redisCliOptions);
        command.addAll(List.of("--rdb", "-"));
        new ExternalTool(NAME, "rdb snapshot").streamTo(command, environment, null, out);
    }

    /** Writes one JSON object per key; returns the number of keys per logical database. */
    private Map<String, Long> exportKeys(Jedis redis, OutputStream out) throws IOException {
        Map<String, Long> counts = new TreeMap<>();
        for (int db : databasesWithKeys(redis)) {
            redis.select(db);
            long count = 0;
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<byte[]> page = redis.scan(cursor.getBytes(StandardCharsets.UTF_8), new ScanParams().count(1000));
                for (byte[] key : page.getResult()) {
                    Map<String, Object> line = exportKey(redis, db, key);
                    if (line != null) {
                        JSON.writeValue(out, line);
                        out.write('\n');
                        count++;
                    }
                }
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            counts.put(String.valueOf(db), count);
        }
        redis.select(0);
        return counts;
    }

    /** One key as a JSON object, or null if it expired between SCAN and reading it. */
    private static Map<String, Object> exportKey(Jedis redis, int db, byte[] key) {
        byte[] dump = redis.dump(key);
        if (dump == null) {
            return null;
        }
        String type = redis.type(key);
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("db", db);
        line.put("key", text(key));
        line.put("type", type);
        line.put("ttl_ms", redis.pttl(key));
        line.put("value", readableValue(redis, key, type));
        line.put("dump", Base64.getEncoder().encodeToString(dump));
        return line;
    }

    private static Object readableValue(Jedis redis, byte[] key, String type) {
        return switch (type) {
            case "string" -> text(redis.get(key));
            case "list" -> redis.lrange(key, 0, -1).stream().map(RedisComponent::text).toList();
            case "set" -> redis.smembers(key).stream().map(RedisComponent::text).toList();
            case "hash" -> {
                List<List<Object>> pairs = new ArrayList<>();
                redis.hgetAll(key).forEach((field, value) -> pairs.add(List.of(text(field), text(value))));
                yield pairs;
            }
            case "zset" -> {
                List<List<Object>> members = new ArrayList<>();
                for (Tuple tuple : redis.zrangeWithScores(key, 0, -1)) {
                    members.add(List.of(text(tuple.getBinaryElement()), tuple.getScore()));
                }
                yield members;
            }
            case "stream" -> Map.of("length", redis.xlen(key));
            default -> null;
        };
    }

    /** A UTF-8 string as itself, any other bytes as {"base64": ...}, so binary keys survive JSON. */
    static Object text(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException notText) {
            return Map.of("base64", Base64.getEncoder().encodeToString(bytes));
        }
    }

    /** The logical databases that hold keys, from INFO keyspace ("db3:keys=10,expires=1,..."). */
    static List<Integer> databasesWithKeys(Jedis redis) {
        List<Integer> dbs = new ArrayList<>();
        for (String line : redis.info("keyspace").split("\r?\n")) {
            if (line.startsWith("db") && line.contains(":")) {
                dbs.add(Integer.parseInt(line.substring(2, line.indexOf(':'))));
            }
        }
        return dbs;
    }

    private static String infoField(String info, String field) {
        for (String line : info.split("\r?\n")) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1).strip();
            }
        }
        return "unknown";
    }
}
