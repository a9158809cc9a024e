"""Programs (issue 11): the seeded 3em1 and 3em1-comercio, the public
catalogue (no drafts, filters, caching), creation and its rules, edits under
If-Match, the draft → open → closed → archived machine, history and audit,
and each role's refusals."""
import uuid

import pytest

from accreditation import ok
from identity import make_registrar, mint
from programs import (PRG, admin, as_registrar, audit, codes, create_program, patch_program,
                      problem, program_body, program_row, staff)


# --- the seed and the public catalogue ------------------------------------------------------

def test_seeded_programs_are_open_standing_and_public(api):
    page = api.get(PRG, params={"limit": "200"})
    body = ok(page)
    assert page.headers["Cache-Control"] == "public, max-age=60"
    by_code = {p["code"]: p for p in body["items"]}
    assert {"3em1", "3em1-comercio"} <= set(by_code)
    for code, requires in (("3em1", []), ("3em1-comercio", ["3em1"])):
        p = by_code[code]
        assert (p["kind"], p["status"], p["year"], p["benefit_months"], p["terms_version"]) == \
            ("standing", "open", None, 12, "1"), p
        assert p["requires"] == requires
        assert (p["enrollment_opens_at"], p["enrollment_closes_at"], p["capacity"]) == (None, None, None)
        assert p["application_form"] is None
        assert p["name"]["pt"] and p["name"]["en"] and p["description"]["pt"] and p["description"]["en"]
        assert p["allowed_actions"] == []
    one = api.get(f"{PRG}/3em1")
    assert ok(one) == by_code["3em1"]
    assert one.headers["Cache-Control"] == "public, max-age=60"
    assert one.headers["ETag"] == '"1"'


def test_anonymous_reads_answer_304_and_authenticated_ones_stay_private(api):
    one = api.get(f"{PRG}/3em1")
    again = api.get(f"{PRG}/3em1", headers={"If-None-Match": one.headers["ETag"]})
    assert again.status_code == 304 and again.content == b""
    page = api.get(PRG, params={"kind": "standing"})
    etag = page.headers["ETag"]
    assert api.get(PRG, params={"kind": "standing"}, headers={"If-None-Match": etag}).status_code == 304
    s = staff(api)
    mine = s.get(f"{PRG}/3em1")
    assert mine.headers["Cache-Control"] == "no-store"
    assert set(ok(mine)["allowed_actions"]) == {"close", "edit"}
    assert s.get(PRG).headers["Cache-Control"] == "no-store"
    reg = as_registrar(api, str(uuid.uuid4()))
    assert ok(reg.get(f"{PRG}/3em1"))["allowed_actions"] == []


def test_drafts_are_seen_by_staff_only(api, db):
    draft = create_program(api)
    code = draft["code"]
    assert api.get(f"{PRG}/{code}").status_code == 404
    rid = make_registrar(db)
    assert as_registrar(api, rid).get(f"{PRG}/{code}").status_code == 404
    for caller in (api, as_registrar(api, rid)):
        listed = ok(caller.get(PRG, params={"limit": "200"}))["items"]
        assert code not in {p["code"] for p in listed}
        assert all(p["status"] != "draft" for p in listed)
        asked = ok(caller.get(PRG, params={"status": "draft", "limit": "200"}))["items"]
        assert asked == []
    s = staff(api)
    assert ok(s.get(f"{PRG}/{code}"))["status"] == "draft"
    assert code in {p["code"] for p in ok(s.get(PRG, params={"status": "draft", "limit": "200"}))["items"]}


def test_filters_kind_status_year_and_sorts(api):
    s = staff(api)
    call = create_program(api, kind="call", year=2041, status="open")
    contest = create_program(api, kind="contest", year=2042, status="closed")
    standing = create_program(api, status="open")

    def listed(params, caller=api):
        return [p["code"] for p in ok(caller.get(PRG, params=dict(params, limit="200")))["items"]]
    assert listed({"kind": "call", "year": "2041"}) == [call["code"]]
    assert listed({"kind": "contest"}) == [contest["code"]]
    assert set(listed({"kind": "call,contest", "year": "2041,2042"})) == {call["code"], contest["code"]}
    assert listed({"year": "2042", "status": "open"}) == []
    assert contest["code"] in listed({"status": "closed"})
    standing_codes = listed({"kind": "standing"})
    assert {"3em1", "3em1-comercio", standing["code"]} <= set(standing_codes)
    assert call["code"] not in standing_codes
    by_code = listed({"sort": "code"})
    assert by_code == sorted(by_code)
    assert listed({"sort": "-code"}) == sorted(by_code, reverse=True)
    newest = listed({"sort": "-created_at"}, s)
    assert newest.index(standing["code"]) < newest.index(call["code"])
    for bad in ({"kind": "lottery"}, {"year": "twenty"}, {"status": "frozen"}, {"sort": "name"},
                {"colour": "red"}):
        r = api.get(PRG, params=bad)
        problem(r, 400, "invalid-request")


