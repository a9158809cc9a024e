"""A change and its idempotent answer commit together. A trigger injected
into the database refuses to store answers: the change the request made must
roll back with it, the claim must be released, and a retry with the same key
must then make the change exactly once and replay it after."""
import uuid

from accreditation import application, submit
from identity import mint

APPS = "/v1/accreditation-applications"

REFUSE = """
CREATE FUNCTION test_refuse_answer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'injected: the answer cannot be stored'; END $$;
CREATE TRIGGER test_refuse_answer BEFORE UPDATE OF response ON idempotency_keys
    FOR EACH ROW EXECUTE FUNCTION test_refuse_answer();
"""
ALLOW = "DROP TRIGGER test_refuse_answer ON idempotency_keys; DROP FUNCTION test_refuse_answer();"


def count(db, sql, *args):
    return db.execute(sql, args).fetchone()[0]


def test_submission_rolls_back_when_its_answer_cannot_be_recorded(api, db):
    doc = application()
    key = f"atomic-{uuid.uuid4()}"
    db.execute(REFUSE)
    try:
        r = api.post(APPS, doc, headers={"Idempotency-Key": key})
        assert r.status_code == 503, r.text
        assert r.headers["Content-Type"] == "application/problem+json"
    finally:
        db.execute(ALLOW)
    tax_id = "PT" + doc["nif"]
    assert count(db, "SELECT count(*) FROM accreditation_applications WHERE tax_id = %s", tax_id) == 0
    assert count(db, "SELECT count(*) FROM access_keys k JOIN accreditation_applications a"
                     " ON a.id = k.subject_id WHERE a.tax_id = %s", tax_id) == 0
    # The claim was released, so the same key makes the change now, once.
    first = api.post(APPS, doc, headers={"Idempotency-Key": key})
    assert first.status_code == 201, first.text
    again = api.post(APPS, doc, headers={"Idempotency-Key": key})
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert count(db, "SELECT count(*) FROM accreditation_applications WHERE tax_id = %s", tax_id) == 1


def test_approval_rolls_back_when_its_answer_cannot_be_recorded(api, db):
    created = submit(api)
    staff = api.with_token(mint("staff"))
    assert staff.post(f"{APPS}/{created['id']}/start-review").status_code == 200
    key = f"approve-{uuid.uuid4()}"
    db.execute(REFUSE)
    try:
        r = staff.post(f"{APPS}/{created['id']}/approve", headers={"Idempotency-Key": key})
        assert r.status_code == 503, r.text
    finally:
        db.execute(ALLOW)
    row = db.execute("SELECT status, registrar_id FROM accreditation_applications WHERE id = %s",
                     (created["id"],)).fetchone()
    assert row == ("under_review", None)
    assert count(db, "SELECT count(*) FROM registrars WHERE application_id = %s", created["id"]) == 0
    assert count(db, "SELECT count(*) FROM audit_events WHERE resource_id = %s AND action = 'approve'",
                 created["id"]) == 0
    ok = staff.post(f"{APPS}/{created['id']}/approve", headers={"Idempotency-Key": key})
    assert ok.status_code == 200 and ok.json()["status"] == "approved", ok.text
    again = staff.post(f"{APPS}/{created['id']}/approve", headers={"Idempotency-Key": key})
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["registrar_id"] == ok.json()["registrar_id"]
    assert count(db, "SELECT count(*) FROM registrars WHERE application_id = %s", created["id"]) == 1
