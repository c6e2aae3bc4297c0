package com.customercaregpt.backup.cli;

import com.customercaregpt.backup.api.ApiProblem;
import com.customercaregpt.backup.app.BackupApplication;
import com.customercaregpt.backup.backup.UsageError;
import com.customercaregpt.backup.recovery.RecoveryPlan;
import com.customercaregpt.backup.recovery.RecoveryPlans;
import com.customercaregpt.backup.recovery.RecoveryRecords;
import com.customercaregpt.backup.recovery.RecoveryRequest;
import com.customercaregpt.backup.recovery.RecoveryRun;
import com.customercaregpt.backup.recovery.RecoveryStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;

@Command(name = "disaster-recovery", description = {"Recovery plans (routes/disaster-recovery/): list them, run one "
        + "over the live systems, drill one in isolation, see where each stands against its RTO and RPO."},
        subcommands = {DisasterRecoveryCommand.Plans.class, DisasterRecoveryCommand.Initiate.class,
                DisasterRecoveryCommand.Drill.class, DisasterRecoveryCommand.Status.class,
                DisasterRecoveryCommand.Operations.class})
public final class DisasterRecoveryCommand implements Runnable {

    @ParentCommand
    BackupManagerCommand parent;

    @Override
    public void run() {
        throw new UsageError("missing subcommand: disaster-recovery plans | initiate --plan-id P | test P | status "
                + "| operations");
    }

    private static <T> T bean(BackupApplication app, String name, Class<T> type) {
        return app.context().getRegistry().lookupByNameAndType(name, type);
    }

    /** What a read-only subcommand reads from the application. */
    private interface Query<T> {
        T read(BackupApplication app) throws Exception;
    }

    /** Reads {@code query} and prints it (a table, or JSON); returns what it read. */
    private static <T> T show(DisasterRecoveryCommand dr, Query<T> query, BiConsumer<PrintStream, T> table) throws Exception {
        boolean json = dr.parent.cli.json();
        try (BackupApplication app = dr.parent.cli.startApplication()) {
            T value = query.read(app);
            Output.print(json, value, table);
            return value;
        }
    }

    /** Runs a plan (initiate or drill); a failed run is one error line naming its step (exit 1). */
    private static Integer runPlan(DisasterRecoveryCommand dr, RecoveryRequest request) throws Exception {
        boolean json = dr.parent.cli.json();
        try (BackupApplication app = dr.parent.cli.startApplication()) {
            try {
                bean(app, "recoveryPlans", RecoveryPlans.class).get(request.planId());
            } catch (ApiProblem.NotFound unknown) {
                throw new UsageError(unknown.getMessage());
            }
            RecoveryRun run = app.request("direct:disaster-recovery", request, Map.of(), RecoveryRun.class);
            Output.print(json, run, DisasterRecoveryCommand::runTable);
            return 0;
        }
    }

    @Command(name = "plans", description = "The recovery plans: objectives, priority, components and steps.",
            exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:listed", "2:bad usage"})
    static final class Plans implements Callable<Integer> {
        @ParentCommand
        DisasterRecoveryCommand dr;

        @Override
        public Integer call() throws Exception {
            show(dr, app -> bean(app, "recoveryPlans", RecoveryPlans.class).list(), DisasterRecoveryCommand::plansTable);
            return 0;
        }
    }

    @Command(name = "initiate", description = {"Run a plan over the live systems: stop the application, choose the "
            + "recovery point, verify it, restore its components (beside, check, swap, keep the old), start the "
            + "application, validate. Every step is timed; a failed step stops the plan and names what was swapped."},
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:recovered and validated (or planned, with --dry-run)", "1:a step failed (see the error: "
                    + "the step, its cause, what was swapped and what was left untouched)",
                    "2:bad usage, unknown plan, or not confirmed"})
    static final class Initiate implements Callable<Integer> {
        @ParentCommand
        DisasterRecoveryCommand dr;

        @Option(names = "--plan-id", required = true, paramLabel = "PLAN", description = "The plan (see `plans`).")
        String planId;

        @Option(names = "--backup-id", paramLabel = "ID", description = "The recovery point (default: the newest "
                + "completed backup holding the plan's components).")
        String backupId;

        @Option(names = "--to-time", paramLabel = "TIME", description = "Point-in-time recovery: the plan's components as they were at TIME, the database replayed from "
                + "its WAL archive (needs backup.wal.enabled).")
        String toTime;

        @Option(names = "--dry-run", description = "Choose and verify the recovery point, print the steps, change nothing.")
        boolean dryRun;

        @Option(names = "--yes", description = "Do not ask for confirmation.")
        boolean yes;

        @Override
        public Integer call() throws Exception {
            if (!dryRun && !yes && !Confirmation.ask("Run recovery plan " + planId + " over the live systems? What is "
                    + "replaced is kept.", "not recovering over live data", "--yes")) {
                System.err.println("Not recovered.");
                return 2;
            }
            return runPlan(dr, new RecoveryRequest(planId, backupId, toTime, dryRun, false, "cli"));
        }
    }

    @Command(name = "test", description = {"Drill a plan in isolation: the database into a scratch database, Redis "
            + "and ChromaDB into private servers, folders into scratch; validated there, then everything removed. "
            + "Live data is untouched. Reports the recovery time the plan would achieve now, step by step."},
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:the drill passed", "1:a step failed (named in the error)", "2:bad usage or unknown plan"})
    static final class Drill implements Callable<Integer> {
        @ParentCommand
        DisasterRecoveryCommand dr;

        @Parameters(paramLabel = "PLAN")
        String planId;

        @Option(names = "--backup-id", paramLabel = "ID", description = "Drill from this backup (default: the newest "
                + "completed backup holding the plan's components).")
        String backupId;

        @Override
        public Integer call() throws Exception {
            return runPlan(dr, new RecoveryRequest(planId, backupId, null, false, true, "cli"));
        }
    }

    @Command(name = "status", description = "Per plan: its RPO exposure (age of the newest restorable point) against "
            + "its RPO, and its last drill's recovery time against its RTO.",
            exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:every plan within its RPO",
            "1:a plan's RPO is exceeded (or nothing restorable holds its components)", "2:bad usage"})
    static final class Status implements Callable<Integer> {
        @ParentCommand
        DisasterRecoveryCommand dr;

        @Override
        public Integer call() throws Exception {
            List<RecoveryStatus.PlanStatus> status = show(dr,
                    app -> bean(app, "recoveryStatus", RecoveryStatus.class).status(), DisasterRecoveryCommand::statusTable);
            return status.stream().allMatch(RecoveryStatus.PlanStatus::rpoMet) ? 0 : 1;
        }
    }

    @Command(name = "operations", description = "Recent runs of the plans (initiated and drills), newest first.",
            exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:listed", "1:the catalog is unreachable",
            "2:bad usage"})
    static final class Operations implements Callable<Integer> {
        @ParentCommand
        DisasterRecoveryCommand dr;

