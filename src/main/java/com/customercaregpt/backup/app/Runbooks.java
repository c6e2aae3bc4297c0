package com.customercaregpt.backup.app;

import org.apache.camel.Exchange;

/** Whether a component has a runbook route of its own (routes/components/<name>.camel.yaml), for the routes' choices. */
public final class Runbooks {

    /** True when the route {@code <kind>-<component>} exists, e.g. backup-database or restore-prepare-database. */
    public boolean has(Exchange exchange, String kind, String component) {
        return exchange.getContext().getRoute(kind + "-" + component) != null;
    }
}
