package com.customercaregpt.backup.backup;

import com.customercaregpt.backup.repository.BackupId;
import com.customercaregpt.backup.repository.Manifest;
import com.customercaregpt.backup.repository.ManifestCodec;
import com.customercaregpt.backup.repository.Repository;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Which earlier backup an incremental or differential one builds on: an incremental on the newest
 * completed backup of any type, a differential on the newest completed full; either must hold
 * every requested component completed. A full builds on nothing.
 */
public final class BackupParents {

    public static final String FULL = "full";
    public static final String INCREMENTAL = "incremental";
    public static final String DIFFERENTIAL = "differential";

    private final Repository repository;

    public BackupParents(Repository repository) {
        this.repository = repository;
    }

    /** The parent's manifest as stored (facts still sealed when encrypted); empty for a full backup. */
    public Optional<Manifest> parentOf(String type, List<String> components) throws IOException {
        if (FULL.equals(type)) {
            return Optional.empty();
        }
        List<BackupId> newestFirst = new ArrayList<>(repository.list());
        Collections.reverse(newestFirst);
        for (BackupId id : newestFirst) {
            Optional<Manifest> manifest = readable(id);
            if (manifest.isPresent() && canBuildOn(manifest.get(), type, components)) {
                return manifest;
            }
        }
        throw new UsageError("no completed " + (DIFFERENTIAL.equals(type) ? "full " : "") + "backup holds "
                + String.join(", ", components) + " to build " + (DIFFERENTIAL.equals(type) ? "a " : "an ") + type
                + " backup on: run `create --type full` first");
    }

    private static boolean canBuildOn(Manifest candidate, String type, List<String> components) {
        if (!Manifest.COMPLETED.equals(candidate.status()) || (DIFFERENTIAL.equals(type) && !FULL.equals(candidate.type()))) {
            return false;
        }
        return candidate.components().stream().filter(c -> Manifest.COMPLETED.equals(c.status()))
                .map(Manifest.ComponentRecord::name).toList().containsAll(components);
    }

    private Optional<Manifest> readable(BackupId id) throws IOException {
        Optional<byte[]> json = repository.readManifest(id);
        if (json.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(ManifestCodec.read(id, json.get()));
        } catch (ManifestCodec.CorruptManifestException unreadable) {
            return Optional.empty(); // an unreadable manifest is no base to build on
        }
    }
}
