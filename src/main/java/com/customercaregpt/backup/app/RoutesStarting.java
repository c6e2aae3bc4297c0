package com.customercaregpt.backup.app;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.SimpleEventNotifierSupport;

import java.util.function.Consumer;

/** Runs a step when a Camel context is about to start its routes (after its servers exist, before any route answers). */
public final class RoutesStarting {

    private RoutesStarting() {
    }

    public static void then(CamelContext context, Consumer<CamelContext> step) {
        context.getManagementStrategy().addEventNotifier(new SimpleEventNotifierSupport() {
            @Override
            public boolean isEnabled(CamelEvent event) {
                return event instanceof CamelEvent.CamelContextRoutesStartingEvent;
            }

            @Override
            public void notify(CamelEvent event) {
                step.accept(context);
            }
        });
    }
}
