package com.customercaregpt.backup.service;

import com.customercaregpt.backup.backup.StepFailure;
import com.customercaregpt.backup.component.ChromaClient;
import com.customercaregpt.backup.config.Settings;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The operator's commands that stop and start a platform service (backup.<component>.stop-command
 * and start-command), used by routes/service-control.camel.yaml through camel-exec. Both must be
 * set: stopping a service we could not start again would take the platform down.
 */
public final class ServiceCommands {

    private final Settings settings;

    public ServiceCommands(Settings settings) {
        this.settings = settings;
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

    /** Waits until the restarted service answers; fails naming it when it does not. */
    public void awaitReady(String component) throws InterruptedException {
        if (!"chromadb".equals(component)) {
            return;
        }
        ChromaClient api = new ChromaClient(settings.get("backup.chromadb.url", "http://localhost:8000"));
        int timeout = settings.getInt("backup.chromadb.start-timeout-seconds", 60);
        Instant deadline = Instant.now().plus(Duration.ofSeconds(timeout));
        while (Instant.now().isBefore(deadline)) {
            if (api.heartbeat()) {
                return;
            }
            Thread.sleep(250);
        }
        throw new StepFailure(component, "start service", "did not answer at " + api.baseUrl() + " within "
                + timeout + " s after the start command");
    }
}
