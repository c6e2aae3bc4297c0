package com.customercaregpt.backup.repository;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Optional;

/**
 * Where backups live. A backup is a folder (or prefix) named by its id holding artifacts and,
 * written last, {@code manifest.json}; a backup without a manifest is unfinished.
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
    BackupId allocate(java.time.Instant startedAt) throws IOException;

    ArtifactStream createArtifact(BackupId id, String path) throws IOException;

    /**
     * Like {@link #createArtifact(BackupId, String)}, recording the artifact's SHA-256 (of its stored
     * bytes) with it where the store can, so that a resumed copy can tell it is already there.
     */
    default ArtifactStream createArtifact(BackupId id, String path, String sha256) throws IOException {
        return createArtifact(id, path);
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

    /** An artifact being written: close() commits it, abort() discards it. */
    abstract class ArtifactStream extends OutputStream {
        public abstract void abort();
    }

    static String checkRelativePath(String path) {
        if (path == null || path.isEmpty() || path.startsWith("/") || path.contains("\\")
                || java.util.Arrays.asList(path.split("/")).contains("..")) {
            throw new com.customercaregpt.backup.backup.UsageError("refusing unsafe artifact path '" + path + "'");
        }
        return path;
    }
}
