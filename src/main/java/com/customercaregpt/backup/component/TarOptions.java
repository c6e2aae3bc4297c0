package com.customercaregpt.backup.component;

import com.customercaregpt.backup.config.Settings;

import java.util.List;

/** GNU tar's options for the folder components: backup.tar.create-options and backup.tar.extract-options. */
record TarOptions(List<String> create, List<String> extract) {

    static TarOptions from(Settings settings) {
        return new TarOptions(settings.getOptions("backup.tar.create-options"),
                settings.getOptions("backup.tar.extract-options"));
    }
}
