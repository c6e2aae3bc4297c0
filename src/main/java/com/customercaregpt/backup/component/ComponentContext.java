package com.customercaregpt.backup.component;

import com.customercaregpt.backup.pipeline.ArtifactOutput;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/** What a component gets while it backs up: a way to write artifacts, a scratch folder, and what it builds on. */
public interface ComponentContext {

    /**
     * Opens an artifact at {@code <component>/<fileName><compression suffix>}; the pipeline compresses
     * and checksums what is written. Close it to commit it.
     */
    ArtifactOutput newArtifact(String fileName, String format) throws IOException;

    /** A private folder that is removed when the component is done. */
    Path scratch() throws IOException;

    /** full, incremental or differential. */
    default String backupType() {
        return "full";
    }

    /** The backup this one builds on (incremental, differential), with this component's record there; empty for a full. */
    default Optional<ParentBackup> parent() {
        return Optional.empty();
    }
}
