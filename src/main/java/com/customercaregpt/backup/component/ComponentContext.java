package com.customercaregpt.backup.component;

import com.customercaregpt.backup.pipeline.ArtifactOutput;

import java.io.IOException;
import java.nio.file.Path;

/** What a component gets while it backs up: a way to write artifacts and a scratch folder. */
public interface ComponentContext {

    /**
     * Opens an artifact at {@code <component>/<fileName><compression suffix>}; the pipeline compresses
     * and checksums what is written. Close it to commit it.
     */
    ArtifactOutput newArtifact(String fileName, String format) throws IOException;

    /** A private folder that is removed when the component is done. */
    Path scratch() throws IOException;
}
