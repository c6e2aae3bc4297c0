package com.customercaregpt.backup.component;

import com.customercaregpt.backup.backup.StepFailure;
import com.customercaregpt.backup.pipeline.ArtifactReader;
import com.customercaregpt.backup.repository.Manifest.Artifact;
import com.customercaregpt.backup.repository.Manifest.ComponentRecord;

import java.util.Optional;

/** One backup of a restore chain as one component sees it: the backup, its type, the component's record and a reader. */
public record ChainLink(String backupId, String type, ComponentRecord record, ArtifactReader reader) {

    /** The artifact whose path is {@code <component>/<fileName>} plus suffixes, if this record has it. */
    public Optional<Artifact> find(String fileName) {
        String prefix = record.name() + "/" + fileName;
        return record.artifacts().stream()
                .filter(a -> a.path().equals(prefix) || a.path().startsWith(prefix + "."))
                .findFirst();
    }

    /** As {@link #find}, failing with one line naming the backup when the artifact is not there. */
    public Artifact artifact(String fileName) {
        return find(fileName).orElseThrow(() -> new StepFailure(record.name(), "restore",
                "backup " + backupId + " has no artifact " + record.name() + "/" + fileName));
    }

    /** Whether this record holds only changes and needs the one its backup depends on. */
    public boolean needsParent() {
        return Boolean.TRUE.equals(record.facts().get("incremental"));
    }
}
