package com.customercaregpt.backup.recovery;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;

/**
 * One disaster-recovery plan as its route file declares it (routes/disaster-recovery/<id>.camel.yaml):
 * its objectives, the components it restores, whether it restarts the platform's application, and
 * what it is for.
 */
@JsonPropertyOrder({"planId", "description", "rtoMinutes", "rpoMinutes", "priority", "components",
        "restartsApplication", "steps"})
public record RecoveryPlan(String planId, String description, int rtoMinutes, int rpoMinutes, int priority,
                           List<String> components, boolean restartsApplication, List<String> steps) {

    /** The route that runs the plan. */
    public String endpoint() {
        return "direct:plan-" + planId;
    }

    public long rtoSeconds() {
        return rtoMinutes * 60L;
    }

    public long rpoSeconds() {
        return rpoMinutes * 60L;
    }
}
