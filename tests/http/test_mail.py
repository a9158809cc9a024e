"""Email end to end (issue 14): a change queues its email in its own
transaction, `parceria worker` renders it and sends it by SMTP to a real
server in this process (aiosmtpd), and Python's email package reads it back.
Each email is checked for its recipient, subject, language (pt-PT first,
then English), Message-ID and Date, and for the absence of any secret. A
refused change sends nothing; two workers beside two servers send each
message exactly once; mail is held while the SMTP server is down, and left
pending with mail off; CR or LF in data never reaches a header. GET
/v1/outbox lists the messages for staff only."""
import email.utils
import json
import time
import uuid

import psycopg
import pytest

import events as ev
import vouchers as vo
from accreditation import application, ok, submit
from conftest import Server, _db_url, clone_database, drop_database
from openapi_check import Client
from identity import make_registrar, mint, registrar_token
from mailsink import Sink, Worker, outbox, stopped_cleanly, wait_rows
from programs import ENR, create_program, enroll, staff
from race import race, two_servers

APPS = "/v1/accreditation-applications"
OUT = "/v1/outbox"
SEPARATOR = "-------- English\n"


def unique_email(tag="x"):
    return f"{tag}-{uuid.uuid4().hex[:10]}@exemplo.pt"


def registrar_at(db, address, trade_name=None):
    """A registrar whose admin contact is address."""
    rid = make_registrar(db, trade_name=trade_name)
    db.execute("UPDATE registrars SET contacts = jsonb_set(contacts, '{0,email}', to_jsonb(%s::text))"
               " WHERE id = %s", (address, rid))
    return rid


def check_mail(m, db, to, subject_has, shows=(), secrets=()):
    """One received email: the envelope and To, the subject, pt-PT first then
    English, Message-ID = the outbox row's message id, a Date, no secret."""
    assert m.rcpt_tos == [to] and m.to == to, m
    assert m.mail_from == "parceria@dns.pt"
    for s in subject_has:
        assert s in m.subject, (s, m.subject)
    assert " / " in m.subject
    text = m.text
    assert SEPARATOR in text, text
    pt, en = text.split(SEPARATOR, 1)
    assert "Com os melhores cumprimentos" in pt and "Kind regards" in en, text
    assert "Kind regards" not in pt and "cumprimentos" not in en
    for s in shows:
        assert s in text, (s, text)
    assert "{{" not in text and "}}" not in text
    raw = m.raw.decode("ascii")  # 7-bit: encoded-words and quoted-printable
    for secret in secrets:
        assert secret not in raw and secret not in text
    # Message-ID is the outbox message's id; Date is RFC 5322
    mid = m.message_id
    assert mid.startswith("<") and mid.endswith("@parceria.dns.pt>"), mid
    row = db.execute("SELECT status, recipient FROM outbox WHERE message_id = %s::uuid",
                     (mid[1:].split("@")[0],)).fetchone()
    assert row is not None and row[1] == to, (mid, row)
    assert email.utils.parsedate_to_datetime(str(m.msg["Date"])) is not None
    assert m.msg["MIME-Version"] == "1.0"
    assert m.msg.get_content_type() in ("text/plain", "multipart/alternative")
    for line in m.raw.split(b"\r\n"):
        assert len(line) <= 998
    return text


# --- each email ------------------------------------------------------------------------------

def test_application_received_and_decided(api, db, sink, worker):
    contact = unique_email("candidata")
    doc = application(legal_name="Águas & Companhia, Lda.")
    doc["contacts"][0]["email"] = contact
    created = submit(api, doc)
    key = created["access_key"]
    m = sink.wait_for(contact)[0]
    check_mail(m, db, contact, ["Candidatura recebida", "Águas & Companhia, Lda.", "Application received"],
               shows=["Águas & Companhia, Lda.", created["id"]], secrets=[key])
    # approved: the decision in both languages
    s = staff(api)
    ok(s.post(f"{APPS}/{created['id']}/start-review"))
    ok(s.post(f"{APPS}/{created['id']}/approve"))
    m = sink.wait_for(contact, 2)[1]
    text = check_mail(m, db, contact, ["Decisão", "Decision"], shows=["foi aprovada", "has been approved"],
                      secrets=[key])
    assert "não foi aprovada" not in text and "Fundamentação" not in text


