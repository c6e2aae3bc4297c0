-- Runs of disaster-recovery plans (initiated or drills): each step timed, the recovery point, and the
-- recovery time and point achieved against the plan's objectives. History only; `disaster-recovery
-- status` reads the last drill of each plan from here.
CREATE TABLE recovery_run (
    operation_id     text PRIMARY KEY,
    repository       text NOT NULL,
    plan_id          text NOT NULL,
    kind             text NOT NULL,
    status           text NOT NULL,
    dry_run          boolean NOT NULL,
    trigger          text,
    backup_id        text,
    started_at       timestamptz NOT NULL,
    completed_at     timestamptz,
    rto_seconds      bigint,
    rto_met          boolean,
    rpo_seconds      bigint,
    rpo_met          boolean,
    failed_step      text,
    error            text,
    report           jsonb NOT NULL
);
CREATE INDEX recovery_run_plan ON recovery_run (repository, plan_id, kind, started_at DESC);
