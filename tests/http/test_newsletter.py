"""The newsletter (issue 15, B): subscriptions with double opt-in end to end
through the test SMTP server (a worker process sends the outbox), the
no-enumeration answer, one confirmation an hour, single-use and expiring
tokens, unsubscribe by JSON and by RFC 8058's one-click form, issues with
their publish mail (List-Unsubscribe headers), and suggestions' triage.
Every refusal is checked to change nothing."""
import re
import uuid
from urllib.parse import parse_qs, urlparse

import psycopg
import pytest

from accreditation import ok
from conftest import Server, _db_url, clone_database, drop_database
from openapi_check import SECRETS, Client
from race import race, two_servers
from identity import make_registrar
from mailsink import outbox
from programs import as_registrar, codes, problem, staff

SUBS = "/v1/newsletter/subscriptions"
CONFIRM = "/v1/newsletter/subscriptions/confirm"
UNSUB = "/v1/newsletter/unsubscribe"
ISSUES = "/v1/newsletter/issues"
SUGG = "/v1/newsletter/suggestions"
PUBLIC_URL = "https://parceria.exemplo.pt"


WORKER_ENV = {"PARCERIA_PUBLIC_URL": PUBLIC_URL}


def address(tag="leitor"):
    return f"{tag}-{uuid.uuid4().hex[:10]}@exemplo.pt"


def subscribe(api, email, version="2027-01", source="site"):
    body = {"email": email, "consent_text_version": version}
    if source is not None:
        body["source"] = source
    return api.post(SUBS, body)


def token_in(mail, path):
    """The token of the link to path in the email's text."""
    m = re.search(re.escape(PUBLIC_URL + path) + r"\?token=([A-Za-z0-9_-]{43})", mail.text)
    assert m, mail.text
    SECRETS.add(m.group(1))  # the session fails if a log ever shows it
    return m.group(1)


def sub_row(db, email):
    return db.execute("SELECT id, status, consent_text_version, source, unsubscribe_token FROM"
                      " newsletter_subscriptions WHERE lower(email) = lower(%s)", (email,)).fetchone()


def consents(db, email):
    return db.execute("SELECT c.event, c.consent_text_version, c.source, c.client_hash FROM newsletter_consents c"
                      " JOIN newsletter_subscriptions s ON s.id = c.subscription_id WHERE lower(s.email) = lower(%s)"
                      " ORDER BY c.id", (email,)).fetchall()


def confirmed(api, db, sink, email, source="site"):
    """Subscribes and confirms email; returns its unsubscribe token."""
    assert subscribe(api, email, source=source).status_code == 202
    t = token_in(sink.wait_for(email)[-1], "/newsletter/confirmar")
    assert ok(api.post(CONFIRM, {"token": t})) == {"status": "confirmed"}
    SECRETS.add(sub_row(db, email)[4])
    return sub_row(db, email)[4]


# --- subscriptions ---------------------------------------------------------------------------

