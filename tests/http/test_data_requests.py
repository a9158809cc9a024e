"""Data-subject requests and retention (issue 16, part H2): staff record a
person's access, erasure or rectification request by email, due one month
after it was received and extendable once by two months with a reason; an
access request's export finds every personal value held for the email in
every table that holds personal data; fulfilling an erasure replaces them
where no retention rule keeps them and reports what it erased and kept; the
audit log is never touched. `parceria retention` counts (dry run) or erases
(--apply) what is past DOMAIN.md's periods, as of --at. A migration that
adds a personal-looking column the server's table of locations does not
know fails here (information_schema against `parceria personal-data`).
Every refusal changes nothing."""
import datetime as dt
import json
import subprocess
import uuid

import pytest

from accreditation import ok
from conftest import BIN
from identity import make_registrar
from programs import as_registrar, audit, codes, problem, staff

DSR = "/v1/data-requests"
PERSONAL_LOOKING = r"(email|mail|name|contact|phone|teacher|beneficiar|attendee|nominee|recipient|person)"


def iso(t):
    return t.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def create(api, kind="access", email=None, **over):
    body = {"kind": kind, "email": email or f"p-{uuid.uuid4().hex[:8]}@exemplo.pt", **over}
    return ok(staff(api).post(DSR, body), 201)


def count(db):
    return db.execute("SELECT count(*) FROM data_requests").fetchone()[0]


def row(db, rid):
    return db.execute("SELECT status, extended, extension_reason, due_at, reason, version FROM data_requests"
                      " WHERE id = %s", (rid,)).fetchone()


def cli(server, *args):
    return subprocess.run([BIN, *args], env=server.env, capture_output=True, text=True, timeout=60)


# --- the request itself --------------------------------------------------------------------

def test_create_due_one_month_later_and_read(api, db):
    r = staff(api).post(DSR, {"kind": "erasure", "email": "Maria.Fernandes@Exemplo.pt",
                              "received_at": "2026-01-31T10:00:00Z"})
    d = ok(r, 201)
    assert r.headers["Location"].endswith(f"{DSR}/{d['id']}")
    assert (d["kind"], d["email"], d["status"], d["extended"]) == ("erasure", "Maria.Fernandes@Exemplo.pt",
                                                                  "open", False)
    assert d["received_at"] == "2026-01-31T10:00:00Z"
    assert d["due_at"] == "2026-02-28T10:00:00Z"  # one calendar month, clamped
    assert d["overdue"] is True and d["report"] is None and d["extension_reason"] is None
    assert d["allowed_actions"] == ["extend", "fulfil", "reject"]
    got = ok(staff(api).get(f"{DSR}/{d['id']}"))
    assert got == d
    # default received_at: now; not overdue
    fresh = create(api)
    assert fresh["overdue"] is False
    # the audit log has the email only as a keyed hash
    text = db.execute("SELECT changes::text FROM audit_events WHERE resource_id = %s", (d["id"],)).fetchone()[0]
    assert "maria" not in text.lower() and "hmac-sha256:" in text
    assert audit(db, d["id"]) == [("create", None, "open", None)]
    hist = ok(staff(api).get(f"{DSR}/{d['id']}/history"))
    assert [h["action"] for h in hist["items"]] == ["create"]


def test_create_refusals_change_nothing(api, db):
    before = count(db)
    future = iso(dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=2))
    cases = [
        ({"kind": "portability", "email": "a@exemplo.pt"}, [("/kind", "enum")]),
        ({"kind": "access", "email": "não é email"}, [("/email", "email")]),
        ({"kind": "access"}, [("/email", "required")]),
        ({"email": "a@exemplo.pt"}, [("/kind", "required")]),
        ({"kind": "access", "email": "a@exemplo.pt", "received_at": "ontem"}, [("/received_at", "format")]),
        ({"kind": "access", "email": "a@exemplo.pt", "received_at": future}, [("/received_at", "future")]),
        ({"kind": "access", "email": "a@exemplo.pt", "status": "fulfilled"}, [("/status", "unknown_field")]),
    ]
    for body, want in cases:
        r = staff(api).post(DSR, body)
        problem(r, 422, "validation-failed")
        assert codes(r) == want, (body, r.text)
    assert count(db) == before


