package com.customercaregpt.backup.wal;

import com.customercaregpt.backup.backup.StepFailure;
import com.customercaregpt.backup.pipeline.ArtifactOutput;
import com.customercaregpt.backup.pipeline.Compression;
import com.customercaregpt.backup.pipeline.PrivateFiles;
import com.customercaregpt.backup.pipeline.Streams;
import com.customercaregpt.backup.pipeline.crypto.DataKey;
import com.customercaregpt.backup.pipeline.crypto.KeyFile;
import com.customercaregpt.backup.repository.ManifestCodec;
import com.customercaregpt.backup.repository.ManifestKeys;
import com.customercaregpt.backup.config.Settings;
import com.customercaregpt.backup.repository.store.Store;
import com.customercaregpt.backup.repository.store.local.LocalStore;
import com.customercaregpt.backup.repository.store.retry.RetryingStore;
import com.customercaregpt.backup.repository.store.s3.S3Settings;
import com.customercaregpt.backup.repository.store.s3.S3Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The WAL archive in the repository: each completed segment (and timeline history file) stored under
 * {@code wal/<timeline>/<name><suffix>}, compressed, checksummed and encrypted like any artifact, then its
 * record {@code <name>.json} written last (its presence means "archived"). With S3 on, both are copied to
 * the bucket at once. The index is the listing of records, local then S3, so it is rebuilt from the
 * repository alone.
 */
public final class WalArchive {

    private static final Logger LOG = LoggerFactory.getLogger(WalArchive.class);
    static final String ROOT = "wal/";
    private static final String RECORD = ".json";
    public static final String FORMAT = "postgresql-wal";

    private final Store local;
    private final Supplier<Store> remote;
    private final Compression compression;
    private final int level;
    private final ManifestKeys keys;

    /** {@code remote} is null when S3 is off. */
    public WalArchive(Store local, Supplier<Store> remote, Compression compression, int level, ManifestKeys keys) {
        this.local = local;
        this.remote = remote;
        this.compression = compression;
        this.level = level;
        this.keys = keys;
    }

    /** The archive of the configured repository (and of its S3 copy when S3 is on). */
    public static WalArchive from(Settings settings) {
        Supplier<Store> remote = "true".equals(settings.get("backup.s3.enabled", "false"))
                ? new Supplier<>() {
                    private Store store;

                    @Override
                    public synchronized Store get() {
                        if (store == null) {
                            store = new RetryingStore(new S3Store(S3Settings.from(settings)),
                                    RetryingStore.Policy.from(settings));
                        }
                        return store;
                    }
                } : null;
        return new WalArchive(new LocalStore(settings.getPath("backup.repository.path")), remote,
                Compression.parse(settings.get("backup.compression", "zstd")),
                settings.getInt("backup.compression.level", 3),
                new ManifestKeys(settings.get("backup.encryption.key-file", "")));
    }

    public String location() {
        return local.url(ROOT);
    }

    /** Stores one completed file of the spool (segment or .history); returns its record. */
    public ArchivedSegment store(Path file) throws IOException {
        String name = file.getFileName().toString();
        int timeline = Lsn.timelineOf(name);
        KeyFile master = keys.enabled() ? keys.masterKey() : null;
        DataKey dataKey = master == null ? null : DataKey.generate();
        String path = folder(timeline) + name + compression.suffix() + (dataKey == null ? "" : ".enc");
        Instant endTime = Files.getLastModifiedTime(file).toInstant();
        ArtifactOutput out = new ArtifactOutput(path, FORMAT, compression, level, dataKey, local.create(path, null),
                stored -> { });
        com.customercaregpt.backup.repository.Manifest.Artifact artifact;
        try (out) {
            Files.copy(file, out);
            artifact = out.commit();
        }
        ArchivedSegment segment = new ArchivedSegment(name, timeline, path, Instant.now().toString(),
                endTime.toString(), artifact.sizeBytes(), artifact.rawSizeBytes(), artifact.sha256(),
                artifact.compression(), artifact.encryption(), dataKey == null ? null : dataKey.wrap(master));
        local.save(recordKey(segment), ManifestCodec.JSON.writeValueAsBytes(segment));
        return segment;
    }

    /** Copies a locally archived file and its record to S3 (bytes checked against the record); no-op when S3 is off. */
    public void replicate(ArchivedSegment segment) throws IOException {
        if (remote == null) {
            return;
        }
        Path file = local.localFile(segment.path()).orElseThrow(() -> new NoSuchFileException(local.url(segment.path())));
        Store s3 = remote.get();
        s3.saveFile(segment.path(), file, segment.sha256());
        s3.save(recordKey(segment), ManifestCodec.JSON.writeValueAsBytes(segment));
    }

