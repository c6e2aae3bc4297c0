package com.customercaregpt.backup.component;

import com.customercaregpt.backup.backup.UsageError;
import com.customercaregpt.backup.config.Settings;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The five backed-up systems of the platform, by name, in the order a full backup takes them. */
public final class Components {

    public static final List<String> ALL = List.of(
            DatabaseComponent.NAME, RedisComponent.NAME, ChromaDbComponent.NAME, UploadsComponent.NAME,
            ConfigComponent.NAME);

    private final Map<String, BackupComponent> byName = new LinkedHashMap<>();

    public Components(Settings settings) {
        add(new DatabaseComponent(new PostgresTools(settings),
                settings.get("backup.database.dump-format", DatabaseComponent.DIRECTORY)));
        add(new RedisComponent(settings));
        add(new ChromaDbComponent(settings));
        add(new UploadsComponent(settings));
        add(new ConfigComponent(settings));
    }

    private void add(BackupComponent component) {
        byName.put(component.name(), component);
    }

    public BackupComponent get(String name) {
        BackupComponent component = byName.get(name);
        if (component == null) {
            throw unknown(name);
        }
        return component;
    }

    /** The requested names checked and de-duplicated; empty means all, in the standard order. */
    public static List<String> resolve(List<String> requested) {
        if (requested == null || requested.isEmpty()) {
            return ALL;
        }
        for (String name : requested) {
            if (!ALL.contains(name)) {
                throw unknown(name);
            }
        }
        return ALL.stream().filter(requested::contains).toList();
    }

    private static UsageError unknown(String name) {
        return new UsageError("unknown component '" + name + "' (known: " + String.join(", ", ALL) + ")");
    }
}
