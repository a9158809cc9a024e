-- Contacts (DOMAIN.md section 8): .PT's public mailboxes by topic, kept by
-- staff, and the contact requests routed to them through the outbox. A
-- request names an existing mailbox (a foreign key: a topic is never
-- renamed), and always carries a name and an email to answer: the public
-- caller's own, or its registrar's admin contact, copied when it is made.

CREATE TABLE contact_mailboxes (
    topic text PRIMARY KEY CHECK (topic ~ '^[a-z0-9-]{1,40}$'),
    name jsonb NOT NULL CHECK (jsonb_typeof(name) = 'object'),
    email text NOT NULL,
    description jsonb CHECK (description IS NULL OR jsonb_typeof(description) = 'object'),
    position integer NOT NULL DEFAULT 0,
    active boolean NOT NULL DEFAULT true,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX contact_mailboxes_position ON contact_mailboxes (position, topic);
CREATE INDEX contact_mailboxes_created ON contact_mailboxes (created_at, topic);
CREATE INDEX contact_mailboxes_updated ON contact_mailboxes (updated_at, topic);
CREATE TRIGGER contact_mailboxes_touch BEFORE UPDATE ON contact_mailboxes
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

INSERT INTO contact_mailboxes (topic, name, email, description, position) VALUES
    ('general', '{"pt": "Geral", "en": "General"}', 'registrar@dns.pt',
     '{"pt": "Questões gerais dos registrars e da parceria com o .PT.",
       "en": "General questions from registrars and about the partnership with .PT."}', 10),
    ('3em1', '{"pt": "Programa 3em1", "en": "3em1 programme"}', 'ro@dns.pt',
     '{"pt": "Adesão, vouchers e dúvidas sobre o Programa 3em1.",
       "en": "Enrolment, vouchers and questions about the 3em1 programme."}', 20),
    ('newsletter', '{"pt": "Newsletter", "en": "Newsletter"}', 'rp@dns.pt',
     '{"pt": "A newsletter quinzenal e sugestões de temas.",
       "en": "The fortnightly newsletter and topic suggestions."}', 30),
    ('news', '{"pt": "Divulgação", "en": "Registrars'' news"}', 'rp@dns.pt',
     '{"pt": "Notícias dos registrars que o .PT divulga.",
       "en": "Registrars'' news that .PT spreads."}', 40),
    ('security', '{"pt": "PTSOC — segurança", "en": "PTSOC — security"}', 'ptsoc@dns.pt',
     '{"pt": "Incidentes e contactos de segurança (PTSOC).",
       "en": "Security incidents and contacts (PTSOC)."}', 50);

CREATE TABLE contact_requests (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    topic text NOT NULL REFERENCES contact_mailboxes (topic) ON UPDATE RESTRICT,
    subject text NOT NULL,
    message text NOT NULL,
    name text NOT NULL,
    email text NOT NULL,
    registrar_id uuid REFERENCES registrars (id),
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered', 'closed')),
    note text,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    status_changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX contact_requests_created ON contact_requests (created_at, id);
CREATE INDEX contact_requests_updated ON contact_requests (updated_at, id);
CREATE INDEX contact_requests_registrar ON contact_requests (registrar_id, created_at, id);
CREATE TRIGGER contact_requests_touch BEFORE UPDATE ON contact_requests
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