# --- creation -------------------------------------------------------------------------------

def test_create_a_call_in_draft(api, db):
    s = staff(api)
    body = program_body("call", year=2033, capacity=20,
                        description={"pt": "Campanha anual.", "en": "The yearly campaign."},
                        enrollment_opens_at="2033-01-01T00:00:00Z",
                        enrollment_closes_at="2033-03-01T00:00:00Z", terms_version="2033-01")
    r = s.post(PRG, body)
    p = ok(r, 201)
    code = body["code"]
    assert r.headers["Location"] == f"{PRG}/{code}"
    assert r.headers["ETag"] == '"1"'
    assert (p["code"], p["kind"], p["year"], p["status"], p["capacity"]) == (code, "call", 2033, "draft", 20)
    assert p["application_form"] == "co-branding"
    assert p["requires"] == [] and p["benefit_months"] is None
    assert p["enrollment_opens_at"] == "2033-01-01T00:00:00Z"
    assert p["enrollment_closes_at"] == "2033-03-01T00:00:00Z"
    assert set(p["allowed_actions"]) == {"open", "edit"}
    assert program_row(db, code)[:3] == ("draft", 1, 20)
    assert audit(db, code) == [("create", None, "draft", None)]
    history = ok(s.get(f"{PRG}/{code}/history"))["items"]
    assert [(h["action"], h["to_status"]) for h in history] == [("create", "draft")]
    events = ok(s.get("/v1/audit-events", params={"resource_id": code}))["items"]
    assert [(e["action"], e["resource_type"]) for e in events] == [("create", "program")]


def test_a_call_not_named_co_branding_takes_no_application_and_requires_are_kept(api):
    p = create_program(api, kind="call", code="outra-campanha-2034", year=2034,
                       requires=["3em1"], benefit_months=6)
    assert p["application_form"] is None
    assert p["requires"] == ["3em1"] and p["benefit_months"] == 6


@pytest.mark.parametrize("over, expected", [
    ({"code": None}, [("/code", "required")]),
    ({"kind": None}, [("/kind", "required")]),
    ({"name": None}, [("/name", "required")]),
    ({"terms_version": None}, [("/terms_version", "required")]),
    ({"code": "A"}, [("/code", "program_code")]),
    ({"code": "Prog-Maiusculas"}, [("/code", "program_code")]),
    ({"code": "p" * 41}, [("/code", "too_long")]),
    ({"kind": "lottery"}, [("/kind", "enum")]),
    ({"year": 2031}, [("/year", "not_allowed")]),
    ({"name": {"pt": "Só português"}}, [("/name/en", "required")]),
    ({"name": {"pt": "x" * 201, "en": "ok"}}, [("/name/pt", "too_long")]),
    ({"description": {"pt": "d", "en": "d" * 5001}}, [("/description/en", "too_long")]),
    ({"capacity": 0}, [("/capacity", "too_small")]),
    ({"capacity": 1000001}, [("/capacity", "too_large")]),
    ({"benefit_months": 121}, [("/benefit_months", "too_large")]),
    ({"terms_version": ""}, [("/terms_version", "too_short")]),
    ({"terms_version": "t" * 21}, [("/terms_version", "too_long")]),
    ({"requires": ["nao-existe"]}, [("/requires/0", "unknown_program")]),
    ({"requires": ["3em1", "nao-existe"]}, [("/requires/1", "unknown_program")]),
    ({"enrollment_opens_at": "2031-03-01T00:00:00Z", "enrollment_closes_at": "2031-01-01T00:00:00Z"},
     [("/enrollment_closes_at", "before_opening")]),
    ({"enrollment_opens_at": "2031-03-01T00:00:00Z", "enrollment_closes_at": "2031-03-01T00:00:00Z"},
     [("/enrollment_closes_at", "before_opening")]),
    ({"enrollment_opens_at": "amanhã"}, [("/enrollment_opens_at", "format")]),
    ({"status": "open"}, [("/status", "unknown_field")]),
    ({"colour": "red"}, [("/colour", "unknown_field")]),
], ids=lambda v: "" if isinstance(v, list) else "-".join(f"{k}" for k in v))
def test_create_refuses_bad_input_and_changes_nothing(api, db, over, expected):
    body = program_body()
    for k, v in over.items():
        if v is None:
            body.pop(k)
        else:
            body[k] = v
    before = db.execute("SELECT count(*) FROM programs").fetchone()[0]
    r = staff(api).post(PRG, body)
    problem(r, 422, "validation-failed")
    assert codes(r) == expected
    assert db.execute("SELECT count(*) FROM programs").fetchone()[0] == before