def test_roles(api, db):
    rid = make_registrar(db)
    d = create(api)
    before = count(db)
    problem(api.post(DSR, {"kind": "access", "email": "a@exemplo.pt"}), 401, "unauthenticated")
    problem(as_registrar(api, rid).post(DSR, {"kind": "access", "email": "a@exemplo.pt"}), 403, "forbidden")
    for path in (DSR, f"{DSR}/{d['id']}", f"{DSR}/{d['id']}/export", f"{DSR}/{d['id']}/history"):
        problem(api.get(path), 401, "unauthenticated")
        problem(as_registrar(api, rid).get(path), 403, "forbidden")
    for action in ("extend", "fulfil", "reject"):
        problem(as_registrar(api, rid).post(f"{DSR}/{d['id']}/{action}", {"reason": "x"}), 403, "forbidden")
    assert count(db) == before and row(db, d["id"])[0] == "open"
    problem(staff(api).get(f"{DSR}/{uuid.uuid4()}"), 404, "not-found")
    problem(staff(api).get(f"{DSR}/not-a-uuid"), 404, "not-found")


def test_extend_once_by_two_months_with_a_reason(api, db):
    d = create(api, received_at="2026-03-15T09:00:00Z")
    assert d["due_at"] == "2026-04-15T09:00:00Z"
    r = staff(api).post(f"{DSR}/{d['id']}/extend", {})
    problem(r, 422, "validation-failed")
    assert codes(r) == [("/reason", "required")]
    assert row(db, d["id"])[1] is False
    e = ok(staff(api).post(f"{DSR}/{d['id']}/extend", {"reason": "Pedido complexo."}))
    assert (e["extended"], e["extension_reason"], e["due_at"]) == (True, "Pedido complexo.", "2026-06-15T09:00:00Z")
    assert e["allowed_actions"] == ["fulfil", "reject"]
    before = row(db, d["id"])
    again = problem(staff(api).post(f"{DSR}/{d['id']}/extend", {"reason": "Outra vez."}), 409, "invalid-state")
    assert again["current_status"] == "open" and again["conflict"] == "already-extended"
    assert row(db, d["id"]) == before
    assert [a[0] for a in audit(db, d["id"])] == ["create", "extend"]


def test_reject_needs_a_reason_and_is_final(api, db):
    d = create(api)
    r = staff(api).post(f"{DSR}/{d['id']}/reject", {})
    problem(r, 422, "validation-failed")
    assert row(db, d["id"])[0] == "open"
    rj = ok(staff(api).post(f"{DSR}/{d['id']}/reject", {"reason": "Identidade não confirmada."}))
    assert (rj["status"], rj["reason"], rj["allowed_actions"], rj["overdue"]) == (
        "rejected", "Identidade não confirmada.", [], False)
    before = row(db, d["id"])
    for action, body in (("fulfil", {}), ("extend", {"reason": "x"}), ("reject", {"reason": "x"})):
        p = problem(staff(api).post(f"{DSR}/{d['id']}/{action}", body), 409, "invalid-state")
        assert p["current_status"] == "rejected"
    assert row(db, d["id"]) == before


def test_list_filters_and_sorts(api, db):
    a = create(api, kind="rectification")
    b = create(api, kind="rectification", received_at="2020-01-01T00:00:00Z")
    page = ok(staff(api).get(DSR, params={"kind": "rectification", "sort": "due_at"}))
    ids = [i["id"] for i in page["items"]]
    assert ids.index(b["id"]) < ids.index(a["id"])
    assert all(i["kind"] == "rectification" for i in page["items"])
    ok(staff(api).post(f"{DSR}/{a['id']}/fulfil"))
    done = ok(staff(api).get(DSR, params={"status": "fulfilled", "kind": "rectification"}))
    assert [i["id"] for i in done["items"]] == [a["id"]]
    problem(staff(api).get(DSR, params={"kind": "portability"}), 400, "invalid-request")
    csv = staff(api).get(DSR, params={"kind": "rectification"}, headers={"Accept": "text/csv"})
    assert csv.status_code == 200 and csv.text.startswith("id,kind,email")


def test_export_only_for_access(api, db):
    d = create(api, kind="erasure")
    p = problem(staff(api).get(f"{DSR}/{d['id']}/export"), 409, "invalid-state")
    assert p["conflict"] == "not-access"
    problem(staff(api).get(f"{DSR}/{uuid.uuid4()}/export"), 404, "not-found")


