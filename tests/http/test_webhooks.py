"""Signed webhooks (issue 14, item 3): subscriptions and who sees them, a
secret shown once and kept sealed, rotation, the fan-out of events to the
subscriptions that take them, the refusal of private targets (on creation,
and after DNS at each delivery), and, with the real worker, deliveries to a
receiver in this process that verifies each signature with Python's own
hmac, a 410 that disables, the delivery log and redelivery."""
import base64
import hashlib
import hmac
import http.server
import json
import os
import subprocess
import threading
import time
import uuid

import jsonschema
import psycopg
import pytest

import openapi_check
from conftest import BIN, Server, _db_url, clone_database, drop_database
from identity import make_registrar, mint, registrar_token

PROBLEMS = "https://parceria.dns.pt/problems/"
ENVELOPE = {"$ref": "#/components/schemas/WebhookEnvelope"}
TOLERANCE_S = 300


def staff(api):
    return api.with_token(mint("staff"))


def codes(r):
    return sorted((e["pointer"], e["code"]) for e in r.json()["errors"])


def count(db, table):
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def create(client, **body):
    body.setdefault("url", "https://hooks.example.pt/in")
    r = client.post("/v1/webhooks", body)
    assert r.status_code == 201, r.text
    return r.json()


# --- the resource --------------------------------------------------------------


def test_staff_create_read_list_edit_delete(api, db):
    s = staff(api)
    before = count(db, "webhooks")
    w = create(s, url="https://hooks.example.pt/parceria?x=1", events=["voucher.redeemed"],
               description="SIGA")
    assert w["registrar_id"] is None and w["status"] == "active" and w["events"] == ["voucher.redeemed"]
    assert w["secret"].startswith("whsec_") and len(base64.b64decode(w["secret"][6:])) == 32
    assert [x["hint"] for x in w["secrets"]] == [w["secret"][:10]]
    assert count(db, "webhooks") == before + 1
    # the secret is shown once: never read back, and not kept in the clear
    got = s.get(f"/v1/webhooks/{w['id']}")
    assert got.status_code == 200 and "secret" not in got.json() and got.headers["ETag"] == '"1"'
    listed = s.get("/v1/webhooks").json()["items"]
    assert any(i["id"] == w["id"] for i in listed) and all("secret" not in i for i in listed)
    sealed = db.execute("SELECT sealed FROM webhook_secrets WHERE webhook_id = %s",
                        (w["id"],)).fetchone()[0]
    raw = base64.b64decode(w["secret"][6:])
    assert raw not in bytes(sealed) and w["secret"].encode() not in bytes(sealed)
    # edit under If-Match
    assert s.patch(f"/v1/webhooks/{w['id']}", {"events": []}).status_code == 428
    r = s.patch(f"/v1/webhooks/{w['id']}", {"events": [], "description": None},
                headers={"If-Match": '"1"'})
    assert r.status_code == 200, r.text
    assert r.json()["events"] == [] and r.json()["description"] is None
    assert s.patch(f"/v1/webhooks/{w['id']}", {"events": []},
                   headers={"If-Match": '"1"'}).status_code == 412
    r = s.patch(f"/v1/webhooks/{w['id']}", {"status": "disabled"}, headers={"If-Match": '"2"'})
    assert r.json()["status"] == "disabled" and r.json()["disabled_reason"] == "disabled on request"
    assert [i["id"] for i in s.get("/v1/webhooks", params={"status": "disabled"}).json()["items"]] \
        .count(w["id"]) == 1
    r = s.patch(f"/v1/webhooks/{w['id']}", {"status": "active"}, headers={"If-Match": '"3"'})
    assert r.json()["status"] == "active" and r.json()["disabled_reason"] is None
    # the audit log has it, with the url hashed
    actions = [a for (a,) in db.execute(
        "SELECT action FROM audit_events WHERE resource_type = 'webhook' AND resource_id = %s"
        " ORDER BY seq", (w["id"],))]
    assert actions == ["create", "edit", "edit", "edit"]
    assert s.delete(f"/v1/webhooks/{w['id']}").status_code == 204
    assert s.get(f"/v1/webhooks/{w['id']}").status_code == 404
    assert s.delete(f"/v1/webhooks/{w['id']}").status_code == 404
    assert count(db, "webhooks") == before
    assert db.execute("SELECT count(*) FROM webhook_secrets WHERE webhook_id = %s",
                      (w["id"],)).fetchone()[0] == 0


