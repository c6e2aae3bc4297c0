package com.customercaregpt.backup.backup;

import com.customercaregpt.backup.demo.DemoStack;
import com.customercaregpt.backup.demo.SampleData;
import com.customercaregpt.backup.fixtures.Cli;
import com.customercaregpt.backup.fixtures.TestStack;
import com.customercaregpt.backup.fixtures.Tools;
import com.customercaregpt.backup.repository.Manifest;
import com.customercaregpt.backup.repository.ManifestCodec;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A full backup of the real stack through the command line, checked with the real tools:
 * pg_restore, tar, the RDB header, sha256, and the secrets nowhere to be found.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FullBackupTest {

    private Path work;

    private DemoStack stack;
    private Path repository;
    private Path backupFolder;
    private Manifest manifest;
    private Cli.Result create;
    private final List<String> commandLinesSeen = new ArrayList<>();

    @BeforeAll
    void backUpEverything() throws Exception {
        stack = TestStack.shared();
        work = Files.createTempDirectory("full-backup-test-");
        repository = work.resolve("repo");
        Path config = stack.writeProperties(work.resolve("stack.properties"), repository);

        Thread watcher = watchCommandLines();
        create = Cli.run("--config", config.toString(), "create", "--type", "full", "--output", "json");
        watcher.interrupt();
        watcher.join();

        assertEquals(0, create.exitCode(), create.toString());
        manifest = ManifestCodec.JSON.readValue(create.stdout(), Manifest.class);
        backupFolder = repository.resolve("backups").resolve(manifest.backupId());
    }

    @Test
    void everyComponentCompletesAndTheManifestIsOnDisk() throws Exception {
        assertEquals(Manifest.COMPLETED, manifest.status());
        assertEquals(List.of("database", "redis", "chromadb", "uploads", "config"), manifest.componentNames());
        Manifest onDisk = ManifestCodec.read(new com.customercaregpt.backup.repository.BackupId(manifest.backupId()),
                Files.readAllBytes(backupFolder.resolve("manifest.json")));
        assertEquals(manifest, onDisk);
        assertTrue(manifest.backupId().matches("backup_\\d{8}_\\d{6}(_\\d+)?"));
        assertEquals(30, manifest.retentionDays());
        assertFalse(Files.exists(backupFolder.resolve("in-progress.json")), "marker removed when finished");
    }

    @Test
    void storedChecksumsAndSizesMatchTheManifest() throws Exception {
        for (Manifest.ComponentRecord component : manifest.components()) {
            assertFalse(component.artifacts().isEmpty(), component.name());
            for (Manifest.Artifact artifact : component.artifacts()) {
                Path file = backupFolder.resolve(artifact.path());
                assertEquals(artifact.sha256(), Tools.sha256(file), artifact.path());
                assertEquals(artifact.sizeBytes(), Files.size(file), artifact.path());
                assertEquals("zstd", artifact.compression());
            }
        }
    }

    @Test
    void databaseArtifactIsAPgDumpArchiveThatPgRestoreReads() throws Exception {
        // The runbook's way: every artifact decompressed into one folder is a directory-format dump.
        Path dump = Files.createDirectories(work.resolve("db.dump"));
        for (Manifest.Artifact artifact : component("database").artifacts()) {
            assertEquals("pg_dump-directory", artifact.format(), artifact.path());
            String name = artifact.path().substring("database/".length(), artifact.path().length() - ".zst".length());
            Tools.zstdDecompress(backupFolder.resolve(artifact.path()), dump.resolve(name));
        }
        Tools.Run list = Tools.run(Tools.pgTool("pg_restore"), "--list", dump.toString());
        assertEquals(0, list.exitCode(), list.output());
        for (String expected : List.of("TABLE DATA public conversations", "TABLE DATA public messages",
                "SEQUENCE SET public invoice_number_seq", "VIEW public open_conversations_per_customer",
                "FUNCTION public conversation_message_count", "TYPE public conversation_status")) {
            assertTrue(list.output().contains(expected), "pg_restore --list lacks " + expected);
        }
        Map<String, Object> facts = component("database").facts();
        @SuppressWarnings("unchecked")
        Map<String, Number> rows = (Map<String, Number>) facts.get("row_counts");
        assertEquals(SampleData.CONVERSATION_ROWS, rows.get("public.conversations").intValue());
        assertEquals(SampleData.MESSAGE_ROWS, rows.get("public.messages").intValue());
        assertEquals(stack.postgres().queryLong(DemoStack.DATABASE, "SELECT count(*) FROM customers"),
                rows.get("public.customers").longValue());
        assertTrue(facts.get("server_version").toString().startsWith("15"));
    }

    @Test
    void redisArtifactsAreAnRdbSnapshotAndOneJsonLinePerKey() throws Exception {
        Path rdb = Tools.zstdDecompress(backupFolder.resolve("redis/dump.rdb.zst"), work.resolve("dump.rdb"));
        byte[] header = new byte[5];
        try (var in = Files.newInputStream(rdb)) {
            assertEquals(5, in.read(header));
        }
        assertEquals("REDIS", new String(header, StandardCharsets.US_ASCII));

        Path jsonl = Tools.zstdDecompress(backupFolder.resolve("redis/keys.jsonl.zst"), work.resolve("keys.jsonl"));
        List<String> lines = Files.readAllLines(jsonl);
        long expectedKeys = 0;
        try (var redis = stack.redis().client()) {
            for (int db : SampleData.REDIS_DATABASES) {
                redis.select(db);
                expectedKeys += redis.dbSize();
            }
        }
        assertEquals(expectedKeys, lines.size());
        @SuppressWarnings("unchecked")
        Map<String, Number> counts = (Map<String, Number>) component("redis").facts().get("key_counts");
        assertEquals(expectedKeys, counts.values().stream().mapToLong(Number::longValue).sum());

        ObjectMapper json = new ObjectMapper();
        List<JsonNode> keys = new ArrayList<>();
        for (String line : lines) {
            keys.add(json.readTree(line));
        }
        assertTrue(keys.stream().anyMatch(k -> k.get("key").has("base64")), "a binary key is kept as base64");
        assertTrue(keys.stream().anyMatch(k -> k.get("ttl_ms").asLong() > 3_500_000), "TTLs are kept");
        for (String type : List.of("string", "hash", "list", "set", "zset", "stream")) {
            assertTrue(keys.stream().anyMatch(k -> k.get("type").asText().equals(type)), "a " + type + " key");
        }
        assertTrue(keys.stream().allMatch(k -> !k.get("dump").asText().isEmpty()), "every key has its DUMP");
    }

    @Test
    void chromaArtifactIsATarOfThePersistenceFolderWithConsistentCounts() throws Exception {
        Path tar = Tools.zstdDecompress(backupFolder.resolve("chromadb/chromadb.tar.zst"), work.resolve("chroma.tar"));
        Tools.Run list = Tools.run("tar", "-tf", tar.toString());
        assertEquals(0, list.exitCode(), list.output());
        assertTrue(list.output().lines().anyMatch(l -> l.equals("./chroma.sqlite3")), list.output());
        Map<String, Object> facts = component("chromadb").facts();
        assertEquals(Map.of(SampleData.CHROMA_ARTICLES, SampleData.CHROMA_ARTICLE_RECORDS,
                SampleData.CHROMA_FAQ, SampleData.CHROMA_FAQ_RECORDS), toIntMap(facts.get("record_counts")));
        assertEquals(toIntMap(facts.get("record_counts")), toIntMap(facts.get("api_record_counts")));
        assertEquals((long) Tools.lines(list.output()).size(), ((Number) facts.get("tar_entries")).longValue());
    }

    @Test
    void uploadsTarKeepsAwkwardNamesEmptyFoldersAndLinksAsLinks() throws Exception {
        Path tar = Tools.zstdDecompress(backupFolder.resolve("uploads/uploads.tar.zst"), work.resolve("uploads.tar"));
        Tools.Run verbose = Tools.run("tar", "--quoting-style=literal", "-tvf", tar.toString());
        assertEquals(0, verbose.exitCode(), verbose.output());
        String listing = verbose.output();
        assertTrue(listing.contains("./" + SampleData.UPLOADS_TAB_FILE), "tab in a name");
        assertTrue(listing.contains("./" + SampleData.UPLOADS_UNICODE_FILE), "unicode name");
        assertTrue(listing.contains("./" + SampleData.UPLOADS_OUTSIDE_LINK + " -> " + SampleData.UPLOADS_OUTSIDE_LINK_TARGET),
                "a link out of the tree is stored as a link");
        for (String empty : SampleData.UPLOADS_EMPTY_FOLDERS) {
            assertTrue(listing.contains("./" + empty + "/"), "empty folder " + empty);
        }
        assertTrue(listing.lines().anyMatch(l -> l.startsWith("-rwxr-xr-x") && l.endsWith(SampleData.UPLOADS_SCRIPT_FILE)),
                "modes are kept");
        long files;
        long bytes;
        try (Stream<Path> tree = Files.walk(stack.uploads())) {
            List<Path> regular = tree.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).toList();
            files = regular.size();
            long sum = 0;
            for (Path p : regular) {
                sum += Files.size(p);
            }
            bytes = sum;
        }
        Map<String, Object> facts = component("uploads").facts();
        assertEquals(files, ((Number) facts.get("file_count")).longValue());
        assertEquals(bytes, ((Number) facts.get("total_bytes")).longValue());
    }

    @Test
    void configExportIsRedactedAndMatchesTheSchema() throws Exception {
        Path export = Tools.zstdDecompress(backupFolder.resolve("config/config.json.zst"), work.resolve("config.json"));
        String text = Files.readString(export);
        for (String secret : SampleData.CONFIG_SECRETS) {
            assertFalse(text.contains(secret), "secret leaked into the config export");
        }
        JsonNode root = new ObjectMapper().readTree(text);
        assertEquals(stack.configFiles().size(), root.get("files").size());
        assertTrue(text.contains("***REDACTED***"));
        assertTrue(text.contains("server.port"), "non-secret keys are kept");
        Map<String, Object> facts = component("config").facts();
        assertEquals(stack.configFiles().size(), ((Number) facts.get("file_count")).intValue());
        assertTrue(((Number) facts.get("key_count")).intValue() > 10);
    }

    @Test
    void secretsAppearInNoManifestNoOutputAndNoCommandLine() throws Exception {
        List<String> secrets = List.of(stack.postgres().password(), stack.redis().password());
        String manifestText = Files.readString(backupFolder.resolve("manifest.json"));
        for (String secret : secrets) {
            assertFalse(manifestText.contains(secret), "secret in manifest");
            assertFalse(create.stdout().contains(secret), "secret in output");
            assertFalse(create.stderr().contains(secret), "secret in logs");
            synchronized (commandLinesSeen) {
                assertFalse(commandLinesSeen.isEmpty(), "the watcher saw the tools run");
                assertTrue(commandLinesSeen.stream().noneMatch(c -> c.contains(secret)), "secret on a command line");
            }
        }
    }

    @Test
    void theBackupIsListedAndShown() throws Exception {
        Path config = work.resolve("stack.properties");
        Cli.Result list = Cli.run("list", "--config", config.toString());
        assertEquals(0, list.exitCode(), list.toString());
        assertTrue(list.stdout().contains(manifest.backupId()), list.stdout());
        assertTrue(list.stdout().lines().anyMatch(l -> l.startsWith(manifest.backupId()) && l.contains("completed")));
        Cli.Result show = Cli.run("--config", config.toString(), "show", manifest.backupId(), "--output", "json");
        assertEquals(0, show.exitCode(), show.toString());
        assertEquals(manifest, ManifestCodec.JSON.readValue(show.stdout(), Manifest.class));
    }

    @Test
    void theCatalogIndexesTheBackupAndLogsTheOperation() throws Exception {
        long indexed = stack.postgres().queryLong(DemoStack.CATALOG_DATABASE,
                "SELECT count(*) FROM backup WHERE backup_id = '" + manifest.backupId() + "' AND status = 'completed'"
                        + " AND repository = '" + repository + "'");
        assertEquals(1, indexed);
        long logged = stack.postgres().queryLong(DemoStack.CATALOG_DATABASE,
                "SELECT count(*) FROM operation WHERE backup_id = '" + manifest.backupId() + "' AND kind = 'backup'"
                        + " AND repository = '" + repository + "'");
        assertEquals(1, logged);
    }

    @AfterAll
    void removeWork() {
        TestStack.deleteTree(work);
    }

    private Manifest.ComponentRecord component(String name) {
        return manifest.components().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Integer> toIntMap(Object value) {
        Map<String, Integer> result = new java.util.TreeMap<>();
        ((Map<String, Number>) value).forEach((k, v) -> result.put(k, v.intValue()));
        return result;
    }

    /** Samples every process's command line while the backup runs. */
    private Thread watchCommandLines() {
        Thread watcher = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
                    procs.filter(p -> p.getFileName().toString().matches("\\d+")).forEach(p -> {
                        try {
                            String cmd = Files.readString(p.resolve("cmdline"), StandardCharsets.ISO_8859_1).replace('\0', ' ');
                            if (cmd.contains("pg_dump") || cmd.contains("redis-cli") || cmd.startsWith("tar ")) {
                                synchronized (commandLinesSeen) {
                                    commandLinesSeen.add(cmd);
                                }
                            }
                        } catch (Exception gone) {
                            // the process ended while we looked
                        }
                    });
                } catch (Exception e) {
                    return;
                }
            }
        });
        watcher.setDaemon(true);
        watcher.start();
        return watcher;
    }
}
