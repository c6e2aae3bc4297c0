package com.customercaregpt.backup.recovery;

import org.apache.camel.AsyncCallback;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.model.StepDefinition;
import org.apache.camel.spi.InterceptStrategy;
import org.apache.camel.support.processor.DelegateAsyncProcessor;

/**
 * Times every `step` of a recovery plan's route: each step's processor is wrapped so that the run
 * on the exchange (property `recovery`) records its start, its end and, when it failed, its cause.
 * A step an operator adds to a plan file is timed and reported like the shipped ones.
 */
public final class StepTimer implements InterceptStrategy {

    /** The exchange property holding the {@link RecoveryRun}. */
    public static final String PROPERTY = "recovery";

    /** Before the routes are built: every step they hold is wrapped. */
    public static void install(CamelContext context) {
        context.getCamelContextExtension().addInterceptStrategy(new StepTimer());
    }

    @Override
    public Processor wrapProcessorInInterceptors(CamelContext context, NamedNode definition, Processor target,
                                                 Processor nextTarget) {
        if (!(definition instanceof StepDefinition step) || step.getId() == null) {
            return target;
        }
        String name = RecoveryPlans.stepName(step.getId());
        return new DelegateAsyncProcessor(target) {
            @Override
            public boolean process(Exchange exchange, AsyncCallback callback) {
                RecoveryRun run = exchange.getProperty(PROPERTY, RecoveryRun.class);
                if (run == null) {
                    return super.process(exchange, callback);
                }
                run.stepStarted(name);
                return super.process(exchange, doneSync -> {
                    Exception e = exchange.getException();
                    run.stepEnded(name, e == null ? RecoveryRun.COMPLETED : RecoveryRun.FAILED,
                            e == null ? null : RecoveryRuns.cause(e));
                    callback.done(doneSync);
                });
            }
        };
    }
}