# --- the planted email ---------------------------------------------------------------------

def plant(db, email, name="Pessoa Plantada"):
    """One copy of email (with a name beside it where the place has one) in every table that
    holds personal data, the registrar's being a terminated one (nothing keeps it)."""
    u = uuid.uuid4().hex[:8]
    person = {"name": name, "email": email, "phone": "+351910000000"}
    rid = make_registrar(db, status="terminated")
    db.execute("UPDATE registrars SET contacts = contacts || %s::jsonb WHERE id = %s",
               (json.dumps([{"type": "technical", **person}]), rid))
    db.execute("INSERT INTO accreditation_applications (tax_id, document, contact_email, status)"
               " VALUES (%s, %s::jsonb, %s, 'rejected')",
               ("PT5" + u, json.dumps({"legal_name": "Empresa " + u, "contacts": [{"type": "admin", **person}]}),
                email))
    eid = db.execute("INSERT INTO events (kind, title, location, starts_at, ends_at) VALUES"
                     " ('conference', 'Encontro ' || %s, 'Lisboa', now() - interval '2 days',"
                     " now() - interval '1 day') RETURNING id", (u,)).fetchone()[0]
    db.execute("INSERT INTO registrations (event_id, registrar_id, status, attendees) VALUES"
               " (%s, %s, 'attended', %s::jsonb)", (eid, rid, json.dumps([person])))
    code = "s" + u
    db.execute("INSERT INTO programs (code, kind, year, name, terms_version, status) VALUES"
               " (%s, 'contest', 2026, '{\"pt\": \"Sitestar\", \"en\": \"Sitestar\"}', 'v1', 'open')", (code,))
    year = db.execute("SELECT coalesce(max(year), 2040) + 1 FROM sitestar_editions").fetchone()[0]
    db.execute("INSERT INTO sitestar_editions (year, program_code, submissions_open_at, submissions_close_at)"
               " VALUES (%s, %s, now() - interval '30 days', now() - interval '1 day')", (year, code))
    db.execute("INSERT INTO sitestar_entries (year, school, teacher, team_size, title, description,"
               " proposed_domain) VALUES (%s, '{\"name\": \"Escola\", \"municipality\": \"Braga\"}',"
               " %s::jsonb, 3, 'Sítio', 'Um sítio.', %s)",
               (year, json.dumps({"name": name, "email": email}), f"escola-{u}.pt"))
    voucher = "".join("23456789ABCDEFGHJKMNPQRSTVWXYZ"[int(c, 16)] for c in uuid.uuid4().hex[:14])
    db.execute("INSERT INTO vouchers (code, program_code, beneficiary, expires_at, batch_id) VALUES"
               " (%s, '3em1-comercio', %s::jsonb, now() + interval '30 days', gen_random_uuid())",
               (voucher, json.dumps({"type": "person", **person})))
    db.execute("INSERT INTO enrollments (program_code, registrar_id, accepted_terms_version, application)"
               " VALUES ('3em1', %s, 'v1', %s::jsonb)", (rid, json.dumps({"contact": person})))
    sid = db.execute("INSERT INTO newsletter_subscriptions (email) VALUES (%s) RETURNING id", (email,)).fetchone()[0]
    db.execute("INSERT INTO newsletter_consents (subscription_id, event, consent_text_version) VALUES"
               " (%s, 'subscribe', 'v1')", (sid,))
    db.execute("INSERT INTO contact_requests (topic, subject, message, name, email) VALUES"
               " ('general', 'Pedido', 'Escrevo de ' || %s, %s, %s)", (email, name, email))
    oid = db.execute("INSERT INTO outbox (event_id, event, channel, recipient, resource_type, resource_id,"
                     " payload) VALUES (gen_random_uuid(), 'contact_request.created', 'email', %s,"
                     " 'contact_request', 'x', %s::jsonb) RETURNING id",
                     (email, json.dumps({"template": "contact-request", "lang": "pt",
                                         "vars": {"name": name, "email": email}}))).fetchone()[0]
    db.execute("INSERT INTO outbox_attempts (outbox_id, outcome, worker, error) VALUES"
               " (%s, 'retry', 'w1', %s)", (oid, f"550 5.1.1 <{email}>: user unknown"))
    db.execute("INSERT INTO news_items (registrar_id, title, summary, body, status, channels) VALUES"
               " (%s, 'Novidade', 'Resumo', 'Corpo', 'submitted', '{site}')", (rid,))
    # trust: a PTSOC check of the contact, an incident quoting the address, a council nominee's statement
    check = db.execute("INSERT INTO security_contact_checks (status, finished_at) VALUES ('finished', now())"
                       " RETURNING id").fetchone()[0]
    db.execute("INSERT INTO security_contact_verifications (check_id, registrar_id, type, email, token_hash,"
               " sent_at) VALUES (%s, %s, 'security', %s, encode(sha256(%s::bytea), 'hex'), now())",
               (check, rid, email, u))
    iid = db.execute("INSERT INTO incidents (registrar_id, title, description, category, severity, tlp,"
                     " detected_at, acknowledge_due_at) VALUES (%s, 'Phishing', 'Denunciado por ' || %s,"
                     " 'phishing', 'low', 'GREEN', now(), now() + interval '72 hours') RETURNING id", (rid, email)).fetchone()[0]
    db.execute("INSERT INTO incident_updates (incident_id, body) VALUES (%s, 'Contacto: ' || %s)", (iid, email))
    tid = db.execute("INSERT INTO council_terms (title, starts_on, ends_on, registrar_seats) VALUES"
                     " ('Mandato ' || %s, '2031-01-01', '2033-12-31', 3) RETURNING id", (u,)).fetchone()[0]
    db.execute("INSERT INTO council_nominations (term_id, registrar_id, nominee_name, statement) VALUES"
               " (%s, %s, %s, 'Escrevam-me para ' || %s)", (tid, rid, name, email))
    return rid