def test_application_rejected_with_reason(api, db, sink, worker):
    contact = unique_email("recusada")
    doc = application()
    doc["contacts"][0]["email"] = contact
    created = submit(api, doc)
    s = staff(api)
    ok(s.post(f"{APPS}/{created['id']}/start-review"))
    ok(s.post(f"{APPS}/{created['id']}/reject", {"reason": "Falta a certidão permanente."}))
    msgs = sink.wait_for(contact, 2)
    assert len(msgs) == 2
    check_mail(msgs[1], db, contact, ["Decisão"],
               shows=["não foi aprovada", "has not been approved", "Falta a certidão permanente."],
               secrets=[created["access_key"]])


def test_enrollment_decided(api, db, sink, worker):
    contact = unique_email("registrar")
    rid = registrar_at(db, contact, trade_name="Webtuga Alojamento")
    p = create_program(api, status="open")
    e = ok(enroll(api, rid, p["code"], p["terms_version"]), 201)
    ok(staff(api).post(f"{ENR}/{e['id']}/approve"))
    m = sink.wait_for(contact)[0]
    check_mail(m, db, contact, [p["code"]], shows=["Webtuga Alojamento", "foi aprovada", "has been approved"])
    # rejected, with its reason
    p2 = create_program(api, status="open")
    e2 = ok(enroll(api, rid, p2["code"], p2["terms_version"]), 201)
    ok(staff(api).post(f"{ENR}/{e2['id']}/reject", {"reason": "Fora da área do programa."}))
    m = sink.wait_for(contact, 2)[1]
    check_mail(m, db, contact, [p2["code"]], shows=["não foi aprovada", "Fora da área do programa."])


def test_voucher_issued_and_redeemed(api, db, sink, worker):
    to = unique_email("loja")
    v = vo.issue(api, body={"beneficiary": vo.beneficiary(7, email=to, name="Padaria Ana")})
    m = sink.wait_for(to)[0]
    check_mail(m, db, to, ["voucher"], shows=["Padaria Ana", v["code"], "3em1-comercio"])
    rid = vo.builder(api, db)
    trade = ok(staff(api).get(f"/v1/registrars/{rid}"))["trade_name"]
    domain = f"padaria-{uuid.uuid4().hex[:8]}.pt"
    ok(vo.redeem(api, rid, v["code"], domain))
    m = sink.wait_for(to, 2)[1]
    check_mail(m, db, to, [domain], shows=[domain, trade, v["code"]])


def test_registration_confirmed_and_promoted(api, db, sink, worker):
    first, second = unique_email("primeiro"), unique_email("segundo")
    a, b = registrar_at(db, first), registrar_at(db, second)
    e = ev.create_event(api, capacity=1, waitlist=True, title="Encontro de Registrars 2027")
    ra = ev.registered(api, a, e["id"], 1, status="confirmed")
    ev.registered(api, b, e["id"], 1, status="waitlisted")
    m = sink.wait_for(first)[0]
    check_mail(m, db, first, ["Inscrição confirmada", "Encontro de Registrars 2027"],
               shows=["Lugares reservados: 1", "Seats reserved: 1", "Lisboa, Centro de Congressos"])
    # the waitlisted one gets no mail until promoted
    assert sink.to(second) == []
    ok(ev.cancel_reg(api, ra))
    m = sink.wait_for(second)[0]
    check_mail(m, db, second, ["Lugar confirmado"], shows=["lista de espera", "waiting list"])


def test_draw_results_to_each_winner(api, db, sink, worker):
    source = ev.create_event(api, kind="registrar_meeting")
    addresses = {}
    for i in range(4):
        address = unique_email(f"sorteio{i}")
        rid = registrar_at(db, address)
        ev.attended(api, rid, source["id"])
        addresses[rid] = address
    target = ev.centr_day(api)
    seed = f"segredo-{uuid.uuid4().hex}"
    s = staff(api)
    d = ok(s.post(ev.DRW, ev.draw_body(source["id"], target["id"], seed, 2)), 201)
    ok(s.post(f"{ev.DRW}/{d['id']}/freeze"))
    d = ok(s.post(f"{ev.DRW}/{d['id']}/run", {"seed": seed, "public_entropy": "dados 1 2 3"}))
    winners = db.execute("SELECT winners::text[] FROM draws WHERE id = %s", (d["id"],)).fetchone()[0]
    assert len(winners) == 2
    # each attendee got its registration's mail; each winner, the results
    for rid in winners:
        results = sink.wait(lambda msgs: [m for m in msgs if addresses[rid] in m.rcpt_tos
                                          and d["title"] in m.subject])
        m = [m for m in results if addresses[rid] in m.rcpt_tos and d["title"] in m.subject]
        assert len(m) == 1, m
        check_mail(m[0], db, addresses[rid], [d["title"], "Resultado do sorteio", "Draw results"],
                   shows=[target["title"], "sorteio", "has been drawn"], secrets=[seed])
    rows = outbox(db, event="draw.drawn")
    assert sorted(r["recipient"] for r in rows) == sorted(addresses[r] for r in winners)
    wait_rows(db, lambda rows: all(r["status"] == "sent" for r in rows), event="draw.drawn")
    losers = [a for r, a in addresses.items() if r not in winners]
    assert all(d["title"] not in m.subject for a in losers for m in sink.to(a))


