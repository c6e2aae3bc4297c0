package com.customercaregpt.backup.pipeline.crypto;

import com.customercaregpt.backup.config.SecretFiles;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.nio.file.attribute.PosixFileAttributeView;
import java.security.NoSuchAlgorithmException;

/**
 * The master key: 32 random bytes kept in a file of their own, one line of 64 hex characters
 * (base64, 44 characters, is accepted too). It never encrypts artifacts itself; it wraps the
 * per-backup {@link DataKey}. Without this file, backups made with it cannot be restored: keep
 * a copy apart from the backups.
 *
 * <p>Error messages and {@link #toString()} name the file and the {@link #keyId()}, never the key.
 */
public final class KeyFile {

    public static final int KEY_BYTES = 32;

    private static final byte[] KEY_ID_LABEL = "ccgpt-backup-key-id".getBytes(StandardCharsets.US_ASCII);
    /** A real key file is one short line; anything bigger is the wrong file, and is not read into memory. */
    private static final int MAX_FILE_BYTES = 1024;
    private static final Set<PosixFilePermission> OWNER_ONLY =
            EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

    private final Path path;
    private final SecretKey key;
    private final String keyId;
    private final String permissionWarning;

    private KeyFile(Path path, byte[] key, String permissionWarning) {
        this.path = path;
        this.key = new SecretKeySpec(key, "AES");
        this.keyId = keyId(key);
        this.permissionWarning = permissionWarning;
    }

    /**
     * Writes a new random key to {@code path}, readable and writable by the owner only (mode 600
     * where the file system has POSIX permissions). Refuses to replace an existing file: losing a
     * key makes every backup made with it unreadable.
     */
    public static KeyFile generate(Path path) throws KeyFileException {
        byte[] key = Envelope.random(KEY_BYTES);
        byte[] line = (HexFormat.of().formatHex(key) + "\n").getBytes(StandardCharsets.US_ASCII);
        boolean posix = Files.getFileAttributeView(absoluteParent(path),
                PosixFileAttributeView.class) != null;
        Set<OpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        // The mode is set at creation, so the key is never in a file others may open.
        FileAttribute<?>[] attributes = posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
                : new FileAttribute<?>[0];
        boolean created = false;
        try (FileChannel channel = FileChannel.open(path, options, attributes)) {
            created = true;
            ByteBuffer buffer = ByteBuffer.wrap(line);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        } catch (FileAlreadyExistsException e) {
            throw new KeyFileException("key file " + path + " already exists; refusing to overwrite it "
                    + "(backups made with the old key would become unreadable)");
        } catch (IOException e) {
            if (created) {
                deleteQuietly(path); // a half-written key file would block the next attempt
            }
            throw new KeyFileException("cannot create key file " + path + ": " + describe(e), e);
        } finally {
            Arrays.fill(line, (byte) 0);
        }
        try {
            if (posix) {
                Files.setPosixFilePermissions(path, OWNER_ONLY); // in case a umask or ACL default changed it
            }
        } catch (IOException e) {
            throw new KeyFileException("cannot set mode 600 on key file " + path + ": " + describe(e), e);
        }
        KeyFile keyFile = new KeyFile(path, key, null);
        Arrays.fill(key, (byte) 0);
        return keyFile;
    }

    /**
     * Reads a key file. Fails with a one-line message naming the file when it is missing,
     * unreadable, not one line, of the wrong length or has characters that are neither hex nor
     * base64. A file that group or others may access loads, with {@link #permissionWarning()} set.
     */
    public static KeyFile load(Path path) throws KeyFileException {
        byte[] content;
        try (InputStream in = Files.newInputStream(path)) {
            content = in.readNBytes(MAX_FILE_BYTES + 1);
        } catch (NoSuchFileException e) {
            throw new KeyFileException("key file " + path + " does not exist");
        } catch (AccessDeniedException e) {
            throw new KeyFileException("key file " + path + " cannot be read: permission denied");
        } catch (IOException e) {
            throw new KeyFileException("cannot read key file " + path + ": " + describe(e), e);
        }
        try {
            if (content.length > MAX_FILE_BYTES) {
                throw new KeyFileException("key file " + path + " is larger than " + MAX_FILE_BYTES
                        + " bytes: not a key file (expected one line of 64 hex characters)");
            }
            byte[] key = parse(path, content);
            KeyFile keyFile = new KeyFile(path, key, permissionWarning(path));
            Arrays.fill(key, (byte) 0);
            return keyFile;
        } finally {
            Arrays.fill(content, (byte) 0);
        }
    }

