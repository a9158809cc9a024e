"""Data-processing agreements and the gate (issue 16, H1): versions public,
cacheable and immutable (a change is a new version, a duplicate 409);
acceptance as evidence (the very document's SHA-256, who, when, a keyed
hash of the address and never the address; again: 200, nothing written);
a registrar's standing (own, staff; another registrar's 404); and the gate:
past a version's accept_by, a registrar that has accepted neither it nor a
later version is refused enrolling, redeeming a voucher, registering for an
event and submitting a news item with 403 agreement-required, nothing
changed, and allowed once it accepts; the eligibility answers list the
check; a version not yet past accept_by does not gate; staff acting for a
registrar are gated by that registrar's state. Roles throughout."""
import uuid

from accreditation import ok
from agreements import (AGR, accept, accept_due, acceptances, agreement_body, count_agreements,
                        create_agreement, fresh_registrar, sha, standing)
from events import EVT, create_event, register, staff_register
from events import eligibility as event_eligibility
from identity import make_registrar, mint
from news import NWS, count_items, submit
from programs import PRG, as_registrar, at, codes, count_enrollments, enroll, problem, staff
from vouchers import issue, redeem, row as voucher_row


def gated(resp, a):
    body = problem(resp, 403, "agreement-required")
    assert body["version"] == a["version"] and body["accept_by"] == a["accept_by"], body
    return body


def terms(api, code):
    return ok(api.get(f"{PRG}/{code}"))["terms_version"]


# --- versions -------------------------------------------------------------------------------

def test_staff_publish_a_version_that_anyone_reads_and_caches(api, db):
    a = create_agreement(api, effective=10, due=40)
    assert set(a) == {"version", "title", "document_url", "document_sha256", "effective_at", "accept_by",
                      "created_at"}
    r = api.get(f"{AGR}/{a['version']}")
    assert ok(r) == a
    assert r.headers["Cache-Control"] == "public, max-age=60" and r.headers["ETag"]
    assert api.get(f"{AGR}/{a['version']}", headers={"If-None-Match": r.headers["ETag"]}).status_code == 304
    page = api.get(AGR, params={"limit": 200})
    assert a["version"] in [x["version"] for x in ok(page)["items"]]
    assert page.headers["Cache-Control"] == "public, max-age=60"
    assert api.get(AGR, params={"limit": 200}, headers={"If-None-Match": page.headers["ETag"]}).status_code == 304
    assert "public" not in staff(api).get(AGR).headers.get("Cache-Control", "")
    csv = staff(api).get(AGR, headers={"Accept": "text/csv"}, params={"limit": 200})
    assert csv.status_code == 200 and csv.headers["Content-Type"].startswith("text/csv")
    assert a["version"] in csv.text and a["document_sha256"] in csv.text
    problem(api.get(f"{AGR}/nao-existe"), 404, "not-found")
    problem(api.get(f"{AGR}/com%20espaco"), 404, "not-found")
    audit = db.execute("SELECT action, actor_sub FROM audit_events WHERE resource_type = 'agreement'"
                       " AND resource_id = %s", (a["version"],)).fetchall()
    assert audit == [("create", "joana@dns.pt")]


def test_a_version_is_immutable_a_duplicate_is_409(api, db):
    body = agreement_body(effective=20, due=50)
    ok(staff(api).post(AGR, body), 201)
    before = count_agreements(db)
    again = dict(body, title="Outra redação", document_sha256=sha("outra"))
    problem(staff(api).post(AGR, again), 409, "duplicate")
    assert count_agreements(db) == before
    assert ok(api.get(f"{AGR}/{body['version']}"))["title"] == body["title"]
    # no way to change one: no PATCH, no DELETE
    assert staff(api).patch(f"{AGR}/{body['version']}", {"title": "x"}).status_code == 405
    assert staff(api).delete(f"{AGR}/{body['version']}").status_code == 405