def where_is(db, needle):
    """Every (table, column) of every text, varchar or jsonb column of every table holding needle
    (case-insensitive), searched with SQL."""
    cols = db.execute("SELECT table_name, column_name FROM information_schema.columns c"
                      " JOIN information_schema.tables t USING (table_schema, table_name)"
                      " WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'"
                      " AND c.data_type IN ('text', 'jsonb', 'character varying', 'json')").fetchall()
    found = []
    for table, column in cols:
        hit = db.execute(f'SELECT count(*) FROM "{table}" WHERE strpos(lower("{column}"::text), lower(%s)) > 0',
                         (needle,)).fetchone()[0]
        if hit:
            found.append((table, column))
    return sorted(found)


def test_planted_email_is_exported_from_every_table_then_erased_everywhere(api, db):
    email = f"Plantado.{uuid.uuid4().hex[:8]}@Exemplo.pt"
    name = f"Pessoa {uuid.uuid4().hex[:8]}"
    plant(db, email, name)
    locations = {l.split("\t")[1] for l in cli_locations(api, db)}
    held = {t for t, _ in where_is(db, email)}
    assert held == {"registrars", "accreditation_applications", "registrations", "sitestar_entries", "vouchers",
                    "enrollments", "newsletter_subscriptions", "contact_requests", "outbox", "outbox_attempts",
                    "security_contact_verifications", "incidents", "incident_updates", "council_nominations"}
    assert held <= locations

    # the access export, with the email in another case
    acc = create(api, kind="access", email=email.upper())
    doc = ok(staff(api).get(f"{DSR}/{acc['id']}/export"))
    assert doc["request_id"] == acc["id"] and doc["email"] == email.upper()
    found = {l["table"]: l["rows"] for l in doc["locations"]}
    assert set(found) == locations
    for table in held | {"newsletter_consents", "news_items", "data_requests"}:
        assert found[table], table
    text = json.dumps(doc).lower()
    for table in held:
        assert email.lower() in json.dumps(found[table]).lower(), table
    assert name.lower() in text
    assert found["registrars"][0]["values"]["contacts"][0]["name"] == name

    # the erasure
    era = create(api, kind="erasure", email=email)
    before_audit = db.execute("SELECT count(*), md5(string_agg(changes::text || coalesce(reason, ''), ''"
                              " ORDER BY seq)) FROM audit_events").fetchone()
    done = ok(staff(api).post(f"{DSR}/{era['id']}/fulfil"))
    assert done["status"] == "fulfilled" and done["email"].startswith("erased-")
    assert done["email"].endswith("@invalid")
    erased = {e["table"] for e in done["report"]["erased"]}
    assert held | {"data_requests"} <= erased
    kept = {(k["table"], k["why"].split(":")[0]) for k in done["report"]["kept"]}
    assert {t for t, _ in kept} == {"newsletter_consents", "news_items"}
    # no trace anywhere but the audit log, and the audit log untouched
    assert where_is(db, email) == []
    assert [t for t, _ in where_is(db, name)] == []
    n, digest = db.execute("SELECT count(*), md5(string_agg(changes::text || coalesce(reason, ''), ''"
                           " ORDER BY seq)) FROM audit_events WHERE seq <= (SELECT max(seq) FROM audit_events"
                           " WHERE true) ").fetchone()
    old = db.execute("SELECT md5(string_agg(changes::text || coalesce(reason, ''), '' ORDER BY seq))"
                     " FROM (SELECT * FROM audit_events ORDER BY seq LIMIT %s) a", (before_audit[0],)).fetchone()[0]
    assert old == before_audit[1] and n == before_audit[0] + 1
    # the erased forms are one per address, and the pending email will not go
    forms = db.execute("SELECT DISTINCT recipient FROM outbox WHERE recipient LIKE 'erased-%%'").fetchall()
    assert [f[0] for f in forms] == [done["email"]]
    assert db.execute("SELECT status FROM outbox WHERE recipient = %s", (done["email"],)).fetchone()[0] == "failed"
    # an export now finds nothing
    again = create(api, kind="access", email=email)
    doc2 = ok(staff(api).get(f"{DSR}/{again['id']}/export"))
    assert [l["table"] for l in doc2["locations"] if l["rows"] and l["table"] != "data_requests"] == []


