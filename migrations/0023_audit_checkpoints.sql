-- The tamper-evident activity log (issue 16, part J).
--
-- A checkpoint covers the audit records after the previous checkpoint's
-- last (txid, seq) whose transaction is older than every running one (as
-- the change feed reads them: a late commit never falls behind a
-- checkpoint), in (txid, seq) order. Its Merkle root is over their leaves
-- and its hash chains it to the previous checkpoint (include/audit_log.h
-- documents every encoding). Checkpoints are numbered 1, 2, 3... in chain
-- order and, like the audit log, append-only.
CREATE TABLE audit_checkpoints (
    id bigint PRIMARY KEY CHECK (id >= 1),
    previous_hash text NOT NULL CHECK (previous_hash ~ '^[0-9a-f]{64}$'),
    merkle_root text NOT NULL CHECK (merkle_root ~ '^[0-9a-f]{64}$'),
    first_txid xid8 NOT NULL,
    first_seq bigint NOT NULL,
    last_txid xid8 NOT NULL,
    last_seq bigint NOT NULL,
    event_count bigint NOT NULL CHECK (event_count >= 1),
    hash text NOT NULL UNIQUE CHECK (hash ~ '^[0-9a-f]{64}$'),
    created_at timestamptz NOT NULL
);
-- The checkpoint an event falls in: the first whose last position is not before it.
CREATE INDEX audit_checkpoints_last ON audit_checkpoints (last_txid, last_seq);
-- The list's default sort (-created_at) and the chore's "made in the last hour?".
CREATE INDEX audit_checkpoints_created ON audit_checkpoints (created_at, id);

CREATE FUNCTION audit_checkpoints_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_checkpoints is append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_checkpoints_append_only();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION audit_checkpoints_append_only();
REVOKE UPDATE, DELETE, TRUNCATE ON audit_checkpoints FROM PUBLIC;
DO $$ BEGIN
    EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON audit_checkpoints FROM %I', current_user);
END $$;
