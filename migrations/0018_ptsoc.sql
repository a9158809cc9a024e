-- PTSOC security contacts: check rounds over every accredited (not
-- terminated) registrar's security and abuse contacts. Each verification
-- holds its one-time tokens only as SHA-256 (hex): the first one sent, and
-- the reminder's (both valid while the verification is pending).
CREATE TABLE security_contact_checks (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'finished')),
    started_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'finished') = (finished_at IS NOT NULL))
);
-- One round at a time: starting one while another runs is refused (409).
CREATE UNIQUE INDEX security_contact_checks_one_running ON security_contact_checks ((true))
    WHERE status = 'running';
CREATE INDEX security_contact_checks_created ON security_contact_checks (created_at, id);

CREATE TABLE security_contact_verifications (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    check_id uuid NOT NULL REFERENCES security_contact_checks (id),
    registrar_id uuid NOT NULL REFERENCES registrars (id),
    type text NOT NULL CHECK (type IN ('security', 'abuse')),
    email text NOT NULL,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'verified', 'unreachable')),
    token_hash text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    reminder_token_hash text UNIQUE CHECK (reminder_token_hash ~ '^[0-9a-f]{64}$'),
    sent_at timestamptz NOT NULL,
    reminded_at timestamptz,
    verified_at timestamptz,
    unreachable_at timestamptz,
    CHECK ((status = 'verified') = (verified_at IS NOT NULL)),
    CHECK ((status = 'unreachable') = (unreachable_at IS NOT NULL))
);
CREATE INDEX security_contact_verifications_check ON security_contact_verifications (check_id, status);
CREATE INDEX security_contact_verifications_registrar
    ON security_contact_verifications (registrar_id, sent_at DESC);
CREATE INDEX security_contact_verifications_pending ON security_contact_verifications (sent_at)
    WHERE status = 'pending';