def test_registrar_manages_its_own_only(api, db):
    a, b = make_registrar(db), make_registrar(db)
    ra, rb = api.with_token(registrar_token(a)), api.with_token(registrar_token(b))
    wa = create(ra, url="https://hooks.a.example.pt/in")
    assert wa["registrar_id"] == a
    ws = create(staff(api))
    wb = create(staff(api), registrar_id=b)  # staff may create one for a registrar
    assert wb["registrar_id"] == b
    assert [i["id"] for i in ra.get("/v1/webhooks").json()["items"]] == [wa["id"]]
    assert ra.get("/v1/webhooks", params={"registrar_id": b}).status_code == 403
    ids = {i["id"] for i in staff(api).get("/v1/webhooks", params={"registrar_id": b}).json()["items"]}
    assert ids == {wb["id"]}
    for other in (wb["id"], ws["id"]):  # another registrar's and staff's: absent
        assert ra.get(f"/v1/webhooks/{other}").status_code == 404
        assert ra.patch(f"/v1/webhooks/{other}", {"events": []},
                        headers={"If-Match": '"1"'}).status_code == 404
        assert ra.delete(f"/v1/webhooks/{other}").status_code == 404
        assert ra.post(f"/v1/webhooks/{other}/secrets").status_code == 404
        sid = staff(api).get(f"/v1/webhooks/{other}").json()["secrets"][0]["id"]
        assert ra.delete(f"/v1/webhooks/{other}/secrets/{sid}").status_code == 404
        assert ra.get(f"/v1/webhooks/{other}/deliveries").status_code == 404
    assert rb.get(f"/v1/webhooks/{wb['id']}").status_code == 200
    # a registrar may not name an owner
    r = ra.post("/v1/webhooks", {"url": "https://x.example.pt/in", "registrar_id": b})
    assert r.status_code == 422 and codes(r) == [("/registrar_id", "not_writable")]
    assert rb.delete(f"/v1/webhooks/{wb['id']}").status_code == 204


@pytest.mark.parametrize("role", ["applicant", "teacher"])
def test_other_roles_are_refused(api, role):
    c = api.with_token(mint(role, application_id=str(uuid.uuid4()), entry_id=str(uuid.uuid4())))
    assert c.get("/v1/webhooks").status_code in (401, 403)
    assert c.post("/v1/webhooks", {"url": "https://x.example.pt/"}).status_code in (401, 403)


BAD = [
    ({"url": "http://127.0.0.1/in"}, [("/url", "url")]),
    ({"url": "http://hooks.example.pt/in"}, [("/url", "url")]),
    ({"url": "https://127.0.0.1/in"}, [("/url", "address_refused")]),
    ({"url": "https://10.0.0.1/in"}, [("/url", "address_refused")]),
    ({"url": "https://169.254.169.254/latest"}, [("/url", "address_refused")]),
    ({"url": "https://[::1]:8443/in"}, [("/url", "address_refused")]),
    ({"url": "https://[::ffff:10.0.0.1]/in"}, [("/url", "address_refused")]),
    ({"url": "https://100.64.0.1/in"}, [("/url", "address_refused")]),
    ({"url": "https://2130706433/in"}, [("/url", "url")]),
    ({"url": "https://user:pw@hooks.example.pt/"}, [("/url", "url")]),
    ({"url": "ftp://hooks.example.pt/"}, [("/url", "url")]),
    ({"url": "https://hooks.example.pt/", "events": ["voucher.eaten"]}, [("/events/0", "event_type")]),
    ({"url": "https://hooks.example.pt/", "events": "voucher.redeemed"}, [("/events", "type")]),
    ({"url": "https://hooks.example.pt/", "registrar_id": str(uuid.uuid4())},
     [("/registrar_id", "unknown_registrar")]),
    ({"events": []}, [("/url", "required")]),
    ({"url": "https://hooks.example.pt/", "secret": "whsec_x"}, [("/secret", "unknown_field")]),
]