def test_bad_versions_are_422_and_write_nothing(api, db):
    before = count_agreements(db)
    cases = [
        (agreement_body(version="tem espaço"), ("/version", "format")),
        (agreement_body(version="x" * 21), ("/version", "too_long")),
        (agreement_body(document_url="http://www.dns.pt/acordo.pdf"), ("/document_url", "url")),
        (agreement_body(document_sha256=sha("a").upper()), ("/document_sha256", "format")),
        (agreement_body(document_sha256=sha("a")[:63]), ("/document_sha256", "format")),
        (agreement_body(effective_at="ontem"), ("/effective_at", "format")),
        (agreement_body(title=""), ("/title", "too_short")),
        (agreement_body(accept_by=...), ("/accept_by", "required")),
        (dict(agreement_body(), extra=1), ("/extra", "unknown_field")),
    ]
    for body, expected in cases:
        r = staff(api).post(AGR, body)
        problem(r, 422, "validation-failed")
        assert expected in codes(r), (body, r.text)
    same = at(5)
    r = staff(api).post(AGR, agreement_body(effective_at=same, accept_by=same))
    problem(r, 422, "validation-failed")
    assert codes(r) == [("/accept_by", "before_effective")]
    r = staff(api).post(AGR, agreement_body(effective=5, due=1))
    assert codes(r) == [("/accept_by", "before_effective")]
    assert count_agreements(db) == before


def test_only_staff_publish(api, db):
    rid = make_registrar(db)
    before = count_agreements(db)
    problem(api.post(AGR, agreement_body()), 401, "unauthenticated")
    problem(as_registrar(api, rid).post(AGR, agreement_body()), 403, "forbidden")
    ok(api.with_token(mint("admin", sub="root@dns.pt")).post(AGR, agreement_body(effective=30, due=60)), 201)
    assert count_agreements(db) == before + 1


# --- accepting: evidence --------------------------------------------------------------------

def test_an_acceptance_is_evidence_of_the_very_document(api, db):
    a = create_agreement(api, effective=-1, due=30)
    rid = make_registrar(db)
    me = as_registrar(api, rid)
    r = me.post(f"{AGR}/{a['version']}/accept", {"document_sha256": sha("outro documento")})
    problem(r, 422, "validation-failed")
    assert codes(r) == [("/document_sha256", "mismatch")]
    assert acceptances(db, rid) == 0
    r = accept(api, rid, a)
    x = ok(r, 201)
    assert x["version"] == a["version"] and x["registrar_id"] == rid
    assert x["document_sha256"] == a["document_sha256"]
    assert x["accepted_by"].startswith("test-registrar-")  # the token's subject
    assert x["address_hash"].startswith("hmac-sha256:") and "127.0.0.1" not in x["address_hash"]
    # the address never reaches the database, not even in the audit log
    row = db.execute("SELECT accepted_by, address_hash, document_sha256 FROM agreement_acceptances"
                     " WHERE registrar_id = %s", (rid,)).fetchone()
    assert row == (x["accepted_by"], x["address_hash"], a["document_sha256"])
    assert db.execute("SELECT count(*) FROM audit_events WHERE changes::text LIKE '%%127.0.0.1%%'"
                      " OR reason LIKE '%%127.0.0.1%%'").fetchone()[0] == 0
    audit = db.execute("SELECT action, registrar_id::text FROM audit_events WHERE resource_type = 'agreement'"
                       " AND resource_id = %s AND action = 'accept'", (a["version"],)).fetchall()
    assert audit == [("accept", rid)]
    # again: the same acceptance, nothing written
    events = db.execute("SELECT count(*) FROM audit_events").fetchone()[0]
    again = ok(accept(api, rid, a), 200)
    assert again == x
    assert acceptances(db, rid) == 1
    assert db.execute("SELECT count(*) FROM audit_events").fetchone()[0] == events


def test_accepting_is_for_registrars_only(api, db):
    a = create_agreement(api, effective=-1, due=30)
    before = acceptances(db)
    body = {"document_sha256": a["document_sha256"]}
    problem(api.post(f"{AGR}/{a['version']}/accept", body), 401, "unauthenticated")
    problem(staff(api).post(f"{AGR}/{a['version']}/accept", body), 403, "forbidden")
    rid = make_registrar(db)
    problem(as_registrar(api, rid).post(f"{AGR}/nao-existe/accept", body), 404, "not-found")
    r = as_registrar(api, rid).post(f"{AGR}/{a['version']}/accept", {"document_sha256": "x"})
    assert codes(r) == [("/document_sha256", "format")]
    r = as_registrar(api, rid).post(f"{AGR}/{a['version']}/accept", {})
    assert codes(r) == [("/document_sha256", "required")]
    assert acceptances(db) == before


