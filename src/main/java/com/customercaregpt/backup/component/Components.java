package com.customercaregpt.backup.component;

import com.customercaregpt.backup.backup.UsageError;
import com.customercaregpt.backup.config.Settings;
import com.customercaregpt.backup.config.Settings.SettingsException;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The components in use: those named by backup.components, in that order (the order of a full
 * backup), each looked up among the registered {@link BackupComponent} beans by its name.
 */
public final class Components {

    /** The setting that names the components in use. */
    public static final String SETTING = "backup.components";

    private final List<String> names;
    private final Supplier<Collection<BackupComponent>> registered;
    private volatile Map<String, BackupComponent> byName;

    /** {@code registered} is read on first use: the beans exist once Camel has started. */
    public Components(List<String> names, Supplier<Collection<BackupComponent>> registered) {
        if (names.isEmpty()) {
            throw new SettingsException(SETTING + " names no component");
        }
        this.names = List.copyOf(names);
        this.registered = registered;
    }

    /** The names of {@code backup.components}, for checks made before Camel starts (schedules, requests). */
    public static List<String> namesIn(Settings settings) {
        return settings.getList(SETTING);
    }

    /** The components in use, by name, in backup order. */
    public List<String> names() {
        return names;
    }

    public BackupComponent get(String name) {
        BackupComponent component = byName().get(name);
        if (component == null) {
            throw unknown(name);
        }
        return component;
    }

    /** The names of the components in use whose isolated restore goes to {@code target}. */
    public List<String> restoredTo(RestoreTarget target) {
        return names.stream().filter(name -> get(name).info().restoreTarget() == target).toList();
    }

    /** The requested names checked and de-duplicated; empty means all, in the standard order. */
    public List<String> resolve(List<String> requested) {
        if (requested == null || requested.isEmpty()) {
            return names;
        }
        for (String name : requested) {
            if (!names.contains(name)) {
                throw unknown(name);
            }
        }
        return names.stream().filter(requested::contains).toList();
    }

    private Map<String, BackupComponent> byName() {
        Map<String, BackupComponent> found = byName;
        if (found == null) {
            Map<String, BackupComponent> all = new LinkedHashMap<>();
            registered.get().forEach(component -> all.put(component.name(), component));
            found = new LinkedHashMap<>();
            for (String name : names) {
                BackupComponent component = all.get(name);
                if (component == null) {
                    throw new SettingsException(SETTING + " names '" + name + "' but no such component is registered"
                            + " (registered: " + String.join(", ", all.keySet()) + ")");
                }
                found.put(name, component);
            }
            byName = found;
        }
        return found;
    }

    private UsageError unknown(String name) {
        return new UsageError("unknown component '" + name + "' (known: " + String.join(", ", names) + ")");
    }
}
