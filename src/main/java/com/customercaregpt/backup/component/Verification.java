package com.customercaregpt.backup.component;

import com.customercaregpt.backup.pipeline.ArtifactReader;
import com.customercaregpt.backup.repository.Manifest.Artifact;

import java.nio.file.Path;
import java.util.Map;

/** What a component's format check gets: the artifact, a reader that verifies its checksum, the facts, a scratch folder. */
public record Verification(Artifact artifact, ArtifactReader reader, Map<String, Object> facts, Path scratch) {
}
