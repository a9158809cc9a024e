-- Registrars' news (Divulgação, DOMAIN.md section 8): a registrar submits a
-- news item; staff publish it, reject it or ask for changes; published items
-- are public (JSON and an Atom feed) until archived. The channels asked for
-- are 1 to 3 distinct of site, newsletter and social (the CHECK holds them
-- whatever the code does: with at most 3, distinct is three comparisons).
-- published_at is set once, by the publish.
CREATE TABLE news_items (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    registrar_id uuid NOT NULL REFERENCES registrars (id),
    title text NOT NULL,
    summary text NOT NULL,
    body text NOT NULL,
    link text,
    channels text[] NOT NULL
        CHECK (cardinality(channels) BETWEEN 1 AND 3
               AND channels <@ ARRAY['site', 'newsletter', 'social']
               AND (channels[1] = channels[2]) IS NOT TRUE
               AND (channels[1] = channels[3]) IS NOT TRUE
               AND (channels[2] = channels[3]) IS NOT TRUE),
    status text NOT NULL DEFAULT 'submitted'
        CHECK (status IN ('submitted', 'published', 'rejected', 'changes_requested', 'archived')),
    reason text,
    published_at timestamptz,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    status_changed_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((status IN ('published', 'archived')) = (published_at IS NOT NULL))
);
-- Staff's list (sorts created_at and updated_at), a registrar's own list,
-- and the public list and feed: published ones, newest published first.
CREATE INDEX news_items_created ON news_items (created_at, id);
CREATE INDEX news_items_updated ON news_items (updated_at, id);
CREATE INDEX news_items_registrar ON news_items (registrar_id, created_at, id);
CREATE INDEX news_items_published ON news_items (published_at, id) WHERE status = 'published';
CREATE TRIGGER news_items_touch BEFORE UPDATE ON news_items
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- The public news' version: one row, bumped at COMMIT by every change to
-- news_items (as directory_version is for registrars, 0005). Public pages and
-- the Atom feed are kept in the page cache under this version plus the
-- directory's (the items show their registrar's trade name), so a change
-- through any replica turns every kept page into a miss.
CREATE TABLE news_version (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    version bigint NOT NULL
);
INSERT INTO news_version (id, version) VALUES (true, 1);

CREATE FUNCTION news_version_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE news_version SET version = version + 1 WHERE id;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER news_items_version
    AFTER INSERT OR UPDATE OR DELETE ON news_items
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION news_version_bump();
CREATE TRIGGER news_items_version_truncate
    AFTER TRUNCATE ON news_items
    FOR EACH STATEMENT EXECUTE FUNCTION news_version_bump();
