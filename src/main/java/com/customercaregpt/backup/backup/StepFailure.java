package com.customercaregpt.backup.backup;

/**
 * A failure that names what failed: the component, the step and the cause, so the
 * one-line message an operator reads at 3 a.m. says where to look.
 */
public class StepFailure extends RuntimeException {

    private final String component;
    private final String step;
    private final String cause;

    public StepFailure(String component, String step, String cause) {
        super(component + ": " + step + ": " + cause);
        this.component = component;
        this.step = step;
        this.cause = cause;
    }

    public StepFailure(String component, String step, String cause, Throwable origin) {
        super(component + ": " + step + ": " + cause, origin);
        this.component = component;
        this.step = step;
        this.cause = cause;
    }

    /** The message without the component and step. */
    public String cause() {
        return cause;
    }

    public String component() {
        return component;
    }

    public String step() {
        return step;
    }
}
