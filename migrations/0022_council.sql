-- The Conselho Consultivo (DOMAIN.md section 9): terms, nominations and a
-- secret election. Secrecy is the schema's: council_voters says who voted,
-- council_ballots what was voted, and nothing joins them. A ballot row holds
-- a random key, its term, its hash (the voter's receipt) and its choices: no
-- registrar, no timestamp, no sequence or serial. Physical order and the
-- writing transaction (ctid, xmin, which equals the audit record's txid)
-- would still tell which ballot came with which voter's row, so every ballot
-- writes its term's whole ballot box again, in hash order and with new
-- random keys, in the voter's transaction (store_council_ballot_cast): after
-- each ballot every ballot of the term has the same xmin and sits in hash
-- order, which the voter's random nonce makes unrelated to who voted when.
-- Out of reach of this design: someone who reads the table after every
-- single ballot (a live observer of the database during the election), and
-- storage forensics by the superuser (dead row versions before VACUUM, the
-- WAL). The API serves ballots only once the term is closed.

CREATE TABLE council_terms (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    title text NOT NULL,
    starts_on date NOT NULL,
    ends_on date NOT NULL,
    registrar_seats integer NOT NULL CHECK (registrar_seats BETWEEN 1 AND 10),
    status text NOT NULL DEFAULT 'draft'
        CHECK (status IN ('draft', 'nominating', 'voting', 'closed')),
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    status_changed_at timestamptz NOT NULL DEFAULT now(),
    CHECK (starts_on < ends_on)
);
CREATE INDEX council_terms_created ON council_terms (created_at, id);
CREATE INDEX council_terms_starts ON council_terms (starts_on, id);
CREATE INDEX council_terms_updated ON council_terms (updated_at, id);
CREATE TRIGGER council_terms_touch BEFORE UPDATE ON council_terms
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

CREATE TABLE council_nominations (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    term_id uuid NOT NULL REFERENCES council_terms (id),
    registrar_id uuid NOT NULL REFERENCES registrars (id),
    nominee_name text NOT NULL,
    statement text NOT NULL,
    status text NOT NULL DEFAULT 'submitted'
        CHECK (status IN ('submitted', 'accepted', 'rejected')),
    reason text,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    status_changed_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (term_id, registrar_id) -- one nomination per registrar and term
);
CREATE INDEX council_nominations_term_created ON council_nominations (term_id, created_at, id);
CREATE INDEX council_nominations_term_updated ON council_nominations (term_id, updated_at, id);
CREATE TRIGGER council_nominations_touch BEFORE UPDATE ON council_nominations
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- Who voted: one row per registrar and term (the primary key makes a second
-- ballot, concurrent or not, a unique violation). Deliberately no time.
CREATE TABLE council_voters (
    term_id uuid NOT NULL REFERENCES council_terms (id),
    registrar_id uuid NOT NULL REFERENCES registrars (id),
    PRIMARY KEY (term_id, registrar_id)
);

-- What was voted: nothing that names or orders the voter.
CREATE TABLE council_ballots (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    term_id uuid NOT NULL REFERENCES council_terms (id),
    hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
    choices uuid[] NOT NULL CHECK (cardinality(choices) BETWEEN 1 AND 10),
    UNIQUE (term_id, hash)
);
