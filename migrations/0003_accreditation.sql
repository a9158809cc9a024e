-- Accreditation: applications from companies that want to become registrars.
-- One open application per tax number is enforced by a partial unique index;
-- approval creates the registrar in the same transaction.

CREATE TABLE accreditation_applications (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    status text NOT NULL DEFAULT 'submitted' CHECK (status IN
        ('submitted', 'under_review', 'changes_requested', 'approved', 'rejected', 'withdrawn')),
    tax_id text NOT NULL,          -- country + normalised number: PT503504564, GR094014201
    document jsonb NOT NULL,       -- the applicant's fields, as validated
    contact_email text NOT NULL,   -- the admin contact, for the per-email submission limit
    reason text,                   -- of the last request-changes or reject
    registrar_id uuid REFERENCES registrars (id),
    credentials_collected_at timestamptz,
    version integer NOT NULL DEFAULT 1,
    submitted_at timestamptz NOT NULL DEFAULT now(),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    status_changed_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'approved') = (registrar_id IS NOT NULL))
);
CREATE UNIQUE INDEX accreditation_one_open_per_tax_id ON accreditation_applications (tax_id)
    WHERE status IN ('submitted', 'under_review', 'changes_requested');
CREATE INDEX accreditation_created ON accreditation_applications (created_at, id);
CREATE INDEX accreditation_submitted ON accreditation_applications (submitted_at, id);
CREATE INDEX accreditation_status ON accreditation_applications (status);
CREATE TRIGGER accreditation_touch BEFORE UPDATE ON accreditation_applications
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- A terminated registrar's tax number may apply again; a live one may not.
ALTER TABLE registrars DROP CONSTRAINT registrars_tax_key_key;
CREATE UNIQUE INDEX registrars_live_tax_key ON registrars (tax_key) WHERE status <> 'terminated';
ALTER TABLE registrars ADD CONSTRAINT registrars_application_fk
    FOREIGN KEY (application_id) REFERENCES accreditation_applications (id);
CREATE INDEX registrars_created ON registrars (created_at, id);
CREATE INDEX registrars_handle ON registrars (handle, id);
