package com.customercaregpt.backup.component;

import com.customercaregpt.backup.config.Settings;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The users' uploaded files, as one tar of the folder (names, modes, symlinks, empty folders): whole in a
 * full backup, the changes since the parent in an incremental or differential one.
 */
public final class UploadsComponent implements BackupComponent {

    public static final String NAME = "uploads";
    private static final ComponentInfo INFO = new ComponentInfo(NAME, RestoreTarget.FOLDER, "uploads folder");
    public static final String ARTIFACT = "uploads.tar";

    private final Path folder;
    private final TarOptions tar;
    private final boolean checkRestoredFiles;

    public UploadsComponent(Settings settings) {
        this.folder = settings.getPath("backup.uploads.path");
        this.tar = TarOptions.from(settings);
        this.checkRestoredFiles = settings.getList("backup.restore.file-checksums").contains(NAME);
    }

    @Override
    public ComponentInfo info() {
        return INFO;
    }

    @Override
    public String checkHealth() throws IOException {
        return FolderRestore.checkReadableFolder(folder);
    }

    @Override
    public Map<String, Object> backup(ComponentContext context) throws Exception {
        return storeFolder(context);
    }

    /** The folder streamed through tar into one artifact; returns tar's facts (file count, sizes) and the folder. */
    public Map<String, Object> storeFolder(ComponentContext context) throws IOException {
        return tar.storeFolder(NAME, folder, folder, context, ARTIFACT);
    }

    @Override
    public void verify(Verification verification) throws Exception {
        FolderRestore.verifyTar(NAME, verification);
    }

    @Override
    public List<String> planRestore(RestoreContext context) {
        return FolderRestore.plan(NAME, folder, context, ARTIFACT);
    }

    @Override
    public PreparedRestore prepareRestore(RestoreContext context) {
        return FolderRestore.prepare(NAME, folder, context, ARTIFACT, tar.extract(), checkRestoredFiles, false, () -> { });
    }
}
