-- Signed webhooks (DOMAIN.md section 7; Standard Webhooks).
--
-- A subscription belongs to a registrar (registrar_id), which receives the
-- events that concern it (audit_events.registrar_id), or to staff
-- (registrar_id NULL), which receive every event. events lists the event
-- types it wants (notice.c's table); empty: every type. Each event becomes
-- one outbox row per matching active subscription (channel 'webhook',
-- recipient = the subscription's id), written by service_record in the
-- change's own transaction.
CREATE TABLE webhooks (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    registrar_id uuid REFERENCES registrars (id),
    url text NOT NULL CHECK (char_length(url) BETWEEN 10 AND 2000),
    events text[] NOT NULL DEFAULT '{}',
    description text CHECK (char_length(description) BETWEEN 1 AND 200),
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    disabled_reason text,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    status_changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhooks_created ON webhooks (created_at, id);
CREATE INDEX webhooks_registrar ON webhooks (registrar_id, created_at, id);
-- The fan-out reads the active subscriptions on every audited change.
CREATE INDEX webhooks_active ON webhooks (registrar_id) WHERE status = 'active';
CREATE TRIGGER webhooks_touch BEFORE UPDATE ON webhooks
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- Signing secrets. Every live secret (revoked_at NULL) signs each delivery,
-- so a second one can be added and the first removed once the receiver
-- knows the new one. The secret must be usable for HMAC, so it cannot be
-- hashed: sealed holds nonce || crypto_secretbox(the secret's 32 bytes)
-- under a key that is never in the database alone: BLAKE2b of the
-- configured PARCERIA_WEBHOOK_KEY (when set) over the per-database key
-- below (src/service/webhook_key.c). A copy of this table, or of the whole
-- database without the server's configuration, does not sign anything.
-- hint is the secret's first characters, to tell secrets apart.
CREATE TABLE webhook_secrets (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    webhook_id uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    sealed bytea NOT NULL,
    hint text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);
CREATE INDEX webhook_secrets_live ON webhook_secrets (webhook_id, created_at)
    WHERE revoked_at IS NULL;

INSERT INTO service_keys (name, secret)
VALUES ('webhook_secrets', encode(sha256(convert_to(gen_random_uuid()::text
        || gen_random_uuid()::text || gen_random_uuid()::text, 'UTF8')), 'hex'));

-- A subscription's delivery log: its outbox rows, newest first.
CREATE INDEX outbox_webhook_recipient ON outbox (recipient, created_at, id)
    WHERE channel = 'webhook';
