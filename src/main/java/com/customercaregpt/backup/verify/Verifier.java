package com.customercaregpt.backup.verify;

import com.customercaregpt.backup.pipeline.PrivateFiles;
import com.customercaregpt.backup.pipeline.Folders;
import com.customercaregpt.backup.backup.BackupJobs;
import com.customercaregpt.backup.component.Components;
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
    }

    /** One backup, or every finished backup when {@code backupId} is null or empty. */
    public List<VerifyReport> verify(String backupId) throws IOException {
        List<VerifyReport> reports = new ArrayList<>();
        if (backupId != null && !backupId.isBlank()) {
            reports.add(verify(inventory.manifest(backupId)));
            return reports;
        }
        for (BackupSummary summary : inventory.list(null, 0)) {
            if (summary.type() == null) {
                continue; // running or incomplete: nothing finished to verify
            }
            try {
                reports.add(verify(inventory.manifest(summary.backupId())));
            } catch (ManifestCodec.CorruptManifestException e) {
                reports.add(new VerifyReport(summary.backupId(), VerifyReport.BAD, List.of(
                        new VerifyReport.ArtifactCheck(null, "manifest.json", VerifyReport.BAD, e.getMessage()))));
            }
        }
        return reports;
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
            ArtifactReader reader = new ArtifactReader(repository, id, component.name(), dataKey);
            for (Artifact artifact : component.artifacts()) {
                Path scratch = PrivateFiles.createDirectories(scratchRoot.resolve("verify-" + id + "-" + component.name()));
                try {
                    components.get(component.name()).verify(new Verification(artifact, reader, component.facts(), scratch));
                    checks.add(new VerifyReport.ArtifactCheck(component.name(), artifact.path(), VerifyReport.OK, null));
                } catch (Exception e) {
                    String error = BackupJobs.oneLine(component.name(), e);
                    LOG.error("Verify {}: {}", id, error);
                    checks.add(new VerifyReport.ArtifactCheck(component.name(), artifact.path(), VerifyReport.BAD, error));
                } finally {
                    Folders.deleteTreeQuietly(scratch);
                }
            }
        }
        boolean ok = checks.stream().allMatch(c -> VerifyReport.OK.equals(c.status()));
        LOG.info("Verify {}: {} artifacts, {}", id, checks.size(), ok ? "all good" : "BAD");
        return new VerifyReport(id.value(), ok ? VerifyReport.OK : VerifyReport.BAD, checks);
    }

}
