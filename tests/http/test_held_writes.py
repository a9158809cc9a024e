"""Writes held back to share a round trip (db_exec_later: BEGIN, the audit
record, its outbox rows and webhook fan-out, an access key, the tax-number
lock) are part of their transaction like any statement: when one fails in
PostgreSQL, the request fails and nothing of its change stays, and the next
request on the same connection starts clean. A trigger installed here makes
one table refuse one kind of row."""
import uuid

import pytest

from accreditation import application
from identity import make_registrar, mint, registrar_token

REG = "/v1/registrars"


@pytest.fixture()
def refuse(db):
    """refuse(table, condition): the next inserts into table where condition
    holds raise; removed after the test."""
    made = []

    def install(table, condition):
        name = f"refuse_{uuid.uuid4().hex[:8]}"
        db.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$"
                   f" BEGIN IF {condition} THEN RAISE EXCEPTION 'refused by the test'; END IF;"
                   f" RETURN NEW; END $$")
        db.execute(f"CREATE TRIGGER {name} BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()")
        made.append((table, name))

    yield install
    for table, name in made:
        db.execute(f"DROP TRIGGER {name} ON {table}")
        db.execute(f"DROP FUNCTION {name}()")


def test_a_refused_audit_record_undoes_the_edit(api, db, refuse):
    rid = make_registrar(db)
    mine = api.with_token(registrar_token(rid))
    refuse("audit_events", f"NEW.resource_id = '{rid}'")
    r = mine.patch(f"{REG}/{rid}", {"website": "https://nunca.example.pt"}, headers={"If-Match": '"1"'})
    assert r.status_code == 503, r.text
    assert r.headers["Content-Type"].startswith("application/problem+json")
    row = db.execute("SELECT website, version FROM registrars WHERE id = %s", (rid,)).fetchone()
    assert row == ("https://example.pt", 1)
    assert db.execute("SELECT count(*) FROM audit_events WHERE resource_id = %s", (rid,)).fetchone()[0] == 0
    # the same server, its connections reused: the next edit of another registrar goes through
    other = make_registrar(db)
    r = api.with_token(registrar_token(other)).patch(
        f"{REG}/{other}", {"website": "https://sim.example.pt"}, headers={"If-Match": '"1"'})
    assert r.status_code == 200, r.text
    assert db.execute("SELECT count(*) FROM audit_events WHERE resource_id = %s", (other,)).fetchone()[0] == 1


def test_a_refused_outbox_row_undoes_the_application(api, db, refuse):
    body = application()
    refuse("outbox", f"NEW.recipient = '{body['contacts'][0]['email']}'")
    r = api.post("/v1/accreditation-applications", body)
    assert r.status_code == 503, r.text
    tax = "PT" + body["nif"]
    assert db.execute("SELECT count(*) FROM accreditation_applications WHERE tax_id = %s", (tax,)).fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM audit_events WHERE resource_type = 'accreditation_application'"
                      " AND changes->>'nif' = %s", (body["nif"],)).fetchone()[0] == 0
    # another applicant, whose email the table takes, goes through on the same server
    r = api.post("/v1/accreditation-applications", application())
    assert r.status_code == 201, r.text


def test_a_refused_access_key_undoes_the_application_and_its_mail(api, db, refuse):
    body = application()
    refuse("access_keys", "NEW.role = 'applicant'")
    r = api.post("/v1/accreditation-applications", body)
    assert r.status_code == 503, r.text
    tax = "PT" + body["nif"]
    assert db.execute("SELECT count(*) FROM accreditation_applications WHERE tax_id = %s", (tax,)).fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM outbox WHERE recipient = %s",
                      (body["contacts"][0]["email"],)).fetchone()[0] == 0


def test_each_held_write_lands_once_with_its_change(api, db):
    body = application()
    r = api.post("/v1/accreditation-applications", body)
    assert r.status_code == 201, r.text
    app_id = r.json()["id"]
    audits = db.execute("SELECT id::text FROM audit_events WHERE resource_type = 'accreditation_application'"
                        " AND resource_id = %s", (app_id,)).fetchall()
    assert len(audits) == 1
    assert db.execute("SELECT count(*) FROM access_keys WHERE subject_id = %s", (app_id,)).fetchone()[0] == 1
    mails = db.execute("SELECT event_id::text FROM outbox WHERE channel = 'email' AND resource_id = %s",
                       (app_id,)).fetchall()
    assert mails == [(audits[0][0],)]  # the outbox names the audit record the C code made
    staff = api.with_token(mint("staff", sub="held@dns.pt"))
    assert staff.post(f"/v1/accreditation-applications/{app_id}/start-review", {}).status_code == 200
    assert db.execute("SELECT count(*) FROM audit_events WHERE resource_id = %s", (app_id,)).fetchone()[0] == 2
