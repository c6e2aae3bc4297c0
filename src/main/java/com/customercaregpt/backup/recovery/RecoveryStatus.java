package com.customercaregpt.backup.recovery;

import com.customercaregpt.backup.health.BackupHealthCheck;
import com.customercaregpt.backup.health.HealthReport;
import com.customercaregpt.backup.repository.Manifest;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where each plan stands now: its RPO exposure (the age of the newest restorable point holding
 * its components) against its RPO, and its last drill's recovery time against its RTO. The same
 * figures feed `disaster-recovery status`, a health check per plan and the dr_* gauges.
 */
public final class RecoveryStatus {

    private final RecoveryPlans plans;
    private final RecoveryRuns runs;
    private final RecoveryRecords records;

    public RecoveryStatus(RecoveryPlans plans, RecoveryRuns runs, RecoveryRecords records) {
        this.plans = plans;
        this.runs = runs;
        this.records = records;
    }

    /** One plan's standing. Exposure null: no restorable point at all; drill fields null: never drilled. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    @JsonPropertyOrder({"planId", "rpoMinutes", "rpoExposureSeconds", "rpoMet", "newestPoint", "rtoMinutes",
            "lastDrillAt", "lastDrillStatus", "lastDrillRtoSeconds", "rtoMet"})
    public record PlanStatus(String planId, int rpoMinutes, Long rpoExposureSeconds, boolean rpoMet, String newestPoint,
                             int rtoMinutes, String lastDrillAt, String lastDrillStatus, Long lastDrillRtoSeconds,
                             Boolean rtoMet) {
    }

    public List<PlanStatus> status() throws IOException {
        List<PlanStatus> all = new ArrayList<>();
        for (RecoveryPlan plan : plans.list()) {
            all.add(of(plan));
        }
        return all;
    }

    public PlanStatus of(RecoveryPlan plan) throws IOException {
        Optional<Manifest> newest = runs.newestCovering(plan.components());
        Long exposure = newest.map(m -> Duration.between(Instant.parse(m.createdAt()), Instant.now()).toSeconds()).orElse(null);
        String drillAt = null;
        String drillStatus = null;
        Long drillRto = null;
        Boolean rtoMet = null;
        try {
            Optional<RecoveryRecords.Row> drill = records.lastDrill(plan.planId());
            if (drill.isPresent()) {
                drillAt = drill.get().startedAt();
                drillStatus = drill.get().status();
                JsonNode rto = drill.get().report() == null ? null : drill.get().report().path("rto");
                if (rto != null && rto.has("achieved_seconds")) {
                    drillRto = rto.path("achieved_seconds").asLong();
                    rtoMet = rto.path("met").asBoolean();
                } else if (RecoveryRun.FAILED.equals(drillStatus)) {
                    rtoMet = false;
                }
            }
        } catch (SQLException e) {
            // the catalog is down: the drill history is unknown, the exposure is still measured
            drillStatus = "unknown (catalog unreachable: " + e.getMessage().lines().findFirst().orElse("") + ")";
        }
        return new PlanStatus(plan.planId(), plan.rpoMinutes(), exposure, withinRpo(plan, exposure), newest.map(Manifest::backupId).orElse(null),
                plan.rtoMinutes(), drillAt, drillStatus, drillRto, rtoMet);
    }

    /** A health check per plan: down when its RPO exposure exceeds its RPO (or nothing is restorable). */
    public List<BackupHealthCheck> healthChecks() {
        List<BackupHealthCheck> checks = new ArrayList<>();
        for (RecoveryPlan plan : plans.list()) {
            checks.add(new BackupHealthCheck("recovery plan " + plan.planId(), () -> {
                Optional<Manifest> newest = runs.newestCovering(plan.components());
                if (newest.isEmpty()) {
                    // as `newest backup <component>`: nothing backed up yet is a warning, not an outage
                    return new HealthReport.Check("", HealthReport.WARN, "no restorable backup holds "
                            + String.join(", ", plan.components()));
                }
                long exposure = Duration.between(Instant.parse(newest.get().createdAt()), Instant.now()).toSeconds();
                String detail = "RPO exposure " + minutes(exposure) + " (objective " + plan.rpoMinutes() + " min), newest point "
                        + newest.get().backupId();
                return withinRpo(plan, exposure) ? new HealthReport.Check("", HealthReport.OK, detail)
                        : new HealthReport.Check("", HealthReport.FAIL, detail + ": RPO exceeded");
            }));
        }
        return checks;
    }

    /** dr_rpo_exposure_seconds, dr_rpo_objective_seconds, dr_rto_objective_seconds and drill_rto_seconds per plan. */
    public void registerGauges(MeterRegistry registry) {
        for (RecoveryPlan plan : plans.list()) {
            Gauge.builder("dr_rpo_exposure_seconds", this, s -> s.exposure(plan))
                    .description("Age of the newest restorable point holding the plan's components").tag("plan", plan.planId())
                    .register(registry);
            Gauge.builder("dr_rpo_objective_seconds", plan, p -> p.rpoSeconds()).description("The plan's RPO")
                    .tag("plan", plan.planId()).register(registry);
            Gauge.builder("dr_rto_objective_seconds", plan, p -> p.rtoSeconds()).description("The plan's RTO")
                    .tag("plan", plan.planId()).register(registry);
            Gauge.builder("drill_rto_seconds", this, s -> s.lastDrillRto(plan))
                    .description("Recovery time of the plan's last drill").tag("plan", plan.planId()).register(registry);
        }
    }

    /** An RPO of 0 asks for the newest restorable point, whatever its age; otherwise the point is at most that old. */
    private static boolean withinRpo(RecoveryPlan plan, Long exposure) {
        return exposure != null && (plan.rpoSeconds() == 0 || exposure <= plan.rpoSeconds());
    }

    private double exposure(RecoveryPlan plan) {
        try {
            return runs.newestCovering(plan.components())
                    .map(m -> (double) Duration.between(Instant.parse(m.createdAt()), Instant.now()).toSeconds())
                    .orElse(Double.NaN);
        } catch (IOException e) {
            return Double.NaN;
        }
    }

    private double lastDrillRto(RecoveryPlan plan) {
        try {
            return records.lastDrill(plan.planId()).map(RecoveryRecords.Row::report)
                    .filter(r -> r != null && r.path("rto").has("achieved_seconds"))
                    .map(r -> r.path("rto").path("achieved_seconds").asDouble()).orElse(Double.NaN);
        } catch (SQLException e) {
            return Double.NaN;
        }
    }

    private static String minutes(long seconds) {
        return seconds / 60 + " min " + seconds % 60 + " s";
    }
}