    /** Archived locally but not (yet) in S3: what a failed copy left, for the streamer to send again. */
    public List<ArchivedSegment> notReplicated() throws IOException {
        if (remote == null) {
            return List.of();
        }
        Map<String, ArchivedSegment> mine = records(local);
        records(remote.get()).keySet().forEach(mine::remove);
        return List.copyOf(mine.values());
    }

    /** Every archived file, local and S3 (a local record wins), in WAL order (timeline, then name). */
    public List<ArchivedSegment> list() throws IOException {
        Map<String, ArchivedSegment> all = new TreeMap<>();
        if (remote != null) {
            try {
                all.putAll(records(remote.get()));
            } catch (IOException | RuntimeException e) {
                LOG.warn("WAL archive in S3 cannot be listed ({}); using the local one only", e.getMessage());
            }
        }
        all.putAll(records(local));
        return new ArrayList<>(all.values());
    }

    private static Map<String, ArchivedSegment> records(Store store) throws IOException {
        Map<String, ArchivedSegment> found = new TreeMap<>();
        for (String key : store.keys(ROOT, Integer.MAX_VALUE)) {
            if (key.endsWith(RECORD)) {
                byte[] json = store.read(key).orElse(null);
                if (json != null) {
                    ArchivedSegment segment = ManifestCodec.JSON.readValue(json, ArchivedSegment.class);
                    found.put(sortKey(segment), segment);
                }
            }
        }
        return found;
    }

    private static String sortKey(ArchivedSegment segment) {
        return segment.name().substring(0, 8) + "/" + segment.name();
    }

    /** Whether a segment's record is in the local archive (read directly, no listing). */
    public boolean contains(String name) throws IOException {
        return local.stat(folder(Lsn.timelineOf(name)) + name + RECORD).isPresent();
    }

    /** Reads the stored bytes whole and checks their size and SHA-256; fails naming the segment. */
    public void verify(ArchivedSegment segment) {
        read(segment, null);
    }

    /** Writes the segment's plain bytes (decrypted, decompressed, checksum checked) to {@code file}. */
    public void stage(ArchivedSegment segment, Path file) {
        read(segment, file);
    }

    private void read(ArchivedSegment segment, Path file) {
        MessageDigest sha256 = ArtifactOutput.newSha256();
        Path partial = file == null ? null : file.resolveSibling(file.getFileName() + ".part");
        long size;
        try (InputStream stored = open(segment.path());
             DigestInputStream digest = new DigestInputStream(stored, sha256)) {
            if (file == null) {
                size = Streams.copy(digest, OutputStream.nullOutputStream());
            } else {
                InputStream plain = digest;
                if (segment.dataKey() != null) {
                    plain = DataKey.unwrap(segment.dataKey(), keys.masterKey()).decrypt(plain);
                }
                plain = Compression.parse(segment.compression()).decompress(plain);
                try (OutputStream out = PrivateFiles.newOutputStream(partial)) {
                    Streams.copy(plain, out);
                }
                size = Streams.copy(digest, OutputStream.nullOutputStream());
            }
        } catch (NoSuchFileException e) {
            throw new StepFailure("wal", "read segment", "WAL segment " + segment.name() + " is missing from "
                    + location() + " (" + segment.path() + ")");
        } catch (IOException e) {
            throw new StepFailure("wal", "read segment", "WAL segment " + segment.name() + " cannot be read: "
                    + e.getMessage(), e);
        }
        String actual = HexFormat.of().formatHex(sha256.digest());
        if (!actual.equals(segment.sha256()) || (file == null && size != segment.sizeBytes())) {
            throw new StepFailure("wal", "verify checksum", "WAL segment " + segment.name() + " is corrupt: sha256 "
                    + actual + "; its record says " + segment.sha256());
        }
        if (file != null) {
            try {
                Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new StepFailure("wal", "stage segment", "cannot write " + file + ": " + e.getMessage(), e);
            }
        }
    }

    private InputStream open(String path) throws IOException {
        if (local.stat(path).isPresent()) {
            return local.open(path);
        }
        if (remote != null) {
            return remote.get().open(path);
        }
        throw new NoSuchFileException(local.url(path));
    }

    /** Removes an archived file, its record first (as a manifest), locally and in S3. */
    public void remove(ArchivedSegment segment) throws IOException {
        local.remove(recordKey(segment));
        local.remove(segment.path());
        if (remote != null) {
            remote.get().remove(recordKey(segment));
            remote.get().remove(segment.path());
        }
    }

    private static String folder(int timeline) {
        return ROOT + Lsn.timelineFolder(timeline) + "/";
    }

    private static String recordKey(ArchivedSegment segment) {
        return folder(segment.timeline()) + segment.name() + RECORD;
    }
}