@pytest.mark.parametrize("body,errors", BAD)
def test_bad_subscriptions_are_refused(api, db, body, errors):
    before = count(db, "webhooks")
    r = staff(api).post("/v1/webhooks", body)
    assert r.status_code == 422, r.text
    assert codes(r) == sorted(errors)
    assert count(db, "webhooks") == before


def test_a_private_url_is_refused_on_edit_too(api):
    w = create(staff(api))
    r = staff(api).patch(f"/v1/webhooks/{w['id']}", {"url": "https://192.168.1.10/in"},
                         headers={"If-Match": '"1"'})
    assert r.status_code == 422 and codes(r) == [("/url", "address_refused")]


def test_secrets_are_added_once_shown_and_one_always_remains(api, db):
    r_id = make_registrar(db)
    c = api.with_token(registrar_token(r_id))
    w = create(c)
    first = w["secrets"][0]["id"]
    r = c.post(f"/v1/webhooks/{w['id']}/secrets")
    assert r.status_code == 201, r.text
    new = r.json()
    assert new["secret"].startswith("whsec_") and new["secret"] != w["secret"]
    live = c.get(f"/v1/webhooks/{w['id']}").json()["secrets"]
    assert [x["id"] for x in live] == [first, new["id"]]
    assert c.post(f"/v1/webhooks/{w['id']}/secrets", {"x": 1}).status_code == 422
    for _ in range(3):
        assert c.post(f"/v1/webhooks/{w['id']}/secrets", {}).status_code == 201
    r = c.post(f"/v1/webhooks/{w['id']}/secrets")
    assert r.status_code == 409 and r.json()["type"] == PROBLEMS + "limit-reached"
    assert c.delete(f"/v1/webhooks/{w['id']}/secrets/{first}").status_code == 204
    assert c.delete(f"/v1/webhooks/{w['id']}/secrets/{first}").status_code == 404  # gone already
    assert c.delete(f"/v1/webhooks/{w['id']}/secrets/{uuid.uuid4()}").status_code == 404
    assert c.delete(f"/v1/webhooks/{w['id']}/secrets/not-a-uuid").status_code == 404
    live = [x["id"] for x in c.get(f"/v1/webhooks/{w['id']}").json()["secrets"]]
    for sid in live[:-1]:
        assert c.delete(f"/v1/webhooks/{w['id']}/secrets/{sid}").status_code == 204
    r = c.delete(f"/v1/webhooks/{w['id']}/secrets/{live[-1]}")
    assert r.status_code == 409 and r.json()["type"] == PROBLEMS + "limit-reached"
    assert len(c.get(f"/v1/webhooks/{w['id']}").json()["secrets"]) == 1
    # revoked secrets are kept, marked, never reused
    assert db.execute("SELECT count(*) FROM webhook_secrets WHERE webhook_id = %s AND revoked_at"
                      " IS NOT NULL", (w["id"],)).fetchone()[0] == 4


# --- the fan-out ------------------------------------------------------------------


def edit_registrar(api, rid, name):
    s = staff(api)
    etag = s.get(f"/v1/registrars/{rid}").headers["ETag"]
    r = s.patch(f"/v1/registrars/{rid}", {"trade_name": name}, headers={"If-Match": etag})
    assert r.status_code == 200, r.text


def queued(db, webhook_id):
    return db.execute("SELECT message_id::text, event, payload, registrar_id::text FROM outbox"
                      " WHERE channel = 'webhook' AND recipient = %s ORDER BY id",
                      (webhook_id,)).fetchall()