def test_a_registrars_standing_own_staff_and_not_another(api, db):
    rid, other = fresh_registrar(api, db), make_registrar(db)
    a = create_agreement(api, effective=-0.0001, due=30)  # the newest effective
    s = standing(api, rid)
    assert s["registrar_id"] == rid
    mine = [i for i in s["agreements"] if i["agreement"]["version"] == a["version"]]
    assert mine == [{"agreement": a, "acceptance": None}]
    assert s["required"] == {"version": a["version"], "accept_by": a["accept_by"], "gated": False}
    assert standing(api, rid, staff(api)) == s
    problem(as_registrar(api, other).get(f"/v1/registrars/{rid}/agreements"), 404, "not-found")
    problem(api.get(f"/v1/registrars/{rid}/agreements"), 401, "unauthenticated")
    problem(staff(api).get(f"/v1/registrars/{uuid.uuid4()}/agreements"), 404, "not-found")
    x = ok(accept(api, rid, a), 201)
    s = standing(api, rid)
    assert [i["acceptance"] for i in s["agreements"] if i["agreement"]["version"] == a["version"]] == [x]
    assert s["required"] is None


# --- the gate -------------------------------------------------------------------------------

def test_enrolling_is_refused_until_the_due_version_is_accepted(api, db):
    rid = fresh_registrar(api, db)
    a = create_agreement(api)  # past its accept_by
    s = standing(api, rid)
    assert s["required"]["version"] == a["version"] and s["required"]["gated"] is True
    before = count_enrollments(db, rid=rid)
    e = ok(as_registrar(api, rid).get(f"{PRG}/3em1/eligibility"))
    assert e["eligible"] is False
    assert [(c["code"], c["passed"]) for c in e["checks"]][:2] == [("accredited", True), ("agreement", False)]
    assert a["version"] in e["checks"][1]["message"]
    events = db.execute("SELECT count(*) FROM audit_events").fetchone()[0]
    body = gated(enroll(api, rid, "3em1", terms(api, "3em1")), a)
    assert body["check"] == "agreement"
    # staff enrolling it are judged by the registrar's state
    gated(staff(api).post(f"{PRG}/3em1/enrollments",
                          {"registrar_id": rid, "accepted_terms_version": terms(api, "3em1")}), a)
    assert count_enrollments(db, rid=rid) == before
    assert db.execute("SELECT count(*) FROM audit_events").fetchone()[0] == events
    ok(accept(api, rid, a), 201)
    e = ok(as_registrar(api, rid).get(f"{PRG}/3em1/eligibility"))
    assert e["checks"][1] == {"code": "agreement", "passed": True, "message": e["checks"][1]["message"]}
    ok(enroll(api, rid, "3em1", terms(api, "3em1")), 201)
    assert count_enrollments(db, rid=rid) == before + 1


def test_redeeming_a_voucher_is_refused_until_accepted(api, db):
    from programs import active
    rid = fresh_registrar(api, db)
    for code in ("3em1", "3em1-comercio"):  # enrolled while nothing gates it
        active(api, rid, code, terms(api, code))
    v = issue(api)
    assert ok(as_registrar(api, rid).get(f"/v1/vouchers/{v['code']}"))["redeemable_by_me"] is True
    a = create_agreement(api)
    assert ok(as_registrar(api, rid).get(f"/v1/vouchers/{v['code']}"))["redeemable_by_me"] is False
    gated(redeem(api, rid, v["code"], f"loja-{uuid.uuid4().hex[:8]}.pt"), a)
    assert voucher_row(db, v["code"])["status"] == "issued"
    ok(accept(api, rid, a), 201)
    assert ok(as_registrar(api, rid).get(f"/v1/vouchers/{v['code']}"))["redeemable_by_me"] is True
    assert ok(redeem(api, rid, v["code"], "loja-aceite.pt"))["status"] == "redeemed"


