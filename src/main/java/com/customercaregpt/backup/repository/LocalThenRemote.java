package com.customercaregpt.backup.repository;

import com.customercaregpt.backup.repository.store.SharedLock;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * What readers (list, show, verify, restore, catalog rebuild) see: the local repository first
 * (quick recovery), and backups that exist only remotely (a fresh host, a lost disk) from S3.
 * Everything that writes goes to the local repository; replication copies it out.
 */
public final class LocalThenRemote implements Repository {

    private final Repository local;
    private final Supplier<Repository> remote;
    private final boolean remoteEnabled;

    public LocalThenRemote(Repository local, Supplier<Repository> remote, boolean remoteEnabled) {
        this.local = local;
        this.remote = remote;
        this.remoteEnabled = remoteEnabled;
    }

    @Override
    public String location() {
        return remoteEnabled ? local.location() + " (then " + remote.get().location() + ")" : local.location();
    }

    @Override
    public BackupId allocate(Instant startedAt) throws IOException {
        return local.allocate(startedAt);
    }

    @Override
    public ArtifactStream createArtifact(BackupId id, String path) throws IOException {
        return local.createArtifact(id, path);
    }

    @Override
    public void putFile(BackupId id, String path, Path file, String sha256) throws IOException {
        local.putFile(id, path, file, sha256);
    }

    /** From the local copy when it holds the backup's manifest, else from the remote one. */
    @Override
    public InputStream openArtifact(BackupId id, String path) throws IOException {
        if (!remoteEnabled || local.readManifest(id).isPresent()) {
            return local.openArtifact(id, path);
        }
        return remote.get().openArtifact(id, path);
    }

    @Override
    public void writeManifest(BackupId id, byte[] manifestJson) throws IOException {
        local.writeManifest(id, manifestJson);
    }

    @Override
    public Optional<byte[]> readManifest(BackupId id) throws IOException {
        Optional<byte[]> manifest = local.readManifest(id);
        if (manifest.isPresent() || !remoteEnabled) {
            return manifest;
        }
        return remote.get().readManifest(id);
    }

    /** Local backups and those only in the remote repository, oldest first. */
    @Override
    public List<BackupId> list() throws IOException {
        TreeSet<BackupId> ids = new TreeSet<>(local.list());
        if (remoteEnabled) {
            ids.addAll(remote.get().list());
        }
        return List.copyOf(ids);
    }

    @Override
    public void writeProgressMarker(BackupId id, byte[] markerJson) throws IOException {
        local.writeProgressMarker(id, markerJson);
    }

    @Override
    public Optional<byte[]> readProgressMarker(BackupId id) throws IOException {
        return local.readProgressMarker(id);
    }

    @Override
    public void removeProgressMarker(BackupId id) throws IOException {
        local.removeProgressMarker(id);
    }

    /** Writers lock the local repository; RepositoryLock adds the remote one's lock. */
    @Override
    public SharedLock lock(Duration staleAfter) {
        return local.lock(staleAfter);
    }

    /** Removes the backup everywhere: locally and in the remote repository. */
    @Override
    public void delete(BackupId id) throws IOException {
        local.delete(id);
        if (remoteEnabled) {
            remote.get().delete(id);
        }
    }
}
