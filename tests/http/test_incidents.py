"""Incident reports (issue 16, item 2): reporting (a registrar its own,
staff for one or none), the acknowledgement's deadline by severity and
`overdue`, the reported → acknowledged → investigating → resolved → closed
machine, edits by role and state, the CNCS deadlines, the .pt names checked
and normalized, the timeline from both sides, own/other, roles, and TLP:RED:
a RED incident's changes never reach the change feed, a webhook or a CSV
export, while an AMBER one's do."""
import csv
import datetime
import io
import uuid

import pytest

from accreditation import ok
from identity import make_registrar, mint, registrar_token
from programs import admin, audit, codes, problem, staff

INC = "/v1/incidents"
HOURS = {"critical": 1, "high": 4, "medium": 24, "low": 72}


def ts(s):
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)


def ago(hours):
    t = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=hours)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def body(**over):
    b = {"title": "Campanha de phishing", "description": "Páginas que imitam o homebanking.\nDenúncia de cliente.",
         "category": "phishing", "severity": "high", "tlp": "AMBER",
         "affected_domains": ["exemplo-login.pt"], "detected_at": ago(2)}
    b.update(over)
    return {k: v for k, v in b.items() if v is not ...}


def reg(api, rid):
    return api.with_token(registrar_token(rid))


def report(client, **over):
    return ok(client.post(INC, body(**over)), 201)


def invalid(r):
    """A 422's (pointer, code) pairs."""
    problem(r, 422, "validation-failed")
    return codes(r)


def count(db, table="incidents"):
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def etag(client, iid):
    return client.get(f"{INC}/{iid}").headers["ETag"]


def patch(client, iid, doc, tag=None):
    return client.patch(f"{INC}/{iid}", doc, headers={"If-Match": tag or etag(client, iid)})


def walk(api, iid, *actions):
    s = staff(api)
    for a in actions:
        ok(s.post(f"{INC}/{iid}/{a}"))


# --- reporting ----------------------------------------------------------------------------------

def test_a_registrar_reports_its_own_incident(api, db):
    rid = make_registrar(db)
    r = reg(api, rid).post(INC, body(affected_domains=["Exemplo-Login.PT", "pão.com.pt"]))
    i = ok(r, 201)
    assert r.headers["Location"] == f"{INC}/{i['id']}" and r.headers["ETag"]
    assert (i["registrar_id"], i["status"], i["tlp"], i["category"], i["severity"]) == \
        (rid, "reported", "AMBER", "phishing", "high")
    assert i["affected_domains"] == ["exemplo-login.pt", "xn--po-sia.com.pt"]
    assert i["description"] == "Páginas que imitam o homebanking.\nDenúncia de cliente."
    assert ts(i["acknowledge_due_at"]) - ts(i["reported_at"]) == datetime.timedelta(hours=4)
    assert (i["overdue"], i["reportable_to_cncs"], i["cncs_deadlines"]) == (False, False, None)
    assert i["allowed_actions"] == ["edit"]
    assert set(ok(staff(api).get(f"{INC}/{i['id']}"))["allowed_actions"]) == {"acknowledge", "edit"}
    assert audit(db, i["id"]) == [("report", None, "reported", None)]
    assert ok(reg(api, rid).get(f"{INC}/{i['id']}")) == i


@pytest.mark.parametrize("severity", list(HOURS))
def test_the_acknowledgement_is_due_by_severity(api, db, severity):
    i = report(reg(api, make_registrar(db)), severity=severity)
    assert ts(i["acknowledge_due_at"]) - ts(i["reported_at"]) == datetime.timedelta(hours=HOURS[severity])


def test_staff_report_for_none_or_for_a_registrar(api, db):
    rid = make_registrar(db)
    none = report(staff(api), affected_domains=..., reportable_to_cncs=True)
    assert (none["registrar_id"], none["affected_domains"], none["reportable_to_cncs"]) == (None, [], True)
    named = report(staff(api), registrar_id=rid)
    assert named["registrar_id"] == rid
    assert ok(reg(api, rid).get(f"{INC}/{named['id']}"))["id"] == named["id"]
    problem(reg(api, rid).get(f"{INC}/{none['id']}"), 404, "not-found")