def test_registering_for_an_event_is_refused_until_accepted_and_staff_are_gated_too(api, db):
    rid = fresh_registrar(api, db)
    ev = create_event(api)
    a = create_agreement(api)
    e = event_eligibility(api, rid, ev["id"])
    assert [c["code"] for c in e["checks"] if not c["passed"]] == ["agreement"]
    e = event_eligibility(api, rid, ev["id"], caller=staff(api))
    assert [c["code"] for c in e["checks"] if not c["passed"]] == ["agreement"]
    seats = db.execute("SELECT count(*) FROM registrations WHERE event_id = %s", (ev["id"],)).fetchone()[0]
    gated(register(api, rid, ev["id"]), a)
    gated(staff_register(api, rid, ev["id"]), a)  # staff acting for it: the registrar's state
    assert db.execute("SELECT count(*) FROM registrations WHERE event_id = %s",
                      (ev["id"],)).fetchone()[0] == seats
    ok(accept(api, rid, a), 201)
    assert event_eligibility(api, rid, ev["id"])["eligible"] is True
    ok(register(api, rid, ev["id"]), 201)


def test_submitting_news_is_refused_until_accepted(api, db):
    rid = fresh_registrar(api, db)
    a = create_agreement(api)
    before = count_items(db)
    gated(submit(api, rid), a)
    assert count_items(db) == before
    ok(accept(api, rid, a), 201)
    ok(submit(api, rid), 201)
    assert count_items(db) == before + 1


def test_a_version_not_yet_past_accept_by_does_not_gate(api, db):
    rid = fresh_registrar(api, db)
    a = create_agreement(api, effective=-1, due=1)
    s = standing(api, rid)
    assert s["required"]["gated"] is False
    assert [i["acceptance"] for i in s["agreements"] if i["agreement"]["version"] == a["version"]] == [None]
    e = ok(as_registrar(api, rid).get(f"{PRG}/3em1/eligibility"))
    assert e["checks"][1]["code"] == "agreement" and e["checks"][1]["passed"] is True
    ok(submit(api, rid), 201)
    # once past it (moved with SQL, not waited for), it gates
    db.execute("UPDATE agreements SET effective_at = now() - interval '2 days',"
               " accept_by = now() - interval '1 second' WHERE version = %s", (a["version"],))
    due = ok(api.get(f"{AGR}/{a['version']}"))
    gated(submit(api, rid), due)


def test_a_later_version_accepted_covers_an_earlier_one(api, db):
    rid = fresh_registrar(api, db)
    # newer than any version the registrar accepted before
    old = create_agreement(api, effective=-0.0002, due=-0.0001)
    new = create_agreement(api, effective=-0.00005, due=20)
    gated(submit(api, rid), old)
    ok(accept(api, rid, new), 201)
    ok(submit(api, rid), 201)
    assert standing(api, rid)["required"] is None


def test_an_acceptance_is_in_the_registrars_change_feed_and_nobody_elses(api, db):
    rid, other = fresh_registrar(api, db), fresh_registrar(api, db)
    a = create_agreement(api, effective=-1, due=30)
    ok(accept(api, rid, a), 201)

    def feed(client):
        events, after = [], None
        while True:
            body = ok(client.get("/v1/changes", params={"after": after} if after else None))
            if not body["items"]:
                return events
            events += body["items"]
            after = body["next_cursor"]
    mine = [e for e in feed(as_registrar(api, rid)) if e["type"].startswith("agreement.")]
    assert [(e["type"], e["resource_id"], e["registrar_id"]) for e in mine][-1] == \
        ("agreement.accepted", a["version"], rid)
    theirs = [e for e in feed(as_registrar(api, other)) if e["resource_id"] == a["version"]]
    assert theirs == []
    everything = [e for e in feed(staff(api)) if e["resource_id"] == a["version"]]
    assert [e["type"] for e in everything] == ["agreement.created", "agreement.accepted"]