    /** Where the key was read from or written to. */
    public Path path() {
        return path;
    }

    /**
     * Names the key without revealing it: the first 16 hex characters of
     * SHA-256("ccgpt-backup-key-id" || key). Recorded in manifests so a restore can tell, before
     * trying anything, whether the key file at hand is the one a backup needs.
     */
    public String keyId() {
        return keyId;
    }

    /** Whether group or others have any permission on the file (they could read or replace the key). */
    public boolean permissionsTooOpen() {
        return permissionWarning != null;
    }

    /** A one-line warning to log when {@link #permissionsTooOpen()}, e.g. "... has mode 644 ...; chmod 600 ...". */
    public Optional<String> permissionWarning() {
        return Optional.ofNullable(permissionWarning);
    }

    SecretKey secretKey() {
        return key;
    }

    @Override
    public String toString() {
        return "KeyFile[" + path + ", key id " + keyId + "]";
    }

    static String keyId(byte[] key) {
        MessageDigest sha256 = sha256();
        sha256.update(KEY_ID_LABEL);
        sha256.update(key);
        return HexFormat.of().formatHex(sha256.digest()).substring(0, 16);
    }

    /** Exposed to tests to check parsing without files; the messages name {@code path} only. */
    static byte[] parse(Path path, byte[] content) throws KeyFileException {
        int start = 0;
        int end = content.length;
        while (start < end && isBlank(content[start])) {
            start++;
        }
        while (end > start && isBlank(content[end - 1])) {
            end--;
        }
        if (start == end) {
            throw new KeyFileException("key file " + path + " is empty (expected one line of 64 hex characters)");
        }
        for (int i = start; i < end; i++) {
            if (content[i] == '\n' || content[i] == '\r') {
                throw new KeyFileException("key file " + path + " has more than one line (expected one line of 64 hex characters)");
            }
        }
        int length = end - start;
        // The characters are the secret: messages give positions and counts, never the characters.
        if (length == 2 * KEY_BYTES) {
            for (int i = start; i < end; i++) {
                if (Character.digit(content[i], 16) < 0) {
                    throw new KeyFileException("key file " + path + ": character " + (i - start + 1)
                            + " of 64 is not a hex digit");
                }
            }
            // Decoded by hand rather than through a String, so no immutable copy of the key lingers.
            byte[] key = new byte[KEY_BYTES];
            for (int i = 0; i < KEY_BYTES; i++) {
                key[i] = (byte) (Character.digit(content[start + 2 * i], 16) << 4
                        | Character.digit(content[start + 2 * i + 1], 16));
            }
            return key;
        }
        if (length == 43 || length == 44) {
            for (int i = start; i < end; i++) {
                if (!isBase64(content[i], i - start)) {
                    throw new KeyFileException("key file " + path + ": character " + (i - start + 1) + " of "
                            + length + " is not base64");
                }
            }
            byte[] key;
            try {
                key = Base64.getDecoder().decode(Arrays.copyOfRange(content, start, end));
            } catch (IllegalArgumentException e) {
                throw new KeyFileException("key file " + path + " is not valid base64");
            }
            if (key.length != KEY_BYTES) {
                Arrays.fill(key, (byte) 0);
                throw new KeyFileException("key file " + path + " decodes to " + key.length + " bytes, expected "
                        + KEY_BYTES);
            }
            return key;
        }
        throw new KeyFileException("key file " + path + " holds " + length + " characters; a " + KEY_BYTES
                + "-byte key is 64 hex characters (or 44 base64)");
    }

    private static boolean isBlank(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r';
    }

    private static boolean isBase64(byte b, int position) {
        return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '+' || b == '/'
                || (b == '=' && position >= 42);
    }

    private static String permissionWarning(Path path) {
        return SecretFiles.tooOpen(path, "key file", "the key").orElse(null);
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // the error being reported matters more
        }
    }

    private static Path absoluteParent(Path path) {
        Path parent = path.toAbsolutePath().getParent();
        return parent != null ? parent : path.toAbsolutePath();
    }

    private static String describe(IOException e) {
        String type = e.getClass().getSimpleName();
        return e.getMessage() == null ? type : type + " " + e.getMessage();
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
