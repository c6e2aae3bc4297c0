package com.customercaregpt.backup.service;

import com.customercaregpt.backup.backup.StepFailure;
import com.customercaregpt.backup.component.Components;
import com.customercaregpt.backup.config.Settings;

import java.util.List;

/**
 * The operator's commands that stop and start a platform service (backup.<component>.stop-command
 * and start-command), used by routes/service-control.camel.yaml through camel-exec. Both must be
 * set: stopping a service we could not start again would take the platform down.
 */
public final class ServiceCommands {

    private final Settings settings;
    private final Components components;

    public ServiceCommands(Settings settings, Components components) {
        this.settings = settings;
        this.components = components;
    }

    /** The stop command, or null when this component is copied online. */
    public String stopCommand(String component) {
        String stop = settings.get("backup." + component + ".stop-command", "");
        String start = settings.get("backup." + component + ".start-command", "");
        if (stop.isEmpty() != start.isEmpty()) {
            throw new StepFailure(component, "stop service", "backup." + component
                    + ".stop-command and .start-command must be set together");
        }
        return stop.isEmpty() ? null : stop;
    }

    public String startCommand(String component) {
        return settings.get("backup." + component + ".start-command", "");
    }

    public List<String> shellArguments(String command) {
        return List.of("-c", command);
    }

    /** Waits until the restarted service answers (the component's readiness check); fails naming it when it does not. */
    public void awaitReady(String component) throws InterruptedException {
        components.get(component).awaitReady();
    }
}