BAD = [
    ({"title": ...}, [("/title", "required")]),
    ({"title": ""}, [("/title", "too_short")]),
    ({"title": "t" * 201}, [("/title", "too_long")]),
    ({"description": "d" * 10001}, [("/description", "too_long")]),
    ({"category": "spam"}, [("/category", "enum")]),
    ({"severity": "urgent"}, [("/severity", "enum")]),
    ({"tlp": "WHITE"}, [("/tlp", "enum")]),
    ({"detected_at": "ontem"}, [("/detected_at", "format")]),
    ({"detected_at": ago(-1)}, [("/detected_at", "future")]),
    ({"affected_domains": ["ok.pt", "exemplo.com"]}, [("/affected_domains/1", "pt_domain")]),
    ({"affected_domains": ["a.pt", "b.pt", "A.PT"]}, [("/affected_domains/2", "repeated")]),
    ({"affected_domains": ["x y.pt"]}, None),
    ({"affected_domains": [f"d{i}.pt" for i in range(101)]}, [("/affected_domains", "too_many")]),
    ({"affected_domains": "a.pt"}, [("/affected_domains", "type")]),
    ({"severity_level": 1}, [("/severity_level", "unknown_field")]),
]


@pytest.mark.parametrize("over,expected", BAD)
def test_bad_reports_are_422_and_store_nothing(api, db, over, expected):
    rid = make_registrar(db)
    before = (count(db), count(db, "audit_events"))
    r = reg(api, rid).post(INC, body(**over))
    problem(r, 422, "validation-failed")
    if expected is None:
        assert [p for p, _ in codes(r)] == ["/affected_domains/0"]
    else:
        assert codes(r) == expected
    assert (count(db), count(db, "audit_events")) == before


def test_what_a_registrar_may_not_write(api, db):
    rid, other = make_registrar(db), make_registrar(db)
    before = count(db)
    r = reg(api, rid).post(INC, body(registrar_id=other, reportable_to_cncs=True))
    problem(r, 422, "validation-failed")
    assert codes(r) == [("/registrar_id", "not_writable"), ("/reportable_to_cncs", "not_writable")]
    assert count(db) == before


def test_staff_must_name_an_existing_registrar(api, db):
    before = count(db)
    r = staff(api).post(INC, body(registrar_id="00000000-0000-4000-8000-000000000000"))
    assert invalid(r) == [("/registrar_id", "unknown_registrar")]
    gone = make_registrar(db, status="terminated")
    assert codes(staff(api).post(INC, body(registrar_id=gone))) == [("/registrar_id", "unknown_registrar")]
    assert count(db) == before


# --- the machine ---------------------------------------------------------------------------------

def test_the_whole_machine(api, db):
    rid = make_registrar(db)
    i = report(reg(api, rid))
    s = staff(api)
    for action, to, allowed in [("acknowledge", "acknowledged", {"investigate", "edit"}),
                                ("investigate", "investigating", {"resolve", "edit"}),
                                ("resolve", "resolved", {"close", "edit"}),
                                ("close", "closed", set())]:
        j = ok(s.post(f"{INC}/{i['id']}/{action}", {"reason": "passo"}))
        assert (j["status"], set(j["allowed_actions"])) == (to, allowed)
        assert ok(reg(api, rid).get(f"{INC}/{i['id']}"))["allowed_actions"] == []
    assert [a[0] for a in audit(db, i["id"])] == ["report", "acknowledge", "investigate", "resolve", "close"]
    history = ok(s.get(f"{INC}/{i['id']}/history"))["items"]
    assert [h["action"] for h in history] == ["report", "acknowledge", "investigate", "resolve", "close"]


def test_a_wrong_state_is_409_and_changes_nothing(api, db):
    i = report(reg(api, make_registrar(db)))
    for action in ("investigate", "resolve", "close"):
        p = problem(staff(api).post(f"{INC}/{i['id']}/{action}"), 409, "invalid-state")
        assert p["current_status"] == "reported"
    walk(api, i["id"], "acknowledge")
    assert problem(staff(api).post(f"{INC}/{i['id']}/acknowledge"), 409, "invalid-state")["current_status"] == \
        "acknowledged"
    assert db.execute("SELECT status, version FROM incidents WHERE id = %s", (i["id"],)).fetchone() == \
        ("acknowledged", 2)


