"""Accountability: the audit log (append-only, filtered, paginated),
idempotency keys (replay, reuse, concurrent twins) and rate limits."""
import threading
import uuid

import psycopg
import pytest

import conftest
from conftest import Server, clone_database, drop_database
from identity import make_registrar, mint, registrar_token
from openapi_check import Client

PROBLEMS = "https://parceria.dns.pt/problems/"


def test_each_change_is_audited_with_actor_and_request_id(api):
    sub = "auditor-" + uuid.uuid4().hex[:6]
    a = api.with_token(mint("admin", sub=sub))
    r = a.post("/v1/clients", {"name": "Audited", "role": "staff"},
               headers={"X-Request-Id": "audit-req-1"})
    cid = r.json()["client_id"]
    assert a.delete(f"/v1/clients/{cid}", headers={"X-Request-Id": "audit-req-2"}).status_code == 204
    s = api.with_token(mint("staff"))
    page = s.get("/v1/audit-events", params={"resource_id": cid, "sort": "created_at"}).json()
    events = [(e["action"], e["from_status"], e["to_status"], e["request_id"]) for e in page["items"]]
    assert events == [("create", None, "active", "audit-req-1"),
                      ("revoke", "active", "revoked", "audit-req-2")]
    assert page["items"][0]["actor"] == {"sub": sub, "role": "admin", "registrar_id": None}
    assert page["items"][0]["changes"]["name"] == "Audited"
    by_actor = s.get("/v1/audit-events", params={"actor": sub, "resource_type": "api_client",
                                                 "include_total": "true"}).json()
    assert by_actor["total"] == 2


def test_registrar_actions_carry_the_registrar(api, db):
    rid = make_registrar(db)
    made = api.with_token(registrar_token(rid)).post(f"/v1/registrars/{rid}/clients", {"name": "x"})
    assert made.status_code == 201, made.text
    items = api.with_token(mint("staff")).get(
        "/v1/audit-events", params={"resource_id": made.json()["client_id"]}).json()["items"]
    assert len(items) == 1, items
    assert items[0]["action"] == "create"
    assert items[0]["actor"]["registrar_id"] == rid and items[0]["actor"]["role"] == "registrar"


def test_audit_log_pagination_and_filters(api):
    sub = "pager-" + uuid.uuid4().hex[:6]
    a = api.with_token(mint("admin", sub=sub))
    made = [a.post("/v1/clients", {"name": f"page{i}", "role": "staff"}).json()["client_id"]
            for i in range(3)]
    s = api.with_token(mint("staff"))
    first = s.get("/v1/audit-events", params={"actor": sub, "limit": "2"}).json()
    second = s.get("/v1/audit-events", params={"actor": sub, "limit": "2",
                                               "cursor": first["next_cursor"]}).json()
    assert second["next_cursor"] is None
    seen = [e["resource_id"] for e in first["items"] + second["items"]]
    assert seen == list(reversed(made))
    assert s.get("/v1/audit-events", params={"since": "2999-01-01T00:00:00Z"}).json()["items"] == []
    assert s.get("/v1/audit-events", params={"since": "soon"}).status_code == 400


@pytest.mark.parametrize("role", ["registrar", "applicant"])
def test_audit_log_is_staff_only(api, role):
    claims = {"registrar": {"registrar_id": str(uuid.uuid4())},
              "applicant": {"application_id": str(uuid.uuid4())},
              "teacher": {"entry_id": str(uuid.uuid4())}}[role]
    assert api.with_token(mint(role, **claims)).get("/v1/audit-events").status_code == 403
    assert api.get("/v1/audit-events").status_code == 401


