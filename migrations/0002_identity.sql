-- Identity and accountability: API clients, access keys for applicants and
-- teachers, the append-only audit log, idempotency records and rate-limit
-- counters that hold across replicas.

-- A key for hashing personal values in the audit log (HMAC-SHA-256), made
-- once per database from PostgreSQL's strong random UUIDs.
CREATE TABLE service_keys (
    name text PRIMARY KEY,
    secret text NOT NULL
);
INSERT INTO service_keys (name, secret)
VALUES ('audit_hash', encode(sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text
        || gen_random_uuid()::text, 'UTF8')), 'hex'));

CREATE TABLE api_clients (
    client_id text PRIMARY KEY CHECK (client_id ~ '^[A-Za-z0-9_.-]{3,64}$'),
    name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    role text NOT NULL CHECK (role IN ('admin', 'staff', 'registrar')),
    registrar_id uuid,
    secret_hash text NOT NULL CHECK (secret_hash ~ '^[0-9a-f]{64}$'),
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    status_changed_at timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    CHECK ((role = 'registrar') = (registrar_id IS NOT NULL))
);
CREATE INDEX api_clients_registrar ON api_clients (registrar_id, status);
CREATE INDEX api_clients_created ON api_clients (created_at, client_id);
CREATE TRIGGER api_clients_touch BEFORE UPDATE ON api_clients
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- Applicants and teachers hold an access key instead of an account.
CREATE TABLE access_keys (
    subject_id uuid PRIMARY KEY,
    role text NOT NULL CHECK (role IN ('applicant', 'teacher')),
    key_hash text NOT NULL CHECK (key_hash ~ '^[0-9a-f]{64}$'),
    expires_at timestamptz,
    revoked_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE audit_events (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq bigserial UNIQUE,
    at timestamptz NOT NULL DEFAULT now(),
    actor_sub text NOT NULL,
    actor_role text NOT NULL,
    actor_registrar_id uuid,
    action text NOT NULL,
    resource_type text NOT NULL,
    resource_id text NOT NULL,
    from_status text,
    to_status text,
    reason text,
    changes jsonb NOT NULL DEFAULT '{}'::jsonb,
    request_id text NOT NULL
);
CREATE INDEX audit_events_resource ON audit_events (resource_type, resource_id, seq);
CREATE INDEX audit_events_at ON audit_events (at, id);

-- Append-only, whoever the caller: a trigger refuses changes, and the
-- service's own role loses the privileges to make them.
CREATE FUNCTION audit_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM PUBLIC;
DO $$ BEGIN
    EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM %I', current_user);
END $$;

-- Idempotency: one row per (caller, method, path, key hash). The stored
-- answer is encrypted with a key derived from the Idempotency-Key itself, so
-- a secret shown once (a client secret, an access key) is unreadable here.
CREATE TABLE idempotency_keys (
    scope text NOT NULL,
    method text NOT NULL,
    path text NOT NULL,
    key_hash text NOT NULL,
    request_hash text NOT NULL,
    status integer,            -- NULL while the first request is in flight
    response bytea,            -- nonce || secretbox(headers and body)
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, method, path, key_hash)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- Fixed-window counters shared by every replica.
CREATE TABLE rate_counters (
    bucket text NOT NULL,
    window_start timestamptz NOT NULL,
    count integer NOT NULL,
    PRIMARY KEY (bucket, window_start)
);
CREATE INDEX rate_counters_window ON rate_counters (window_start);

-- Registrars: created by approving an accreditation application. Defined
-- here because API clients and registrar tokens refer to them.
CREATE TABLE registrars (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    handle text NOT NULL UNIQUE CHECK (handle ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    legal_name text NOT NULL,
    trade_name text NOT NULL,
    country text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    nif text,
    vat_number text,
    tax_key text NOT NULL UNIQUE,   -- country:number, the duplicate guard
    website text,
    address jsonb NOT NULL,
    contacts jsonb NOT NULL,
    status text NOT NULL DEFAULT 'accredited'
        CHECK (status IN ('accredited', 'suspended', 'terminated')),
    accredited_at timestamptz NOT NULL DEFAULT now(),
    application_id uuid,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    status_changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX registrars_status ON registrars (status, created_at, id);
CREATE TRIGGER registrars_touch BEFORE UPDATE ON registrars
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
ALTER TABLE api_clients ADD CONSTRAINT api_clients_registrar_fk
    FOREIGN KEY (registrar_id) REFERENCES registrars (id);
