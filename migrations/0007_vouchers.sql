-- Vouchers (DOMAIN.md section 4). A voucher is addressed by its code, kept
-- in its canonical form (14 symbols, no dashes). expired is not stored: a
-- voucher past expires_at reads as expired whether or not anything swept it,
-- so the status column holds issued, redeemed or revoked. A redemption is
-- the row's own change under its lock: one code, one redemption.

CREATE TABLE vouchers (
    code text PRIMARY KEY CHECK (code ~ '^[2-9A-HJKMNP-TV-Z]{14}$'),
    program_code text NOT NULL REFERENCES programs (code),
    status text NOT NULL DEFAULT 'issued' CHECK (status IN ('issued', 'redeemed', 'revoked')),
    beneficiary jsonb NOT NULL,     -- {type, name, nif?, email}
    expires_at timestamptz NOT NULL,
    registrar_id uuid REFERENCES registrars (id),
    domain text,                    -- A-label form
    domain_unicode text,            -- Unicode form (NFC)
    redeemed_at timestamptz,
    service_ends_at timestamptz,
    reason text,                    -- of the revocation
    batch_id uuid NOT NULL,         -- the issue it came in (one request, all or nothing)
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    status_changed_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'redeemed') = (registrar_id IS NOT NULL AND domain IS NOT NULL
                                    AND redeemed_at IS NOT NULL AND service_ends_at IS NOT NULL))
);
CREATE INDEX vouchers_created ON vouchers (created_at, code);
CREATE INDEX vouchers_expires ON vouchers (expires_at, code);
CREATE INDEX vouchers_program ON vouchers (program_code, status);
CREATE INDEX vouchers_registrar ON vouchers (registrar_id, redeemed_at) WHERE registrar_id IS NOT NULL;
CREATE TRIGGER vouchers_touch BEFORE UPDATE ON vouchers
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- How long a program's vouchers may be redeemed, when an issue does not say.
ALTER TABLE programs ADD COLUMN voucher_validity_days integer
    CHECK (voucher_validity_days BETWEEN 1 AND 3660);
