package com.customercaregpt.backup.observe;

import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpEngine;

/**
 * Camel's platform-http engine, told which of the two HTTP servers the REST routes belong to: with
 * the management server beside the API's, Camel's own engine cannot tell them apart and looks for
 * a router on port 8080.
 */
final class ApiServerEngine extends VertxPlatformHttpEngine {

    /** The name Camel's platform-http component looks its engine up by. */
    static final String NAME = "platform-http-engine";

    private final int apiPort;

    ApiServerEngine(int apiPort) {
        this.apiPort = apiPort;
    }

    @Override
    public int getServerPort() {
        return apiPort;
    }
}