def test_events_reach_the_subscriptions_that_take_them(api, db):
    a, b = make_registrar(db), make_registrar(db)
    wa = create(api.with_token(registrar_token(a)))
    wb = create(api.with_token(registrar_token(b)))
    every = create(staff(api))
    only_suspended = create(staff(api), events=["registrar.suspended"])
    off = create(staff(api))
    staff(api).patch(f"/v1/webhooks/{off['id']}", {"status": "disabled"}, headers={"If-Match": '"1"'})

    edit_registrar(api, a, "Alfa Domains")  # registrar.updated, about a
    r = staff(api).post(f"/v1/registrars/{b}/suspend", {"reason": "unpaid fees"})
    assert r.status_code == 200, r.text  # registrar.suspended, about b

    got_a, got_b = queued(db, wa["id"]), queued(db, wb["id"])
    assert [e for _, e, _, _ in got_a] == ["registrar.updated"]
    assert [e for _, e, _, _ in got_b] == ["registrar.suspended"]
    assert [e for _, e, _, _ in queued(db, every["id"])] == ["registrar.updated", "registrar.suspended"]
    assert [e for _, e, _, _ in queued(db, only_suspended["id"])] == ["registrar.suspended"]
    assert queued(db, off["id"]) == []
    # the envelope: the row's own message id, ids only
    message_id, event, payload, concerns = got_b[0]
    assert payload["id"] == message_id and payload["type"] == event and concerns == b
    assert payload["data"] == {"resource_type": "registrar", "resource_id": b, "action": "suspend",
                               "from_status": "accredited", "to_status": "suspended",
                               "registrar_id": b}
    jsonschema.Draft202012Validator(ENVELOPE, resolver=openapi_check.RESOLVER,
                                    format_checker=jsonschema.FormatChecker()).validate(payload)
    assert "unpaid" not in json.dumps(payload)  # no reason, no personal value
    # the delivery log shows them, to the owner only
    log = api.with_token(registrar_token(b)).get(f"/v1/webhooks/{wb['id']}/deliveries").json()
    assert [d["id"] for d in log["items"]] == [message_id]
    assert log["items"][0]["status"] == "pending" and log["items"][0]["payload"] == payload
    assert api.with_token(registrar_token(a)).get(
        f"/v1/webhooks/{wb['id']}/deliveries").status_code == 404
    pending = staff(api).get(f"/v1/webhooks/{every['id']}/deliveries",
                             params={"status": "pending", "limit": 1}).json()
    assert len(pending["items"]) == 1 and pending["next_cursor"]


def test_deleting_a_subscription_fails_its_pending_messages(api, db):
    rid = make_registrar(db)
    w = create(api.with_token(registrar_token(rid)))
    edit_registrar(api, rid, "Beta Domains")
    assert len(queued(db, w["id"])) == 1
    assert staff(api).delete(f"/v1/webhooks/{w['id']}").status_code == 204
    assert db.execute("SELECT status, last_error FROM outbox WHERE recipient = %s",
                      (w["id"],)).fetchone() == ("failed", "the subscription was deleted")


def test_redelivery_puts_a_message_back(api, db):
    rid, other = make_registrar(db), make_registrar(db)
    c = api.with_token(registrar_token(rid))
    w = create(c)
    edit_registrar(api, rid, "Gama Domains")
    (mid, _, _, _), = queued(db, w["id"])
    db.execute("UPDATE outbox SET status = 'failed', attempts = 9, last_error = 'x'"
               " WHERE message_id = %s", (mid,))
    assert api.with_token(registrar_token(other)).post(
        f"/v1/webhook-deliveries/{mid}/redeliver").status_code == 404
    assert c.post(f"/v1/webhook-deliveries/{uuid.uuid4()}/redeliver").status_code == 404
    r = c.post(f"/v1/webhook-deliveries/{mid}/redeliver")
    assert r.status_code == 202, r.text
    assert r.json()["status"] == "pending" and r.json()["attempts"] == 0 and r.json()["id"] == mid
    c.patch(f"/v1/webhooks/{w['id']}", {"status": "disabled"}, headers={"If-Match": '"1"'})
    r = staff(api).post(f"/v1/webhook-deliveries/{mid}/redeliver")
    assert r.status_code == 409 and r.json()["current_status"] == "disabled"


def test_a_bad_allow_private_value_stops_start_up():
    env = {"PATH": os.environ.get("PATH", ""), "PARCERIA_JWT_SECRET": "x" * 40,
           "PARCERIA_WEBHOOK_ALLOW_PRIVATE": "maybe", "PARCERIA_WEBHOOK_KEY": "short"}
    out = subprocess.run([BIN, "serve"], env=env, capture_output=True, text=True, timeout=20)
    assert out.returncode != 0
    assert "PARCERIA_WEBHOOK_ALLOW_PRIVATE" in out.stderr and "PARCERIA_WEBHOOK_KEY" in out.stderr


