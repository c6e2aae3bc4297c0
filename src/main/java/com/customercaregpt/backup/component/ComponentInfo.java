package com.customercaregpt.backup.component;

/**
 * What a component declares about itself: its name (command line, routes, manifests), where an
 * isolated restore may put it, and the name of its line in `health` ("server redis").
 */
public record ComponentInfo(String name, RestoreTarget restoreTarget, String healthCheckName) {
}
