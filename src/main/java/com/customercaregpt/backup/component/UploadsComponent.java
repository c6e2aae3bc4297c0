package com.customercaregpt.backup.component;

import com.customercaregpt.backup.config.Settings;
import com.customercaregpt.backup.pipeline.ArtifactOutput;
import com.customercaregpt.backup.pipeline.TarArchiver;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The users' uploaded files, as one tar of the folder (names, modes, symlinks, empty folders). */
public final class UploadsComponent implements BackupComponent {

    public static final String NAME = "uploads";
    public static final String ARTIFACT = "uploads.tar";

    private final Path folder;

    public UploadsComponent(Settings settings) {
        this.folder = settings.getPath("backup.uploads.path");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Map<String, Object> backup(ComponentContext context) throws Exception {
        try (ArtifactOutput out = context.newArtifact(ARTIFACT, "tar")) {
            Map<String, Object> facts = new TarArchiver(NAME)
                    .archive(List.of(TarArchiver.Source.whole(folder)), out, context.scratch());
            out.commit();
            facts.put("source_path", folder.toString());
            return facts;
        }
    }

    @Override
    public void verify(Verification verification) throws Exception {
        FolderRestore.verifyTar(NAME, verification);
    }

    @Override
    public java.util.List<String> planRestore(RestoreContext context) {
        return FolderRestore.plan(NAME, folder, context, context.artifact(ARTIFACT));
    }

    @Override
    public PreparedRestore prepareRestore(RestoreContext context) {
        return FolderRestore.prepare(NAME, folder, context, context.artifact(ARTIFACT), false, () -> { });
    }
}
