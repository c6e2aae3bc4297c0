-- The WAL archive's index: one row per archived segment or timeline history file, from its record
-- wal/<timeline>/<name>.json. `serve` adds a row as each file is archived, retention removes it,
-- `catalog rebuild` re-creates all of them from the repository (and the bucket).
CREATE TABLE wal_segment (
    repository     text NOT NULL,
    name           text NOT NULL,
    timeline       integer NOT NULL,
    path           text NOT NULL,
    archived_at    timestamptz NOT NULL,
    end_time       timestamptz,
    size_bytes     bigint NOT NULL,
    raw_size_bytes bigint NOT NULL,
    sha256         text NOT NULL,
    indexed_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (repository, name)
);
CREATE INDEX wal_segment_end_time ON wal_segment (repository, timeline, end_time);