def test_a_registrar_takes_no_action(api, db):
    rid = make_registrar(db)
    i = report(reg(api, rid))
    for action in ("acknowledge", "investigate", "resolve", "close"):
        problem(reg(api, rid).post(f"{INC}/{i['id']}/{action}"), 403, "forbidden")
    assert db.execute("SELECT status FROM incidents WHERE id = %s", (i["id"],)).fetchone()[0] == "reported"


def test_overdue_as_of_the_read_and_its_filter(api, db):
    rid = make_registrar(db)
    late, fresh = report(reg(api, rid), severity="critical"), report(reg(api, rid), severity="critical")
    db.execute("ALTER TABLE incidents DISABLE TRIGGER incidents_touch")
    db.execute("UPDATE incidents SET reported_at = reported_at - interval '2 hours',"
               " acknowledge_due_at = acknowledge_due_at - interval '2 hours' WHERE id = %s", (late["id"],))
    db.execute("ALTER TABLE incidents ENABLE TRIGGER incidents_touch")
    assert ok(staff(api).get(f"{INC}/{late['id']}"))["overdue"] is True
    assert ok(staff(api).get(f"{INC}/{fresh['id']}"))["overdue"] is False
    ids = [x["id"] for x in ok(reg(api, rid).get(f"{INC}?overdue=true"))["items"]]
    assert ids == [late["id"]]
    assert [x["id"] for x in ok(reg(api, rid).get(f"{INC}?overdue=false"))["items"]] == [fresh["id"]]
    walk(api, late["id"], "acknowledge")
    assert ok(staff(api).get(f"{INC}/{late['id']}"))["overdue"] is False
    assert ok(reg(api, rid).get(f"{INC}?overdue=true"))["items"] == []
    problem(reg(api, rid).get(f"{INC}?overdue=maybe"), 400, "invalid-request")


# --- edits ---------------------------------------------------------------------------------------

def test_a_registrar_edits_three_fields_while_reported(api, db):
    rid = make_registrar(db)
    c = reg(api, rid)
    i = report(c)
    j = ok(patch(c, i["id"], {"title": "Phishing (atualizado)", "affected_domains": ["Novo.pt"]}))
    assert (j["title"], j["affected_domains"], j["description"]) == ("Phishing (atualizado)", ["novo.pt"],
                                                                     i["description"])
    r = patch(c, i["id"], {"tlp": "RED", "severity": "low"})
    assert invalid(r) == [("/severity", "not_writable"),
                                                                  ("/tlp", "not_writable")]
    walk(api, i["id"], "acknowledge")
    before = db.execute("SELECT version, title FROM incidents WHERE id = %s", (i["id"],)).fetchone()
    assert problem(patch(c, i["id"], {"title": "Outra"}), 409, "invalid-state")["current_status"] == "acknowledged"
    assert db.execute("SELECT version, title FROM incidents WHERE id = %s", (i["id"],)).fetchone() == before


def test_staff_edit_any_field_until_closed(api, db):
    rid = make_registrar(db)
    i = report(reg(api, rid), severity="low", detected_at="2026-01-31T10:00:00Z")
    s = staff(api)
    walk(api, i["id"], "acknowledge")
    j = ok(patch(s, i["id"], {"severity": "critical", "tlp": "GREEN", "category": "malware",
                              "reportable_to_cncs": True}))
    assert (j["severity"], j["tlp"], j["category"]) == ("critical", "GREEN", "malware")
    assert ts(j["acknowledge_due_at"]) - ts(j["reported_at"]) == datetime.timedelta(hours=1)
    assert j["cncs_deadlines"] == {"early_warning_due_at": "2026-02-01T10:00:00Z",
                                   "notification_due_at": "2026-02-03T10:00:00Z",
                                   "final_report_due_at": "2026-02-28T10:00:00Z"}
    assert ok(patch(s, i["id"], {"reportable_to_cncs": False}))["cncs_deadlines"] is None
    assert ok(patch(s, i["id"], {"registrar_id": None}))["registrar_id"] is None
    problem(reg(api, rid).get(f"{INC}/{i['id']}"), 404, "not-found")
    r = patch(s, i["id"], {"detected_at": ago(-2)})
    assert invalid(r) == [("/detected_at", "future")]
    r = patch(s, i["id"], {"affected_domains": ["exemplo.org"]})
    assert codes(r) == [("/affected_domains/0", "pt_domain")]
    r = patch(s, i["id"], {"status": "closed"})
    assert invalid(r) == [("/status", "unknown_field")]
    walk(api, i["id"], "investigate", "resolve", "close")
    problem(patch(s, i["id"], {"title": "Tarde demais"}), 409, "invalid-state")


