-- parceria: expand
-- Release N+1's migration in tests/http/test_rolling_deploy.py, compiled into
-- build/parceria-next only (meson.build): what an expand migration may do
-- while release N still serves. A nullable column on a table N writes (N's
-- INSERTs name their columns, so they leave it NULL), an index, and a table
-- N never reads.
SET LOCAL lock_timeout = '5s';

ALTER TABLE accreditation_applications ADD COLUMN next_reviewer_note text;

CREATE INDEX accreditation_next_reviewer_note ON accreditation_applications (next_reviewer_note)
    WHERE next_reviewer_note IS NOT NULL;

CREATE TABLE next_release_probes (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    note text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
