package com.customercaregpt.backup.component;

import com.customercaregpt.backup.config.Settings;
import com.customercaregpt.backup.pipeline.TarArchiver;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** GNU tar's options for the folder components: backup.tar.create-options and backup.tar.extract-options. */
record TarOptions(List<String> create, List<String> extract) {

    static TarOptions from(Settings settings) {
        return new TarOptions(settings.getOptions("backup.tar.create-options"),
                settings.getOptions("backup.tar.extract-options"));
    }

    /**
     * {@code folder} streamed through tar into the artifact {@code fileName}, with its tar snapshot
     * beside it ({@link FolderArchive}: whole in a full backup, the changes since the parent's
     * snapshot otherwise); returns tar's facts (file count, sizes) and {@code sourcePath}, the live
     * folder it stands for.
     */
    Map<String, Object> storeFolder(String component, Path folder, Path sourcePath, ComponentContext context,
                                    String fileName) throws IOException {
        Map<String, Object> facts = FolderArchive.backUp(component, fileName, this,
                List.of(TarArchiver.Source.whole(folder)), context);
        facts.put("source_path", sourcePath.toString());
        return facts;
    }
}