def test_an_accredited_registrars_contact_is_kept_and_said_why(api, db):
    email = f"contacto.{uuid.uuid4().hex[:8]}@exemplo.pt"
    rid = make_registrar(db)
    db.execute("UPDATE registrars SET contacts = contacts || %s::jsonb WHERE id = %s",
               (json.dumps([{"type": "billing", "name": "Rui Costa", "email": email}]), rid))
    db.execute("INSERT INTO contact_requests (topic, subject, message, name, email) VALUES"
               " ('general', 'Pedido', 'Texto', 'Rui Costa', %s)", (email,))
    app = db.execute("INSERT INTO accreditation_applications (tax_id, document, contact_email, status,"
                     " registrar_id) VALUES (%s, '{}', %s, 'approved', %s) RETURNING id::text",
                     ("PT5" + uuid.uuid4().hex[:8], email, rid)).fetchone()[0]
    era = create(api, kind="erasure", email=email)
    done = ok(staff(api).post(f"{DSR}/{era['id']}/fulfil"))
    kept = {(k["table"], k["id"]): k["why"] for k in done["report"]["kept"]}
    assert set(kept) == {("registrars", rid), ("accreditation_applications", app)}
    assert "not terminated" in kept[("registrars", rid)]
    assert "still accredited" in kept[("accreditation_applications", app)]
    assert {t for t, _ in where_is(db, email)} == {"registrars", "accreditation_applications"}
    # once the registrar is terminated, a new erasure request takes both
    db.execute("UPDATE registrars SET status = 'terminated' WHERE id = %s", (rid,))
    again = create(api, kind="erasure", email=email)
    ok(staff(api).post(f"{DSR}/{again['id']}/fulfil"))
    assert where_is(db, email) == []
    assert "contact_requests" in {e["table"] for e in done["report"]["erased"]}


def test_fulfilling_an_access_or_rectification_erases_nothing(api, db):
    email = f"leve.{uuid.uuid4().hex[:8]}@exemplo.pt"
    db.execute("INSERT INTO newsletter_subscriptions (email) VALUES (%s)", (email,))
    for kind in ("access", "rectification"):
        d = create(api, kind=kind, email=email)
        f = ok(staff(api).post(f"{DSR}/{d['id']}/fulfil"))
        assert f["status"] == "fulfilled" and f["report"] is None and f["email"] == email
    assert db.execute("SELECT count(*) FROM newsletter_subscriptions WHERE email = %s", (email,)).fetchone()[0] == 1