# --- nothing sent for what did not happen ----------------------------------------------------

def test_a_refused_change_queues_and_sends_nothing(api, db, sink, worker):
    contact = unique_email("duas-vezes")
    rid = registrar_at(db, contact)
    p = create_program(api, status="open")
    e = ok(enroll(api, rid, p["code"], p["terms_version"]), 201)
    ok(staff(api).post(f"{ENR}/{e['id']}/approve"))
    sink.wait_for(contact)
    before = len(outbox(db))
    # approving again is refused (409): its transaction rolls back, audit and outbox with it
    r = staff(api).post(f"{ENR}/{e['id']}/approve")
    assert r.status_code == 409, r.text
    # a voucher redeemed by a registrar not enrolled: refused, nothing queued
    to = unique_email("nao-usado")
    v = vo.issue(api, body={"beneficiary": vo.beneficiary(8, email=to)})
    sink.wait_for(to)
    stranger = registrar_at(db, unique_email("estranho"))
    r = vo.redeem(api, stranger, v["code"], f"x-{uuid.uuid4().hex[:8]}.pt")
    assert r.status_code in (403, 409, 422), r.text
    # an application refused by validation: nothing stored, nothing queued
    bad = application()
    bad["contacts"][0]["email"] = unique_email("invalida")
    bad["legal_name"] = ""
    assert api.post(APPS, bad).status_code == 422
    assert len(outbox(db)) == before + 1  # only the voucher's issue
    assert len(outbox(db, resource_id=e["id"])) == 1
    assert outbox(db, event="voucher.redeemed", resource_id=vo.canonical(v["code"])) == []
    # and the sink got exactly what was queued
    wait_rows(db, lambda rows: all(r["status"] == "sent" for r in rows))
    assert len(sink.to(contact)) == 1 and len(sink.to(to)) == 1
    assert sink.to(bad["contacts"][0]["email"]) == []


# --- header injection ------------------------------------------------------------------------

def insert_mail(db, recipient, template, vars_):
    """An outbox row as the service would write it, but with data no
    validation would have let through (as if the database held it)."""
    return db.execute(
        "INSERT INTO outbox (event_id, event, channel, recipient, resource_type, resource_id, payload)"
        " VALUES (gen_random_uuid(), 'application.received', 'email', %s, 'accreditation_application',"
        " gen_random_uuid()::text, jsonb_build_object('template', %s::text, 'lang', 'pt', 'vars', %s::jsonb))"
        " RETURNING id, message_id::text", (recipient, template, json.dumps(vars_))).fetchone()


