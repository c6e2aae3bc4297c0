package com.customercaregpt.backup.repository;

import com.customercaregpt.backup.repository.store.Store;
import com.customercaregpt.backup.repository.store.SharedLock;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The repository rules, written once for every store: a backup is the folder
 * {@code backups/<backup_id>/}, reserved exclusively under the first free id, holding artifacts,
 * an optional progress marker and, written last in one atomic save, {@code manifest.json};
 * deletion removes the manifest first, so a half-deleted backup reads as unfinished.
 */
public class StoreRepository implements Repository, AutoCloseable {

    static final String BACKUPS = "backups/";
    static final String MANIFEST = "manifest.json";
    public static final String PROGRESS_MARKER = "in-progress.json";
    private static final int MAX_SUFFIX = 10_000;

    private final Store store;

    public StoreRepository(Store store) {
        this.store = store;
    }

    @Override
    public String location() {
        return store.location();
    }

    /** One listing finds every id already taken in this second, instead of one probe per suffix. */
    @Override
    public BackupId allocate(Instant startedAt) throws IOException {
        String base = BackupId.at(startedAt, 0).value();
        Set<String> taken = new HashSet<>(store.folders(BACKUPS, base));
        for (int attempt = 0; attempt < MAX_SUFFIX; attempt++) {
            BackupId id = BackupId.at(startedAt, attempt);
            if (!taken.contains(id.value()) && store.reserveFolder(place(id))) {
                return id;
            }
        }
        throw new IOException(store.url(BACKUPS + base) + ": no free backup id for " + startedAt);
    }

    @Override
    public ArtifactStream createArtifact(BackupId id, String path) throws IOException {
        return store.create(key(id, path), null);
    }

    /** The checksum is recorded with the object where the store can (S3 metadata), for {@link #stat}. */
    @Override
    public ArtifactStream createArtifact(BackupId id, String path, String sha256) throws IOException {
        return store.create(key(id, path), sha256);
    }

    @Override
    public void putFile(BackupId id, String path, Path file, String sha256) throws IOException {
        store.saveFile(key(id, path), file, sha256);
    }

    @Override
    public Optional<Path> localFile(BackupId id, String path) {
        return store.localFile(key(id, path));
    }

    @Override
    public Optional<Stored> stat(BackupId id, String path) throws IOException {
        return store.stat(key(id, path)).map(s -> new Stored(s.sizeBytes(), s.sha256()));
    }

    @Override
    public InputStream openArtifact(BackupId id, String path) throws IOException {
        return store.open(key(id, path));
    }

    @Override
    public void writeManifest(BackupId id, byte[] manifestJson) throws IOException {
        store.save(place(id) + MANIFEST, manifestJson);
    }

    @Override
    public Optional<byte[]> readManifest(BackupId id) throws IOException {
        return store.read(place(id) + MANIFEST);
    }

    @Override
    public List<BackupId> list() throws IOException {
        List<BackupId> ids = new ArrayList<>();
        for (String name : store.folders(BACKUPS, "")) {
            if (BackupId.isValid(name)) {
                ids.add(new BackupId(name));
            }
        }
        ids.sort(Comparator.naturalOrder());
        return ids;
    }

    @Override
    public void writeProgressMarker(BackupId id, byte[] markerJson) throws IOException {
        store.save(place(id) + PROGRESS_MARKER, markerJson);
    }

    @Override
    public Optional<byte[]> readProgressMarker(BackupId id) throws IOException {
        return store.read(place(id) + PROGRESS_MARKER);
    }

    @Override
    public void removeProgressMarker(BackupId id) throws IOException {
        store.remove(place(id) + PROGRESS_MARKER);
    }

    @Override
    public void delete(BackupId id) throws IOException {
        store.remove(place(id) + MANIFEST);
        store.removeFolder(place(id));
    }

    @Override
    public SharedLock lock(Duration staleAfter) {
        return store.lock(staleAfter);
    }

    @Override
    public void close() {
        store.close();
    }

    /** The key of a backup's folder, {@code backups/<id>/}. */
    static String place(BackupId id) {
        return BACKUPS + id.value() + "/";
    }

    private static String key(BackupId id, String path) {
        return place(id) + Repository.checkRelativePath(path);
    }
}
