package com.customercaregpt.backup.repository;

import com.customercaregpt.backup.backup.StepFailure;
import com.customercaregpt.backup.backup.UsageError;
import com.customercaregpt.backup.pipeline.crypto.DataKey;
import com.customercaregpt.backup.pipeline.crypto.KeyFile;
import com.customercaregpt.backup.pipeline.crypto.KeyFileException;
import com.fasterxml.jackson.core.type.TypeReference;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Encryption at rest as the manifest sees it: a data key per backup, wrapped by the key in
 * backup.encryption.key-file (docs/encryption.md), and each component's facts (table names, row
 * counts, collection names) sealed with it. Without a key file nothing is encrypted.
 */
public final class ManifestKeys {

    private final String keyFileSetting;

    public ManifestKeys(String keyFileSetting) {
        this.keyFileSetting = keyFileSetting == null ? "" : keyFileSetting.trim();
    }

    public boolean enabled() {
        return !keyFileSetting.isEmpty();
    }

    /** The key file, loaded now so a bad one stops a backup before anything is written. */
    public KeyFile masterKey() {
        if (!enabled()) {
            throw new UsageError("no key file: set backup.encryption.key-file");
        }
        try {
            return KeyFile.load(Path.of(keyFileSetting));
        } catch (KeyFileException e) {
            throw new UsageError("backup.encryption.key-file: " + e.getMessage());
        }
    }

    /** The data key of an encrypted backup; null for one that is not encrypted. */
    public DataKey open(Manifest manifest) {
        if (!manifest.encrypted()) {
            return null;
        }
        if (!enabled()) {
            throw new StepFailure("backup", "decrypt", manifest.backupId() + " is encrypted with key "
                    + manifest.dataKey().keyId() + "; set backup.encryption.key-file to that key");
        }
        try {
            return DataKey.unwrap(manifest.dataKey(), masterKey());
        } catch (IOException e) {
            throw new StepFailure("backup", "decrypt", manifest.backupId() + ": " + e.getMessage(), e);
        }
    }

    /** The manifest with every component's facts sealed (what is stored). */
    public static Manifest seal(Manifest manifest, DataKey key) {
        return manifest.withComponents(manifest.components().stream()
                .map(c -> c.withFacts(Map.of(), encrypt(c.facts(), key))).toList());
    }

    /** The manifest with every component's facts readable again (for verify and restore). */
    public static Manifest unseal(Manifest manifest, DataKey key) {
        if (key == null) {
            return manifest;
        }
        List<Manifest.ComponentRecord> components = manifest.components().stream()
                .map(c -> c.factsEncrypted() == null ? c : c.withFacts(decrypt(manifest.backupId(), c, key), null))
                .toList();
        return manifest.withComponents(components);
    }

    private static String encrypt(Map<String, Object> facts, DataKey key) {
        ByteArrayOutputStream sealed = new ByteArrayOutputStream();
        try (OutputStream out = key.encrypt(sealed)) {
            out.write(ManifestCodec.JSON.writeValueAsBytes(facts));
        } catch (IOException e) {
            throw new IllegalStateException("cannot seal facts", e);
        }
        return Base64.getEncoder().encodeToString(sealed.toByteArray());
    }

    private static Map<String, Object> decrypt(String backupId, Manifest.ComponentRecord component, DataKey key) {
        try (InputStream in = key.decrypt(new ByteArrayInputStream(Base64.getDecoder().decode(component.factsEncrypted())))) {
            return ManifestCodec.JSON.readValue(in, new TypeReference<Map<String, Object>>() { });
        } catch (IOException | IllegalArgumentException e) {
            throw new StepFailure(component.name(), "decrypt facts", backupId + ": " + e.getMessage(), e);
        }
    }
}
