-- Programs and enrollment (DOMAIN.md section 3). A program is addressed by
-- its code; an enrollment joins one registrar to one program. The rules the
-- business depends on are the database's: one pending, active or suspended
-- enrollment per registrar and program (a partial unique index), and the
-- capacity, which enrollment counts under a lock on the program's row.

CREATE TABLE programs (
    code text PRIMARY KEY CHECK (code ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(code) BETWEEN 2 AND 40),
    kind text NOT NULL CHECK (kind IN ('standing', 'call', 'contest')),
    year integer CHECK (year BETWEEN 2000 AND 2100),
    name jsonb NOT NULL,            -- {"pt": …, "en": …}
    description jsonb,              -- {"pt": …, "en": …}
    status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'closed', 'archived')),
    enrollment_opens_at timestamptz,
    enrollment_closes_at timestamptz,
    requires text[] NOT NULL DEFAULT '{}',
    capacity integer CHECK (capacity > 0),
    benefit_months integer CHECK (benefit_months BETWEEN 1 AND 120),
    terms_version text NOT NULL,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    status_changed_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'standing') = (year IS NULL)),
    CHECK (enrollment_opens_at IS NULL OR enrollment_closes_at IS NULL
           OR enrollment_opens_at < enrollment_closes_at),
    CHECK (NOT code = ANY (requires))
);
CREATE INDEX programs_created ON programs (created_at, code);
CREATE TRIGGER programs_touch BEFORE UPDATE ON programs
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

CREATE TABLE enrollments (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    program_code text NOT NULL REFERENCES programs (code),
    registrar_id uuid NOT NULL REFERENCES registrars (id),
    status text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'active', 'rejected', 'withdrawn', 'suspended')),
    accepted_terms_version text NOT NULL,
    application jsonb,              -- a call's application form, as validated
    reason text,                    -- of the last reject or suspend
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    status_changed_at timestamptz NOT NULL DEFAULT now()
);
-- One live enrollment per registrar and program: pending, active, or
-- suspended (which reinstate may make active again).
CREATE UNIQUE INDEX enrollments_one_live ON enrollments (registrar_id, program_code)
    WHERE status IN ('pending', 'active', 'suspended');
-- A program's seats and summary; a registrar's active programs (its
-- resource, the directory's program filter); each documented sort.
CREATE INDEX enrollments_program_status ON enrollments (program_code, status);
CREATE INDEX enrollments_registrar_active ON enrollments (registrar_id, program_code)
    WHERE status = 'active';
CREATE INDEX enrollments_created ON enrollments (created_at, id);
CREATE INDEX enrollments_updated ON enrollments (updated_at, id);
CREATE INDEX enrollments_registrar_created ON enrollments (registrar_id, created_at, id);
CREATE TRIGGER enrollments_touch BEFORE UPDATE ON enrollments
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- A registrar's programs are part of the public directory: a change of
-- enrollments invalidates its cached pages on every replica (0005).
CREATE CONSTRAINT TRIGGER enrollments_directory_version
    AFTER INSERT OR UPDATE OR DELETE ON enrollments
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION directory_version_bump();

-- The two standing programs .PT runs today (seed: "3em1.pt e ComércioDigital.pt").
INSERT INTO programs (code, kind, name, description, status, benefit_months, terms_version, requires)
VALUES
('3em1', 'standing',
 '{"pt": "3em1.pt", "en": "3em1.pt (3 in 1)"}',
 '{"pt": "Pacote de serviços gratuitos, pelo período de um ano, que inclui um domínio .pt, uma ferramenta para desenvolvimento de site e respetivo alojamento técnico e caixas de correio eletrónico. A adesão dos registrars é aprovada pelo .PT.",
   "en": "A package of free services for one year: a .pt domain, a website builder with its hosting, and mailboxes. Registrars join with .PT''s approval."}',
 'open', 12, '1', '{}'),
('3em1-comercio', 'standing',
 '{"pt": "3em1 Comércio", "en": "3em1 Comércio (local commerce)"}',
 '{"pt": "Iniciativa do programa ComércioDigital.pt, que envolve o .PT e os registrars aderentes ao 3em1: oferta de domínio .pt, ferramenta de desenvolvimento de site e emails, por um ano, dirigida a microempresas e PME, em particular do comércio de proximidade (comércio e serviços), que ainda não têm a sua página na internet.",
   "en": "Part of the ComércioDigital.pt programme, run by .PT with the registrars in 3em1: a .pt domain, a website builder and email for one year, for micro and small businesses, in particular local shops and services, that have no website yet. Requires an active 3em1 enrollment."}',
 'open', 12, '1', '{3em1}');
