-- A request's credential check can travel with its first statement, in one
-- round trip (libpq pipeline mode). The check then refuses by raising, so
-- PostgreSQL skips the statement behind it: a revoked credential never reads
-- or writes anything. SQLSTATE PR401 is ours: src/db.c maps it to ST_REVOKED.
CREATE FUNCTION credential_refused() RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    RAISE EXCEPTION 'the credential was revoked' USING ERRCODE = 'PR401';
END $$;
