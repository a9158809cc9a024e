"""Contacts (issue 15, area E): .PT's public mailboxes by topic, kept by
staff (seeded, listed in position order, cacheable, inactive ones hidden
from anyone but staff, edits under If-Match), and contact requests: public
ones with a name and an email (rate-limited per address and per email),
a registrar's with its admin contact, routed by topic through the outbox to
the mailbox with the requester as Reply-To (end to end with the test SMTP
server), never mailed to the requester, the open → answered → closed
machine, roles, and another registrar's request answering 404. Every
refusal changes nothing."""
import json
import uuid

import psycopg
import pytest

from accreditation import ok
from conftest import Server, _db_url, clone_database, drop_database
from contacts import (CON, REQ, SEEDED, count_mailboxes, count_requests, create_mailbox, mailbox_body,
                      patch_mailbox, queued, request_body, request_row)
from identity import make_registrar, mint, registrar_token
from mailsink import wait_rows
from openapi_check import Client
from programs import admin, as_registrar, audit, codes, problem, staff

ADMIN_NAME, ADMIN_EMAIL = "Ana Silva", "ana@example.pt"  # identity.CONTACTS


# --- mailboxes: the public list -------------------------------------------------------------

def test_the_seeded_mailboxes_are_public_in_position_order(api):
    r = api.get(CON)
    page = ok(r)
    got = [(m["topic"], m["email"]) for m in page["items"]]
    assert [g for g in got if g in SEEDED] == SEEDED
    names = {m["topic"]: m["name"] for m in page["items"]}
    assert names["general"] == {"pt": "Geral", "en": "General"}
    assert names["news"] == {"pt": "Divulgação", "en": "Registrars' news"}
    assert names["security"]["pt"].startswith("PTSOC")
    assert all(m["active"] for m in page["items"])
    positions = [m["position"] for m in page["items"]]
    assert positions == sorted(positions)
    assert r.headers["Cache-Control"] == "public, max-age=60"
    again = api.get(CON, headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304 and again.content == b""


def test_one_mailbox_is_public_and_cacheable(api):
    r = api.get(f"{CON}/3em1")
    m = ok(r)
    assert (m["topic"], m["email"], m["name"]["pt"]) == ("3em1", "ro@dns.pt", "Programa 3em1")
    assert r.headers["Cache-Control"] == "public, max-age=60" and r.headers["ETag"]
    assert api.get(f"{CON}/3em1", headers={"If-None-Match": r.headers["ETag"]}).status_code == 304
    problem(api.get(f"{CON}/nao-existe"), 404, "not-found")
    problem(api.get(f"{CON}/Maiusculas"), 404, "not-found")  # not a topic: no database work
    problem(api.get(f"{CON}/{'a' * 41}"), 404, "not-found")
    # a token's answer is not for shared caches
    assert "public" not in staff(api).get(f"{CON}/3em1").headers.get("Cache-Control", "")


def test_list_sorts_and_pages(api):
    s = staff(api)
    page = ok(s.get(CON, params={"limit": "2", "include_total": "true"}))
    assert len(page["items"]) == 2 and page["total"] >= 5 and page["next_cursor"]
    rest = ok(s.get(CON, params={"limit": "2", "cursor": page["next_cursor"]}))
    assert {m["topic"] for m in rest["items"]}.isdisjoint({m["topic"] for m in page["items"]})
    desc = ok(s.get(CON, params={"sort": "-position"}))["items"]
    assert [m["position"] for m in desc] == sorted((m["position"] for m in desc), reverse=True)
    problem(s.get(CON, params={"sort": "email"}), 400, "invalid-request")
    problem(s.get(CON, params={"status": "active"}), 400, "invalid-request")


# --- mailboxes: kept by staff ---------------------------------------------------------------

def test_staff_adds_a_mailbox(api, db):
    body = mailbox_body()
    r = staff(api).post(CON, body)
    m = ok(r, 201)
    assert r.headers["Location"] == f"{CON}/{body['topic']}" and r.headers["ETag"]
    for k, v in body.items():
        assert m[k] == v, k
    assert m["active"] is True and m["created_at"] and m["updated_at"]
    assert audit(db, body["topic"]) == [("create", None, "active", None)]
    assert ok(api.get(f"{CON}/{body['topic']}")) == m
    # defaults
    d = ok(staff(api).post(CON, mailbox_body(description=..., position=..., active=...)), 201)
    assert (d["description"], d["position"], d["active"]) == (None, 0, True)
    hidden = ok(admin(api).post(CON, mailbox_body(active=False, description=None)), 201)
    assert (hidden["active"], hidden["description"]) == (False, None)
    problem(api.get(f"{CON}/{hidden['topic']}"), 404, "not-found")


def test_a_topic_is_added_once(api, db):
    m = create_mailbox(api)
    before = count_mailboxes(db)
    problem(staff(api).post(CON, mailbox_body(topic=m["topic"])), 409, "duplicate")
    assert count_mailboxes(db) == before


BAD_MAILBOX = [
    ({"topic": ...}, [("/topic", "required")]),
    ({"topic": "Com Espaços"}, [("/topic", "format")]),
    ({"topic": "x" * 41}, [("/topic", "too_long")]),
    ({"name": ...}, [("/name", "required")]),
    ({"name": {"pt": "Só português"}}, [("/name/en", "required")]),
    ({"name": {"pt": "", "en": "x"}}, [("/name/pt", "too_short")]),
    ({"name": {"pt": "x", "en": "y", "fr": "z"}}, [("/name/fr", "unknown_field")]),
    ({"email": ...}, [("/email", "required")]),
    ({"email": "não é email"}, [("/email", "email")]),
    ({"description": {"pt": "x" * 501, "en": "y"}}, [("/description/pt", "too_long")]),
    ({"position": -1}, [("/position", "too_small")]),
    ({"position": "1"}, [("/position", "type")]),
    ({"active": "sim"}, [("/active", "type")]),
    ({"version": 3}, [("/version", "unknown_field")]),
]


@pytest.mark.parametrize("over, expected", BAD_MAILBOX, ids=[str(i) for i in range(len(BAD_MAILBOX))])
def test_adding_refuses_bad_input_and_changes_nothing(api, db, over, expected):
    before = count_mailboxes(db)
    r = staff(api).post(CON, mailbox_body(**over))
    problem(r, 422, "validation-failed")
    assert codes(r) == expected
    assert count_mailboxes(db) == before


def test_only_staff_keep_mailboxes(api, db):
    rid = make_registrar(db)
    m = create_mailbox(api)
    before = count_mailboxes(db)
    problem(as_registrar(api, rid).post(CON, mailbox_body()), 403, "forbidden")
    problem(api.post(CON, mailbox_body()), 401, "unauthenticated")
    etag = staff(api).get(f"{CON}/{m['topic']}").headers["ETag"]
    problem(as_registrar(api, rid).patch(f"{CON}/{m['topic']}", {"position": 1}, headers={"If-Match": etag}),
            403, "forbidden")
    problem(api.patch(f"{CON}/{m['topic']}", {"position": 1}, headers={"If-Match": etag}), 401, "unauthenticated")
    problem(as_registrar(api, rid).get(f"{CON}/{m['topic']}/history"), 403, "forbidden")
    assert count_mailboxes(db) == before
    assert ok(staff(api).get(f"{CON}/{m['topic']}")) == m


def test_staff_edit_a_mailbox_under_if_match(api, db):
    m = create_mailbox(api)
    path = f"{CON}/{m['topic']}"
    s = staff(api)
    first_etag = s.get(path).headers["ETag"]
    problem(s.patch(path, {"position": 5}), 428, "precondition-required")
    problem(s.patch(path, {"position": 5}, headers={"If-Match": '"99"'}), 412, "precondition-failed")
    r = patch_mailbox(api, m["topic"], {"email": "nova@dns.pt", "name": {"pt": "Faturas"}, "description": None})
    e = ok(r)
    assert (e["email"], e["name"], e["description"], e["position"]) == \
        ("nova@dns.pt", {"pt": "Faturas", "en": "Billing"}, None, 60)
    assert r.headers["ETag"] != first_etag and e["updated_at"] >= m["updated_at"]
    # the stale ETag no longer matches, and the refusal changed nothing
    problem(s.patch(path, {"position": 5}, headers={"If-Match": first_etag}), 412, "precondition-failed")
    assert ok(s.get(path)) == e
    history = ok(s.get(f"{path}/history"))["items"]
    assert [h["action"] for h in history] == ["create", "edit"]
    assert history[1]["changes"]["email"] == "nova@dns.pt"  # .PT's own address: not personal


BAD_PATCH = [
    ({"topic": "outro"}, [("/topic", "unknown_field")]),
    ({"name": {"en": None}}, [("/name/en", "not_null")]),
    ({"name": None}, [("/name", "not_null")]),
    ({"email": "x"}, [("/email", "email")]),
    ({"position": 100001}, [("/position", "too_large")]),
]


@pytest.mark.parametrize("body, expected", BAD_PATCH, ids=[str(i) for i in range(len(BAD_PATCH))])
def test_a_refused_edit_changes_nothing(api, db, body, expected):
    m = create_mailbox(api)
    r = patch_mailbox(api, m["topic"], body)
    problem(r, 422, "validation-failed")
    assert codes(r) == expected
    assert ok(staff(api).get(f"{CON}/{m['topic']}")) == m


def test_an_inactive_mailbox_is_hidden_and_takes_no_request(api, db):
    m = create_mailbox(api)
    ok(api.post(REQ, request_body(m["topic"])), 201)
    off = ok(patch_mailbox(api, m["topic"], {"active": False}))
    assert off["active"] is False
    assert m["topic"] not in [x["topic"] for x in ok(api.get(CON, params={"limit": "200"}))["items"]]
    assert m["topic"] in [x["topic"] for x in ok(staff(api).get(CON, params={"limit": "200"}))["items"]]
    problem(api.get(f"{CON}/{m['topic']}"), 404, "not-found")
    assert ok(staff(api).get(f"{CON}/{m['topic']}"))["active"] is False
    before = count_requests(db)
    r = api.post(REQ, request_body(m["topic"]))
    problem(r, 422, "validation-failed")
    assert codes(r) == [("/topic", "unknown_topic")]
    assert count_requests(db) == before
    ok(patch_mailbox(api, m["topic"], {"active": True}))
    ok(api.post(REQ, request_body(m["topic"])), 201)


# --- contact requests: creation -------------------------------------------------------------

def test_a_public_request_is_routed_to_its_topic(api, db):
    body = request_body("3em1")
    r = api.post(REQ, body)
    c = ok(r, 201)
    assert r.headers["Location"] == f"{REQ}/{c['id']}"
    for k, v in body.items():
        assert c[k] == v, k
    assert (c["status"], c["registrar_id"], c["note"], c["allowed_actions"]) == ("open", None, None, [])
    assert request_row(db, c["id"]) == ("open", "3em1", body["name"], body["email"], None, None)
    [(to, template, vars_)] = queued(db, c["id"])
    assert (to, template) == ("ro@dns.pt", "contact-request")
    assert (vars_["reply_to"], vars_["message"], vars_["subject"]) == (body["email"], body["message"], body["subject"])
    # nothing to the requester, ever
    assert db.execute("SELECT count(*) FROM outbox WHERE recipient = %s", (body["email"],)).fetchone()[0] == 0
    # the public caller cannot read it back
    problem(api.get(f"{REQ}/{c['id']}"), 401, "unauthenticated")
    # the audit log holds none of the requester's words
    assert audit(db, c["id"]) == [("create", None, "open", None)]
    row = db.execute("SELECT string_agg(a::text, ' ') FROM audit_events a WHERE resource_id = %s",
                     (c["id"],)).fetchone()[0]
    assert body["email"] not in row and "Queremos aderir" not in row and "Maria" not in row


BAD_REQUEST = [
    ({"topic": ...}, [("/topic", "required")]),
    ({"topic": "nao-existe"}, [("/topic", "unknown_topic")]),
    ({"topic": "Não É Tema"}, [("/topic", "unknown_topic")]),
    ({"subject": ...}, [("/subject", "required")]),
    ({"subject": ""}, [("/subject", "too_short")]),
    ({"subject": "s" * 201}, [("/subject", "too_long")]),
    ({"subject": "Assunto\r\nBcc: vitima@exemplo.pt"}, [("/subject", "control_character")]),
    ({"message": ...}, [("/message", "required")]),
    ({"message": "m" * 5001}, [("/message", "too_long")]),
    ({"message": "  "}, [("/message", "blank")]),
    ({"name": ...}, [("/name", "required")]),
    ({"email": ...}, [("/email", "required")]),
    ({"name": ..., "email": ...}, [("/email", "required"), ("/name", "required")]),
    ({"email": "maria@"}, [("/email", "email")]),
    ({"email": "a@exemplo.pt\r\nBcc: vitima@exemplo.pt"}, [("/email", "email")]),
    ({"registrar_id": str(uuid.uuid4())}, [("/registrar_id", "unknown_field")]),
    ({"status": "answered"}, [("/status", "unknown_field")]),
]


@pytest.mark.parametrize("over, expected", BAD_REQUEST, ids=[str(i) for i in range(len(BAD_REQUEST))])
def test_a_bad_request_is_refused_and_stores_nothing(api, db, over, expected):
    before = count_requests(db)
    outbox = db.execute("SELECT count(*) FROM outbox").fetchone()[0]
    r = api.post(REQ, request_body(**over))
    problem(r, 422, "validation-failed")
    assert codes(r) == expected
    assert count_requests(db) == before
    assert db.execute("SELECT count(*) FROM outbox").fetchone()[0] == outbox


def test_malformed_bodies_are_refused(api, db):
    before = count_requests(db)
    problem(api.request("POST", REQ, data=b'{"topic": ', headers={"Content-Type": "application/json"}),
            400, "invalid-request")
    problem(api.request("POST", REQ, data=b"topic=3em1", headers={"Content-Type": "text/plain"}),
            415, "unsupported-media-type")
    assert count_requests(db) == before


def test_a_registrar_writes_as_its_admin_contact(api, db):
    rid = make_registrar(db)
    body = request_body("general", name=..., email=...)
    c = ok(as_registrar(api, rid).post(REQ, body), 201)
    assert (c["name"], c["email"], c["registrar_id"]) == (ADMIN_NAME, ADMIN_EMAIL, rid)
    assert c["allowed_actions"] == []
    [(to, _, vars_)] = queued(db, c["id"])
    assert (to, vars_["reply_to"], vars_["registrar"]) == ("registrar@dns.pt", ADMIN_EMAIL,
                                                           f"Registrar {rid[:8]}")
    # it may give another name and address
    own = ok(as_registrar(api, rid).post(REQ, request_body("security", name="Rui SOC", email="soc@exemplo.pt")),
             201)
    assert (own["name"], own["email"], own["registrar_id"]) == ("Rui SOC", "soc@exemplo.pt", rid)
    assert queued(db, own["id"])[0][0] == "ptsoc@dns.pt"
    half = ok(as_registrar(api, rid).post(REQ, request_body(name="Rui SOC", email=...)), 201)
    assert (half["name"], half["email"]) == ("Rui SOC", ADMIN_EMAIL)
    # it reads its own, not another's, nor a public one
    assert ok(as_registrar(api, rid).get(f"{REQ}/{c['id']}")) == c
    other = make_registrar(db)
    problem(as_registrar(api, other).get(f"{REQ}/{c['id']}"), 404, "not-found")
    problem(as_registrar(api, other).get(f"{REQ}/{c['id']}/history"), 404, "not-found")
    public = ok(api.post(REQ, request_body()), 201)
    problem(as_registrar(api, rid).get(f"{REQ}/{public['id']}"), 404, "not-found")
    assert [h["action"] for h in ok(as_registrar(api, rid).get(f"{REQ}/{c['id']}/history"))["items"]] == ["create"]


def test_a_token_of_no_known_registrar_is_refused(api, db):
    before = count_requests(db)
    stranger = api.with_token(registrar_token(str(uuid.uuid4())))
    problem(stranger.post(REQ, request_body()), 403, "forbidden")
    problem(stranger.post(REQ, request_body(name=..., email=...)), 403, "forbidden")
    assert count_requests(db) == before


def test_an_idempotency_key_replays_the_request(api, db):
    body = request_body()
    key = {"Idempotency-Key": f"contacto-{uuid.uuid4()}"}
    first = ok(api.post(REQ, body, headers=key), 201)
    again = api.post(REQ, body, headers=key)
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first["id"]
    assert db.execute("SELECT count(*) FROM contact_requests WHERE email = %s", (body["email"],)).fetchone()[0] == 1


# --- contact requests: lists ----------------------------------------------------------------

def test_lists_staff_all_and_a_registrar_its_own(api, db):
    a, b = make_registrar(db), make_registrar(db)
    ra = ok(as_registrar(api, a).post(REQ, request_body("news", name=..., email=...)), 201)
    rb = ok(as_registrar(api, b).post(REQ, request_body("news", name=..., email=...)), 201)
    public = ok(api.post(REQ, request_body("newsletter")), 201)
    s = staff(api)
    ids = [c["id"] for c in ok(s.get(REQ, params={"limit": "200"}))["items"]]
    assert {ra["id"], rb["id"], public["id"]} <= set(ids)
    mine = ok(as_registrar(api, a).get(REQ, params={"limit": "200"}))["items"]
    assert [c["id"] for c in mine] == [ra["id"]]
    assert ok(as_registrar(api, a).get(REQ, params={"registrar_id": a}))["items"] == mine
    problem(as_registrar(api, a).get(REQ, params={"registrar_id": b}), 403, "forbidden")
    by_topic = ok(s.get(REQ, params={"topic": "newsletter", "limit": "200"}))["items"]
    assert public["id"] in [c["id"] for c in by_topic] and all(c["topic"] == "newsletter" for c in by_topic)
    ok(s.post(f"{REQ}/{rb['id']}/close"))
    closed = ok(s.get(REQ, params={"status": "closed", "limit": "200"}))["items"]
    assert rb["id"] in [c["id"] for c in closed] and all(c["status"] == "closed" for c in closed)
    by_registrar = ok(s.get(REQ, params={"registrar_id": f"{a},{b}"}))["items"]
    assert {c["id"] for c in by_registrar} == {ra["id"], rb["id"]}
    newest = ok(s.get(REQ, params={"limit": "3"}))["items"]
    assert [c["created_at"] for c in newest] == sorted((c["created_at"] for c in newest), reverse=True)
    problem(s.get(REQ, params={"status": "pending"}), 400, "invalid-request")
    problem(s.get(REQ, params={"topic": "Não"}), 400, "invalid-request")
    problem(s.get(REQ, params={"sort": "subject"}), 400, "invalid-request")
    problem(api.get(REQ), 401, "unauthenticated")
    problem(api.with_token(mint("applicant", application_id=str(uuid.uuid4()))).get(REQ), 403, "forbidden")


def test_staff_export_requests_as_csv(api, db):
    c = ok(api.post(REQ, request_body("general", subject="Exportação CSV")), 201)
    r = staff(api).get(REQ, headers={"Accept": "text/csv"}, params={"topic": "general"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    assert c["id"] in r.text and "Exportação CSV" in r.text
    assert r.text.splitlines()[0].startswith("id,topic,subject,message,name,email")


# --- contact requests: the machine ----------------------------------------------------------

def test_open_answered_closed(api, db):
    c = ok(api.post(REQ, request_body()), 201)
    path = f"{REQ}/{c['id']}"
    s = staff(api)
    assert ok(s.get(path))["allowed_actions"] == ["answer", "close"]
    a = ok(s.post(f"{path}/answer", {"note": "Enviada a lista de documentos.\nCaso resolvido."}))
    assert (a["status"], a["note"], a["allowed_actions"]) == ("answered", "Enviada a lista de documentos.\nCaso resolvido.",
                                                              ["close"])
    assert a["status_changed_at"] >= c["status_changed_at"]
    body = problem(s.post(f"{path}/answer"), 409, "invalid-state")
    assert body["current_status"] == "answered"
    closed = ok(s.post(f"{path}/close", {"reason": "Resolvido."}))
    assert (closed["status"], closed["note"], closed["allowed_actions"]) == ("closed", a["note"], [])
    for action in ("answer", "close"):
        assert problem(s.post(f"{path}/{action}"), 409, "invalid-state")["current_status"] == "closed"
    assert request_row(db, c["id"])[0] == "closed"
    assert audit(db, c["id"]) == [("create", None, "open", None), ("answer", "open", "answered", None),
                                  ("close", "answered", "closed", "Resolvido.")]
    history = ok(s.get(f"{path}/history"))["items"]
    assert [(h["action"], h["to_status"]) for h in history] == [("create", "open"), ("answer", "answered"),
                                                                ("close", "closed")]
    # the answer's note is the request's only: no email
    assert len(queued(db, c["id"])) == 1


def test_an_open_request_closes_and_answer_needs_no_note(api, db):
    c = ok(api.post(REQ, request_body()), 201)
    ok(staff(api).post(f"{REQ}/{c['id']}/close"))
    d = ok(api.post(REQ, request_body()), 201)
    a = ok(staff(api).post(f"{REQ}/{d['id']}/answer"))
    assert (a["status"], a["note"]) == ("answered", None)


def test_a_refused_action_changes_nothing(api, db):
    rid = make_registrar(db)
    c = ok(as_registrar(api, rid).post(REQ, request_body(name=..., email=...)), 201)
    path = f"{REQ}/{c['id']}"
    problem(as_registrar(api, rid).post(f"{path}/answer"), 403, "forbidden")
    problem(as_registrar(api, rid).post(f"{path}/close"), 403, "forbidden")
    problem(api.post(f"{path}/close"), 401, "unauthenticated")
    s = staff(api)
    r = s.post(f"{path}/answer", {"note": ""})
    problem(r, 422, "validation-failed")
    assert codes(r) == [("/note", "too_short")]
    r = s.post(f"{path}/answer", {"reason": "x"})
    assert codes(problem(r, 422, "validation-failed") and r) == [("/reason", "unknown_field")]
    r = s.post(f"{path}/answer", {"note": "n" * 2001})
    assert codes(problem(r, 422, "validation-failed") and r) == [("/note", "too_long")]
    r = s.post(f"{path}/close", {"note": "x"})
    assert codes(problem(r, 422, "validation-failed") and r) == [("/note", "unknown_field")]
    problem(s.post(f"{REQ}/{uuid.uuid4()}/answer"), 404, "not-found")
    problem(s.post(f"{REQ}/nao-e-uuid/close"), 404, "not-found")
    assert request_row(db, c["id"])[0] == "open"
    assert audit(db, c["id"]) == [("create", None, "open", None)]
    assert ok(s.get(path)) == {**c, "allowed_actions": ["answer", "close"]}


# --- what a request tells ------------------------------------------------------------------

def changes(client):
    """Every event of the change feed the client may see."""
    events, after = [], None
    while True:
        body = ok(client.get("/v1/changes" + (f"?after={after}" if after else "")))
        if not body["items"]:
            return events
        events += body["items"]
        after = body["next_cursor"]


def test_the_change_feed_tells_staff_everything_and_a_registrar_its_own(api, db):
    rid, other = make_registrar(db), make_registrar(db)
    mine = ok(as_registrar(api, rid).post(REQ, request_body(name=..., email=...)), 201)
    public = ok(api.post(REQ, request_body()), 201)
    s = staff(api)
    ok(s.post(f"{REQ}/{mine['id']}/answer"))
    ok(s.post(f"{REQ}/{public['id']}/close"))
    m = create_mailbox(api)
    ok(patch_mailbox(api, m["topic"], {"position": 7}))
    everything = [(e["type"], e["resource_id"], e["registrar_id"]) for e in changes(s)]
    for event in [("contact_request.created", mine["id"], rid), ("contact_request.answered", mine["id"], rid),
                  ("contact_request.created", public["id"], None), ("contact_request.closed", public["id"], None),
                  ("contact_mailbox.created", m["topic"], None), ("contact_mailbox.updated", m["topic"], None)]:
        assert event in everything, event
    seen = [(e["type"], e["resource_id"]) for e in changes(as_registrar(api, rid))
            if e["resource_type"] == "contact_request"]
    assert seen == [("contact_request.created", mine["id"]), ("contact_request.answered", mine["id"])]
    assert [e for e in changes(as_registrar(api, other)) if e["resource_type"].startswith("contact_")] == []


# --- the public limit -----------------------------------------------------------------------

def test_public_requests_are_rate_limited_per_address_and_email(template_db):
    name = clone_database(template_db)
    env = {"PARCERIA_PUBLIC_RATE_LIMIT": "3", "PARCERIA_TRUSTED_PROXIES": "127.0.0.1"}
    srv = Server(name, env_extra=env, name="contacts-limit").start()
    try:
        with psycopg.connect(_db_url(name, "postgres"), autocommit=True) as db:
            c = Client(srv.base)

            def post(address, email):
                return c.post(REQ, request_body(email=email), headers={"X-Forwarded-For": address})

            by_address = [post("198.51.100.7", f"p{i}@exemplo.pt") for i in range(4)]
            assert [r.status_code for r in by_address] == [201, 201, 201, 429]
            over = problem(by_address[3], 429, "rate-limited") and by_address[3]
            assert over.headers["RateLimit-Policy"] == '"public";q=3;w=3600'
            assert int(over.headers["Retry-After"]) > 0 and "RateLimit" in over.headers
            by_email = [post(f"198.51.100.{20 + i}", "mesma@exemplo.pt") for i in range(4)]
            assert [r.status_code for r in by_email] == [201, 201, 201, 429]
            # the refused ones stored and queued nothing
            assert count_requests(db) == 6
            assert db.execute("SELECT count(*) FROM outbox WHERE channel = 'email'").fetchone()[0] == 6
            # a registrar's requests are its client's business, and staff are exempt
            rid = make_registrar(db)
            reg = c.with_token(registrar_token(rid))
            assert [reg.post(REQ, request_body(name=..., email=...),
                             headers={"X-Forwarded-For": "198.51.100.7"}).status_code for _ in range(2)] == [201, 201]
            assert c.with_token(mint("staff")).post(REQ, request_body(email="mesma@exemplo.pt"),
                                                    headers={"X-Forwarded-For": "198.51.100.7"}).status_code == 201
    finally:
        assert srv.stop() == 0
        drop_database(name)


# --- routing end to end through the test SMTP server ---------------------------------------

@pytest.mark.parametrize("topic, mailbox", SEEDED)
def test_each_topic_reaches_its_mailbox_with_the_requester_as_reply_to(api, db, sink, worker, topic, mailbox):
    tag = uuid.uuid4().hex[:8]
    body = request_body(topic, subject=f"Pedido {tag} — ação", message=f"Linha 1 {tag}\nLinha 2: ç, ã, €")
    c = ok(api.post(REQ, body), 201)
    msgs = sink.wait(lambda all_: [m for m in all_ if tag in m.subject])
    [m] = [m for m in msgs if tag in m.subject]
    assert m.rcpt_tos == [mailbox] and m.to == mailbox
    assert m.msg["Reply-To"].addresses[0].addr_spec == body["email"]
    assert body["subject"] in m.subject and " / " in m.subject
    text = m.text
    assert body["message"] in text and body["name"] in text and c["id"] in text
    assert "{{" not in text and "-- English" in text
    assert sink.to(body["email"]) == []  # never an email to the requester
    wait_rows(db, lambda rows: rows and rows[0]["status"] == "sent", resource_id=c["id"])


def test_a_registrars_request_and_a_moved_mailbox(api, db, sink, worker):
    rid = make_registrar(db, trade_name="Webtuga Alojamento")
    m = create_mailbox(api, email=f"antes-{uuid.uuid4().hex[:6]}@dns.pt")
    ok(patch_mailbox(api, m["topic"], {"email": (after := f"depois-{uuid.uuid4().hex[:6]}@dns.pt")}))
    c = ok(as_registrar(api, rid).post(REQ, request_body(m["topic"], name=..., email=...)), 201)
    [msg] = sink.wait_for(after)
    assert sink.to(m["email"]) == []
    assert msg.msg["Reply-To"].addresses[0].addr_spec == ADMIN_EMAIL
    assert "Webtuga Alojamento" in msg.text and ADMIN_NAME in msg.text and c["id"] in msg.text


def test_a_reply_to_that_would_break_a_header_is_never_sent(api, db, sink, worker):
    """Data no validation would let through, as if the database held it: the
    worker refuses the message (failed, never retried) instead of sending it."""
    to = f"caixa-{uuid.uuid4().hex[:8]}@dns.pt"
    vars_ = {"topic": "3em1", "mailbox": "Programa 3em1", "request_id": str(uuid.uuid4()), "name": "X",
             "email": "x@exemplo.pt", "subject": "Assunto", "message": "Texto", "registrar": "",
             "reply_to": "x@exemplo.pt\r\nBcc: vitima@exemplo.pt"}
    bad = db.execute(
        "INSERT INTO outbox (event_id, event, channel, recipient, resource_type, resource_id, payload)"
        " VALUES (gen_random_uuid(), 'contact_request.created', 'email', %s, 'contact_request',"
        " gen_random_uuid()::text, jsonb_build_object('template', 'contact-request', 'lang', 'pt',"
        " 'vars', %s::jsonb)) RETURNING id", (to, json.dumps(vars_))).fetchone()[0]
    rows = wait_rows(db, lambda rows: rows and rows[0]["status"] != "pending", id=bad)
    assert rows[0]["status"] == "failed" and "header" in rows[0]["last_error"], rows
    assert sink.to(to) == [] and all(b"vitima" not in m.raw for m in sink.all())