# --- deliveries, with the worker ------------------------------------------------------


class Receiver:
    """An HTTP receiver in this process: records each request, answers the
    status its path asks for (/410 → 410, /503 → 503, anything else 204)."""

    def __init__(self):
        self.got = []
        self.cond = threading.Condition()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with outer.cond:
                    outer.got.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                    outer.cond.notify_all()
                status = int(self.path[1:4]) if self.path[1:4].isdigit() else 204
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path="/hook"):
        return f"http://127.0.0.1:{self.port}{path}"

    def wait(self, path, n=1, timeout=20):
        """The first n requests to path (waiting for them)."""
        def seen():
            return [g for g in self.got if g[0] == path]
        with self.cond:
            assert self.cond.wait_for(lambda: len(seen()) >= n, timeout), self.got
            return seen()[:n]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class Worker(Server):
    """`parceria worker` with the server's own environment, started at once."""

    def __init__(self, server):
        super().__init__(server.db_name, name=f"worker-{server.port}", command="worker")
        self.env = dict(server.env)
        self.start()

    def stop(self):
        rc = super().stop()
        text = self.log_text()
        assert rc == 0 and "ERROR: AddressSanitizer" not in text and "runtime error:" not in text, text


@pytest.fixture(scope="module")
def private(template_db):
    """A server and a worker that may call this process's receiver (127.0.0.1, http)."""
    name = clone_database(template_db)
    srv = Server(name, env_extra={"PARCERIA_WEBHOOK_ALLOW_PRIVATE": "1",
                                  "PARCERIA_WEBHOOK_KEY": "k" * 40}, name="webhooks-private").start()
    worker = Worker(srv)
    receiver = Receiver()
    with psycopg.connect(_db_url(name, "postgres"), autocommit=True) as conn:
        yield srv, openapi_check.Client(srv.base), conn, receiver
    receiver.close()
    worker.stop()
    assert srv.stop() == 0
    drop_database(name)