def test_erasing_an_address_quoted_in_free_text(db):
    out = db.execute("SELECT personal_erase_text('550 <Ana@Exemplo.pt>: ana@exemplo.pt unknown', 'ana@exemplo.pt'),"
                     " personal_erased_email('ANA@exemplo.pt')").fetchone()
    assert out[0] == f"550 <{out[1]}>: {out[1]} unknown"
    assert out[1].startswith("erased-") and out[1].endswith("@invalid")
    assert db.execute("SELECT personal_erase_text('nada a ver', 'ana@exemplo.pt')").fetchone()[0] == "nada a ver"


# --- every personal-looking column is known -------------------------------------------------

def cli_locations(api, db):
    out = subprocess.run([BIN, "personal-data"], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return [l for l in out.stdout.splitlines() if l.startswith("personal\t")]


def test_every_personal_looking_column_is_a_known_location(api, db):
    out = subprocess.run([BIN, "personal-data"], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0
    known = {tuple(l.split("\t")[1:3]) for l in out.stdout.splitlines()}
    cols = db.execute("SELECT table_name, column_name FROM information_schema.columns c"
                      " JOIN information_schema.tables t USING (table_schema, table_name)"
                      " WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'"
                      " AND table_name <> 'audit_events'"
                      " AND c.data_type IN ('text', 'jsonb', 'character varying', 'json')"
                      " AND column_name ~ %s", (PERSONAL_LOOKING,)).fetchall()
    unknown = sorted(set(cols) - known)
    assert unknown == [], f"personal-looking columns not in src/store/personal_data.c: {unknown}"
    # and every location names real columns
    real = set(db.execute("SELECT table_name, column_name FROM information_schema.columns"
                          " WHERE table_schema = 'public'").fetchall())
    assert known - real == set()


# --- retention ------------------------------------------------------------------------------

def counts(out):
    return {l.split(":")[0]: int(l.split(":")[1].split()[0]) for l in out.splitlines()[1:]}


def test_retention_dry_run_then_apply_as_of_a_time(server, api, db):
    email = f"antigo.{uuid.uuid4().hex[:8]}@exemplo.pt"
    plant(db, email)
    now = dt.datetime.now(dt.timezone.utc)
    # a year minus a day after the event and the rejection: nothing yet for this person
    early = cli(server, "retention", "--at", iso(now + dt.timedelta(days=360)))
    assert early.returncode == 0, early.stderr
    assert "dry run" in early.stdout
    base = counts(early.stdout)
    late = cli(server, "retention", "--at", iso(now + dt.timedelta(days=370)))
    c = counts(late.stdout)
    assert c["registrations"] == base["registrations"] + 1
    assert c["accreditation_applications"] == base["accreditation_applications"] + 1
    assert c["sitestar_entries"] == base["sitestar_entries"]  # 24 months for teachers
    # the dry runs erased nothing
    assert {t for t, _ in where_is(db, email)} >= {"registrations", "accreditation_applications",
                                                   "sitestar_entries"}
    audit_n = db.execute("SELECT count(*) FROM audit_events").fetchone()[0]
    two_years = iso(now + dt.timedelta(days=740))
    applied = cli(server, "retention", "--apply", "--at", two_years)
    assert applied.returncode == 0, applied.stderr
    assert "erasing" in applied.stdout
    a = counts(applied.stdout)
    assert a["sitestar_entries"] >= 1 and a["registrations"] >= 1 and a["accreditation_applications"] >= 1
    held = {t for t, _ in where_is(db, email)}
    assert held.isdisjoint({"registrations", "accreditation_applications", "sitestar_entries"})
    assert "vouchers" in held  # no period of its own: only an erasure request removes it
    assert db.execute("SELECT count(*) FROM audit_events WHERE action = 'retention-erase'").fetchone()[0] == 3
    assert db.execute("SELECT count(*) FROM audit_events").fetchone()[0] == audit_n + 3
    # again: nothing left to erase
    assert all(v == 0 for v in counts(cli(server, "retention", "--at", two_years).stdout).values())


def test_retention_refuses_bad_arguments(server, db):
    for args in (["--at", "ontem"], ["--apply", "--apply"], ["--now"], ["--at"]):
        out = cli(server, "retention", *args)
        assert out.returncode == 2 and "usage" in out.stderr, args
