package com.customercaregpt.backup.component;

import com.customercaregpt.backup.pipeline.ArtifactReader;
import com.customercaregpt.backup.repository.Manifest.ComponentRecord;

/**
 * The backup an incremental or differential backup builds on, as one component sees it: its id and
 * type, this component's record there (facts readable, artifacts listed) and a reader of its artifacts.
 */
public record ParentBackup(String backupId, String type, ComponentRecord record, ArtifactReader reader) {
}
