-- Data-processing agreements (issue 16, H1): versions .PT publishes, each
-- immutable once created (a change is a new version), and each registrar's
-- acceptance kept as evidence: which document (its SHA-256) was accepted,
-- when, by whom (the token's subject) and from where (a keyed hash of the
-- client address, never the address). A version past its accept_by that a
-- registrar has not accepted (nor a later one) gates its program actions.

CREATE TABLE agreements (
    version text PRIMARY KEY CHECK (version ~ '^[0-9A-Za-z._-]{1,20}$'),
    title text NOT NULL,
    document_url text NOT NULL CHECK (document_url LIKE 'https://%'),
    document_sha256 text NOT NULL CHECK (document_sha256 ~ '^[0-9a-f]{64}$'),
    effective_at timestamptz NOT NULL,
    accept_by timestamptz NOT NULL CHECK (accept_by > effective_at),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agreements_effective ON agreements (effective_at, version);
CREATE INDEX agreements_created ON agreements (created_at, version);
CREATE INDEX agreements_accept_by ON agreements (accept_by);

-- Never updated nor deleted: an acceptance is evidence.
CREATE TABLE agreement_acceptances (
    registrar_id uuid NOT NULL REFERENCES registrars (id),
    version text NOT NULL REFERENCES agreements (version),
    accepted_at timestamptz NOT NULL DEFAULT now(),
    accepted_by text NOT NULL,
    address_hash text NOT NULL,
    document_sha256 text NOT NULL CHECK (document_sha256 ~ '^[0-9a-f]{64}$'),
    PRIMARY KEY (registrar_id, version)
);
