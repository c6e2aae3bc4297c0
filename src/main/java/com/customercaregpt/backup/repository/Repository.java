package com.customercaregpt.backup.repository;

import com.customercaregpt.backup.backup.UsageError;
import com.customercaregpt.backup.repository.store.SharedLock;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Where backups live, as callers see them: implemented once, on top of a store, by
 * {@link StoreRepository} ({@link LocalThenRemote} combines two). A backup is a folder (or prefix)
 * named by its id holding artifacts and, written last, {@code manifest.json}; a backup without a
 * manifest is unfinished.
 *
 * <p>Contract for every implementation (checked by RepositoryContractTest):
 * <ul>
 *   <li>{@link #allocate} creates the backup's place exclusively: two callers never get one id.</li>
 *   <li>An artifact written through {@link #createArtifact} becomes visible under its path only when
 *       the stream is closed without error; {@link ArtifactStream#abort} leaves nothing behind.</li>
 *   <li>{@link #writeManifest} is atomic and durable: readers see the old state or the whole new one.</li>
 *   <li>{@link #delete} removes the manifest first, so a half-deleted backup reads as unfinished.</li>
 *   <li>Paths are relative, use '/', and never contain '..'; anything else is refused.</li>
 * </ul>
 */
public interface Repository {

    /** A human-readable location for messages (a folder path or an s3:// URL). */
    String location();

    /** Reserves a new, empty backup place under the first free id for this moment. */
    BackupId allocate(Instant startedAt) throws IOException;

    ArtifactStream createArtifact(BackupId id, String path) throws IOException;

    /**
     * Like {@link #createArtifact(BackupId, String)}, recording the artifact's SHA-256 (of its stored
     * bytes) with it where the store can, so that a resumed copy can tell it is already there.
     */
    default ArtifactStream createArtifact(BackupId id, String path, String sha256) throws IOException {
        return createArtifact(id, path);
    }

    /**
     * Stores a whole file as an artifact, failing (and storing nothing) unless its bytes have the
     * given SHA-256. A store may send parts of the file in parallel.
     */
    void putFile(BackupId id, String path, Path file, String sha256) throws IOException;

    /** The artifact as a local file, for stores that keep one (empty otherwise). */
    default Optional<Path> localFile(BackupId id, String path) {
        return Optional.empty();
    }

    /** An artifact as the store holds it: its size, and the SHA-256 recorded with it (null if none). */
    record Stored(long sizeBytes, String sha256) {
    }

    /** The stored artifact, if it exists and the store can tell (empty otherwise). */
    default Optional<Stored> stat(BackupId id, String path) throws IOException {
        return Optional.empty();
    }

    InputStream openArtifact(BackupId id, String path) throws IOException;

    void writeManifest(BackupId id, byte[] manifestJson) throws IOException;

    Optional<byte[]> readManifest(BackupId id) throws IOException;

    /** Every backup place, finished or not, oldest first. */
    List<BackupId> list() throws IOException;

    /** Marks a backup as being written by a live process (owner and heartbeat). */
    void writeProgressMarker(BackupId id, byte[] markerJson) throws IOException;

    Optional<byte[]> readProgressMarker(BackupId id) throws IOException;

    void removeProgressMarker(BackupId id) throws IOException;

    /** Removes a backup: manifest first, then artifacts, then the place itself. Idempotent. */
    void delete(BackupId id) throws IOException;

    /**
     * The lock hosts sharing this repository's storage take before they write (a lock file in a
     * folder, claim objects in a bucket); one attempt at a time through {@link SharedLock#tryAcquire}.
     */
    SharedLock lock(Duration staleAfter);

    /** An artifact being written: close() commits it, abort() discards it. */
    abstract class ArtifactStream extends OutputStream {
        public abstract void abort();
    }

    static String checkRelativePath(String path) {
        if (path == null || path.isEmpty() || path.startsWith("/") || path.contains("\\")
                || Arrays.asList(path.split("/")).contains("..")) {
            throw new UsageError("refusing unsafe artifact path '" + path + "'");
        }
        return path;
    }
}
