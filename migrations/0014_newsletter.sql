-- The newsletter (DOMAIN.md section 8): its issues, the registrars' topic
-- suggestions, and the public's subscriptions with double opt-in. What the
-- business depends on is the database's: an issue number is unique; one
-- subscription per address (case-insensitive); a confirmation token is kept
-- only as its SHA-256 and is used at most once (the conditional update of
-- used_at); every subscribe request, confirmation and unsubscription leaves a
-- consent record (when, which text version, the source, the client address
-- as a keyed hash, never the raw address).

CREATE TABLE newsletter_issues (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    number integer NOT NULL UNIQUE CHECK (number >= 1),
    title text NOT NULL,
    planned_for date NOT NULL,
    url text,
    status text NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'published')),
    published_at timestamptz,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    status_changed_at timestamptz NOT NULL DEFAULT now(),
    -- publishing needs an https url: the publish action's effect refuses
    -- without one, after the move, so this row never commits without it
    CHECK (url IS NULL OR url LIKE 'https://%'),
    CHECK (status = 'planned' OR published_at IS NOT NULL)
);
CREATE INDEX newsletter_issues_created ON newsletter_issues (created_at, id);
CREATE INDEX newsletter_issues_planned ON newsletter_issues (planned_for, id);
CREATE INDEX newsletter_issues_updated ON newsletter_issues (updated_at, id);
CREATE TRIGGER newsletter_issues_touch BEFORE UPDATE ON newsletter_issues
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

CREATE TABLE newsletter_suggestions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    registrar_id uuid NOT NULL REFERENCES registrars (id),
    title text NOT NULL,
    summary text NOT NULL,
    link text,
    status text NOT NULL DEFAULT 'submitted'
        CHECK (status IN ('submitted', 'accepted', 'declined', 'used')),
    issue_id uuid REFERENCES newsletter_issues (id),
    reason text,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    status_changed_at timestamptz NOT NULL DEFAULT now(),
    CHECK (status NOT IN ('accepted', 'used') OR issue_id IS NOT NULL),
    CHECK (status <> 'declined' OR reason IS NOT NULL)
);
CREATE INDEX newsletter_suggestions_created ON newsletter_suggestions (created_at, id);
CREATE INDEX newsletter_suggestions_registrar ON newsletter_suggestions (registrar_id, created_at, id);
CREATE INDEX newsletter_suggestions_updated ON newsletter_suggestions (updated_at, id);
CREATE INDEX newsletter_suggestions_issue ON newsletter_suggestions (issue_id) WHERE issue_id IS NOT NULL;
CREATE TRIGGER newsletter_suggestions_touch BEFORE UPDATE ON newsletter_suggestions
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- One row per address. unsubscribe_token: 32 random bytes (base64url), made
-- at the first confirmation and kept, so that every newsletter email can
-- carry the link that unsubscribes that address (and nothing else).
-- last_mail_at: when the last confirmation email was queued (at most one an
-- hour per address).
CREATE TABLE newsletter_subscriptions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email text NOT NULL,
    status text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'confirmed', 'unsubscribed')),
    consent_text_version text,
    source text,
    confirmed_at timestamptz,
    unsubscribed_at timestamptz,
    unsubscribe_token text UNIQUE CHECK (unsubscribe_token ~ '^[A-Za-z0-9_-]{43}$'),
    last_mail_at timestamptz,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (status <> 'confirmed' OR (confirmed_at IS NOT NULL AND unsubscribe_token IS NOT NULL))
);
CREATE UNIQUE INDEX newsletter_subscriptions_email ON newsletter_subscriptions (lower(email));
CREATE INDEX newsletter_subscriptions_confirmed ON newsletter_subscriptions (confirmed_at, id)
    WHERE status = 'confirmed';
CREATE INDEX newsletter_subscriptions_created ON newsletter_subscriptions (created_at, id);
CREATE TRIGGER newsletter_subscriptions_touch BEFORE UPDATE ON newsletter_subscriptions
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- Confirmation tokens: the SHA-256 of the link's token, what that request
-- consented to, valid for 7 days, used once.
CREATE TABLE newsletter_tokens (
    hash text PRIMARY KEY CHECK (hash ~ '^[0-9a-f]{64}$'),
    subscription_id uuid NOT NULL REFERENCES newsletter_subscriptions (id),
    consent_text_version text NOT NULL,
    source text,
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX newsletter_tokens_subscription ON newsletter_tokens (subscription_id, created_at);

CREATE TABLE newsletter_consents (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subscription_id uuid NOT NULL REFERENCES newsletter_subscriptions (id),
    event text NOT NULL CHECK (event IN ('subscribe', 'confirm', 'unsubscribe')),
    consent_text_version text,
    source text,
    client_hash text,              -- hmac-sha256:<hex> of the client address (audit key)
    at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX newsletter_consents_subscription ON newsletter_consents (subscription_id, id);