def test_edits_need_if_match(api, db):
    i = report(reg(api, make_registrar(db)))
    problem(staff(api).patch(f"{INC}/{i['id']}", {"title": "x"}), 428, "precondition-required")
    problem(staff(api).patch(f"{INC}/{i['id']}", {"title": "x"}, headers={"If-Match": '"99"'}), 412,
            "precondition-failed")


# --- the timeline --------------------------------------------------------------------------------

def test_updates_from_both_sides_oldest_first(api, db):
    rid = make_registrar(db)
    i = report(reg(api, rid))
    u1 = ok(reg(api, rid).post(f"{INC}/{i['id']}/updates", {"body": "Domínios suspensos.\nObrigado."}), 201)
    u2 = ok(staff(api).post(f"{INC}/{i['id']}/updates", {"body": "Confirmado."}), 201)
    assert (u1["author"], u2["author"]) == ({"registrar_id": rid}, {"staff": True})
    items = ok(reg(api, rid).get(f"{INC}/{i['id']}/updates"))["items"]
    assert [(u["id"], u["body"]) for u in items] == [(u1["id"], "Domínios suspensos.\nObrigado."),
                                                    (u2["id"], "Confirmado.")]
    assert ok(staff(api).get(f"{INC}/{i['id']}/updates"))["items"] == items
    changes = db.execute("SELECT changes->>'body' FROM audit_events WHERE resource_id = %s"
                         " AND action = 'post-update'", (i["id"],)).fetchall()
    assert len(changes) == 2 and all(c[0].startswith("hmac-sha256:") for c in changes)


@pytest.mark.parametrize("doc,expected", [({}, [("/body", "required")]), ({"body": ""}, [("/body", "too_short")]),
                                          ({"body": "x" * 5001}, [("/body", "too_long")]),
                                          ({"body": "a", "author": "x"}, [("/author", "unknown_field")])])
def test_bad_updates_store_nothing(api, db, doc, expected):
    i = report(reg(api, make_registrar(db)))
    r = staff(api).post(f"{INC}/{i['id']}/updates", doc)
    assert invalid(r) == expected
    assert db.execute("SELECT count(*) FROM incident_updates WHERE incident_id = %s", (i["id"],)).fetchone()[0] == 0


def test_no_update_once_closed(api, db):
    i = report(reg(api, make_registrar(db)))
    walk(api, i["id"], "acknowledge", "investigate", "resolve", "close")
    assert problem(staff(api).post(f"{INC}/{i['id']}/updates", {"body": "x"}), 409,
                   "invalid-state")["current_status"] == "closed"
    assert db.execute("SELECT count(*) FROM incident_updates WHERE incident_id = %s", (i["id"],)).fetchone()[0] == 0


# --- own / other, roles, lists --------------------------------------------------------------------

def test_another_registrars_incident_is_absent(api, db):
    a, b = make_registrar(db), make_registrar(db)
    i = report(reg(api, a))
    o = reg(api, b)
    problem(o.get(f"{INC}/{i['id']}"), 404, "not-found")
    problem(patch(o, i["id"], {"title": "x"}, tag='"1"'), 404, "not-found")
    problem(o.get(f"{INC}/{i['id']}/history"), 403, "forbidden")  # staff's: it names staff members
    problem(o.get(f"{INC}/{i['id']}/updates"), 404, "not-found")
    problem(o.post(f"{INC}/{i['id']}/updates", {"body": "olá"}), 404, "not-found")
    problem(o.get(f"{INC}?registrar_id={a}"), 403, "forbidden")
    assert i["id"] not in [x["id"] for x in ok(o.get(INC))["items"]]
    assert db.execute("SELECT title, version FROM incidents WHERE id = %s", (i["id"],)).fetchone() == \
        (i["title"], 1)
    assert db.execute("SELECT count(*) FROM incident_updates WHERE incident_id = %s", (i["id"],)).fetchone()[0] == 0


