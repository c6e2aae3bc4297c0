-- The schedules of `serve` (routes/schedules.camel.yaml): what an operator switched on or off, and
-- what each fire did. The schedules file says what runs when; this is the state that must
-- survive a restart and be shared by every instance on this catalog.

-- `schedule enable|disable ID` overrides the file's enabled flag until set again.
CREATE TABLE IF NOT EXISTS schedule_state (
    schedule_id     text PRIMARY KEY,
    enabled         boolean NOT NULL,
    changed_at      timestamptz NOT NULL DEFAULT now()
);

-- One row per fire that was not switched off: ran (completed or failed) or skipped (missed
-- while the service was down, beyond backup.schedule.misfire-grace-minutes).
CREATE TABLE IF NOT EXISTS schedule_run (
    run_id              bigserial PRIMARY KEY,
    schedule_id         text NOT NULL,
    instance            text NOT NULL,
    scheduled_fire_time timestamptz NOT NULL,
    started_at          timestamptz NOT NULL,
    completed_at        timestamptz,
    status              text NOT NULL CHECK (status IN ('completed', 'failed', 'skipped')),
    backup_id           text,
    error               text,
    -- what was run differently from what the schedule asked (e.g. incremental ran as full)
    note                text
);
CREATE INDEX IF NOT EXISTS schedule_run_schedule ON schedule_run (schedule_id, started_at DESC);
