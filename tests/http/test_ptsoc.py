"""PTSOC security contacts (issue 16, F): a check round end to end through the
test SMTP server (a worker process sends the outbox): every security and abuse
contact of every registrar not terminated gets a one-time link that confirms
once; the day-7 reminder (a new token, the first still valid) and day-14
unreachable run as chores, by `parceria tick --at` (never by sleeping); the
tokens are never stored raw; a registrar's contacts' status (own/other); the
staff list of registrars with no reachable security contact (JSON and CSV);
roles. Every refusal is checked to change nothing."""
import datetime as dt
import json
import re
import subprocess
import uuid

import psycopg
import pytest

from accreditation import ok
from conftest import BIN, Server, _db_url, clone_database, drop_database
from identity import make_registrar
from mailsink import outbox
from race import race, two_servers
from openapi_check import SECRETS, Client
from programs import as_registrar, problem, staff

CHECKS = "/v1/security-contact-checks"
CONFIRM = "/v1/security-contacts/confirm"
UNREACHABLE = "/v1/security-contacts/unreachable"
PUBLIC_URL = "https://parceria.exemplo.pt"
LINK = "/contactos-seguranca/confirmar"


WORKER_ENV = {"PARCERIA_PUBLIC_URL": PUBLIC_URL}  # for conftest's worker (the sink's links)


