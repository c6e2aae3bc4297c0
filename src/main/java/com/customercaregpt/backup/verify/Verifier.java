package com.customercaregpt.backup.verify;

import com.customercaregpt.backup.pipeline.PrivateFiles;
import com.customercaregpt.backup.pipeline.Folders;
import com.customercaregpt.backup.backup.BackupJobs;
import com.customercaregpt.backup.component.ChainLink;
import com.customercaregpt.backup.component.Components;
import com.customercaregpt.backup.inventory.BackupChains;
import com.customercaregpt.backup.component.Verification;
import com.customercaregpt.backup.inventory.BackupSummary;
import com.customercaregpt.backup.inventory.Inventory;
import com.customercaregpt.backup.pipeline.ArtifactReader;
import com.customercaregpt.backup.repository.BackupId;
import com.customercaregpt.backup.repository.Manifest;
import com.customercaregpt.backup.repository.Manifest.Artifact;
import com.customercaregpt.backup.repository.Manifest.ComponentRecord;
import com.customercaregpt.backup.repository.ManifestCodec;
import com.customercaregpt.backup.repository.ManifestKeys;
import com.customercaregpt.backup.pipeline.crypto.DataKey;
import com.customercaregpt.backup.repository.Repository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Re-reads backups: every artifact's checksum, its full decompression, and a format check with
 * the system's real tool against the manifest's facts (see each component's verify).
 */
public final class Verifier {

    private static final Logger LOG = LoggerFactory.getLogger(Verifier.class);

    private final Repository repository;
    private final Inventory inventory;
    private final Components components;
    private final Path scratchRoot;

    private final ManifestKeys keys;

    public Verifier(Repository repository, Inventory inventory, Components components, ManifestKeys keys,
                    Path scratchRoot) {
        this.keys = keys;
        this.repository = repository;
        this.inventory = inventory;
        this.components = components;
        this.scratchRoot = scratchRoot;
        this.chains = new BackupChains(repository, inventory, keys);
    }

    private final BackupChains chains;

    /** One backup, or every finished backup when {@code backupId} is null or empty. */
    public List<VerifyReport> verify(String backupId) throws IOException {
        List<VerifyReport> reports = new ArrayList<>();
        if (backupId != null && !backupId.isBlank()) {
            VerifyReport report = verify(inventory.manifest(backupId));
            if (VerifyReport.DELETED.equals(report.status())) {
                throw new Inventory.NotFound(backupId + " was deleted while it was being verified");
            }
            reports.add(report);
            return reports;
        }
        for (BackupSummary summary : inventory.list(null, 0)) {
            if (BackupSummary.RUNNING.equals(summary.status()) || BackupSummary.INCOMPLETE.equals(summary.status())) {
                continue; // nothing finished to verify; the next backup removes an incomplete one
            }
            if (BackupSummary.MANIFEST_MISSING.equals(summary.status())) {
                LOG.error("Verify {}: files without a manifest, and no backup is writing them", summary.backupId());
                reports.add(VerifyReport.badManifest(summary.backupId(), BackupSummary.MANIFEST_MISSING,
                        "missing, and no backup is writing it: restore it from a copy, or `delete --force` the backup"));
                continue;
            }
            try {
                reports.add(verify(inventory.manifest(summary.backupId())));
            } catch (Inventory.NotFound e) {
                reports.add(VerifyReport.deleted(summary.backupId()));
            } catch (ManifestCodec.CorruptManifestException e) {
                LOG.error("Verify {}: {}", summary.backupId(), e.getMessage());
                reports.add(VerifyReport.badManifest(summary.backupId(), BackupSummary.UNREADABLE, e.getMessage()));
            }
        }
        return reports;
    }

    /** Checks every artifact of one backup of the chain; false when the backup verified was deleted meanwhile. */
    private boolean checkArtifacts(BackupId id, String component, ChainLink link, List<VerifyReport.ArtifactCheck> checks)
            throws IOException {
        for (Artifact artifact : link.record().artifacts()) {
            // an artifact of an earlier backup of the chain is named with its backup
            String path = link.backupId().equals(id.value()) ? artifact.path() : link.backupId() + "/" + artifact.path();
            Path scratch = PrivateFiles.createDirectories(scratchRoot.resolve("verify-" + id + "-" + component));
            try {
                components.get(component).verify(new Verification(artifact, link.reader(), link.record().facts(), scratch));
                checks.add(new VerifyReport.ArtifactCheck(component, path, VerifyReport.OK, null));
            } catch (Exception e) {
                if (repository.readManifest(id).isEmpty()) {
                    // a delete removes the manifest first: what went missing was deleted, not lost
                    LOG.warn("Verify {}: deleted while verifying", id);
                    return false;
                }
                String error = BackupJobs.oneLine(component, e);
                LOG.error("Verify {}: {}", id, error);
                checks.add(new VerifyReport.ArtifactCheck(component, path, VerifyReport.BAD, error));
            } finally {
                Folders.deleteTreeQuietly(scratch);
            }
        }
        return true;
    }

    /** The backups whose artifacts a restore of this component uses; only its own for a failed component. */
    private List<ChainLink> chainOf(Manifest manifest, DataKey dataKey, ComponentRecord component) throws IOException {
        if (!Manifest.COMPLETED.equals(component.status())) {
            return List.of(new ChainLink(manifest.backupId(), manifest.type(), component,
                    new ArtifactReader(repository, new BackupId(manifest.backupId()), component.name(), dataKey)));
        }
        return chains.of(manifest, dataKey, component.name());
    }

    private VerifyReport verify(Manifest sealed) throws IOException {
        BackupId id = new BackupId(sealed.backupId());
        DataKey dataKey;
        try {
            dataKey = keys.open(sealed);
        } catch (RuntimeException e) {
            return new VerifyReport(id.value(), VerifyReport.BAD, List.of(new VerifyReport.ArtifactCheck(null,
                    "manifest.json", VerifyReport.BAD, e.getMessage())));
        }
        Manifest manifest = ManifestKeys.unseal(sealed, dataKey);
        List<VerifyReport.ArtifactCheck> checks = new ArrayList<>();
        for (ComponentRecord component : manifest.components()) {
            List<ChainLink> chain;
            try {
                chain = chainOf(manifest, dataKey, component);
            } catch (RuntimeException e) {
                String error = BackupJobs.oneLine(component.name(), e);
                LOG.error("Verify {}: {}", id, error);
                checks.add(new VerifyReport.ArtifactCheck(component.name(), "depends_on", VerifyReport.BAD, error));
                continue;
            }
            for (ChainLink link : chain) {
                if (!checkArtifacts(id, component.name(), link, checks)) {
                    return VerifyReport.deleted(id.value());
                }
            }
        }
        boolean ok = checks.stream().allMatch(c -> VerifyReport.OK.equals(c.status()));
        LOG.info("Verify {}: {} artifacts, {}", id, checks.size(), ok ? "all good" : "BAD");
        return new VerifyReport(id.value(), ok ? VerifyReport.OK : VerifyReport.BAD, checks);
    }

}
