package com.customercaregpt.backup.repository.store;

import com.customercaregpt.backup.pipeline.ArtifactOutput;
import com.customercaregpt.backup.pipeline.Streams;
import com.customercaregpt.backup.repository.Repository.ArtifactStream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The storage a repository lives in: objects named by key, nothing more. Repository rules
 * (backup places, manifests, markers, order of writes) live above it, in StoreRepository.
 *
 * <p>Contract of every store (checked through RepositoryContractTest for each backend):
 * <ul>
 *   <li>Keys are relative, '/'-separated ({@code backups/<id>/manifest.json}); a "folder" is a key
 *       prefix ending in '/'. Callers check keys for '..' before they get here.</li>
 *   <li>Writes are atomic and durable on return: a key shows the old object or the whole new one,
 *       never a part ({@link #save}, {@link #saveFile}, and {@link #create} on close).</li>
 *   <li>Reads are idempotent. A missing object is {@link NoSuchFileException} naming it (or an empty
 *       Optional where the method says so); removing a missing object is not an error.</li>
 *   <li>Errors: {@link NoSuchFileException} means not found; {@link PermanentStoreException} means
 *       trying again cannot help (refused credentials, a checksum that does not match, a request the
 *       store rejects); any other IOException is transient, and the retry wrapper tries again.</li>
 *   <li>Calls that only some stores have are probed or tried once; where a store answers that it
 *       lacks one, the store goes on without it and reports so in {@link #capabilities()}.</li>
 * </ul>
 */
public interface Store extends AutoCloseable {

    /** Where it is, for messages: a folder path or an s3:// URL. */
    String location();

    /** The object's address, for messages. */
    String url(String key);

    /** What this store can do, as far as it knows now (S3 stores find out on first use). */
    Capabilities capabilities();

    /**
     * @param conditionalWrites create-if-absent is atomic in one call (a file system's link, or
     *                          S3's {@code If-None-Match: *}); without it, folders are reserved by
     *                          claim-and-list
     * @param uploadListing     pending multipart uploads can be listed (and so aborted on delete)
     */
    record Capabilities(boolean conditionalWrites, boolean uploadListing) {
    }

    /** Stores a small object (manifest, marker, lock claim), replacing any old one atomically. */
    void save(String key, byte[] content) throws IOException;

    /**
     * Starts an object of unknown length; close() commits it, abort() discards it. The stream is
     * written once, so it is never retried: a caller that needs retries uses {@link #saveFile}.
     *
     * @param sha256 recorded with the object where the store can (null: none), read back by {@link #stat}
     */
    ArtifactStream create(String key, String sha256) throws IOException;

    /**
     * Stores a whole file, failing with {@link PermanentStoreException} (and storing nothing) unless
     * its bytes have the given SHA-256. A store may send parts of the file in parallel.
     */
    default void saveFile(String key, Path file, String sha256) throws IOException {
        MessageDigest digest = ArtifactOutput.newSha256();
        ArtifactStream out = create(key, sha256);
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            Streams.copy(in, out);
            requireChecksum(file, sha256, digest);
            out.close(); // commits: only now that the checksum is known to match
        } catch (IOException | RuntimeException e) {
            out.abort();
            throw e;
        }
    }

    /** Reads an object from its start. */
    InputStream open(String key) throws IOException;

    /** Reads {@code length} bytes of an object from {@code offset} (fewer where it ends sooner). */
    InputStream openRange(String key, long offset, long length) throws IOException;

    /** A whole small object, or empty when there is none. */
    default Optional<byte[]> read(String key) throws IOException {
        try (InputStream in = open(key)) {
            return Optional.of(in.readAllBytes());
        } catch (NoSuchFileException absent) {
            return Optional.empty();
        }
    }

    /** An object as stored: its size, and the SHA-256 recorded with it (null if none). */
    record Stat(long sizeBytes, String sha256) {
    }

    /** The object's size and recorded checksum, or empty when there is none. */
    Optional<Stat> stat(String key) throws IOException;

    /** Names of the folders directly in {@code folder} whose names start with {@code nameStart}, in no order. */
    List<String> folders(String folder, String nameStart) throws IOException;

    /** Up to {@code limit} keys under {@code prefix}, sorted (enough to tell empty, one or several). */
    List<String> keys(String prefix, int limit) throws IOException;

    /** Removes one object; nothing there is fine. */
    void remove(String key) throws IOException;

    /**
     * Reserves an empty folder exclusively: true for exactly one of several concurrent callers,
     * false when the folder exists. A store without conditional writes claims it and lists.
     */
    boolean reserveFolder(String folder) throws IOException;

    /** Removes a folder with everything in it (and its pending uploads where they can be listed); idempotent. */
    void removeFolder(String folder) throws IOException;

    /** This store's repository lock: the same methods for a lock file and for claims in a bucket. */
    SharedLock lock(Duration staleAfter);

    /** The object as a local file, for stores that keep one (empty otherwise). */
    default Optional<Path> localFile(String key) {
        return Optional.empty();
    }

    @Override
    void close();

    /** Fails naming {@code file} when the digest of what was read differs from {@code sha256}. */
    static void requireChecksum(Path file, String sha256, MessageDigest digest) throws PermanentStoreException {
        String actual = HexFormat.of().formatHex(digest.digest());
        if (!actual.equals(sha256)) {
            throw new PermanentStoreException(file + " has sha256 " + actual + " but the manifest says " + sha256
                    + "; not stored");
        }
    }
}