def tick(server, at):
    out = subprocess.run([BIN, "tick", "--at", at], env=server.env, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    return out


def address(tag):
    return f"{tag}-{uuid.uuid4().hex[:10]}@exemplo.pt"


def registrar(db, contacts, status="accredited", name=None):
    """A registrar whose contacts are contacts: [(type, email)] (plus an admin)."""
    rid = make_registrar(db, status=status, trade_name=name)
    rows = [{"type": "admin", "name": "Ana Silva", "email": address("admin"), "phone": "+351213456789"}]
    rows += [{"type": t, "name": "SOC", "email": e, "phone": "+351213456780"} for t, e in contacts]
    db.execute("UPDATE registrars SET contacts = %s::jsonb WHERE id = %s", (json.dumps(rows), rid))
    return rid


def token_in(mail):
    m = re.search(re.escape(PUBLIC_URL + LINK) + r"\?token=([A-Za-z0-9_-]{43})", mail.text)
    assert m, mail.text
    SECRETS.add(m.group(1))  # the session fails if a log ever shows it
    return m.group(1)


def state(db):
    """What a refusal must leave as it was."""
    return (db.execute("SELECT count(*), count(*) FILTER (WHERE status = 'running') FROM"
                       " security_contact_checks").fetchone(),
            db.execute("SELECT id, status, reminder_token_hash, verified_at FROM"
                       " security_contact_verifications ORDER BY id").fetchall(),
            db.execute("SELECT count(*) FROM audit_events").fetchone()[0],
            db.execute("SELECT count(*) FROM outbox").fetchone()[0])


def verification(db, email):
    return db.execute("SELECT status, token_hash, reminder_token_hash, sent_at, reminded_at, verified_at"
                      " FROM security_contact_verifications WHERE email = %s ORDER BY sent_at DESC LIMIT 1",
                      (email,)).fetchone()


def contacts_of(api, rid):
    return {c["email"]: c for c in ok(api.get(f"/v1/registrars/{rid}/security-contacts"))["items"]}


def iso(t):
    return t.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def raw_token_stored(db, token):
    """Whether any table holds the token as it travels (the outbox's email
    content is the one place it must be, until the worker scrubs it)."""
    for table in ("security_contact_checks", "security_contact_verifications", "audit_events"):
        n = db.execute(f"SELECT count(*) FROM {table} t WHERE t::text LIKE %s", (f"%{token}%",)).fetchone()[0]
        if n:
            return table
    return None


def test_roles_before_any_round(api, db):
    before = state(db)
    problem(api.post(CHECKS, {}), 401, "unauthenticated")
    rid = make_registrar(db)
    problem(as_registrar(api, rid).post(CHECKS, {}), 403, "forbidden")
    problem(as_registrar(api, rid).get(CHECKS), 403, "forbidden")
    problem(api.get(CHECKS), 401, "unauthenticated")
    problem(api.get(UNREACHABLE), 401, "unauthenticated")
    problem(as_registrar(api, rid).get(UNREACHABLE), 403, "forbidden")
    problem(staff(api).get(f"{CHECKS}/{uuid.uuid4()}"), 404, "not-found")
    # a body other than an empty object, or none
    r = staff(api).post(CHECKS, {"at": "2027-01-01T00:00:00Z"})
    assert r.status_code == 422, r.text
    assert staff(api).post(CHECKS).status_code == 415
    assert state(db) == before
    assert ok(staff(api).get(CHECKS))["items"] == []


def test_a_round_end_to_end(api, db, sink, worker, server):
    s = staff(api)
    a_sec, a_abuse = address("soc-a"), address("abuse-a")
    d_sec, d_abuse = address("soc-d"), address("abuse-d")
    e_sec = address("soc-e")
    t_sec = address("soc-t")
    a = registrar(db, [("security", a_sec), ("abuse", a_abuse)], name="Porto Digital")
    b = registrar(db, [("abuse", address("abuse-b"))], name="Sem Segurança")
    d = registrar(db, [("security", d_sec), ("abuse", d_abuse)], name="Domínios do Sul")
    e = registrar(db, [("security", e_sec)], name="Mudo")
    suspended = registrar(db, [("security", address("soc-s"))], status="suspended")
    terminated = registrar(db, [("security", t_sec)], status="terminated")
    # before any round, a registrar's contacts have no verification
    assert contacts_of(as_registrar(api, a), a)[a_sec]["latest"] is None

    r = s.post(CHECKS, {})
    assert r.status_code == 201, r.text
    rnd = r.json()
    assert rnd["status"] == "running" and rnd["finished_at"] is None
    assert r.headers["Location"].endswith(f"{CHECKS}/{rnd['id']}")
    targets = db.execute("SELECT count(*) FROM registrars r CROSS JOIN jsonb_array_elements(r.contacts) c"
                         " WHERE r.status <> 'terminated' AND c->>'type' IN ('security', 'abuse')").fetchone()[0]
    assert rnd["counts"] == {"pending": targets, "verified": 0, "unreachable": 0}
    assert db.execute("SELECT count(*) FROM security_contact_verifications WHERE registrar_id = %s",
                      (terminated,)).fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM security_contact_verifications WHERE registrar_id = %s",
                      (suspended,)).fetchone()[0] == 1
    # another round while this one runs: 409, nothing changes
    before = state(db)
    conflict = problem(s.post(CHECKS, {}), 409, "duplicate")
    assert conflict.get("conflict") == "round-running"
    assert state(db) == before

    # the email: the template's link with a one-time token, kept only as its SHA-256
    mail = sink.wait_for(a_sec)[0]
    assert mail.rcpt_tos == [a_sec]
    assert "Porto Digital" in mail.text and "segurança" in mail.subject
    token = token_in(mail)
    row = verification(db, a_sec)
    assert row[0] == "pending"
    assert db.execute("SELECT encode(sha256(%s::bytea), 'hex')", (token.encode(),)).fetchone()[0] == row[1]
    assert raw_token_stored(db, token) is None
    # the audit log holds the contact's address only as its keyed hash
    assert db.execute("SELECT count(*) FROM audit_events WHERE resource_type = 'security_contact_verification'"
                      " AND changes->>'email' LIKE 'hmac-sha256:%%' AND registrar_id = %s", (a,)).fetchone()[0] == 2
    assert db.execute("SELECT count(*) FROM audit_events a WHERE a::text LIKE %s", (f"%{a_sec}%",)).fetchone()[0] == 0
    # GET /v1/outbox never shows the vars (the token)
    assert token not in s.get("/v1/outbox?limit=200").text

    # the public confirmation: once
    before = state(db)
    body = ok(api.post(CONFIRM, {"token": token}))
    assert body["registrar"] == {"id": a, "trade_name": "Porto Digital"} and body["type"] == "security"
    assert verification(db, a_sec)[0] == "verified" and state(db) != before
    before = state(db)
    again = problem(api.post(CONFIRM, {"token": token}), 404, "not-found")
    unknown = problem(api.post(CONFIRM, {"token": "A" * 43}), 404, "not-found")
    assert again["detail"] == unknown["detail"]
    r = api.post(CONFIRM, {"token": "short"})
    assert r.status_code == 422, r.text
    r = api.post(CONFIRM, {"token": token, "registrar_id": a})
    assert r.status_code == 422, r.text
    assert state(db) == before
    assert ok(s.get(f"{CHECKS}/{rnd['id']}"))["counts"]["verified"] == 1

    # a registrar's contacts' status: its own, and staff; another registrar's is 404
    mine = contacts_of(as_registrar(api, a), a)
    assert mine[a_sec]["latest"]["status"] == "verified" and mine[a_sec]["latest"]["verified_at"]
    assert mine[a_abuse]["latest"]["status"] == "pending" and mine[a_abuse]["latest"]["reminded_at"] is None
    assert mine[a_sec]["type"] == "security" and mine[a_abuse]["type"] == "abuse"
    assert contacts_of(s, a) == mine
    problem(as_registrar(api, b).get(f"/v1/registrars/{a}/security-contacts"), 404, "not-found")
    problem(api.get(f"/v1/registrars/{a}/security-contacts"), 401, "unauthenticated")
    problem(s.get(f"/v1/registrars/{uuid.uuid4()}/security-contacts"), 404, "not-found")

    # the clock: day 6 nothing, day 7 one reminder each (never twice), day 14 unreachable
    sent = db.execute("SELECT max(sent_at) FROM security_contact_verifications WHERE check_id = %s",
                      (rnd["id"],)).fetchone()[0]
    sent = sent.replace(microsecond=0) + dt.timedelta(seconds=1)  # tick's times are whole seconds
    before = state(db)
    tick(server, iso(sent + dt.timedelta(days=6)))
    assert state(db) == before
    tick(server, iso(sent + dt.timedelta(days=7)))
    pending = db.execute("SELECT count(*) FROM security_contact_verifications WHERE check_id = %s"
                         " AND status = 'pending'", (rnd["id"],)).fetchone()[0]
    assert db.execute("SELECT count(*) FROM security_contact_verifications WHERE check_id = %s AND"
                      " reminded_at IS NOT NULL", (rnd["id"],)).fetchone()[0] == pending
    assert verification(db, a_sec)[4] is None  # a verified contact is not reminded
    reminders = sink.wait_for(d_abuse, count=2)
    assert "Lembrete" in reminders[-1].subject and "Reminder" in reminders[-1].subject
    first_d_abuse = token_in(reminders[0])
    second_d_abuse = token_in(reminders[-1])
    assert first_d_abuse != second_d_abuse
    row = verification(db, d_abuse)
    assert row[2] == db.execute("SELECT encode(sha256(%s::bytea), 'hex')",
                                (second_d_abuse.encode(),)).fetchone()[0]
    assert raw_token_stored(db, second_d_abuse) is None
    before = state(db)
    tick(server, iso(sent + dt.timedelta(days=7, hours=12)))  # not twice
    tick(server, iso(sent + dt.timedelta(days=8)))
    assert state(db) == before
    # the first token stays valid (d's security), and so does the reminder's (d's abuse)
    d_sec_mails = sink.wait_for(d_sec, count=2)
    assert ok(api.post(CONFIRM, {"token": token_in(d_sec_mails[0])}))["type"] == "security"
    assert ok(api.post(CONFIRM, {"token": second_d_abuse}))["type"] == "abuse"
    problem(api.post(CONFIRM, {"token": first_d_abuse}), 404, "not-found")  # spent with its sibling
    mine = contacts_of(as_registrar(api, d), d)
    assert mine[d_abuse]["latest"]["reminded_at"] and mine[d_abuse]["latest"]["status"] == "verified"

    # day 13: nothing; day 14: every pending one is unreachable and the round finishes
    before = state(db)
    tick(server, iso(sent + dt.timedelta(days=13, hours=23)))
    assert state(db) == before
    e_token = token_in(sink.wait_for(e_sec, count=2)[-1])
    tick(server, iso(sent + dt.timedelta(days=14)))
    assert verification(db, e_sec)[0] == "unreachable"
    assert verification(db, a_abuse)[0] == "unreachable"
    assert verification(db, a_sec)[0] == "verified"
    done = ok(s.get(f"{CHECKS}/{rnd['id']}"))
    assert done["status"] == "finished" and done["finished_at"]
    assert done["counts"]["pending"] == 0 and done["counts"]["verified"] == 3
    assert done["counts"]["unreachable"] == targets - 3
    # an expired token: the one answer
    assert problem(api.post(CONFIRM, {"token": e_token}), 404, "not-found")["detail"] == unknown["detail"]
    before = state(db)
    tick(server, iso(sent + dt.timedelta(days=15)))  # idempotent
    assert state(db) == before
    assert contacts_of(s, e)[e_sec]["latest"]["status"] == "unreachable"

    # the staff list of registrars with no reachable security contact
    items = {i["registrar_id"]: i for i in ok(s.get(UNREACHABLE + "?limit=200"))["items"]}
    assert items[b]["reason"] == "no_security_contact"
    assert items[e] == {"registrar_id": e, "trade_name": "Mudo", "reason": "not_verified",
                        "latest_check_id": rnd["id"]}
    assert a not in items and d not in items and terminated not in items
    csv = s.get(UNREACHABLE, headers={"Accept": "text/csv"})
    assert csv.status_code == 200 and csv.headers["Content-Type"].startswith("text/csv")
    assert "Mudo" in csv.text and "Porto Digital" not in csv.text
    # the rounds list, and the change feed names each verification's registrar
    assert ok(s.get(CHECKS))["items"][0]["id"] == rnd["id"]
    actions = [x[0] for x in db.execute(
        "SELECT action FROM audit_events WHERE resource_type = 'security_contact_verification'"
        " AND registrar_id = %s ORDER BY seq", (d,)).fetchall()]
    assert sorted(actions) == ["remind", "remind", "send", "send", "verify", "verify"]
    # a new round may start once the last one finished
    r = s.post(CHECKS, {})
    assert r.status_code == 201, r.text


