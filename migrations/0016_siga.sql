-- SIGA improvement proposals (DOMAIN.md section 8): proposals, their votes
-- and their comments, seen by registrars and staff only. The rules the
-- business depends on are the database's: one vote per registrar and
-- proposal (the primary key), and the counts a proposal shows, kept by
-- triggers from the votes and comments themselves, so that no code path and
-- no concurrency can miscount. A proposal's author is a registrar, or .PT's
-- staff as one (author_registrar_id NULL): never a staff member's identity.

CREATE TABLE siga_proposals (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    title text NOT NULL,
    description text NOT NULL,
    area text NOT NULL CHECK (area IN ('domains', 'contacts', 'dns', 'transfers', 'billing',
                                       'reports', 'api', 'other')),
    author_registrar_id uuid REFERENCES registrars (id),
    status text NOT NULL DEFAULT 'open'
        CHECK (status IN ('open', 'under_consideration', 'planned', 'done', 'declined')),
    status_note text,
    votes integer NOT NULL DEFAULT 0 CHECK (votes >= 0),       -- siga_votes_count() keeps it
    comments integer NOT NULL DEFAULT 0 CHECK (comments >= 0), -- siga_comments_count() keeps it
    -- the sort by votes, ties by creation: votes then microseconds since the
    -- epoch of created_at in one number (siga_proposals_rank() keeps it)
    vote_rank numeric NOT NULL DEFAULT 0,
    version integer NOT NULL DEFAULT 1,                          -- the representation (counts included)
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    status_changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX siga_proposals_created ON siga_proposals (created_at, id);
CREATE INDEX siga_proposals_updated ON siga_proposals (updated_at, id);
CREATE INDEX siga_proposals_votes ON siga_proposals (vote_rank, id);
CREATE TRIGGER siga_proposals_touch BEFORE UPDATE ON siga_proposals
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

CREATE FUNCTION siga_proposals_rank() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.vote_rank := NEW.votes::numeric * 100000000000000000
                     + floor(extract(epoch FROM NEW.created_at) * 1000000);
    RETURN NEW;
END;
$$;
CREATE TRIGGER siga_proposals_rank BEFORE INSERT OR UPDATE ON siga_proposals
    FOR EACH ROW EXECUTE FUNCTION siga_proposals_rank();

CREATE TABLE siga_votes (
    proposal_id uuid NOT NULL REFERENCES siga_proposals (id),
    registrar_id uuid NOT NULL REFERENCES registrars (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (proposal_id, registrar_id)
);
CREATE INDEX siga_votes_registrar ON siga_votes (registrar_id, proposal_id);

-- A proposal's votes are its rows in siga_votes: each vote cast or
-- withdrawn moves the count (under the proposal's row lock, which the
-- UPDATE takes), and the version with it, so its ETag says when it changed.
CREATE FUNCTION siga_votes_count() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE siga_proposals
       SET votes = votes + CASE WHEN TG_OP = 'INSERT' THEN 1 ELSE -1 END, version = version + 1
     WHERE id = coalesce(NEW.proposal_id, OLD.proposal_id);
    RETURN NULL;
END;
$$;
CREATE TRIGGER siga_votes_count AFTER INSERT OR DELETE ON siga_votes
    FOR EACH ROW EXECUTE FUNCTION siga_votes_count();

CREATE TABLE siga_comments (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    proposal_id uuid NOT NULL REFERENCES siga_proposals (id),
    author_registrar_id uuid REFERENCES registrars (id),      -- NULL: staff
    body text NOT NULL,                                        -- kept when hidden, never shown
    status text NOT NULL DEFAULT 'visible' CHECK (status IN ('visible', 'hidden')),
    hidden_reason text,
    edited_at timestamptz,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    status_changed_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'hidden') = (hidden_reason IS NOT NULL))
);
CREATE INDEX siga_comments_proposal ON siga_comments (proposal_id, created_at, id);
CREATE TRIGGER siga_comments_touch BEFORE UPDATE ON siga_comments
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

CREATE FUNCTION siga_comments_count() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE siga_proposals SET comments = comments + 1, version = version + 1
     WHERE id = NEW.proposal_id;
    RETURN NULL;
END;
$$;
CREATE TRIGGER siga_comments_count AFTER INSERT ON siga_comments
    FOR EACH ROW EXECUTE FUNCTION siga_comments_count();
