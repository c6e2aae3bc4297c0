package com.customercaregpt.backup.health;

import com.customercaregpt.backup.health.HealthReport.Check;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.util.Map;

/**
 * One line of `health` (a dependency or a component) as a Camel health check: down when it fails,
 * up otherwise; the line's status (ok, warn, fail) and detail are the result's details.
 */
public final class BackupHealthCheck extends AbstractHealthCheck {

    /** The group of this tool's checks in Camel's health registry. */
    public static final String GROUP = "backup";
    static final String STATUS = "status";
    static final String DETAIL = "detail";

    /** A check's work: its status and detail (the name is the check's), or an exception for a failure. */
    public interface Probe {
        Check run() throws Exception;
    }

    private final String name;
    private final Probe probe;

    /** {@code name} is the line's name in `health` ("server redis"); the check's id is it with dashes. */
    public BackupHealthCheck(String name, Probe probe) {
        super(GROUP, name.replace(' ', '-'));
        this.name = name;
        this.probe = probe;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        Check check;
        try {
            check = probe.run();
        } catch (Exception e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            check = new Check(name, HealthReport.FAIL, message.lines().findFirst().orElse(message));
        }
        builder.detail(STATUS, check.status()).detail(DETAIL, check.detail());
        if (HealthReport.FAIL.equals(check.status())) {
            builder.down();
        } else {
            builder.up();
        }
    }

    /** The line of `health`, read from the result Camel's registry would give. */
    public Check line() {
        HealthCheck.Result result = call();
        Map<String, Object> details = result.getDetails();
        return new Check(name, String.valueOf(details.get(STATUS)), String.valueOf(details.get(DETAIL)));
    }
}
