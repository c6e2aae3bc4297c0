-- Every change to the index or the operations log is announced on the channel catalog_changed
-- (delivered when the writing transaction commits), whoever writes: any service instance or the
-- CLI. A running service drops the answers it keeps in memory when it hears it.
CREATE FUNCTION catalog_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('catalog_changed', TG_TABLE_NAME);
    RETURN NULL;
END;
$$;
CREATE TRIGGER backup_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON backup
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_changed();
CREATE TRIGGER operation_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON operation
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_changed();
