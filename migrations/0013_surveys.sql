-- The yearly satisfaction survey (DOMAIN.md section 8). A survey's
-- questions are a JSON document the domain validates and normalizes; its
-- pseudonym key (32 random bytes) keys the respondents' pseudonyms in the
-- Marktest export and never leaves the database otherwise. One response per
-- registrar and survey is the primary key: a second answer replaces the
-- first.

CREATE TABLE surveys (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    year integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    title text NOT NULL,
    opens_at timestamptz NOT NULL,
    closes_at timestamptz NOT NULL,
    questions jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(questions) = 'array'),
    pseudonym_key bytea NOT NULL CHECK (length(pseudonym_key) = 32),
    status text NOT NULL DEFAULT 'draft'
        CHECK (status IN ('draft', 'open', 'closed', 'published')),
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    status_changed_at timestamptz NOT NULL DEFAULT now(),
    CHECK (opens_at < closes_at),
    -- a survey opens with its questions: the rule is the domain's, and this
    -- keeps every path to it honest
    CHECK (status = 'draft' OR jsonb_array_length(questions) > 0)
);
CREATE INDEX surveys_created ON surveys (created_at, id);
CREATE INDEX surveys_year ON surveys (year, id);
CREATE INDEX surveys_updated ON surveys (updated_at, id);
CREATE TRIGGER surveys_touch BEFORE UPDATE ON surveys
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- Questions never change once the survey opened.
CREATE FUNCTION surveys_frozen() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status <> 'draft' AND (NEW.questions IS DISTINCT FROM OLD.questions
       OR NEW.pseudonym_key IS DISTINCT FROM OLD.pseudonym_key) THEN
        RAISE EXCEPTION 'a survey''s questions and key never change once it opened';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER surveys_frozen BEFORE UPDATE ON surveys
    FOR EACH ROW EXECUTE FUNCTION surveys_frozen();

CREATE TABLE survey_responses (
    survey_id uuid NOT NULL REFERENCES surveys (id),
    registrar_id uuid NOT NULL REFERENCES registrars (id),
    answers jsonb NOT NULL CHECK (jsonb_typeof(answers) = 'object'),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (survey_id, registrar_id)
);
CREATE TRIGGER survey_responses_touch BEFORE UPDATE ON survey_responses
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
