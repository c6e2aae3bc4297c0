package com.customercaregpt.backup.pipeline.crypto;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;

/**
 * The random AES-256 key that encrypts the artifacts of one backup. It is stored only wrapped
 * by the master key ({@link #wrap}), in the manifest; a new backup gets a new data key, so a
 * master key encrypts just one small record per backup and never sees artifact bytes.
 *
 * <p>{@link #toString()} does not show the key.
 */
public final class DataKey {

    /** AAD of the wrapping: a wrapped data key cannot be passed off as some other AES-GCM message. */
    static final byte[] WRAP_AAD = "ccgpt-backup-dek-v1".getBytes(StandardCharsets.US_ASCII);
    /** HMAC message for the key check in each artifact's header. */
    static final byte[] CHECK_LABEL = "ccgpt-backup-dek-check-v1".getBytes(StandardCharsets.US_ASCII);

    private final SecretKey key;
    private final byte[] check;

    private DataKey(byte[] key) {
        this.key = new SecretKeySpec(key, "AES");
        this.check = keyCheck(this.key);
    }

    /** A new random data key, for one backup. */
    public static DataKey generate() {
        byte[] key = Envelope.random(KeyFile.KEY_BYTES);
        try {
            return new DataKey(key);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /** Encrypts this key with the master key, with a fresh random nonce, for the manifest. */
    public WrappedKey wrap(KeyFile master) {
        byte[] nonce = Envelope.random(Envelope.NONCE_BYTES);
        byte[] raw = key.getEncoded();
        try {
            Cipher cipher = Envelope.aesGcm();
            cipher.init(Cipher.ENCRYPT_MODE, master.secretKey(), new GCMParameterSpec(Envelope.TAG_BITS, nonce));
            cipher.updateAAD(WRAP_AAD);
            byte[] wrapped = cipher.doFinal(raw);
            Base64.Encoder b64 = Base64.getEncoder();
            return new WrappedKey(Envelope.ALGORITHM, master.keyId(), b64.encodeToString(nonce), b64.encodeToString(wrapped));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is not usable in this JVM", e);
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    /**
     * Recovers a backup's data key. Checks, in order, that a key file was given at all, that the
     * record is well formed, that the key file is the one the backup names (by key id) and that
     * the wrapping authenticates; each failure is a one-line {@link WrongKeyException} or
     * {@link IOException}, raised before any artifact is read.
     *
     * @param master the key file, or null when none is configured
     */
    public static DataKey unwrap(WrappedKey record, KeyFile master) throws IOException {
        if (record == null) {
            throw new IOException("the manifest has no wrapped data key, so its artifacts are not encrypted with one");
        }
        if (master == null) {
            throw new WrongKeyException("the backup is encrypted with key " + record.keyId()
                    + " but no key file was given");
        }
        if (!Envelope.ALGORITHM.equals(record.algorithm())) {
            throw new IOException("the backup's data key uses algorithm '" + record.algorithm()
                    + "'; this tool knows only " + Envelope.ALGORITHM);
        }
        byte[] nonce = decodeField("nonce", record.nonce(), Envelope.NONCE_BYTES);
        byte[] wrapped = decodeField("wrapped_key", record.wrappedKey(), KeyFile.KEY_BYTES + Envelope.TAG_BYTES);
        if (!master.keyId().equals(record.keyId())) {
            throw new WrongKeyException("wrong key: the backup was encrypted with key " + record.keyId()
                    + ", the key file " + master.path() + " has " + master.keyId());
        }
        byte[] raw = null;
        try {
            Cipher cipher = Envelope.aesGcm();
            cipher.init(Cipher.DECRYPT_MODE, master.secretKey(), new GCMParameterSpec(Envelope.TAG_BITS, nonce));
            cipher.updateAAD(WRAP_AAD);
            raw = cipher.doFinal(wrapped);
            return new DataKey(raw);
        } catch (AEADBadTagException e) {
            throw new WrongKeyException("cannot unwrap the data key: key file " + master.path()
                    + " does not match or the manifest was altered");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is not usable in this JVM", e);
        } finally {
            if (raw != null) {
                Arrays.fill(raw, (byte) 0);
            }
        }
    }

    /** Encrypts into {@code out} in {@link Envelope#DEFAULT_CHUNK_SIZE} chunks; the header is written at once. */
    public EncryptingOutputStream encrypt(OutputStream out) throws IOException {
        return new EncryptingOutputStream(out, this, Envelope.DEFAULT_CHUNK_SIZE);
    }

    /** Reads an artifact encrypted with this key; its header is read and checked at once. */
    public DecryptingInputStream decrypt(InputStream in) throws IOException {
        return new DecryptingInputStream(in, this);
    }

    SecretKey secretKey() {
        return key;
    }

    /** First 8 bytes of HMAC-SHA256(data key, "ccgpt-backup-dek-check-v1"): in every artifact's header. */
    byte[] check() {
        return check.clone();
    }

    @Override
    public String toString() {
        return "DataKey[AES-256, value hidden]";
    }

    private static byte[] keyCheck(SecretKey key) {
        byte[] raw = key.getEncoded();
        try {
            Mac hmac = Mac.getInstance("HmacSHA256");
            hmac.init(new SecretKeySpec(raw, "HmacSHA256"));
            return Arrays.copyOf(hmac.doFinal(CHECK_LABEL), Envelope.KEY_CHECK_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not usable in this JVM", e);
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    private static byte[] decodeField(String field, String value, int expectedBytes) throws IOException {
        byte[] bytes;
        try {
            bytes = value == null ? null : Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw new IOException("the manifest's wrapped data key is malformed: " + field + " is not base64");
        }
        if (bytes == null || bytes.length != expectedBytes) {
            throw new IOException("the manifest's wrapped data key is malformed: " + field + " must be "
                    + expectedBytes + " bytes in base64");
        }
        return bytes;
    }
}
