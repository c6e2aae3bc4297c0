-- The catalog: an index of the manifests in the repository plus a log of operations.
-- The backup index can be rebuilt from the manifests; the operations log is history only.
-- Nothing a restore needs lives only here.
CREATE TABLE backup (
    backup_id       text PRIMARY KEY,
    type            text NOT NULL,
    status          text NOT NULL,
    created_at      timestamptz NOT NULL,
    completed_at    timestamptz,
    expires_at      timestamptz,
    retention_days  integer NOT NULL,
    size_bytes      bigint NOT NULL,
    components      text NOT NULL,
    repository      text NOT NULL,
    manifest        jsonb NOT NULL,
    indexed_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX backup_created_at ON backup (created_at DESC);
CREATE INDEX backup_status ON backup (status);

CREATE TABLE operation (
    operation_id    text PRIMARY KEY,
    kind            text NOT NULL,
    backup_id       text,
    components      text,
    trigger         text,
    status          text NOT NULL,
    started_at      timestamptz NOT NULL,
    completed_at    timestamptz,
    error           text,
    detail          jsonb
);
CREATE INDEX operation_started_at ON operation (started_at DESC);
