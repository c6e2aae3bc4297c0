package com.customercaregpt.backup.inventory;

import com.customercaregpt.backup.backup.StepFailure;
import com.customercaregpt.backup.component.ChainLink;
import com.customercaregpt.backup.pipeline.ArtifactReader;
import com.customercaregpt.backup.pipeline.crypto.DataKey;
import com.customercaregpt.backup.repository.BackupId;
import com.customercaregpt.backup.repository.Manifest;
import com.customercaregpt.backup.repository.Manifest.ComponentRecord;
import com.customercaregpt.backup.repository.ManifestKeys;
import com.customercaregpt.backup.repository.Repository;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Follows {@code depends_on}: the backups a restore of one component applies, from the one that
 * holds it whole to the one asked for. A record whose facts say {@code "incremental": true} holds
 * only changes and needs its parent's record of the same component; any other ends the chain.
 */
public final class BackupChains {

    private final Repository repository;
    private final Inventory inventory;
    private final ManifestKeys keys;

    public BackupChains(Repository repository, Inventory inventory, ManifestKeys keys) {
        this.repository = repository;
        this.inventory = inventory;
        this.keys = keys;
    }

    /** Oldest first, ending with {@code manifest}'s record of {@code component} (facts readable, {@code key} its data key). */
    public List<ChainLink> of(Manifest manifest, DataKey key, String component) throws IOException {
        List<ChainLink> links = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        ChainLink link = link(manifest, key, component);
        links.add(link);
        while (link.needsParent()) {
            Manifest child = manifest;
            String parentId = child.dependsOn();
            if (parentId == null || !seen.add(parentId)) {
                throw new StepFailure(component, "chain", child.backupId() + " holds only the changes of " + component
                        + " but names no usable parent (depends_on " + parentId + ")");
            }
            Manifest sealed;
            try {
                sealed = inventory.manifest(parentId);
            } catch (Inventory.NotFound | Inventory.NotFinished e) {
                throw new StepFailure(component, "chain", child.backupId() + " needs " + parentId + ", which is gone: "
                        + e.getMessage());
            }
            key = keys.open(sealed);
            manifest = ManifestKeys.unseal(sealed, key);
            link = link(manifest, key, component);
            links.add(link);
        }
        Collections.reverse(links);
        return links;
    }

    /** The ids of the chain, oldest first, for messages ("A -> B -> C"). */
    public static String describe(List<ChainLink> chain) {
        return String.join(" -> ", chain.stream().map(l -> l.backupId() + " (" + l.type() + ")").toList());
    }

    private ChainLink link(Manifest manifest, DataKey key, String component) {
        ComponentRecord record = manifest.components().stream()
                .filter(c -> c.name().equals(component) && Manifest.COMPLETED.equals(c.status())).findFirst()
                .orElseThrow(() -> new StepFailure(component, "chain", manifest.backupId() + " holds no completed "
                        + component));
        return new ChainLink(manifest.backupId(), manifest.type(), record,
                new ArtifactReader(repository, new BackupId(manifest.backupId()), component, key));
    }
}