        @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "At most N runs (1-1000, default 20).")
        int limit;

        @Override
        public Integer call() throws Exception {
            if (limit < 1 || limit > 1000) {
                throw new UsageError("--limit must be a number from 1 to 1000, got " + limit);
            }
            show(dr, app -> bean(app, "recoveryRecords", RecoveryRecords.class).recent(limit),
                    DisasterRecoveryCommand::operationsTable);
            return 0;
        }
    }

    static void plansTable(PrintStream out, List<RecoveryPlan> plans) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"PLAN", "PRIORITY", "RTO", "RPO", "COMPONENTS", "FOR"});
        for (RecoveryPlan p : plans) {
            rows.add(new String[]{p.planId(), String.valueOf(p.priority()), p.rtoMinutes() + " min", p.rpoMinutes() + " min",
                    String.join(",", p.components()) + (p.restartsApplication() ? " + application" : ""),
                    p.description() == null ? "-" : p.description()});
        }
        Output.table(out, rows);
    }

    static void runTable(PrintStream out, RecoveryRun run) {
        out.printf("%s of %s: %s (%s)%n", run.isDrill() ? "Drill" : run.isDryRun() ? "Dry run" : "Recovery",
                run.getPlanId(), run.getStatus(), run.getOperationId());
        if (run.getRecoveryPoint() != null) {
            out.printf("Recovery point  %s (%s)%s%n", run.getRecoveryPoint().backupId(), run.getRecoveryPoint().createdAt(),
                    run.getRecoveryPoint().toTime() == null ? "" : " to " + run.getRecoveryPoint().toTime());
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"STEP", "STATUS", "SECONDS", "DETAIL"});
        for (RecoveryRun.Step step : run.getSteps()) {
            rows.add(new String[]{step.getName(), step.getStatus(),
                    step.getSeconds() == null ? "-" : String.format("%.1f", step.getSeconds()),
                    step.getDetail() == null ? "" : step.getDetail()});
        }
        Output.table(out, rows);
        for (RecoveryRun.Check check : run.getChecks()) {
            out.printf("check %-10s %-7s %s%n", check.name(), check.status(), check.detail());
        }
        if (!run.isDrill() && !run.isDryRun()) {
            out.printf("Swapped         %s%n", run.getSwapped().isEmpty() ? "none" : String.join(", ", run.getSwapped()));
            out.printf("Untouched       %s%n", run.getUntouched().isEmpty() ? "none" : String.join(", ", run.getUntouched()));
        }
        objective(out, "RTO", run.getRto());
        objective(out, "RPO", run.getRpo());
    }

    private static void objective(PrintStream out, String name, RecoveryRun.Objective objective) {
        if (objective != null) {
            out.printf("%-15s %d s of %d s: %s%n", name, objective.achievedSeconds(), objective.objectiveSeconds(),
                    objective.met() ? "met (" + objective.marginSeconds() + " s to spare)"
                            : "MISSED by " + -objective.marginSeconds() + " s");
        }
    }

    static void statusTable(PrintStream out, List<RecoveryStatus.PlanStatus> status) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"PLAN", "RPO", "EXPOSURE", "RPO MET", "NEWEST POINT", "RTO", "LAST DRILL", "DRILL RTO", "RTO MET"});
        for (RecoveryStatus.PlanStatus s : status) {
            rows.add(new String[]{s.planId(), s.rpoMinutes() + " min",
                    s.rpoExposureSeconds() == null ? "no point" : s.rpoExposureSeconds() + " s", s.rpoMet() ? "yes" : "NO",
                    s.newestPoint() == null ? "-" : s.newestPoint(), s.rtoMinutes() + " min",
                    s.lastDrillAt() == null ? "never" : s.lastDrillAt() + " " + s.lastDrillStatus(),
                    s.lastDrillRtoSeconds() == null ? "-" : s.lastDrillRtoSeconds() + " s",
                    s.rtoMet() == null ? "-" : s.rtoMet() ? "yes" : "NO"});
        }
        Output.table(out, rows);
    }

    static void operationsTable(PrintStream out, List<RecoveryRecords.Row> runs) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"OPERATION", "PLAN", "KIND", "STATUS", "STARTED", "COMPLETED"});
        for (RecoveryRecords.Row r : runs) {
            rows.add(new String[]{r.operationId(), r.planId(), r.kind(), r.status(), r.startedAt(),
                    r.completedAt() == null ? "-" : r.completedAt()});
        }
        Output.table(out, rows);
        if (runs.isEmpty()) {
            out.println("(no recovery runs)");
        }
    }
}
