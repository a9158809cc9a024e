-- Incident reports (DOMAIN.md section 9), and the kit's notion of a
-- confidential change: an audited change that stays in the audit log but
-- never leaves it (no change feed, no webhook, no email). TLP:RED incidents
-- and their timeline updates are recorded that way.

ALTER TABLE audit_events ADD COLUMN confidential boolean NOT NULL DEFAULT false;