def test_roles(api, db):
    i = report(reg(api, make_registrar(db)))
    for path in (INC, f"{INC}/{i['id']}", f"{INC}/{i['id']}/updates", f"{INC}/{i['id']}/history"):
        problem(api.get(path), 401, "unauthenticated")
        problem(api.with_token(mint("applicant", application_id=str(uuid.uuid4()))).get(path), 403, "forbidden")
    problem(api.post(INC, body()), 401, "unauthenticated")
    problem(api.with_token(mint("applicant", application_id=str(uuid.uuid4()))).post(INC, body()), 403,
            "forbidden")
    problem(api.post(f"{INC}/{i['id']}/acknowledge"), 401, "unauthenticated")
    assert ok(admin(api).post(f"{INC}/{i['id']}/acknowledge"))["status"] == "acknowledged"


def test_list_filters(api, db):
    a, b = make_registrar(db), make_registrar(db)
    x = report(reg(api, a), severity="low", tlp="GREEN")
    y = report(reg(api, b), severity="critical", tlp="AMBER+STRICT")
    walk(api, y["id"], "acknowledge")
    s = staff(api)

    def ids(q):
        return {i["id"] for i in ok(s.get(f"{INC}?{q}&limit=200"))["items"]} & {x["id"], y["id"]}
    assert ids("severity=low") == {x["id"]}
    assert ids("severity=critical,low") == {x["id"], y["id"]}
    assert ids("tlp=AMBER%2BSTRICT") == {y["id"]}
    assert ids("status=acknowledged") == {y["id"]}
    assert ids(f"registrar_id={a}") == {x["id"]}
    assert [i["id"] for i in ok(reg(api, a).get(INC))["items"]] == [x["id"]]
    problem(s.get(f"{INC}?tlp=WHITE"), 400, "invalid-request")
    page = ok(reg(api, a).get(f"{INC}?include_total=true"))
    assert page["total"] == 1


# --- TLP:RED never leaves ---------------------------------------------------------------------------

def feed(client):
    events, after = [], None
    while True:
        q = f"?after={after}" if after else ""
        body = ok(client.get("/v1/changes" + q))
        if not body["items"]:
            return events
        events += body["items"]
        after = body["next_cursor"]


def queued(db, webhook_id):
    return db.execute("SELECT event, payload::text FROM outbox WHERE channel = 'webhook'"
                      " AND recipient = %s ORDER BY id", (webhook_id,)).fetchall()


