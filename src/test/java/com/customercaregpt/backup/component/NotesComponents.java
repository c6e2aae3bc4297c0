package com.customercaregpt.backup.component;

import com.customercaregpt.backup.config.Settings;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;

/** Registers the test-only notes component, as a deployment would register a component of its own. */
public final class NotesComponents implements CamelConfiguration {

    @BindToRegistry("notesComponent")
    public BackupComponent notes(@BeanInject("settings") Settings settings) {
        return new NotesComponent(settings);
    }
}
