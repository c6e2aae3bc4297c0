package com.customercaregpt.backup.component;

import com.customercaregpt.backup.config.Settings;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;

/**
 * The one place the platform's components are registered (camel.main.configuration-classes lists
 * this class); a new component is one more method here, or in a configuration class of its own.
 */
public final class PlatformComponents implements CamelConfiguration {

    @BindToRegistry("databaseComponent")
    public BackupComponent database(@BeanInject("settings") Settings settings) {
        return new DatabaseComponent(settings);
    }

    @BindToRegistry("redisComponent")
    public BackupComponent redis(@BeanInject("settings") Settings settings) {
        return new RedisComponent(settings);
    }

    @BindToRegistry("chromadbComponent")
    public BackupComponent chromadb(@BeanInject("settings") Settings settings) {
        return new ChromaDbComponent(settings);
    }

    @BindToRegistry("uploadsComponent")
    public BackupComponent uploads(@BeanInject("settings") Settings settings) {
        return new UploadsComponent(settings);
    }

    @BindToRegistry("configComponent")
    public BackupComponent config(@BeanInject("settings") Settings settings) {
        return new ConfigComponent(settings);
    }
}