def test_red_never_leaves_while_amber_does(api, db):
    rid = make_registrar(db)
    s = staff(api)
    every = ok(s.post("/v1/webhooks", {"url": "https://hooks.example.pt/all"}), 201)
    mine = ok(reg(api, rid).post("/v1/webhooks", {"url": "https://hooks.example.pt/mine"}), 201)
    red, amber = report(reg(api, rid), tlp="RED"), report(reg(api, rid), tlp="AMBER")
    for i in (red, amber):
        ok(reg(api, rid).post(f"{INC}/{i['id']}/updates", {"body": "Novidades."}), 201)
        ok(patch(s, i["id"], {"severity": "critical"}))
        walk(api, i["id"], "acknowledge", "investigate")
        ok(s.post(f"{INC}/{i['id']}/updates", {"body": "Em análise."}), 201)

    # the audit log keeps both (a RED incident's history is not an export)
    assert db.execute("SELECT count(*), bool_and(confidential) FROM audit_events WHERE resource_id = %s",
                      (red["id"],)).fetchone() == (6, True)
    assert db.execute("SELECT count(*), bool_or(confidential) FROM audit_events WHERE resource_id = %s",
                      (amber["id"],)).fetchone() == (6, False)
    assert len(ok(s.get(f"{INC}/{red['id']}/history"))["items"]) == 6

    # the change feed
    for client in (s, reg(api, rid)):
        seen = [(e["resource_id"], e["type"]) for e in feed(client) if e["resource_type"] == "incident"]
        assert red["id"] not in {r for r, _ in seen}
        assert [t for r, t in seen if r == amber["id"]] == [
            "incident.reported", "incident.update_posted", "incident.updated", "incident.acknowledged",
            "incident.investigating", "incident.update_posted"]

    # webhooks: the staff subscription to every event and the registrar's own
    for w in (every, mine):
        rows = queued(db, w["id"])
        assert not any(red["id"] in p for _, p in rows)
        assert [e for e, p in rows if amber["id"] in p] == [
            "incident.reported", "incident.update_posted", "incident.updated", "incident.acknowledged",
            "incident.investigating", "incident.update_posted"]
    assert not db.execute("SELECT count(*) FROM outbox WHERE payload::text LIKE %s",
                          (f"%{red['id']}%",)).fetchone()[0]

    # email: the acknowledgement goes to the AMBER reporter's security contact only
    mails = db.execute("SELECT resource_id, recipient, payload->>'template' FROM outbox WHERE channel = 'email'"
                       " AND resource_type = 'incident' AND resource_id IN (%s, %s)",
                       (red["id"], amber["id"])).fetchall()
    assert mails == [(amber["id"], "soc@example.pt", "incident-acknowledged")]

    # the CSV export
    r = s.get(f"{INC}?limit=200", headers={"Accept": "text/csv"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    ids = [row["id"] for row in rows]
    assert amber["id"] in ids and red["id"] not in ids
    assert all(row["tlp"] != "RED" for row in rows)
    r = s.get(f"{INC}?tlp=RED", headers={"Accept": "text/csv"})
    assert r.status_code == 200 and red["id"] not in r.text
    # the audit log's own export too
    r = s.get(f"/v1/audit-events?resource_id={red['id']},{amber['id']}", headers={"Accept": "text/csv"})
    assert r.status_code == 200 and red["id"] not in r.text
    assert len([row for row in csv.DictReader(io.StringIO(r.text)) if row["resource_id"] == amber["id"]]) == 6
    # while the JSON pages show it to staff and its registrar, TLP shown
    assert ok(s.get(f"{INC}?tlp=RED&limit=200"))["items"][0]["tlp"] == "RED"
    assert ok(reg(api, rid).get(f"{INC}/{red['id']}"))["tlp"] == "RED"


def test_a_downgraded_incident_leaves_from_then_on(api, db):
    rid = make_registrar(db)
    s = staff(api)
    i = report(reg(api, rid), tlp="RED")
    ok(patch(s, i["id"], {"tlp": "AMBER"}))
    seen = [e["action"] for e in feed(s) if e["resource_id"] == i["id"]]
    assert seen == ["edit"]
    ok(patch(s, i["id"], {"tlp": "RED"}))
    assert [e["action"] for e in feed(s) if e["resource_id"] == i["id"]] == ["edit"]


def test_a_subscription_to_one_incident_type_and_the_delivery_log(api, db):
    rid = make_registrar(db)
    s = staff(api)
    acks = ok(s.post("/v1/webhooks", {"url": "https://hooks.example.pt/acks",
                                      "events": ["incident.acknowledged"]}), 201)
    red, amber = report(reg(api, rid), tlp="RED"), report(reg(api, rid), tlp="GREEN")
    walk(api, red["id"], "acknowledge")
    walk(api, amber["id"], "acknowledge", "investigate")
    assert [e for e, _ in queued(db, acks["id"])] == ["incident.acknowledged"]
    items = ok(s.get(f"/v1/webhooks/{acks['id']}/deliveries"))["items"]
    assert len(items) == 1 and amber["id"] in str(items[0]) and red["id"] not in str(items)


def test_reporting_again_with_the_same_idempotency_key_reports_once(api, db):
    rid = make_registrar(db)
    c = reg(api, rid)
    before = count(db)
    doc = body()  # one document: body() reads the clock, and a second may pass between two calls
    first = c.post(INC, doc, headers={"Idempotency-Key": "inc-1"})
    again = c.post(INC, doc, headers={"Idempotency-Key": "inc-1"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers.get("Idempotent-Replayed") == "true" and again.json()["id"] == first.json()["id"]
    assert count(db) == before + 1
    iid = first.json()["id"]
    u = c.post(f"{INC}/{iid}/updates", {"body": "Uma vez."}, headers={"Idempotency-Key": "upd-1"})
    v = c.post(f"{INC}/{iid}/updates", {"body": "Uma vez."}, headers={"Idempotency-Key": "upd-1"})
    assert (u.status_code, v.status_code, v.json()["id"]) == (201, 201, u.json()["id"])
    assert db.execute("SELECT count(*) FROM incident_updates WHERE incident_id = %s", (iid,)).fetchone()[0] == 1
