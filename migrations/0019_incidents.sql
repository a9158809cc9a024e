-- Incident reports (DOMAIN.md section 9), and the kit's notion of a
-- confidential change: an audited change that stays in the audit log but
-- never leaves it (no change feed, no webhook, no email). TLP:RED incidents
-- and their timeline updates are recorded that way.

ALTER TABLE audit_events ADD COLUMN confidential boolean NOT NULL DEFAULT false;

CREATE TABLE incidents (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    registrar_id uuid REFERENCES registrars (id),   -- null: staff reported it for no registrar
    title text NOT NULL,
    description text NOT NULL,
    category text NOT NULL CHECK (category IN ('phishing', 'malware', 'ddos', 'data_breach',
                                               'compromised_account', 'other')),
    severity text NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    tlp text NOT NULL CHECK (tlp IN ('CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED')),
    -- normalized .pt names (A-labels, lower case), at most 100
    affected_domains jsonb NOT NULL DEFAULT '[]'
        CHECK (jsonb_typeof(affected_domains) = 'array'
               AND jsonb_array_length(affected_domains) <= 100),
    detected_at timestamptz NOT NULL,
    reported_at timestamptz NOT NULL DEFAULT now(),
    -- reported_at plus the hours the severity gives (src/domain/incident.c)
    acknowledge_due_at timestamptz NOT NULL,
    acknowledged_at timestamptz,
    reportable_to_cncs boolean NOT NULL DEFAULT false,
    status text NOT NULL DEFAULT 'reported'
        CHECK (status IN ('reported', 'acknowledged', 'investigating', 'resolved', 'closed')),
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    status_changed_at timestamptz NOT NULL DEFAULT now(),
    CHECK (acknowledge_due_at > reported_at)
);
CREATE INDEX incidents_created ON incidents (created_at, id);
CREATE INDEX incidents_registrar ON incidents (registrar_id, created_at, id);
-- the overdue filter: reported ones by their due time
CREATE INDEX incidents_due ON incidents (acknowledge_due_at) WHERE status = 'reported';
CREATE TRIGGER incidents_touch BEFORE UPDATE ON incidents
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- The timeline: both sides add updates; the author is a registrar or staff
-- (never a staff member's identity).
CREATE TABLE incident_updates (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    incident_id uuid NOT NULL REFERENCES incidents (id),
    registrar_id uuid REFERENCES registrars (id),   -- null: staff wrote it
    body text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- the order of arrival within one incident
    arrival bigint GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX incident_updates_incident ON incident_updates (incident_id, arrival);