def verify(secret, headers, body, now=None):
    """Standard Webhooks, independently: any v1 signature by this secret, and a fresh timestamp."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    ok = any(hmac.compare_digest(s.removeprefix("v1,"), expected)
             for s in headers["webhook-signature"].split() if s.startswith("v1,"))
    fresh = abs((now or time.time()) - int(headers["webhook-timestamp"])) <= TOLERANCE_S
    return ok and fresh


def wait_status(db, message_id, status, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        row = db.execute("SELECT status, last_error FROM outbox WHERE message_id = %s",
                         (message_id,)).fetchone()
        if row and row[0] == status:
            return row
        time.sleep(0.1)
    raise AssertionError(f"{message_id}: {row}")


def test_a_delivery_is_signed_and_verifies_independently(private):
    srv, api, db, rx = private
    rid = make_registrar(db)
    w = create(api.with_token(registrar_token(rid)), url=rx.url("/signed"))
    edit_registrar(api, rid, "Delta Domains")
    _, headers, body = rx.wait("/signed")[0]
    envelope = json.loads(body)
    assert headers["webhook-id"] == envelope["id"] and envelope["type"] == "registrar.updated"
    assert headers["content-type"] == "application/json"
    jsonschema.Draft202012Validator(ENVELOPE, resolver=openapi_check.RESOLVER).validate(envelope)
    assert len(headers["webhook-signature"].split()) == 1
    assert verify(w["secret"], headers, body)
    # a wrong secret fails
    wrong = "whsec_" + base64.b64encode(os.urandom(32)).decode()
    assert not verify(wrong, headers, body)
    # so does a body changed in transit
    assert not verify(w["secret"], headers, body.replace(b"Delta", b"Delte") + b" ")
    # a replayed old message: the signature still matches, the timestamp gives it away
    assert not verify(w["secret"], headers, body, now=int(headers["webhook-timestamp"]) + 3600)
    wait_status(db, envelope["id"], "sent")
    log = api.with_token(registrar_token(rid)).get(f"/v1/webhooks/{w['id']}/deliveries").json()
    assert log["items"][0]["status"] == "sent" and log["items"][0]["attempt_log"][0]["outcome"] == "sent"


def test_rotation_signs_with_both_then_with_the_new_one(private):
    srv, api, db, rx = private
    rid = make_registrar(db)
    c = api.with_token(registrar_token(rid))
    w = create(c, url=rx.url("/rotate"))
    new = c.post(f"/v1/webhooks/{w['id']}/secrets").json()
    edit_registrar(api, rid, "Epsilon Domains")
    _, headers, body = rx.wait("/rotate")[0]
    assert len(headers["webhook-signature"].split()) == 2
    assert verify(w["secret"], headers, body) and verify(new["secret"], headers, body)
    assert c.delete(f"/v1/webhooks/{w['id']}/secrets/{w['secrets'][0]['id']}").status_code == 204
    edit_registrar(api, rid, "Zeta Domains")
    _, headers, body = rx.wait("/rotate", 2)[1]
    assert len(headers["webhook-signature"].split()) == 1
    assert verify(new["secret"], headers, body) and not verify(w["secret"], headers, body)


def test_a_410_disables_the_subscription_and_redelivery_sends_again(private):
    srv, api, db, rx = private
    rid = make_registrar(db)
    c = api.with_token(registrar_token(rid))
    w = create(c, url=rx.url("/410"))
    edit_registrar(api, rid, "Eta Domains")
    (mid, _, _, _), = queued(db, w["id"])
    status, error = wait_status(db, mid, "failed")
    assert "410" in error
    got = c.get(f"/v1/webhooks/{w['id']}").json()
    assert got["status"] == "disabled" and "410" in got["disabled_reason"]
    assert db.execute("SELECT actor_role, to_status FROM audit_events WHERE resource_id = %s"
                      " AND action = 'disable'", (w["id"],)).fetchone() == ("system", "disabled")
    # the receiver is back: enable, point it at a working path, and deliver again
    etag = c.get(f"/v1/webhooks/{w['id']}").headers["ETag"]
    r = c.patch(f"/v1/webhooks/{w['id']}", {"status": "active", "url": rx.url("/back")},
                headers={"If-Match": etag})
    assert r.status_code == 200 and r.json()["disabled_reason"] is None, r.text
    r = c.post(f"/v1/webhook-deliveries/{mid}/redeliver")
    assert r.status_code == 202
    wait_status(db, mid, "sent")
    back = rx.wait("/back")
    assert [h["webhook-id"] for _, h, _ in back] == [mid]  # the same message id again
    assert verify(w["secret"], back[0][1], back[0][2])
    log = c.get(f"/v1/webhooks/{w['id']}/deliveries").json()["items"][0]
    assert [a["outcome"] for a in log["attempt_log"]] == ["failed", "sent"]


def test_a_failing_target_is_retried(private):
    srv, api, db, rx = private
    rid = make_registrar(db)
    w = create(api.with_token(registrar_token(rid)), url=rx.url("/503"))
    edit_registrar(api, rid, "Theta Domains")
    (mid, _, _, _), = queued(db, w["id"])
    deadline = time.time() + 20
    while time.time() < deadline:
        row = db.execute("SELECT status, attempts, next_attempt_at > now(), last_error FROM outbox"
                         " WHERE message_id = %s", (mid,)).fetchone()
        if row[1] >= 1 and row[3]:
            break
        time.sleep(0.1)
    assert row[0] == "pending" and row[1] == 1 and row[2] and "503" in row[3], row


@pytest.fixture(scope="module")
def strict_worker(server):
    """The module's server (no PARCERIA_WEBHOOK_ALLOW_PRIVATE) with a worker."""
    worker = Worker(server)
    yield
    worker.stop()


def test_a_name_that_resolves_to_loopback_is_refused_at_delivery(api, db, strict_worker):
    rx = Receiver()
    try:
        rid = make_registrar(db)
        w = create(api.with_token(registrar_token(rid)), url=f"https://localhost:{rx.port}/in")
        edit_registrar(api, rid, "Iota Domains")
        (mid, _, _, _), = queued(db, w["id"])
        status, error = wait_status(db, mid, "failed")
        assert error.startswith("refused: localhost resolves to") and "loopback" in error, error
        assert rx.got == []  # nothing reached it
    finally:
        rx.close()