def test_double_opt_in_end_to_end(api, db, sink, worker):
    email = address()
    r = subscribe(api, email, source="encontro-2026")
    assert r.status_code == 202, r.text
    first_body = r.json()
    mail = sink.wait_for(email)[0]
    assert mail.rcpt_tos == [email]
    assert "Confirme" in mail.subject and "Confirm" in mail.subject
    token = token_in(mail, "/newsletter/confirmar")
    # the database keeps only the token's SHA-256
    assert db.execute("SELECT count(*) FROM newsletter_tokens WHERE hash = encode(sha256(%s::bytea), 'hex')",
                      (token.encode(),)).fetchone()[0] == 1
    assert db.execute("SELECT count(*) FROM newsletter_tokens WHERE hash = %s", (token,)).fetchone()[0] == 0
    assert sub_row(db, email)[1] == "pending"
    # confirm once
    assert ok(api.post(CONFIRM, {"token": token})) == {"status": "confirmed"}
    row = sub_row(db, email)
    assert row[1:4] == ("confirmed", "2027-01", "encontro-2026") and row[4]
    # a second confirm with the same token: the one answer of an unknown token
    again = problem(api.post(CONFIRM, {"token": token}), 404, "not-found")
    unknown = problem(api.post(CONFIRM, {"token": "A" * 43}), 404, "not-found")
    assert again["detail"] == unknown["detail"]
    # consent records: the request and the confirmation, the address only as a keyed hash
    c = consents(db, email)
    assert [x[0] for x in c] == ["subscribe", "confirm"]
    assert c[0][1:3] == ("2027-01", "encontro-2026")
    assert all(x[3].startswith("hmac-sha256:") and "127.0.0.1" not in x[3] for x in c)
    # a confirmed address: the same 202 body, no mail, nothing changes
    before = (sub_row(db, email), len(consents(db, email)), len(outbox(db)))
    r = subscribe(api, email)
    assert r.status_code == 202 and r.json() == first_body
    assert (sub_row(db, email), len(consents(db, email)), len(outbox(db))) == before
    # the subscribers list (staff), JSON and CSV
    s = staff(api)
    items = ok(s.get("/v1/newsletter/subscribers?limit=200"))["items"]
    mine = [i for i in items if i["email"] == email]
    assert mine and mine[0]["consent_text_version"] == "2027-01" and mine[0]["source"] == "encontro-2026"
    csv = s.get("/v1/newsletter/subscribers", headers={"Accept": "text/csv"})
    assert csv.status_code == 200 and email in csv.text
    problem(api.get("/v1/newsletter/subscribers"), 401, "unauthenticated")
    problem(as_registrar(api, make_registrar(db)).get("/v1/newsletter/subscribers"), 403, "forbidden")
    # the outbox list never shows the token
    page = ok(s.get("/v1/outbox?event=newsletter_subscription.requested&limit=200"))
    assert page["items"] and token not in str(page)


def test_one_confirmation_an_hour_and_same_answer(api, db, sink, worker):
    email = address("duas-vezes")
    r1, r2 = subscribe(api, email), subscribe(api, email.upper())
    assert r1.status_code == r2.status_code == 202 and r1.json() == r2.json()
    sink.wait_for(email)
    assert len(outbox(db, event="newsletter_subscription.requested", recipient=email)) == 1
    # both requests are in the consent record
    assert [x[0] for x in consents(db, email)] == ["subscribe", "subscribe"]
    # an hour later, another request sends another mail
    db.execute("UPDATE newsletter_subscriptions SET last_mail_at = now() - interval '61 minutes'"
               " WHERE lower(email) = lower(%s)", (email,))
    assert subscribe(api, email).status_code == 202
    msgs = sink.wait_for(email, 2)
    assert len(msgs) == 2
    # the two tokens differ; the newer confirms
    assert token_in(msgs[0], "/newsletter/confirmar") != token_in(msgs[1], "/newsletter/confirmar")


def test_expired_token_fails(api, db, sink, worker):
    email = address("expirado")
    assert subscribe(api, email).status_code == 202
    token = token_in(sink.wait_for(email)[0], "/newsletter/confirmar")
    db.execute("UPDATE newsletter_tokens SET expires_at = now() - interval '1 second'"
               " WHERE hash = encode(sha256(%s::bytea), 'hex')", (token.encode(),))
    problem(api.post(CONFIRM, {"token": token}), 404, "not-found")
    assert sub_row(db, email)[1] == "pending"


