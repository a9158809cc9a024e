"""Incident acknowledgements by email, end to end (issue 16, item 2): staff's
acknowledgement of an AMBER incident reaches the reporting registrar's
security contact through the outbox, `parceria worker` and a real SMTP
server in this process, in pt-PT then English; a RED incident's
acknowledgement is confidential and queues nothing."""
import uuid

import pytest

from accreditation import ok
from identity import make_registrar, registrar_token
from mailsink import Sink, Worker, outbox, stopped_cleanly, wait_rows
from programs import staff

INC = "/v1/incidents"


@pytest.fixture(scope="module")
def sink():
    s = Sink().start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def worker(server, sink):
    w = Worker(server.db_name, sink.url, name="incident-mail-worker").start()
    yield w
    stopped_cleanly(w)


def report(api, rid, tlp):
    return ok(api.with_token(registrar_token(rid)).post(INC, {
        "title": f"Phishing ({tlp})", "description": "Páginas falsas.", "category": "phishing",
        "severity": "critical", "tlp": tlp, "detected_at": "2026-01-05T10:00:00Z"}), 201)


def test_the_acknowledgement_reaches_the_security_contact_and_red_sends_nothing(api, db, sink, worker):
    soc = f"soc-{uuid.uuid4().hex[:10]}@exemplo.pt"
    rid = make_registrar(db, trade_name="Webtuga")
    db.execute("UPDATE registrars SET contacts = jsonb_set(contacts, '{1,email}', to_jsonb(%s::text))"
               " WHERE id = %s", (soc, rid))
    red, amber = report(api, rid, "RED"), report(api, rid, "AMBER")
    ok(staff(api).post(f"{INC}/{red['id']}/acknowledge"))
    ok(staff(api).post(f"{INC}/{amber['id']}/acknowledge"))
    m = sink.wait_for(soc)[0]
    assert m.rcpt_tos == [soc] and "Incidente reconhecido" in m.subject and " / " in m.subject
    pt, en = m.text.split("-------- English\n", 1)
    assert "Phishing (AMBER)" in pt and "Webtuga" in pt and amber["id"] in pt and "TLP:AMBER" in pt
    assert "acknowledged" in en and "Kind regards" in en
    wait_rows(db, lambda rows: rows and all(r["status"] == "sent" for r in rows), channel="email",
              resource_id=amber["id"])
    assert outbox(db, resource_id=red["id"]) == []
    assert [x.subject for x in sink.to(soc)] == [m.subject]