@pytest.mark.parametrize("body, expected", [
    (lambda: program_body("call", year=None, code="co-branding-2035") | {"year": None},
     [("/year", "required")]),
    (lambda: program_body("contest", year=2035, code="sitestar-2036"), [("/code", "year_mismatch")]),
    (lambda: program_body("call", year=1999, code="co-branding-1999"), [("/year", "too_small")]),
    (lambda: program_body("call", year=2101, code="co-branding-2101"), [("/year", "too_large")]),
    (lambda: program_body(requires=["__self__"]), [("/requires/0", "unknown_program")]),
], ids=["call-without-year", "year-mismatch", "year-too-small", "year-too-large", "requires-itself"])
def test_create_refuses_year_rules_and_self_requirement(api, db, body, expected):
    doc = body()
    if doc.get("year", 0) is None:
        doc.pop("year")
    if doc.get("requires") == ["__self__"]:
        doc["requires"] = [doc["code"]]
    r = staff(api).post(PRG, doc)
    problem(r, 422, "validation-failed")
    assert codes(r) == expected
    assert program_row(db, doc["code"]) is None


def test_create_refuses_malformed_bodies(api, db):
    s = staff(api)
    before = db.execute("SELECT count(*) FROM programs").fetchone()[0]
    r = s.request("POST", PRG, data=b'{"code": ', headers={"Content-Type": "application/json"})
    problem(r, 400, "invalid-request")
    r = s.request("POST", PRG, data=b"code=x", headers={"Content-Type": "application/x-www-form-urlencoded"})
    problem(r, 415, "unsupported-media-type")
    assert db.execute("SELECT count(*) FROM programs").fetchone()[0] == before


def test_a_taken_code_is_a_duplicate(api, db):
    p = create_program(api)
    r = staff(api).post(PRG, program_body(code=p["code"]))
    problem(r, 409, "duplicate")
    problem(staff(api).post(PRG, program_body(code="3em1")), 409, "duplicate")
    assert db.execute("SELECT count(*) FROM programs WHERE code = %s", (p["code"],)).fetchone()[0] == 1
    assert program_row(db, "3em1")[1] == 1


def test_create_idempotency_key_replays(api, db):
    s = staff(api)
    body = program_body()
    key = f"prog-{uuid.uuid4()}"
    first = s.post(PRG, body, headers={"Idempotency-Key": key})
    assert first.status_code == 201
    again = s.post(PRG, body, headers={"Idempotency-Key": key})
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    other = s.post(PRG, program_body(), headers={"Idempotency-Key": key})
    problem(other, 422, "idempotency-key-reused")
    assert db.execute("SELECT count(*) FROM programs WHERE code = %s", (body["code"],)).fetchone()[0] == 1


# --- roles ----------------------------------------------------------------------------------

STAFF_WRITES = [
    ("POST", PRG, lambda code: program_body()),
    ("PATCH", PRG + "/{code}", lambda code: {"capacity": 5}),
    ("POST", PRG + "/{code}/open", lambda code: None),
    ("POST", PRG + "/{code}/close", lambda code: None),
    ("POST", PRG + "/{code}/archive", lambda code: None),
    ("GET", PRG + "/{code}/history", lambda code: None),
    ("GET", PRG + "/{code}/enrollments/summary", lambda code: None),
]


