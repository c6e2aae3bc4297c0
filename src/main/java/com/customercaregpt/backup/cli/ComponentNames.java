package com.customercaregpt.backup.cli;

import com.customercaregpt.backup.component.Components;
import com.customercaregpt.backup.config.Settings;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;

/** The components in use (backup.components of application.properties), for ${COMPLETION-CANDIDATES} in help. */
public final class ComponentNames implements Iterable<String> {

    @Override
    public Iterator<String> iterator() {
        Path home = Path.of(System.getProperty("backup.home", ".")).toAbsolutePath().normalize();
        List<String> names;
        try {
            names = Components.namesIn(Settings.load(home, null, System.getenv()));
        } catch (Settings.SettingsException e) {
            names = List.of("see backup.components");
        }
        return names.iterator();
    }
}
