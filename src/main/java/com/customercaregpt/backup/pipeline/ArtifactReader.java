package com.customercaregpt.backup.pipeline;

import com.customercaregpt.backup.backup.StepFailure;
import com.customercaregpt.backup.repository.BackupId;
import com.customercaregpt.backup.repository.Manifest.Artifact;
import com.customercaregpt.backup.repository.Repository;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import com.customercaregpt.backup.pipeline.crypto.DataKey;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;

/**
 * Reads artifacts back: the stored bytes are checked against the manifest's SHA-256 as they
 * stream, and a mismatch or a missing file fails naming the artifact, before the reader can act
 * on bytes it should not trust.
 */
public final class ArtifactReader {

    private static final int BUFFER = 1 << 20;

    private final Repository repository;
    private final BackupId backup;
    private final String component;

    private final DataKey dataKey;

    public ArtifactReader(Repository repository, BackupId backup, String component) {
        this(repository, backup, component, null);
    }

    /** {@code dataKey} decrypts the artifacts of an encrypted backup; null for one that is not. */
    public ArtifactReader(Repository repository, BackupId backup, String component,
                          DataKey dataKey) {
        this.dataKey = dataKey;
        this.repository = repository;
        this.backup = backup;
        this.component = component;
    }

    /** Reads the whole artifact and checks its size and SHA-256. */
    public void verifyChecksum(Artifact artifact) {
        try (InputStream in = openStored(artifact)) {
            Streams.copy(in, OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw unreadable(artifact, e);
        }
    }

    /** Copies the stored bytes as they are (still compressed and encrypted), checking their checksum on the way. */
    public void copyStored(Artifact artifact, OutputStream out) {
        try (InputStream in = openStored(artifact)) {
            Streams.copy(in, out);
        } catch (IOException e) {
            throw unreadable(artifact, e);
        }
    }

    /** The decompressed content; the checksum is checked when the stream reaches its end. */
    public InputStream openDecompressed(Artifact artifact) {
        try {
            InputStream stored = openStored(artifact);
            if (!"none".equals(artifact.encryption())) {
                if (dataKey == null) {
                    stored.close();
                    throw new StepFailure(component, "decrypt", artifact.path() + " of " + backup
                            + " is encrypted and no key was given");
                }
                stored = dataKey.decrypt(stored);
            }
            return Compression.parse(artifact.compression()).decompress(stored);
        } catch (IOException e) {
            throw unreadable(artifact, e);
        }
    }

    /** Decompresses into a file (for tools that need to seek, like pg_restore -j); returns it. */
    public Path decompressTo(Artifact artifact, Path file) {
        try (InputStream in = openDecompressed(artifact);
             OutputStream out = new BufferedOutputStream(PrivateFiles.newOutputStream(file), BUFFER)) {
            Streams.copy(in, out);
            return file;
        } catch (IOException e) {
            throw unreadable(artifact, e);
        }
    }

    private InputStream openStored(Artifact artifact) throws IOException {
        InputStream raw;
        try {
            raw = repository.openArtifact(backup, artifact.path());
        } catch (NoSuchFileException e) {
            throw new StepFailure(component, "read artifact", artifact.path() + " is missing from " + backup);
        }
        MessageDigest sha256 = ArtifactOutput.newSha256();
        return new FilterInputStream(new DigestInputStream(new BufferedInputStream(raw, BUFFER), sha256)) {
            private long size;
            private boolean checked;

            @Override
            public int read() throws IOException {
                int b = super.read();
                account(b < 0 ? -1 : 1);
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int n = super.read(buffer, offset, length);
                account(n);
                return n;
            }

            /** Reads what the consumer left, so the checksum is always checked. */
            @Override
            public void close() throws IOException {
                try {
                    if (!checked) {
                        byte[] rest = new byte[BUFFER];
                        while (read(rest, 0, rest.length) >= 0) {
                            // draining to the end
                        }
                    }
                } finally {
                    super.close();
                }
            }

            private void account(int n) {
                if (n > 0) {
                    size += n;
                } else if (n < 0 && !checked) {
                    checked = true;
                    String actual = HexFormat.of().formatHex(sha256.digest());
                    if (size != artifact.sizeBytes() || !actual.equals(artifact.sha256())) {
                        throw new StepFailure(component, "verify checksum", artifact.path() + " of " + backup
                                + " is corrupt: sha256 " + actual + ", " + size + " bytes; the manifest says "
                                + artifact.sha256() + ", " + artifact.sizeBytes() + " bytes");
                    }
                }
            }
        };
    }

    private StepFailure unreadable(Artifact artifact, IOException e) {
        return new StepFailure(component, "read artifact", artifact.path() + " of " + backup + " cannot be read: "
                + e.getMessage(), e);
    }
}