@pytest.fixture(scope="module")
def pair(template_db):
    yield from two_servers(template_db, "ptsoc-race")


def test_concurrent_round_starts_and_confirms(pair):
    """Six staff start a round at once through two processes: exactly one
    201, the others 409 round-running, one round and one verification per
    contact. Six confirms of one token at once: exactly one succeeds."""
    with psycopg.connect(_db_url(pair[0].db_name, "postgres"), autocommit=True) as db:
        sec = address("soc-race")
        rid = registrar(db, [("security", sec)], name="Corrida")
        answers = race(pair, [lambda c: staff(c).post(CHECKS, {})] * 6)
        assert sorted(r.status_code for r in answers) == [201] + [409] * 5
        assert all(r.json().get("conflict") == "round-running" for r in answers if r.status_code == 409)
        assert db.execute("SELECT count(*) FROM security_contact_checks").fetchone()[0] == 1
        assert db.execute("SELECT count(*) FROM security_contact_verifications WHERE registrar_id = %s",
                          (rid,)).fetchone()[0] == 1
        token = outbox(db, event="security_contact.check_sent", recipient=sec)[0]["payload"]["vars"]["token"]
        SECRETS.add(token)
    confirms = race(pair, [lambda c: c.post(CONFIRM, {"token": token})] * 6)
    assert sorted(r.status_code for r in confirms) == [200] + [404] * 5


def test_public_limit_on_confirmations(template_db):
    """PARCERIA_PUBLIC_RATE_LIMIT per client address counts every
    confirmation, the misses too (guessing tokens pays): 429, nothing changed."""
    name = clone_database(template_db)
    env = {"PARCERIA_PUBLIC_RATE_LIMIT": "2", "PARCERIA_TRUSTED_PROXIES": "127.0.0.1"}
    srv = Server(name, env_extra=env, name="ptsoc-limit").start()
    try:
        c = Client(srv.base)
        here = {"X-Forwarded-For": "198.51.100.7"}
        answers = [c.post(CONFIRM, {"token": "B" * 43}, headers=here) for _ in range(3)]
        assert [r.status_code for r in answers] == [404, 404, 429]
        assert answers[2].headers["RateLimit-Policy"] == '"public";q=2;w=3600'
        assert c.post(CONFIRM, {"token": "B" * 43}, headers={"X-Forwarded-For": "198.51.100.8"}).status_code == 404
    finally:
        assert srv.stop() == 0
        drop_database(name)