def test_subscribe_bad_input_changes_nothing(api, db):
    n = db.execute("SELECT count(*) FROM newsletter_subscriptions").fetchone()[0]
    r = api.post(SUBS, {"email": "nao-e-email", "consent_text_version": ""})
    problem(r, 422, "validation-failed")
    assert codes(r) == [("/consent_text_version", "too_short"), ("/email", "email")]
    r = api.post(SUBS, {"email": address(), "consent_text_version": "1", "papel": "admin"})
    assert codes(problem(r, 422, "validation-failed") and r) == [("/papel", "unknown_field")]
    r = api.post(SUBS, {"email": address(), "consent_text_version": "1", "source": "x" * 101})
    assert codes(r) == [("/source", "too_long")]
    problem(api.request("POST", SUBS, data="email=a@b.pt", headers={"Content-Type": "text/plain"}), 415,
            "unsupported-media-type")
    problem(api.post(CONFIRM, {"token": "curto"}), 422, "validation-failed")
    assert db.execute("SELECT count(*) FROM newsletter_subscriptions").fetchone()[0] == n


def test_unsubscribe_json_and_one_click(api, db, sink, worker):
    a, b = address("sair-json"), address("sair-form")
    ta, tb = confirmed(api, db, sink, a), confirmed(api, db, sink, b)
    assert ok(api.post(UNSUB, {"token": ta})) == {"status": "unsubscribed"}
    assert sub_row(db, a)[1] == "unsubscribed"
    assert ok(api.post(UNSUB, {"token": ta})) == {"status": "unsubscribed"}  # idempotent
    assert [x[0] for x in consents(db, a)][-1] == "unsubscribe" and len(consents(db, a)) == 3
    # RFC 8058 one-click: the form body, the token in the URL
    r = api.request("POST", f"{UNSUB}?token={tb}", data="List-Unsubscribe=One-Click",
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert ok(r) == {"status": "unsubscribed"} and sub_row(db, b)[1] == "unsubscribed"
    # refusals change nothing
    c = confirmed(api, db, sink, address("fica"))
    bad = api.request("POST", f"{UNSUB}?token={c}", data="List-Unsubscribe=Outra",
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    problem(bad, 422, "validation-failed")
    problem(api.request("POST", UNSUB, data="List-Unsubscribe=One-Click",
                        headers={"Content-Type": "application/x-www-form-urlencoded"}), 422, "validation-failed")
    problem(api.post(UNSUB, {"token": "B" * 43}), 404, "not-found")
    assert db.execute("SELECT status FROM newsletter_subscriptions WHERE unsubscribe_token = %s",
                      (c,)).fetchone()[0] == "confirmed"
    # an unsubscribed address asks again (after the hour of its first mail): one more confirmation
    db.execute("UPDATE newsletter_subscriptions SET last_mail_at = now() - interval '2 hours'"
               " WHERE lower(email) = lower(%s)", (a,))
    assert subscribe(api, a).status_code == 202
    assert len(sink.wait_for(a, 2)) == 2


# --- issues ----------------------------------------------------------------------------------

def new_issue(api, **over):
    body = {"number": int(uuid.uuid4().int % 900000) + 1, "title": "Newsletter de março",
            "planned_for": "2027-03-15"}
    body.update(over)
    return ok(staff(api).post(ISSUES, body), 201)


def test_issue_publish_mails_confirmed_subscribers(api, db, sink, worker):
    reader, gone = address("leitora"), address("saiu")
    confirmed(api, db, sink, reader)
    t_gone = confirmed(api, db, sink, gone)
    ok(api.post(UNSUB, {"token": t_gone}))
    pending = address("pendente")
    subscribe(api, pending)
    issue = new_issue(api, title="O 3em1 chega ao comércio local")
    s = staff(api)
    # no url: refused by its rule, nothing changes
    r = problem(s.post(f"{ISSUES}/{issue['id']}/publish"), 409, "invalid-state")
    assert r["conflict"] == "url-required" and r["current_status"] == "planned"
    assert db.execute("SELECT status FROM newsletter_issues WHERE id = %s", (issue["id"],)).fetchone()[0] == "planned"
    # planned: public 404, staff sees it
    problem(api.get(f"{ISSUES}/{issue['id']}"), 404, "not-found")
    e = s.get(f"{ISSUES}/{issue['id']}")
    r = s.patch(f"{ISSUES}/{issue['id']}", {"url": "https://www.pt.pt/newsletter/42"},
                headers={"If-Match": e.headers["ETag"], "Content-Type": "application/merge-patch+json"})
    ok(r)
    published = ok(s.post(f"{ISSUES}/{issue['id']}/publish"))
    assert published["status"] == "published" and published["published_at"]
    mail = sink.wait_for(reader, 2)[-1]
    assert "O 3em1 chega ao comércio local" in mail.subject
    lu = str(mail.msg["List-Unsubscribe"])
    assert lu.startswith(f"<{PUBLIC_URL}/v1/newsletter/unsubscribe?token=") and lu.endswith(">")
    assert str(mail.msg["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    assert "https://www.pt.pt/newsletter/42" in mail.text
    # only the confirmed subscriber
    rcpts = {r["recipient"] for r in outbox(db, event="newsletter_issue.published", resource_id=issue["id"])}
    assert reader in rcpts and gone not in rcpts and pending not in rcpts
    # the header's link unsubscribes (one-click, as a mail client posts it)
    token = parse_qs(urlparse(lu[1:-1]).query)["token"][0]
    r = api.request("POST", f"{UNSUB}?token={token}", data="List-Unsubscribe=One-Click",
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert ok(r)["status"] == "unsubscribed"
    # the next issue does not go to it
    nxt = new_issue(api, url="https://www.pt.pt/newsletter/43")
    ok(s.post(f"{ISSUES}/{nxt['id']}/publish"))
    assert reader not in {r["recipient"] for r in outbox(db, resource_id=nxt["id"])}
    # public read: published only, cacheable with an ETag
    r = api.get(f"{ISSUES}/{issue['id']}")
    assert ok(r)["id"] == issue["id"] and "public" in r.headers["Cache-Control"]
    assert api.get(f"{ISSUES}/{issue['id']}", headers={"If-None-Match": r.headers["ETag"]}).status_code == 304
    listed = ok(api.get(f"{ISSUES}?limit=200"))["items"]
    assert all(i["status"] == "published" for i in listed)
    # published: no more edits, no second publish
    problem(s.post(f"{ISSUES}/{issue['id']}/publish"), 409, "invalid-state")
    e = s.get(f"{ISSUES}/{issue['id']}")
    problem(s.patch(f"{ISSUES}/{issue['id']}", {"title": "Outro"}, headers={"If-Match": e.headers["ETag"]}), 409,
            "invalid-state")
    assert len(ok(s.get(f"{ISSUES}/{issue['id']}/history"))["items"]) == 3


def test_issue_rules_and_roles(api, db):
    s = staff(api)
    issue = new_issue(api)
    n = db.execute("SELECT count(*) FROM newsletter_issues").fetchone()[0]
    problem(s.post(ISSUES, {"number": issue["number"], "title": "Outra", "planned_for": "2027-04-01"}), 409,
            "duplicate")
    r = s.post(ISSUES, {"number": 0, "title": "", "planned_for": "2027-02-30", "url": "http://x.pt"})
    assert codes(problem(r, 422, "validation-failed") and r) == [
        ("/number", "too_small"), ("/planned_for", "format"), ("/title", "too_short"), ("/url", "url")]
    rid = make_registrar(db)
    problem(as_registrar(api, rid).post(ISSUES, {"number": 99, "title": "x", "planned_for": "2027-01-01"}), 403,
            "forbidden")
    problem(api.post(ISSUES, {"number": 99, "title": "x", "planned_for": "2027-01-01"}), 401, "unauthenticated")
    assert db.execute("SELECT count(*) FROM newsletter_issues").fetchone()[0] == n
    e = s.get(f"{ISSUES}/{issue['id']}")
    problem(s.patch(f"{ISSUES}/{issue['id']}", {"title": "x"}), 428, "precondition-required")
    problem(s.patch(f"{ISSUES}/{issue['id']}", {"title": "x"}, headers={"If-Match": '"999"'}), 412,
            "precondition-failed")
    r = s.patch(f"{ISSUES}/{issue['id']}", {"titulo": "x"}, headers={"If-Match": e.headers["ETag"]})
    assert codes(problem(r, 422, "validation-failed") and r) == [("/titulo", "unknown_field")]
    problem(as_registrar(api, rid).get(f"{ISSUES}/{issue['id']}"), 404, "not-found")


# --- suggestions -----------------------------------------------------------------------------

def suggest(api, rid, **over):
    body = {"title": "Como proteger domínios contra o phishing", "summary": "Um guia curto.\nCom exemplos."}
    body.update(over)
    return as_registrar(api, rid).post(SUGG, body)


def test_suggestions_triage(api, db):
    s = staff(api)
    rid, other = make_registrar(db), make_registrar(db)
    sug = ok(suggest(api, rid, link="https://www.exemplo.pt/guia"), 201)
    assert sug["status"] == "submitted" and sug["registrar_id"] == rid
    # own and other
    ok(as_registrar(api, rid).get(f"{SUGG}/{sug['id']}"))
    problem(as_registrar(api, other).get(f"{SUGG}/{sug['id']}"), 404, "not-found")
    assert [i["id"] for i in ok(as_registrar(api, other).get(SUGG))["items"]] == []
    problem(as_registrar(api, other).get(f"{SUGG}?registrar_id={rid}"), 403, "forbidden")
    assert sug["id"] in [i["id"] for i in ok(s.get(f"{SUGG}?registrar_id={rid}&status=submitted"))["items"]]
    count = db.execute("SELECT count(*) FROM newsletter_suggestions").fetchone()[0]
    problem(s.post(SUGG, {"title": "x", "summary": "y"}), 403, "forbidden")
    problem(api.get(SUGG), 401, "unauthenticated")
    problem(api.post(SUGG, {"title": "x", "summary": "y"}), 401, "unauthenticated")
    # bad input
    r = suggest(api, rid, title="", link="ftp://x.pt")
    assert codes(problem(r, 422, "validation-failed") and r) == [("/link", "url"), ("/title", "too_short")]
    r = suggest(api, rid, summary="a\u0007b", registrar_id=other)
    assert codes(problem(r, 422, "validation-failed") and r) == [
        ("/registrar_id", "unknown_field"), ("/summary", "control_character")]
    assert db.execute("SELECT count(*) FROM newsletter_suggestions").fetchone()[0] == count
    # accept: a planned issue
    issue = new_issue(api)
    problem(as_registrar(api, rid).post(f"{SUGG}/{sug['id']}/accept", {"issue_id": issue["id"]}), 403, "forbidden")
    r = s.post(f"{SUGG}/{sug['id']}/accept", {"issue_id": str(uuid.uuid4())})
    assert codes(problem(r, 422, "validation-failed") and r) == [("/issue_id", "unknown_issue")]
    r = s.post(f"{SUGG}/{sug['id']}/accept", {})
    assert codes(problem(r, 422, "validation-failed") and r) == [("/issue_id", "required")]
    acc = ok(s.post(f"{SUGG}/{sug['id']}/accept", {"issue_id": issue["id"]}))
    assert acc["status"] == "accepted" and acc["issue_id"] == issue["id"] and acc["allowed_actions"] == ["use"]
    # use: only once the issue is published
    r = problem(s.post(f"{SUGG}/{sug['id']}/use"), 409, "invalid-state")
    assert r["conflict"] == "issue-not-published" and r["current_status"] == "accepted"
    assert db.execute("SELECT status FROM newsletter_suggestions WHERE id = %s", (sug["id"],)).fetchone()[0] == "accepted"
    s.patch(f"{ISSUES}/{issue['id']}", {"url": "https://www.pt.pt/n"},
            headers={"If-Match": s.get(f"{ISSUES}/{issue['id']}").headers["ETag"]})
    ok(s.post(f"{ISSUES}/{issue['id']}/publish"))
    assert ok(s.post(f"{SUGG}/{sug['id']}/use"))["status"] == "used"
    # accept into a published issue: its rule
    other_sug = ok(suggest(api, rid), 201)
    r = problem(s.post(f"{SUGG}/{other_sug['id']}/accept", {"issue_id": issue["id"]}), 409, "invalid-state")
    assert r["conflict"] == "issue-not-planned"
    # decline needs a reason
    problem(s.post(f"{SUGG}/{other_sug['id']}/decline", {}), 422, "validation-failed")
    d = ok(s.post(f"{SUGG}/{other_sug['id']}/decline", {"reason": "Já tratado em fevereiro."}))
    assert d["status"] == "declined" and d["reason"] == "Já tratado em fevereiro."
    problem(s.post(f"{SUGG}/{other_sug['id']}/accept", {"issue_id": issue["id"]}), 409, "invalid-state")
    h = ok(as_registrar(api, rid).get(f"{SUGG}/{other_sug['id']}/history"))["items"]
    assert [x["action"] for x in h] == ["submit", "decline"]


def test_audit_and_change_feed_hold_no_address(api, db, sink, worker):
    email = address("privado")
    confirmed(api, db, sink, email)
    sid = sub_row(db, email)[0]
    rows = db.execute("SELECT action, changes::text FROM audit_events WHERE resource_type = 'newsletter_subscription'"
                      " AND resource_id = %s ORDER BY seq", (str(sid),)).fetchall()
    assert [r[0] for r in rows] == ["subscribe", "confirm"]
    assert email not in str(rows) and "hmac-sha256:" in rows[0][1]
    # the confirmation token is in no audit record either
    token_rows = db.execute("SELECT payload->'vars'->>'token' FROM outbox WHERE resource_id = %s",
                            (str(sid),)).fetchall()
    assert token_rows and all(t[0] not in str(rows) for t in token_rows)


def test_issue_number_taken_by_an_edit(api, db):
    s = staff(api)
    a, b = new_issue(api), new_issue(api)
    e = s.get(f"{ISSUES}/{b['id']}")
    problem(s.patch(f"{ISSUES}/{b['id']}", {"number": a["number"]}, headers={"If-Match": e.headers["ETag"]}), 409,
            "duplicate")
    assert db.execute("SELECT number FROM newsletter_issues WHERE id = %s", (b["id"],)).fetchone()[0] == b["number"]


def test_confirming_again_keeps_the_unsubscribe_link(api, db, sink, worker):
    email = address("volta")
    first = confirmed(api, db, sink, email)
    ok(api.post(UNSUB, {"token": first}))
    db.execute("UPDATE newsletter_subscriptions SET last_mail_at = now() - interval '2 hours'"
               " WHERE lower(email) = lower(%s)", (email,))
    assert subscribe(api, email, version="2027-02", source="encontro-2027").status_code == 202
    t = token_in(sink.wait_for(email, 2)[-1], "/newsletter/confirmar")
    assert ok(api.post(CONFIRM, {"token": t}))["status"] == "confirmed"
    row = sub_row(db, email)
    # the old emails' link still unsubscribes; the consent is the latest request's
    assert row[1:5] == ("confirmed", "2027-02", "encontro-2027", first)


def test_public_limit_on_subscriptions(template_db):
    """PARCERIA_PUBLIC_RATE_LIMIT per address and per email: 429 with its
    headers, and nothing stored."""
    name = clone_database(template_db)
    env = {"PARCERIA_PUBLIC_RATE_LIMIT": "2", "PARCERIA_TRUSTED_PROXIES": "127.0.0.1"}
    srv = Server(name, env_extra=env, name="newsletter-limit").start()
    try:
        c = Client(srv.base)
        email = address("limite")
        codes_ = [c.post(SUBS, {"email": email, "consent_text_version": "1"},
                         headers={"X-Forwarded-For": f"198.51.100.{10 + i}"}) for i in range(3)]
        assert [r.status_code for r in codes_] == [202, 202, 429]
        assert codes_[2].headers["RateLimit-Policy"] == '"public";q=2;w=3600'
        assert int(codes_[2].headers["Retry-After"]) > 0
        by_address = [c.post(SUBS, {"email": address("ip"), "consent_text_version": "1"},
                             headers={"X-Forwarded-For": "198.51.100.99"}).status_code for _ in range(3)]
        assert by_address == [202, 202, 429]
        with psycopg.connect(_db_url(name, "postgres"), autocommit=True) as db:
            assert db.execute("SELECT count(*) FROM newsletter_consents c JOIN newsletter_subscriptions s"
                              " ON s.id = c.subscription_id WHERE s.email = %s", (email,)).fetchone()[0] == 2
            assert db.execute("SELECT count(*) FROM newsletter_subscriptions").fetchone()[0] == 3
    finally:
        assert srv.stop() == 0
        drop_database(name)


def test_public_limit_on_token_attempts(template_db):
    """Confirmations and unsubscriptions count against the client address's
    public limit, the misses too (guessing tokens does not pay): 429 with its
    headers, and another address is not affected."""
    name = clone_database(template_db)
    env = {"PARCERIA_PUBLIC_RATE_LIMIT": "3", "PARCERIA_TRUSTED_PROXIES": "127.0.0.1"}
    srv = Server(name, env_extra=env, name="newsletter-token-limit").start()
    try:
        c = Client(srv.base)
        here = {"X-Forwarded-For": "198.51.100.30"}
        answers = [c.post(CONFIRM, {"token": "C" * 43}, headers=here),
                   c.post(UNSUB, {"token": "D" * 43}, headers=here),
                   c.post(CONFIRM, {"token": "E" * 43}, headers=here),
                   c.post(UNSUB, {"token": "F" * 43}, headers=here)]
        assert [r.status_code for r in answers] == [404, 404, 404, 429]
        assert answers[3].headers["RateLimit-Policy"] == '"public";q=3;w=3600'
        assert int(answers[3].headers["Retry-After"]) > 0
        problem(answers[3], 429, "rate-limited")
        other = c.post(CONFIRM, {"token": "C" * 43}, headers={"X-Forwarded-For": "198.51.100.31"})
        assert other.status_code == 404
        with psycopg.connect(_db_url(name, "postgres"), autocommit=True) as db:
            assert db.execute("SELECT count(*) FROM newsletter_consents").fetchone()[0] == 0
            assert db.execute("SELECT count(*) FROM audit_events WHERE resource_type LIKE 'newsletter%%'"
                              ).fetchone()[0] == 0
    finally:
        assert srv.stop() == 0
        drop_database(name)


@pytest.fixture(scope="module")
def pair(template_db):
    yield from two_servers(template_db, "newsletter-race")


def test_concurrent_subscribes_and_confirms(pair):
    """Ten subscribe requests for one new address at once, through two
    processes: one subscription, one token, one email. Ten confirms of its
    token at once: exactly one succeeds."""
    email = address("corrida")
    answers = race(pair, [lambda c: c.post(SUBS, {"email": email, "consent_text_version": "1"})] * 10)
    assert [r.status_code for r in answers] == [202] * 10
    assert len({r.text for r in answers}) == 1
    with psycopg.connect(_db_url(pair[0].db_name, "postgres"), autocommit=True) as db:
        assert db.execute("SELECT count(*) FROM newsletter_subscriptions WHERE lower(email) = %s",
                          (email,)).fetchone()[0] == 1
        assert db.execute("SELECT count(*) FROM newsletter_tokens").fetchone()[0] == 1
        assert len(outbox(db, event="newsletter_subscription.requested")) == 1
        assert db.execute("SELECT count(*) FROM newsletter_consents").fetchone()[0] == 10
        token = outbox(db, event="newsletter_subscription.requested")[0]["payload"]["vars"]["token"]
    confirms = race(pair, [lambda c: c.post(CONFIRM, {"token": token})] * 10)
    assert sorted(r.status_code for r in confirms) == [200] + [404] * 9


def test_unsubscribing_withdraws_an_issue_not_sent_yet(pair, template_db):
    """No worker runs beside these servers: an issue's emails wait in the
    outbox, and an address unsubscribed meanwhile is never sent it."""
    c = Client(pair[0].base)
    s = staff(c)
    emails = [address("fila"), address("fica")]
    with psycopg.connect(_db_url(pair[0].db_name, "postgres"), autocommit=True) as db:
        for e in emails:
            assert c.post(SUBS, {"email": e, "consent_text_version": "1"}).status_code == 202
            row = outbox(db, event="newsletter_subscription.requested", recipient=e)[0]
            ok(c.post(CONFIRM, {"token": row["payload"]["vars"]["token"]}))
        issue = ok(s.post(ISSUES, {"number": 7, "title": "Fila", "planned_for": "2027-05-01",
                                   "url": "https://www.pt.pt/n/7"}), 201)
        ok(s.post(f"{ISSUES}/{issue['id']}/publish"))
        queued = {r["recipient"]: r for r in outbox(db, resource_id=issue["id"])}
        assert set(emails) <= set(queued) and all(queued[e]["status"] == "pending" for e in emails)
        unsubscribe = queued[emails[0]]["payload"]["vars"]["list_unsubscribe"]
        ok(c.request("POST", unsubscribe, data="List-Unsubscribe=One-Click",
                     headers={"Content-Type": "application/x-www-form-urlencoded"}))
        after = {r["recipient"]: r for r in outbox(db, resource_id=issue["id"])}
        assert after[emails[0]]["status"] == "failed" and "unsubscribed" in after[emails[0]]["last_error"]
        assert after[emails[1]]["status"] == "pending"


def test_issue_and_suggestion_lists(api, db):
    s = staff(api)
    low, high = new_issue(api, number=990001), new_issue(api, number=990002)
    # staff see planned issues, sorted by number; the public none of them
    items = ok(s.get(f"{ISSUES}?status=planned&sort=-number&limit=200"))["items"]
    numbers = [i["number"] for i in items]
    assert numbers == sorted(numbers, reverse=True) and {990001, 990002} <= set(numbers)
    assert all(i["status"] == "planned" for i in items)
    public = api.get(f"{ISSUES}?status=planned")
    assert ok(public)["items"] == [] and "public" in public.headers["Cache-Control"]
    assert low["id"] not in [i["id"] for i in ok(as_registrar(api, make_registrar(db)).get(ISSUES))["items"]]
    problem(api.get(f"{ISSUES}?sort=title"), 400, "invalid-request")
    problem(api.get(f"{ISSUES}?status=archived"), 400, "invalid-request")
    # a page of one and its cursor
    first = ok(s.get(f"{ISSUES}?sort=number&limit=1&include_total=true"))
    assert len(first["items"]) == 1 and first["total"] >= 2 and first["next_cursor"]
    nxt = ok(s.get(f"{ISSUES}?sort=number&limit=1&cursor={first['next_cursor']}"))
    assert nxt["items"][0]["number"] > first["items"][0]["number"]
    # suggestions as CSV for staff
    rid = make_registrar(db)
    sug = ok(suggest(api, rid, title="=HYPERLINK(1)"), 201)
    csv = s.get(f"{SUGG}?registrar_id={rid}", headers={"Accept": "text/csv"})
    assert csv.status_code == 200 and sug["id"] in csv.text and "HYPERLINK" in csv.text
    assert ",=HYPERLINK" not in csv.text  # a formula cell is neutralized (api/csv.c)
    assert high["id"]