@pytest.mark.parametrize("method, template, body", STAFF_WRITES, ids=lambda v: v if isinstance(v, str) else "")
def test_staff_routes_refuse_the_public_and_registrars(api, db, method, template, body):
    p = create_program(api, status="open")
    code = p["code"]
    path = template.format(code=code)
    headers = {"If-Match": '"1"'} if method == "PATCH" else {}
    r = api.request(method, path, json_body=body(code), headers=headers)
    problem(r, 401, "unauthenticated")
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    rid = make_registrar(db)
    problem(as_registrar(api, rid).request(method, path, json_body=body(code), headers=headers),
            403, "forbidden")
    applicant = api.with_token(mint("applicant", application_id=str(uuid.uuid4())))
    problem(applicant.request(method, path, json_body=body(code), headers=headers), 403, "forbidden")
    assert program_row(db, code)[:2] == ("open", 2)


def test_admin_is_staff_for_programs(api):
    a = admin(api)
    p = ok(a.post(PRG, program_body()), 201)
    assert ok(a.post(f"{PRG}/{p['code']}/open"))["status"] == "open"


def test_unknown_programs_answer_404(api, db):
    s = staff(api)
    rid = make_registrar(db)
    for code in ("nao-existe", "NOT-A-CODE"):
        assert api.get(f"{PRG}/{code}").status_code == 404
        assert s.get(f"{PRG}/{code}").status_code == 404
        assert s.patch(f"{PRG}/{code}", {"capacity": 3}, headers={"If-Match": '"1"'}).status_code == 404
        for action in ("open", "close", "archive"):
            assert s.post(f"{PRG}/{code}/{action}").status_code == 404
        assert s.get(f"{PRG}/{code}/history").status_code == 404
        assert s.get(f"{PRG}/{code}/enrollments/summary").status_code == 404
        assert s.get(f"{PRG}/{code}/eligibility", params={"registrar_id": rid}).status_code == 404
        r = s.post(f"{PRG}/{code}/enrollments", {"registrar_id": rid, "accepted_terms_version": "1"})
        problem(r, 404, "not-found")


# --- the machine ----------------------------------------------------------------------------

def test_open_close_archive_and_wrong_states(api, db):
    s = staff(api)
    p = create_program(api)
    code = p["code"]

    def act(action, status=200, current=None):
        r = s.post(f"{PRG}/{code}/{action}", {"reason": f"Passo {action}."})
        if status == 200:
            return ok(r)
        body = problem(r, 409, "invalid-state")
        assert body["current_status"] == current
        return body

    act("close", 409, "draft")
    act("archive", 409, "draft")
    opened = act("open")
    assert opened["status"] == "open" and set(opened["allowed_actions"]) == {"close", "edit"}
    act("open", 409, "open")
    act("archive", 409, "open")
    closed = act("close")
    assert closed["status"] == "closed" and set(closed["allowed_actions"]) == {"archive", "edit"}
    act("close", 409, "closed")
    act("open", 409, "closed")
    edited = s.patch(f"{PRG}/{code}", {"benefit_months": 6}, headers={"If-Match": '"3"'})
    assert ok(edited)["benefit_months"] == 6 and edited.json()["status"] == "closed"
    archived = act("archive")
    assert archived["status"] == "archived" and archived["allowed_actions"] == []
    for action in ("open", "close", "archive"):
        act(action, 409, "archived")
    r = s.patch(f"{PRG}/{code}", {"capacity": 3}, headers={"If-Match": s.get(f"{PRG}/{code}").headers["ETag"]})
    assert problem(r, 409, "invalid-state")["current_status"] == "archived"
    assert program_row(db, code)[:3] == ("archived", 5, None)
    history = ok(s.get(f"{PRG}/{code}/history"))["items"]
    assert [(h["action"], h["from_status"], h["to_status"]) for h in history] == [
        ("create", None, "draft"), ("open", "draft", "open"), ("close", "open", "closed"),
        ("edit", None, None), ("archive", "closed", "archived")]
    assert history[1]["reason"] == "Passo open." and history[1]["actor"]["sub"] == "joana@dns.pt"
    assert [a[0] for a in audit(db, code)] == ["create", "open", "close", "edit", "archive"]
    # the archived program is still public
    assert ok(api.get(f"{PRG}/{code}"))["status"] == "archived"


def test_action_bodies_are_validated(api, db):
    p = create_program(api)
    s = staff(api)
    r = s.post(f"{PRG}/{p['code']}/open", {"reason": ""})
    problem(r, 422, "validation-failed")
    r = s.post(f"{PRG}/{p['code']}/open", {"motivo": "x"})
    problem(r, 422, "validation-failed")
    assert program_row(db, p["code"])[:2] == ("draft", 1)


