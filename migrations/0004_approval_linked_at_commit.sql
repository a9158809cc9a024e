-- "An application is approved exactly when it names its registrar" now holds
-- at COMMIT rather than per statement: approval moves the status first, then
-- (its effect, in the same transaction) creates and links the registrar. A
-- CHECK cannot be deferred; a deferred constraint trigger can.
ALTER TABLE accreditation_applications DROP CONSTRAINT accreditation_applications_check;

CREATE FUNCTION accreditation_approved_is_linked() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM accreditation_applications
               WHERE id = NEW.id AND (status = 'approved') <> (registrar_id IS NOT NULL)) THEN
        RAISE EXCEPTION 'an approved application must name its registrar, and only then'
            USING ERRCODE = '23514';
    END IF;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER accreditation_approved_is_linked
    AFTER INSERT OR UPDATE OF status, registrar_id ON accreditation_applications
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION accreditation_approved_is_linked();
