-- Notifications and the change feed (DOMAIN.md section 7).
--
-- The audit log is the change feed: each record now says which registrar the
-- change concerns (registrar_id: a registrar sees its own events only) and
-- the transaction that wrote it (txid). The feed reads records whose
-- transaction is older than every transaction still running (the snapshot's
-- xmin), ordered by (txid, seq): no transaction that commits later can add a
-- record before the cursor, so paging to the end sees every committed record
-- exactly once, even when transactions commit out of seq order.
ALTER TABLE audit_events ADD COLUMN registrar_id uuid;
ALTER TABLE audit_events ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX audit_events_feed ON audit_events (txid, seq);
CREATE INDEX audit_events_registrar_feed ON audit_events (registrar_id, txid, seq)
    WHERE registrar_id IS NOT NULL;

-- The outbox: every message a change causes, written in the change's own
-- transaction (a rolled-back change sends nothing; a committed one is never
-- lost). One row per recipient: an event is sent at most once to each
-- (the unique key). Workers claim due rows with FOR UPDATE SKIP LOCKED and a
-- lease, so two workers never hold one row; each attempt is recorded.
CREATE TABLE outbox (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(), -- Message-ID, webhook-id
    event_id uuid NOT NULL,            -- the audit record that caused it
    event text NOT NULL,               -- 'voucher.redeemed'
    channel text NOT NULL CHECK (channel IN ('email', 'webhook')),
    recipient text NOT NULL,           -- an email address, or a webhook subscription's id
    resource_type text NOT NULL,
    resource_id text NOT NULL,
    registrar_id uuid,                 -- the registrar the event concerns
    payload jsonb NOT NULL,            -- email: {template, lang, vars}; webhook: the envelope
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    lease_until timestamptz,           -- a worker holds it until then
    last_error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz,
    UNIQUE (event_id, channel, recipient)
);
CREATE INDEX outbox_due ON outbox (channel, next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX outbox_created ON outbox (created_at, id);
CREATE TRIGGER outbox_touch BEFORE UPDATE ON outbox
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

CREATE TABLE outbox_attempts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    outbox_id bigint NOT NULL REFERENCES outbox (id),
    at timestamptz NOT NULL DEFAULT now(),
    outcome text NOT NULL CHECK (outcome IN ('sent', 'retry', 'failed')),
    error text,
    worker text NOT NULL
);
CREATE INDEX outbox_attempts_message ON outbox_attempts (outbox_id, id);

-- A worker waiting for work wakes up when a message commits.
CREATE FUNCTION outbox_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('outbox', NEW.channel);
    RETURN NULL;
END;
$$;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
    FOR EACH ROW EXECUTE FUNCTION outbox_notify();