# --- edits ----------------------------------------------------------------------------------

def test_patch_needs_if_match_and_a_current_one(api, db):
    s = staff(api)
    p = create_program(api, status="open")
    code = p["code"]
    problem(s.patch(f"{PRG}/{code}", {"capacity": 7}), 428, "precondition-required")
    problem(s.patch(f"{PRG}/{code}", {"capacity": 7}, headers={"If-Match": '"1"'}), 412, "precondition-failed")
    assert program_row(db, code)[:3] == ("open", 2, None)
    r = s.patch(f"{PRG}/{code}", {"capacity": 7, "name": {"en": "Renamed"}}, headers={"If-Match": '"2"'})
    after = ok(r)
    assert r.headers["ETag"] == '"3"'
    assert after["capacity"] == 7 and after["status"] == "open"
    assert after["name"] == {"pt": "Programa de teste", "en": "Renamed"}
    merged = s.patch(f"{PRG}/{code}", {"capacity": None, "description": {"pt": "Descrição", "en": "About"}},
                     headers={"Content-Type": "application/merge-patch+json", "If-Match": '"3"'})
    assert ok(merged)["capacity"] is None and merged.json()["description"]["en"] == "About"
    assert program_row(db, code)[1:3] == (4, None)
    edits = [h for h in ok(s.get(f"{PRG}/{code}/history"))["items"] if h["action"] == "edit"]
    assert len(edits) == 2
    assert [a[0] for a in audit(db, code)] == ["create", "open", "edit", "edit"]


@pytest.mark.parametrize("patch, expected", [
    ({"code": "outro"}, [("/code", "not_writable")]),
    ({"kind": "call"}, [("/kind", "not_writable")]),
    ({"year": 2031}, [("/year", "not_writable")]),
    ({"status": "closed"}, [("/status", "not_writable")]),
    ({"application_form": "co-branding"}, [("/application_form", "not_writable")]),
    ({"capacity": 0}, [("/capacity", "too_small")]),
    ({"name": None}, [("/name", "not_null")]),
    ({"name": {"pt": ""}}, [("/name/pt", "too_short")]),
    ({"terms_version": None}, [("/terms_version", "not_null")]),
    ({"requires": ["nao-existe"]}, [("/requires/0", "unknown_program")]),
    ({"enrollment_opens_at": "2031-05-01T00:00:00Z", "enrollment_closes_at": "2031-04-01T00:00:00Z"},
     [("/enrollment_closes_at", "before_opening")]),
], ids=lambda v: "" if isinstance(v, list) else "-".join(v))
def test_patch_refuses_bad_input_and_changes_nothing(api, db, patch, expected):
    p = create_program(api)
    r = staff(api).patch(f"{PRG}/{p['code']}", patch, headers={"If-Match": '"1"'})
    problem(r, 422, "validation-failed")
    if expected[0][1] == "not_writable":
        assert [(e["pointer"]) for e in r.json()["errors"]] == [expected[0][0]]
        assert r.json()["errors"][0]["code"] in ("not_writable", "unknown_field")
    else:
        assert codes(r) == expected
    assert program_row(db, p["code"])[:3] == ("draft", 1, None)


def test_patch_rule_holds_against_the_stored_time(api, db):
    p = create_program(api, enrollment_opens_at="2031-05-01T00:00:00Z")
    r = staff(api).patch(f"{PRG}/{p['code']}", {"enrollment_closes_at": "2031-04-01T00:00:00Z"},
                         headers={"If-Match": '"1"'})
    problem(r, 422, "validation-failed")
    assert codes(r) == [("/enrollment_closes_at", "before_opening")]
    ok_ = patch_program(api, p["code"], {"enrollment_closes_at": "2031-06-01T00:00:00Z"})
    assert ok_["enrollment_closes_at"] == "2031-06-01T00:00:00Z"


def test_patch_requires_cannot_name_the_program_itself(api, db):
    p = create_program(api)
    r = staff(api).patch(f"{PRG}/{p['code']}", {"requires": [p["code"]]}, headers={"If-Match": '"1"'})
    problem(r, 422, "validation-failed")
    assert codes(r) == [("/requires/0", "unknown_program")]
    assert program_row(db, p["code"])[1] == 1