def test_cr_lf_in_data_never_reaches_a_header(api, db, sink, worker):
    # through the API, CR and LF are refused where a value could reach a header
    doc = application(legal_name="Evil, Lda.\r\nBcc: victim@example.com")
    r = api.post(APPS, doc)
    assert r.status_code == 422, r.text
    doc = application()
    doc["contacts"][0]["email"] = "a@exemplo.pt\r\nBcc: victim@example.com"
    assert api.post(APPS, doc).status_code == 422
    # data that got into the outbox anyway is refused by the worker, never sent
    target = unique_email("alvo")
    bad = [
        insert_mail(db, target, "application-received",
                    {"legal_name": "X\r\nBcc: victim@example.com", "application_id": "1"}),
        insert_mail(db, target, "application-received",
                    {"legal_name": "X\nSubject: other", "application_id": "1"}),
        insert_mail(db, target + "\r\nBcc: victim@example.com", "application-received",
                    {"legal_name": "X", "application_id": "1"}),
        insert_mail(db, target, "no-such-template", {}),
    ]
    good = insert_mail(db, target, "application-decided",  # a reason is body text: lines are fine
                       {"legal_name": "X", "application_id": "2", "decision": "rejected",
                        "reason": "Linha 1\nLinha 2"})
    ids = [b[0] for b in bad]
    rows = wait_rows(db, lambda rows: all(r["status"] != "pending" for r in rows if r["id"] in ids + [good[0]]))
    by_id = {r["id"]: r for r in rows}
    for i in ids:
        assert by_id[i]["status"] == "failed" and by_id[i]["attempts"] == 1, by_id[i]
        assert by_id[i]["last_error"], by_id[i]
        assert "victim" not in by_id[i]["last_error"]
    assert "does not render" in by_id[ids[0]]["last_error"]  # the subject's value holds CR LF
    assert "header" in by_id[ids[2]]["last_error"]  # the recipient holds CR LF
    assert by_id[good[0]]["status"] == "sent"
    msgs = sink.to(target)
    assert len(msgs) == 1 and msgs[0].message_id == f"<{good[1]}@parceria.dns.pt>"
    assert "Linha 1\nLinha 2" in msgs[0].text
    assert all("victim@example.com" not in m.rcpt_tos and b"victim" not in m.raw for m in sink.all())
    # each attempt is recorded as failed, once: never retried
    n = db.execute("SELECT count(*) FROM outbox_attempts WHERE outbox_id = ANY(%s) AND outcome = 'failed'",
                   (ids,)).fetchone()[0]
    assert n == len(ids)


def test_a_recipient_refused_by_the_server_fails_without_retry(api, db, sink, worker):
    gone = unique_email("inexistente")
    sink.refuse[gone] = "550 5.1.1 no such user"
    row = insert_mail(db, gone, "application-received", {"legal_name": "X", "application_id": "3"})
    rows = wait_rows(db, lambda rows: rows and rows[0]["status"] != "pending", id=row[0])
    assert rows[0]["status"] == "failed" and "550" in rows[0]["last_error"], rows
    assert sink.to(gone) == []


# --- GET /v1/outbox --------------------------------------------------------------------------

def test_outbox_list_for_staff(api, db, sink, worker):
    contact = unique_email("lista")
    doc = application()
    doc["contacts"][0]["email"] = contact
    created = submit(api, doc)
    sink.wait_for(contact)
    wait_rows(db, lambda rows: rows and rows[0]["status"] == "sent", recipient=contact)
    s = staff(api)
    page = ok(s.get(OUT, params={"event": "application.received", "channel": "email", "limit": 200}))
    mine = [i for i in page["items"] if i["recipient"] == contact]
    assert len(mine) == 1, page
    item = mine[0]
    assert item["status"] == "sent" and item["attempts"] == 1 and item["sent_at"]
    assert item["template"] == "application-received" and item["resource_id"] == created["id"]
    assert item["event"] == "application.received" and item["channel"] == "email"
    assert "vars" not in item and "payload" not in item
    assert doc["legal_name"] not in str(page) and created["access_key"] not in str(page)
    # filters
    for status in ("pending", "failed"):
        got = ok(s.get(OUT, params={"status": status, "limit": 200}))
        assert all(i["status"] == status for i in got["items"])
    got = ok(s.get(OUT, params={"status": "sent,failed", "event": "voucher.issued,application.received",
                                "limit": 200}))
    assert got["items"] and all(i["status"] in ("sent", "failed") and
                                i["event"] in ("voucher.issued", "application.received") for i in got["items"])
    assert ok(s.get(OUT, params={"channel": "webhook"}))["items"] == []
    # bad filter values
    for params in ({"status": "lost"}, {"channel": "fax"}, {"event": "voucher.eaten"}, {"sort": "recipient"}):
        r = s.get(OUT, params=params)
        assert r.status_code == 400, (params, r.status_code, r.text)
    # roles: staff and admin only
    assert ok(api.with_token(mint("admin")).get(OUT))["items"]
    rid = registrar_at(db, unique_email("curioso"))
    assert api.with_token(registrar_token(rid)).get(OUT).status_code == 403
    assert api.with_token(mint("applicant", application_id=created["id"])).get(OUT).status_code == 403
    assert api.get(OUT).status_code == 401


