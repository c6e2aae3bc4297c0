-- The catalog: an index of the manifests in the repository plus a log of operations.
-- The backup index can be rebuilt from the manifests; the operations log is history only.
-- Nothing a restore needs lives only here.
CREATE TABLE backup (
    repository      text NOT NULL,
    backup_id       text NOT NULL,
    type            text NOT NULL,
    status          text NOT NULL,
    created_at      timestamptz NOT NULL,
    completed_at    timestamptz,
    expires_at      timestamptz,
    retention_days  integer NOT NULL,
    size_bytes      bigint NOT NULL,
    components      text NOT NULL,
    manifest        jsonb NOT NULL,
    indexed_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (repository, backup_id)
);
CREATE INDEX backup_created_at ON backup (created_at DESC);
CREATE INDEX backup_status ON backup (status);

CREATE TABLE operation (
    operation_id    text PRIMARY KEY,
    repository      text NOT NULL,
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
