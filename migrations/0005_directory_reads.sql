-- The public directory's reads. Its filter (status = 'accredited') and each
-- documented sort (created_at, handle; ties by id; both directions) have a
-- partial index that serves the first page and every next one; staff's
-- unfiltered lists keep registrars_created and registrars_handle. A
-- registrar's API clients are listed by created_at.
CREATE INDEX registrars_directory_created ON registrars (created_at, id)
    WHERE status = 'accredited';
CREATE INDEX registrars_directory_handle ON registrars (handle, id)
    WHERE status = 'accredited';
DROP INDEX registrars_status; -- served the directory before; nothing reads it now
CREATE INDEX api_clients_registrar_created ON api_clients (registrar_id, created_at, client_id);

-- The directory's version: one row, bumped by every committed change to
-- registrars. Each replica keeps rendered public pages under the version
-- they were read at and reads this row (one primary-key lookup) per request,
-- so a change through any replica is seen by the next read on every other.
-- The bump is a deferred constraint trigger: it runs at COMMIT, after the
-- transaction's other statements, so this row is locked last and briefly,
-- and never between two registrar row locks (no deadlock).
CREATE TABLE directory_version (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    version bigint NOT NULL
);
INSERT INTO directory_version (id, version) VALUES (true, 1);

CREATE FUNCTION directory_version_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE directory_version SET version = version + 1 WHERE id;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER registrars_directory_version
    AFTER INSERT OR UPDATE OR DELETE ON registrars
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION directory_version_bump();
CREATE TRIGGER registrars_directory_version_truncate
    AFTER TRUNCATE ON registrars
    FOR EACH STATEMENT EXECUTE FUNCTION directory_version_bump();