def test_audit_log_is_append_only_for_the_service_role(api, server):
    api.with_token(mint("admin")).post("/v1/clients", {"name": "keep", "role": "staff"})
    with psycopg.connect(conftest._db_url(server.db_name, "parceria"), autocommit=True) as c:
        for sql in ("UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events",
                    "TRUNCATE audit_events"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                c.execute(sql)
    with psycopg.connect(conftest._db_url(server.db_name, "postgres"), autocommit=True) as c:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute("DELETE FROM audit_events")  # even a superuser meets the trigger
        assert c.execute("SELECT count(*) FROM audit_events").fetchone()[0] > 0


def test_idempotency_key_replays_the_first_answer(api, db):
    a = api.with_token(mint("admin"))
    key = "create-" + uuid.uuid4().hex
    first = a.post("/v1/clients", {"name": "Once", "role": "staff"}, headers={"Idempotency-Key": key})
    again = a.post("/v1/clients", {"name": "Once", "role": "staff"}, headers={"Idempotency-Key": key})
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert again.json() == first.json()
    assert db.execute("SELECT count(*) FROM api_clients WHERE name = 'Once'").fetchone()[0] == 1
    stored = db.execute("SELECT response FROM idempotency_keys").fetchall()
    secret = first.json()["client_secret"].encode()
    assert all(secret not in bytes(r[0] or b"") for r in stored), "stored answers are encrypted"


def test_idempotency_key_with_another_body_is_422(api, db):
    a = api.with_token(mint("admin"))
    key = uuid.uuid4().hex
    a.post("/v1/clients", {"name": "First", "role": "staff"}, headers={"Idempotency-Key": key})
    r = a.post("/v1/clients", {"name": "Second", "role": "staff"}, headers={"Idempotency-Key": key})
    assert r.status_code == 422 and r.json()["type"] == PROBLEMS + "idempotency-key-reused"
    assert db.execute("SELECT count(*) FROM api_clients WHERE name = 'Second'").fetchone()[0] == 0


def test_idempotency_keys_are_scoped_to_the_caller(api, db):
    key = uuid.uuid4().hex
    for sub in ("one-" + key[:6], "two-" + key[:6]):
        r = api.with_token(mint("admin", sub=sub)).post("/v1/clients", {"name": "Scoped", "role": "staff"},
                                                         headers={"Idempotency-Key": key})
        assert r.status_code == 201 and "Idempotent-Replayed" not in r.headers
    assert db.execute("SELECT count(*) FROM api_clients WHERE name = 'Scoped'").fetchone()[0] == 2


def test_a_4xx_answer_is_replayed_too(api):
    a = api.with_token(mint("admin"))
    key = uuid.uuid4().hex
    first = a.post("/v1/clients", {"name": "", "role": "staff"}, headers={"Idempotency-Key": key})
    again = a.post("/v1/clients", {"name": "", "role": "staff"}, headers={"Idempotency-Key": key})
    assert first.status_code == again.status_code == 422
    assert again.headers["Idempotent-Replayed"] == "true"


@pytest.mark.parametrize("key", ["", "x" * 256, "has space", "tab\there", "ção"])
def test_malformed_idempotency_keys_are_400(api, db, key):
    before = db.execute("SELECT count(*) FROM api_clients").fetchone()[0]
    r = api.with_token(mint("admin")).request(
        "POST", "/v1/clients", data='{"name":"k","role":"staff"}'.encode(),
        headers={"Idempotency-Key": key.encode("utf-8"), "Content-Type": "application/json"})
    assert r.status_code == 400, r.text
    assert db.execute("SELECT count(*) FROM api_clients").fetchone()[0] == before


def test_concurrent_twins_have_one_effect(api, db):
    a = api.with_token(mint("admin"))
    key = uuid.uuid4().hex
    name = "Twin " + key[:6]
    answers = []

    def post():
        answers.append(a.post("/v1/clients", {"name": name, "role": "staff"},
                              headers={"Idempotency-Key": key}))

    threads = [threading.Thread(target=post) for _ in range(6)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert [r.status_code for r in answers] == [201] * 6
    assert len({r.json()["client_id"] for r in answers}) == 1
    assert sum(1 for r in answers if r.headers.get("Idempotent-Replayed") == "true") == 5
    assert db.execute("SELECT count(*) FROM api_clients WHERE name = %s", (name,)).fetchone()[0] == 1


def test_per_client_rate_limit(template_db):
    name = clone_database(template_db)
    srv = Server(name, env_extra={"PARCERIA_CLIENT_RATE_LIMIT": "3"}, name="ratelimit").start()
    try:
        c = Client(srv.base, mint("staff", sub="busy-" + uuid.uuid4().hex[:6]))
        answers = [c.get("/v1/me") for _ in range(4)]
        assert [r.status_code for r in answers] == [200, 200, 200, 429]
        assert answers[0].headers["RateLimit-Policy"] == '"client";q=3;w=60'
        assert answers[2].headers["RateLimit"].startswith('"client";r=0;')
        last = answers[3]
        assert last.json()["type"] == PROBLEMS + "rate-limited" and int(last.headers["Retry-After"]) >= 1
        other = Client(srv.base, mint("staff", sub="calm-" + uuid.uuid4().hex[:6]))
        assert other.get("/v1/me").status_code == 200
    finally:
        assert srv.stop() == 0
        drop_database(name)