# --- SMTP down, mail off ---------------------------------------------------------------------

@pytest.fixture()
def lone(template_db):
    """A server on a database of its own, with no worker of the module's."""
    name = clone_database(template_db)
    srv = Server(name, name="mail-lone").start()
    yield srv
    rc = srv.stop()
    text = srv.log_text()
    drop_database(name)
    assert rc == 0, text[-3000:]


def test_mail_off_then_smtp_down_then_delivered(lone):
    api = Client(lone.base)
    with psycopg.connect(_db_url(lone.db_name, "postgres"), autocommit=True) as db:
        contacts = [unique_email("retida") for _ in range(3)]
        for c in contacts:
            doc = application()
            doc["contacts"][0]["email"] = c
            submit(api, doc)
        # mail off: the worker says so, and leaves the rows alone
        off = Worker(lone.db_name, None, name="mail-off").start()
        off.wait_log("mail is off")
        time.sleep(1.5)
        stopped_cleanly(off)
        rows = outbox(db, channel="email")
        assert len(rows) == 3 and all(r["status"] == "pending" and r["attempts"] == 0 for r in rows), rows
        # the SMTP server is down: each attempt is recorded, the rows stay pending
        sink = Sink()  # a free port, nothing listening yet
        down = Worker(lone.db_name, sink.url, name="mail-down").start()
        rows = wait_rows(db, lambda rows: all(r["attempts"] >= 1 for r in rows), channel="email")
        stopped_cleanly(down)
        assert all(r["status"] == "pending" and r["last_error"] for r in rows), rows
        assert all("smtp" in r["last_error"].lower() for r in rows), rows
        n = db.execute("SELECT count(*) FROM outbox_attempts WHERE outcome = 'retry'").fetchone()[0]
        assert n >= 3
        # the server comes back; the retry comes due (as an hour passing would) and each is sent once
        sink.start()
        try:
            db.execute("UPDATE outbox SET next_attempt_at = now()")
            up = Worker(lone.db_name, sink.url, name="mail-up").start()
            rows = wait_rows(db, lambda rows: all(r["status"] == "sent" for r in rows), channel="email")
            for c in contacts:
                assert len(sink.wait_for(c)) == 1
            stopped_cleanly(up)
            assert len(sink.all()) == 3
            assert db.execute("SELECT count(*) FROM outbox_attempts WHERE outcome = 'sent'").fetchone()[0] == 3
        finally:
            sink.stop()


# --- exactly once ----------------------------------------------------------------------------

def test_exactly_once_with_two_workers_and_two_servers(template_db):
    gen = two_servers(template_db, "mail-twice")
    servers = next(gen)
    sink = Sink().start()
    workers = []
    try:
        workers = [Worker(servers[0].db_name, sink.url, name=f"mail-twice-{n}").start() for n in "ab"]
        n = 40
        contacts = [unique_email(f"vez{i}") for i in range(n)]

        def call(i):
            doc = application()
            doc["contacts"][0]["email"] = contacts[i]
            return lambda client: client.post(APPS, doc)
        answers = race(servers, [call(i) for i in range(n)])
        assert [a.status_code for a in answers] == [201] * n, [a.text for a in answers if a.status_code != 201]
        sink.wait(lambda msgs: len(msgs) >= n, timeout=60)
        with psycopg.connect(_db_url(servers[0].db_name, "postgres"), autocommit=True) as db:
            rows = wait_rows(db, lambda rows: len(rows) == n and all(r["status"] == "sent" for r in rows))
            time.sleep(1.0)  # room for a duplicate to show up
            msgs = sink.all()
            ids = [m.message_id for m in msgs]
            assert len(ids) == n and len(set(ids)) == n, sorted(ids)
            assert sorted(m.rcpt_tos[0] for m in msgs) == sorted(contacts)
            assert sorted(f"<{r['message_id']}@parceria.dns.pt>" for r in rows) == sorted(ids)
            assert all(r["attempts"] == 1 for r in rows)
            sent = db.execute("SELECT count(*), count(DISTINCT outbox_id), count(DISTINCT worker)"
                              " FROM outbox_attempts WHERE outcome = 'sent'").fetchone()
            assert sent[0] == n and sent[1] == n, sent
    finally:
        for w in workers:
            stopped_cleanly(w)
        sink.stop()
        try:
            next(gen)
        except StopIteration:
            pass
