-- Operations are looked up by backup (list's verified/replicated times) and by id (REST API).
CREATE INDEX operation_backup ON operation (repository, backup_id, kind);
