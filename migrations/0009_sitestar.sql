-- The Sitestar.pt school contest (DOMAIN.md section 5). An edition is
-- addressed by its year and has its own contest program, sitestar-YYYY,
-- created with it. Entries hold no student names. A juror's score is one row
-- per entry and juror; the entry keeps their mean, so ranking is an index
-- scan. select_at is set once: selecting is one transaction under the
-- edition's lock, and doing it again changes nothing.

CREATE TABLE sitestar_editions (
    year integer PRIMARY KEY CHECK (year BETWEEN 2000 AND 2100),
    program_code text NOT NULL UNIQUE REFERENCES programs (code),
    submissions_open_at timestamptz NOT NULL,
    submissions_close_at timestamptz NOT NULL,
    approved_quota integer NOT NULL DEFAULT 100 CHECK (approved_quota BETWEEN 1 AND 1000),
    benefit_months integer NOT NULL DEFAULT 12 CHECK (benefit_months BETWEEN 1 AND 120),
    selected_at timestamptz,
    approved_count integer,
    not_selected_count integer,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (submissions_open_at < submissions_close_at)
);
CREATE INDEX sitestar_editions_created ON sitestar_editions (created_at, year);
CREATE TRIGGER sitestar_editions_touch BEFORE UPDATE ON sitestar_editions
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

CREATE TABLE sitestar_entries (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    year integer NOT NULL REFERENCES sitestar_editions (year),
    status text NOT NULL DEFAULT 'submitted'
        CHECK (status IN ('submitted', 'approved', 'not_selected', 'disqualified', 'withdrawn')),
    school jsonb NOT NULL,          -- {name, municipality}
    teacher jsonb NOT NULL,         -- {name, email}
    team_size integer NOT NULL CHECK (team_size BETWEEN 1 AND 30),
    title text NOT NULL,
    description text NOT NULL,
    proposed_domain text NOT NULL,  -- A-label form
    score numeric(6, 3),            -- the mean of the jurors' scores
    scores_count integer NOT NULL DEFAULT 0,
    voucher_code text REFERENCES vouchers (code),
    site_url text,
    reason text,
    submitted_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    status_changed_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'approved') = (voucher_code IS NOT NULL))
);
CREATE INDEX sitestar_entries_year_created ON sitestar_entries (year, created_at, id);
CREATE INDEX sitestar_entries_year_score ON sitestar_entries (year, score, id);
CREATE INDEX sitestar_entries_created ON sitestar_entries (created_at, id);
CREATE INDEX sitestar_entries_score ON sitestar_entries (score, id);
CREATE TRIGGER sitestar_entries_touch BEFORE UPDATE ON sitestar_entries
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

CREATE TABLE sitestar_scores (
    entry_id uuid NOT NULL REFERENCES sitestar_entries (id),
    juror text NOT NULL,
    score integer NOT NULL CHECK (score BETWEEN 0 AND 100),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (entry_id, juror)
);
