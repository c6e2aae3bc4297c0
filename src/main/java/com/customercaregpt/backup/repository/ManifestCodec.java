package com.customercaregpt.backup.repository;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;

/** Reads and writes manifest.json; refuses format versions this tool does not know. */
public final class ManifestCodec {

    public static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private ManifestCodec() {
    }

    public static byte[] write(Manifest manifest) {
        try {
            return JSON.writeValueAsBytes(manifest);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise manifest of " + manifest.backupId(), e);
        }
    }

    public static Manifest read(BackupId id, byte[] json) {
        Manifest manifest;
        try {
            manifest = JSON.readValue(json, Manifest.class);
        } catch (IOException e) {
            throw new CorruptManifestException(id + ": manifest.json is not valid: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (!Manifest.READABLE_VERSIONS.contains(manifest.formatVersion())) {
            throw new CorruptManifestException(id + ": manifest format_version " + manifest.formatVersion()
                    + " is not supported by this tool (it reads versions " + Manifest.READABLE_VERSIONS + ")");
        }
        if (!id.value().equals(manifest.backupId())) {
            throw new CorruptManifestException(id + ": manifest names another backup, '" + manifest.backupId() + "'");
        }
        return manifest;
    }

    public static final class CorruptManifestException extends RuntimeException {
        public CorruptManifestException(String message) {
            super(message);
        }
    }
}
