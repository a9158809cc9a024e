-- Data-subject requests (DOMAIN.md section 9): a person's request, by email,
-- to see (access), erase (erasure) or correct (rectification) what the
-- registry holds about them. Due one month after it was received; staff may
-- extend it once by two months, with a reason. Fulfilling an erasure keeps
-- its report (what was erased, what was kept and why) and replaces the email
-- itself by its erased form: the keyed hash (email_hash, as the audit log
-- hashes emails) is what stays.
CREATE TABLE data_requests (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind text NOT NULL CHECK (kind IN ('access', 'erasure', 'rectification')),
    email text NOT NULL,
    email_hash text NOT NULL,
    received_at timestamptz NOT NULL,
    due_at timestamptz NOT NULL,
    extended boolean NOT NULL DEFAULT false,
    extension_reason text,
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'fulfilled', 'rejected')),
    reason text,
    report jsonb,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    status_changed_at timestamptz NOT NULL DEFAULT now(),
    CHECK (extended = (extension_reason IS NOT NULL))
);
CREATE INDEX data_requests_created ON data_requests (created_at, id);
CREATE INDEX data_requests_updated ON data_requests (updated_at, id);
CREATE INDEX data_requests_due ON data_requests (due_at, id);
CREATE TRIGGER data_requests_touch BEFORE UPDATE ON data_requests
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- How an erased email reads: erased-<16 hex of a keyed SHA-256>@invalid, the
-- same for one address everywhere (so erased rows stay distinct where an
-- index wants them unique) and never the address itself.
CREATE FUNCTION personal_erased_email(email text) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN email IS NULL OR email ~ '^erased-[0-9a-f]{16}@invalid$' THEN email
        ELSE 'erased-' || left(encode(sha256(convert_to(
            (SELECT secret FROM service_keys WHERE name = 'audit_hash') || ':' || lower(email),
            'UTF8')), 'hex'), 16) || '@invalid' END
$$;

-- Whether doc holds the string email anywhere (case-insensitive).
CREATE FUNCTION personal_has(doc jsonb, email text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT doc IS NOT NULL AND EXISTS (
        SELECT 1 FROM jsonb_path_query(doc, 'strict $.**') v
        WHERE jsonb_typeof(v) = 'string' AND lower(v #>> '{}') = lower(email))
$$;

-- The objects of doc (at any depth) with a member whose value is email: the
-- person's values, for an access export.
CREATE FUNCTION personal_objects(doc jsonb, email text) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(jsonb_agg(v), '[]'::jsonb) FROM jsonb_path_query(doc, 'strict $.**') v
    WHERE jsonb_typeof(v) = 'object' AND EXISTS (
        SELECT 1 FROM jsonb_each(v) m
        WHERE jsonb_typeof(m.value) = 'string' AND lower(m.value #>> '{}') = lower(email))
$$;

-- Members that name or reach a person, replaced in an object being erased.
CREATE FUNCTION personal_member(key text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT key IN ('name', 'phone', 'nif', 'first_name', 'last_name', 'mobile')
$$;

-- doc with the person erased: in every object holding email (or, with email
-- NULL, every object with an "email" member: retention's erasure of everyone),
-- each email becomes its erased form and each naming member '[apagado]';
-- any other string equal to email becomes the erased email too.
CREATE FUNCTION personal_erase(doc jsonb, email text) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
    result jsonb;
    k text;
    v jsonb;
    hit boolean;
BEGIN
    IF doc IS NULL THEN
        RETURN NULL;
    ELSIF jsonb_typeof(doc) = 'array' THEN
        SELECT coalesce(jsonb_agg(personal_erase(e, email) ORDER BY n), '[]'::jsonb) INTO result
            FROM jsonb_array_elements(doc) WITH ORDINALITY AS a(e, n);
        RETURN result;
    ELSIF jsonb_typeof(doc) = 'string' THEN
        IF email IS NOT NULL AND lower(doc #>> '{}') = lower(email) THEN
            RETURN to_jsonb(personal_erased_email(doc #>> '{}'));
        END IF;
        RETURN doc;
    ELSIF jsonb_typeof(doc) <> 'object' THEN
        RETURN doc;
    END IF;
    hit := CASE WHEN email IS NULL THEN doc ? 'email'
        ELSE EXISTS (SELECT 1 FROM jsonb_each(doc) m WHERE jsonb_typeof(m.value) = 'string'
                     AND lower(m.value #>> '{}') = lower(email)) END;
    result := '{}'::jsonb;
    FOR k, v IN SELECT * FROM jsonb_each(doc) LOOP
        IF hit AND jsonb_typeof(v) = 'string' AND (k = 'email' OR k LIKE '%\_email') THEN
            v := to_jsonb(personal_erased_email(v #>> '{}'));
        ELSIF hit AND jsonb_typeof(v) = 'string' AND personal_member(k) THEN
            v := '"[apagado]"';
        ELSE
            v := personal_erase(v, email);
        END IF;
        result := result || jsonb_build_object(k, v);
    END LOOP;
    RETURN result;
END
$$;

-- t with every occurrence of email (case-insensitive) replaced by its erased
-- form: for free text that may quote the address (a delivery error, an
-- incident's description), where the rest of the text is not the person's.
CREATE FUNCTION personal_erase_text(t text, email text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
    result text := '';
    rest text := t;
    at integer;
BEGIN
    IF t IS NULL OR email IS NULL OR email = '' THEN
        RETURN t;
    END IF;
    LOOP
        at := strpos(lower(rest), lower(email));
        EXIT WHEN at = 0;
        result := result || left(rest, at - 1) || personal_erased_email(email);
        rest := substr(rest, at + length(email));
    END LOOP;
    RETURN result || rest;
END
$$;
