"""Enrollment and eligibility (issue 11): a registrar enrolls itself, staff
enroll one by id; every refusal, and for each the eligibility that said so
first (the two never disagree); the enrollment machine with its re-checks
and the suspension of what depended on 3em1; calls selected once closed;
reading, history, audit, the summary, the registrar's programs and the
directory's program filter; and each role's and other registrar's refusals."""
import uuid

import pytest

from accreditation import ok
from identity import make_registrar, mint
from programs import (APPLICATION, ENR, PRG, active, as_registrar, at, audit, codes,
                      count_enrollments, create_program, enroll, enrollment_status, patch_program,
                      problem, staff)

CHECK_ORDER = ["accredited", "agreement", "enrollable", "window", "requires", "duplicate", "capacity"]


def eligibility(api, rid, code, caller=None, **kw):
    if caller is None:
        return ok(as_registrar(api, rid).get(f"{PRG}/{code}/eligibility", **kw))
    return ok(caller.get(f"{PRG}/{code}/eligibility", params={"registrar_id": rid}, **kw))


def failed(e):
    return [c["code"] for c in e["checks"] if not c["passed"]]


def in_order(e):
    order = [CHECK_ORDER.index(c["code"].split(":")[0]) for c in e["checks"]]
    return order == sorted(order)


# --- enrolling ------------------------------------------------------------------------------

def test_a_registrar_enrolls_itself_in_3em1(api, db):
    rid = make_registrar(db)
    before = eligibility(api, rid, "3em1")
    assert before["eligible"] is True and before["program"] == "3em1" and before["registrar_id"] == rid
    assert [c["code"] for c in before["checks"]] == ["accredited", "agreement", "window", "duplicate", "capacity"]
    r = enroll(api, rid, "3em1")
    e = ok(r, 201)
    assert r.headers["Location"] == f"{ENR}/{e['id']}"
    assert r.headers["ETag"] == '"1"'
    assert (e["program"], e["registrar_id"], e["status"], e["accepted_terms_version"]) == \
        ("3em1", rid, "pending", "1")
    assert e["application"] is None and e["reason"] is None
    assert e["allowed_actions"] == ["withdraw"]
    assert set(ok(staff(api).get(f"{ENR}/{e['id']}"))["allowed_actions"]) == {"approve", "reject"}
    assert enrollment_status(db, e["id"]) == "pending"
    assert audit(db, e["id"]) == [("enroll", None, "pending", None)]
    history = ok(as_registrar(api, rid).get(f"{ENR}/{e['id']}/history"))["items"]
    assert [(h["action"], h["to_status"], h["actor"]["registrar_id"]) for h in history] == [
        ("enroll", "pending", rid)]
    after = eligibility(api, rid, "3em1")
    assert after["eligible"] is False and failed(after) == ["duplicate"]


def test_staff_enroll_a_registrar_by_id(api, db):
    rid = make_registrar(db)
    s = staff(api)
    e = ok(s.post(f"{PRG}/3em1/enrollments", {"registrar_id": rid, "accepted_terms_version": "1"}), 201)
    assert e["registrar_id"] == rid and e["status"] == "pending"
    assert audit(db, e["id"])[0][0] == "enroll"
    events = ok(s.get("/v1/audit-events", params={"resource_id": e["id"]}))["items"]
    assert [(ev["action"], ev["resource_type"], ev["actor"]["sub"]) for ev in events] == [
        ("enroll", "enrollment", "joana@dns.pt")]


def test_staff_must_name_an_existing_registrar_and_a_registrar_may_not(api, db):
    rid = make_registrar(db)
    s = staff(api)
    r = s.post(f"{PRG}/3em1/enrollments", {"accepted_terms_version": "1"})
    problem(r, 422, "validation-failed")
    assert codes(r) == [("/registrar_id", "required")]
    problem(s.post(f"{PRG}/3em1/enrollments", {"registrar_id": str(uuid.uuid4()),
                                               "accepted_terms_version": "1"}), 404, "not-found")
    r = s.post(f"{PRG}/3em1/enrollments", {"registrar_id": "not-a-uuid", "accepted_terms_version": "1"})
    problem(r, 422, "validation-failed")
    other = make_registrar(db)
    r = as_registrar(api, rid).post(f"{PRG}/3em1/enrollments",
                                    {"registrar_id": other, "accepted_terms_version": "1"})
    problem(r, 422, "validation-failed")
    assert codes(r) == [("/registrar_id", "not_writable")]
    r = as_registrar(api, rid).post(f"{PRG}/3em1/enrollments",
                                    {"registrar_id": rid, "accepted_terms_version": "1"})
    assert codes(r) == [("/registrar_id", "not_writable")]
    assert count_enrollments(db, rid=rid) == 0 and count_enrollments(db, rid=other) == 0


@pytest.mark.parametrize("body, expected", [
    ({}, [("/accepted_terms_version", "required")]),
    ({"accepted_terms_version": "2"}, [("/accepted_terms_version", "terms_version")]),
    ({"accepted_terms_version": ""}, [("/accepted_terms_version", "too_short")]),
    ({"accepted_terms_version": 1}, [("/accepted_terms_version", "type")]),
    ({"accepted_terms_version": "1", "application": APPLICATION}, [("/application", "unknown_field")]),
    ({"accepted_terms_version": "1", "status": "active"}, [("/status", "unknown_field")]),
], ids=["missing-terms", "other-terms", "empty-terms", "terms-type", "application-in-3em1", "status"])
def test_enrolling_refuses_bad_input_and_changes_nothing(api, db, body, expected):
    rid = make_registrar(db)
    r = as_registrar(api, rid).post(f"{PRG}/3em1/enrollments", body)
    problem(r, 422, "validation-failed")
    assert codes(r) == expected
    assert count_enrollments(db, rid=rid) == 0


def test_enrolling_refuses_malformed_bodies(api, db):
    rid = make_registrar(db)
    mine = as_registrar(api, rid)
    problem(mine.request("POST", f"{PRG}/3em1/enrollments", data=b"{", headers={"Content-Type": "application/json"}),
            400, "invalid-request")
    problem(mine.request("POST", f"{PRG}/3em1/enrollments", data=b"x", headers={"Content-Type": "text/plain"}),
            415, "unsupported-media-type")
    assert count_enrollments(db, rid=rid) == 0


BAD_APPLICATIONS = [
    (None, [("/application", "required")]),
    ({k: v for k, v in APPLICATION.items() if k != "proposal"}, [("/application/proposal", "required")]),
    (dict(APPLICATION, proposal=""), [("/application/proposal", "too_short")]),
    (dict(APPLICATION, proposal="p" * 5001), [("/application/proposal", "too_long")]),
    (dict(APPLICATION, channels=[]), [("/application/channels", "too_few")]),
    (dict(APPLICATION, channels=[f"c{i}" for i in range(11)]), [("/application/channels", "too_many")]),
    (dict(APPLICATION, channels=["c" * 101]), [("/application/channels/0", "too_long")]),
    (dict(APPLICATION, channels=[""]), [("/application/channels/0", "too_short")]),
    (dict(APPLICATION, planned_budget_eur=-1), [("/application/planned_budget_eur", "too_small")]),
    (dict(APPLICATION, planned_budget_eur=10000001), [("/application/planned_budget_eur", "too_large")]),
    (dict(APPLICATION, planned_budget_eur="1000"), [("/application/planned_budget_eur", "type")]),
    (dict(APPLICATION, website="https://x.pt"), [("/application/website", "unknown_field")]),
]


@pytest.fixture(scope="module")
def open_call(api):
    return create_program(api, kind="call", year=2031, status="open", terms_version="2031-01")


@pytest.mark.parametrize("application, expected", BAD_APPLICATIONS,
                         ids=lambda v: "" if isinstance(v, list) else None)
def test_a_co_branding_application_is_validated(api, db, open_call, application, expected):
    rid = make_registrar(db)
    r = enroll(api, rid, open_call["code"], terms="2031-01", application=application)
    problem(r, 422, "validation-failed")
    assert codes(r) == expected
    assert count_enrollments(db, rid=rid) == 0


def test_a_co_branding_application_is_kept(api, db, open_call):
    rid = make_registrar(db)
    e = ok(enroll(api, rid, open_call["code"], terms="2031-01", application=APPLICATION), 201)
    assert e["application"] == APPLICATION and e["accepted_terms_version"] == "2031-01"
    assert ok(staff(api).get(f"{ENR}/{e['id']}"))["application"] == APPLICATION


def test_idempotency_key_replays_an_enrollment(api, db):
    rid = make_registrar(db)
    mine = as_registrar(api, rid)
    key = f"enroll-{uuid.uuid4()}"
    first = mine.post(f"{PRG}/3em1/enrollments", {"accepted_terms_version": "1"}, headers={"Idempotency-Key": key})
    assert first.status_code == 201, first.text
    again = mine.post(f"{PRG}/3em1/enrollments", {"accepted_terms_version": "1"}, headers={"Idempotency-Key": key})
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    other = mine.post(f"{PRG}/3em1/enrollments", {"accepted_terms_version": "2"}, headers={"Idempotency-Key": key})
    problem(other, 422, "idempotency-key-reused")
    # without the key, the second is a duplicate
    problem(mine.post(f"{PRG}/3em1/enrollments", {"accepted_terms_version": "1"}), 409, "duplicate")
    assert count_enrollments(db, "3em1", rid) == 1


# --- every refusal, and eligibility saying it first -----------------------------------------

def _suspended(api, db):
    return make_registrar(db, status="suspended"), "3em1", None


def _terminated(api, db):
    return make_registrar(db, status="terminated"), "3em1", None


def _contest(api, db):
    return make_registrar(db), create_program(api, kind="contest", year=2032, status="open")["code"], None


def _draft(api, db):
    # a registrar does not see a draft (404): staff enroll it
    return make_registrar(db), create_program(api)["code"], staff(api)


def _closed(api, db):
    return make_registrar(db), create_program(api, status="closed")["code"], None


def _archived(api, db):
    return make_registrar(db), create_program(api, status="archived")["code"], None


def _not_yet(api, db):
    code = create_program(api, status="open")["code"]
    patch_program(api, code, {"enrollment_opens_at": at(3), "enrollment_closes_at": at(30)})
    return make_registrar(db), code, None


def _past(api, db):
    code = create_program(api, status="open")["code"]
    patch_program(api, code, {"enrollment_opens_at": at(-30), "enrollment_closes_at": at(-1)})
    return make_registrar(db), code, None


def _requires_3em1(api, db):
    return make_registrar(db), "3em1-comercio", None


def _requires_pending_3em1(api, db):
    rid = make_registrar(db)
    ok(enroll(api, rid, "3em1"), 201)  # pending is not active
    return rid, "3em1-comercio", None


def _duplicate(api, db):
    rid = make_registrar(db)
    ok(enroll(api, rid, "3em1"), 201)
    return rid, "3em1", None


def _duplicate_suspended(api, db):
    rid = make_registrar(db)
    e = active(api, rid, "3em1")
    ok(staff(api).post(f"{ENR}/{e['id']}/suspend", {"reason": "Em análise."}))
    return rid, "3em1", None


def _full(api, db):
    code = create_program(api, status="open", capacity=1, terms_version="1")["code"]
    ok(enroll(api, make_registrar(db), code), 201)
    return make_registrar(db), code, None


REFUSALS = [
    (_suspended, 403, "registrar-suspended", "accredited"),
    (_terminated, 403, "forbidden", "accredited"),
    (_contest, 409, "not-eligible", "enrollable"),
    (_draft, 409, "window-closed", "window"),
    (_closed, 409, "window-closed", "window"),
    (_archived, 409, "window-closed", "window"),
    (_not_yet, 409, "window-closed", "window"),
    (_past, 409, "window-closed", "window"),
    (_requires_3em1, 409, "not-eligible", "requires:3em1"),
    (_requires_pending_3em1, 409, "not-eligible", "requires:3em1"),
    (_duplicate, 409, "duplicate", "duplicate"),
    (_duplicate_suspended, 409, "duplicate", "duplicate"),
    (_full, 409, "capacity-full", "capacity"),
]


@pytest.mark.parametrize("scenario, status, kind, check", REFUSALS,
                         ids=[s[0].__name__.strip("_") for s in REFUSALS])
def test_eligibility_said_no_and_enrollment_refuses(api, db, scenario, status, kind, check):
    rid, code, caller = scenario(api, db)
    said = eligibility(api, rid, code, caller)
    assert said["eligible"] is False, said
    assert in_order(said), said
    assert failed(said)[0] == check, said
    before = count_enrollments(db, code)
    terms = ok(staff(api).get(f"{PRG}/{code}"))["terms_version"]
    if caller is None:
        r = enroll(api, rid, code, terms=terms)
    else:
        r = caller.post(f"{PRG}/{code}/enrollments", {"registrar_id": rid, "accepted_terms_version": terms})
    body = problem(r, status, kind)
    assert body["check"] == check
    if check.startswith("requires:"):
        assert body["missing_program"] == check.split(":")[1]
    assert count_enrollments(db, code) == before


def _fresh_3em1(api, db):
    return make_registrar(db), "3em1", "1"


def _comercio_with_3em1(api, db):
    rid = make_registrar(db)
    active(api, rid, "3em1")
    return rid, "3em1-comercio", "1"


def _inside_window(api, db):
    code = create_program(api, status="open", capacity=2)["code"]
    patch_program(api, code, {"enrollment_opens_at": at(-1), "enrollment_closes_at": at(1)})
    ok(enroll(api, make_registrar(db), code, terms="t1"), 201)
    return make_registrar(db), code, "t1"


def _after_withdrawal(api, db):
    rid = make_registrar(db)
    e = ok(enroll(api, rid, "3em1"), 201)
    ok(as_registrar(api, rid).post(f"{ENR}/{e['id']}/withdraw"))
    return rid, "3em1", "1"


def _after_rejection_frees_the_seat(api, db):
    code = create_program(api, status="open", capacity=1)["code"]
    e = ok(enroll(api, make_registrar(db), code, terms="t1"), 201)
    ok(staff(api).post(f"{ENR}/{e['id']}/reject", {"reason": "Sem lugar."}))
    return make_registrar(db), code, "t1"


def _reinstated_registrar(api, db):
    rid = make_registrar(db)
    ok(staff(api).post(f"/v1/registrars/{rid}/suspend", {"reason": "Em análise."}))
    ok(staff(api).post(f"/v1/registrars/{rid}/reinstate", {"reason": "Regularizado."}))
    return rid, "3em1", "1"


ELIGIBLE = [_fresh_3em1, _comercio_with_3em1, _inside_window, _after_withdrawal,
            _after_rejection_frees_the_seat, _reinstated_registrar]


@pytest.mark.parametrize("scenario", ELIGIBLE, ids=[s.__name__.strip("_") for s in ELIGIBLE])
def test_eligibility_said_yes_and_enrollment_succeeds(api, db, scenario):
    rid, code, terms = scenario(api, db)
    said = eligibility(api, rid, code)
    assert said["eligible"] is True and failed(said) == [] and in_order(said), said
    assert said == eligibility(api, rid, code, staff(api))
    e = ok(enroll(api, rid, code, terms=terms), 201)
    assert e["status"] == "pending"
    assert count_enrollments(db, code, rid) >= 1


def test_eligibility_lists_one_check_per_prerequisite_and_enrollable_for_contests(api, db):
    rid = make_registrar(db)
    e = eligibility(api, rid, "3em1-comercio")
    assert [c["code"] for c in e["checks"]] == ["accredited", "agreement", "window", "requires:3em1",
                                                "duplicate", "capacity"]
    assert failed(e) == ["requires:3em1"]
    both = create_program(api, status="open", requires=["3em1", "3em1-comercio"])
    e = eligibility(api, rid, both["code"])
    assert [c["code"] for c in e["checks"]] == ["accredited", "agreement", "window", "requires:3em1",
                                                "requires:3em1-comercio", "duplicate", "capacity"]
    contest = create_program(api, kind="contest", year=2037, status="open")
    e = eligibility(api, rid, contest["code"])
    assert [c["code"] for c in e["checks"]][:4] == ["accredited", "agreement", "enrollable", "window"]
    assert failed(e) == ["enrollable"]


def test_eligibility_speaks_the_callers_language(api, db):
    rid = make_registrar(db)
    en = eligibility(api, rid, "3em1-comercio")
    pt = eligibility(api, rid, "3em1-comercio", headers={"Accept-Language": "pt-PT,pt;q=0.9"})
    assert [c["code"] for c in en["checks"]] == [c["code"] for c in pt["checks"]]
    assert all(a["message"] != b["message"] for a, b in zip(en["checks"], pt["checks"]))
    assert "3em1" in next(c["message"] for c in pt["checks"] if c["code"] == "requires:3em1")


def test_eligibility_roles(api, db):
    rid, other = make_registrar(db), make_registrar(db)
    s = staff(api)
    r = s.get(f"{PRG}/3em1/eligibility")
    body = problem(r, 400, "invalid-request")
    assert [e.get("parameter") for e in body["errors"]] == ["registrar_id"]
    problem(s.get(f"{PRG}/3em1/eligibility", params={"registrar_id": str(uuid.uuid4())}), 404, "not-found")
    problem(s.get(f"{PRG}/3em1/eligibility", params={"registrar_id": "x"}), 400, "invalid-request")
    mine = as_registrar(api, rid)
    assert ok(mine.get(f"{PRG}/3em1/eligibility", params={"registrar_id": rid}))["registrar_id"] == rid
    problem(mine.get(f"{PRG}/3em1/eligibility", params={"registrar_id": other}), 404, "not-found")
    problem(api.get(f"{PRG}/3em1/eligibility"), 401, "unauthenticated")
    applicant = api.with_token(mint("applicant", application_id=str(uuid.uuid4())))
    problem(applicant.get(f"{PRG}/3em1/eligibility"), 403, "forbidden")
    draft = create_program(api)
    problem(mine.get(f"{PRG}/{draft['code']}/eligibility"), 404, "not-found")
    problem(enroll(api, rid, draft["code"], terms="t1"), 404, "not-found")
    said = eligibility(api, rid, draft["code"], s)
    assert failed(said) == ["window"]
    problem(mine.get(f"{PRG}/nao-existe/eligibility"), 404, "not-found")


# --- the machine ----------------------------------------------------------------------------

def test_approve_suspend_reinstate_withdraw(api, db):
    rid = make_registrar(db)
    s, mine = staff(api), as_registrar(api, rid)
    e = ok(enroll(api, rid, "3em1"), 201)
    eid = e["id"]
    problem(s.post(f"{ENR}/{eid}/suspend", {"reason": "x"}), 409, "invalid-state")
    problem(s.post(f"{ENR}/{eid}/reinstate"), 409, "invalid-state")
    approved = s.post(f"{ENR}/{eid}/approve", {"reason": "Adesão verificada."})
    assert ok(approved)["status"] == "active" and approved.headers["ETag"] == '"2"'
    assert approved.json()["allowed_actions"] == ["suspend"]
    assert ok(mine.get(f"{ENR}/{eid}"))["allowed_actions"] == ["withdraw"]
    body = problem(s.post(f"{ENR}/{eid}/approve"), 409, "invalid-state")
    assert body["current_status"] == "active"
    problem(s.post(f"{ENR}/{eid}/reject", {"reason": "Tarde."}), 409, "invalid-state")
    r = s.post(f"{ENR}/{eid}/suspend")
    problem(r, 422, "validation-failed")
    assert enrollment_status(db, eid) == "active"
    suspended = ok(s.post(f"{ENR}/{eid}/suspend", {"reason": "Oferta não disponibilizada."}))
    assert (suspended["status"], suspended["reason"]) == ("suspended", "Oferta não disponibilizada.")
    assert suspended["allowed_actions"] == ["reinstate"]
    problem(mine.post(f"{ENR}/{eid}/withdraw"), 409, "invalid-state")
    assert ok(s.post(f"{ENR}/{eid}/reinstate"))["status"] == "active"
    withdrawn = ok(mine.post(f"{ENR}/{eid}/withdraw", {"reason": "Deixámos de oferecer o pacote."}))
    assert withdrawn["status"] == "withdrawn" and withdrawn["allowed_actions"] == []
    body = problem(mine.post(f"{ENR}/{eid}/withdraw"), 409, "invalid-state")
    assert body["current_status"] == "withdrawn"
    expected = [("enroll", None, "pending"), ("approve", "pending", "active"),
                ("suspend", "active", "suspended"), ("reinstate", "suspended", "active"),
                ("withdraw", "active", "withdrawn")]
    history = ok(mine.get(f"{ENR}/{eid}/history"))["items"]
    assert [(h["action"], h["from_status"], h["to_status"]) for h in history] == expected
    assert history[2]["reason"] == "Oferta não disponibilizada."
    assert [a[:3] for a in audit(db, eid)] == expected
    assert ok(s.get(f"{ENR}/{eid}/history"))["items"] == history


def test_reject_needs_a_reason_and_is_final(api, db):
    rid = make_registrar(db)
    s = staff(api)
    e = ok(enroll(api, rid, "3em1"), 201)
    problem(s.post(f"{ENR}/{e['id']}/reject"), 422, "validation-failed")
    problem(s.post(f"{ENR}/{e['id']}/reject", {"reason": ""}), 422, "validation-failed")
    assert enrollment_status(db, e["id"]) == "pending"
    rejected = ok(s.post(f"{ENR}/{e['id']}/reject", {"reason": "Sem oferta de alojamento."}))
    assert (rejected["status"], rejected["reason"], rejected["allowed_actions"]) == \
        ("rejected", "Sem oferta de alojamento.", [])
    for action in ("approve", "suspend", "reinstate"):
        problem(s.post(f"{ENR}/{e['id']}/{action}", {"reason": "x"}), 409, "invalid-state")
    problem(as_registrar(api, rid).post(f"{ENR}/{e['id']}/withdraw"), 409, "invalid-state")
    # a rejected registrar may enroll again
    assert ok(enroll(api, rid, "3em1"), 201)["status"] == "pending"


def test_a_pending_enrollment_may_be_withdrawn(api, db):
    rid = make_registrar(db)
    e = ok(enroll(api, rid, "3em1"), 201)
    assert ok(as_registrar(api, rid).post(f"{ENR}/{e['id']}/withdraw"))["status"] == "withdrawn"
    assert audit(db, e["id"])[-1][:3] == ("withdraw", "pending", "withdrawn")


def test_a_calls_applications_are_selected_once_it_is_closed(api, db):
    s = staff(api)
    call = create_program(api, kind="call", year=2036, status="open", terms_version="2036-01")
    code = call["code"]
    ids = [ok(enroll(api, make_registrar(db), code, terms="2036-01", application=APPLICATION), 201)["id"]
           for _ in range(3)]
    assert ok(s.get(f"{ENR}/{ids[0]}"))["allowed_actions"] == []
    body = problem(s.post(f"{ENR}/{ids[0]}/approve"), 409, "invalid-state")
    assert "current_status" in body
    problem(s.post(f"{ENR}/{ids[1]}/reject", {"reason": "Proposta fraca."}), 409, "invalid-state")
    assert [enrollment_status(db, i) for i in ids] == ["pending"] * 3
    ok(s.post(f"{PRG}/{code}/close"))
    assert set(ok(s.get(f"{ENR}/{ids[0]}"))["allowed_actions"]) == {"approve", "reject"}
    assert ok(s.post(f"{ENR}/{ids[0]}/approve"))["status"] == "active"
    assert ok(s.post(f"{ENR}/{ids[1]}/reject", {"reason": "Proposta fraca."}))["status"] == "rejected"
    summary = ok(s.get(f"{PRG}/{code}/enrollments/summary"))
    assert summary == {"program": code, "total": 3,
                       "counts": {"pending": 1, "active": 1, "rejected": 1, "withdrawn": 0, "suspended": 0}}
    # closed: nobody enrolls any more
    problem(enroll(api, make_registrar(db), code, terms="2036-01", application=APPLICATION), 409, "window-closed")


def test_losing_3em1_suspends_3em1_comercio_in_the_same_step(api, db):
    s = staff(api)
    for how in ("withdraw", "suspend"):
        rid = make_registrar(db)
        base = active(api, rid, "3em1")
        dep = active(api, rid, "3em1-comercio")
        if how == "withdraw":
            ok(as_registrar(api, rid).post(f"{ENR}/{base['id']}/withdraw"))
        else:
            ok(s.post(f"{ENR}/{base['id']}/suspend", {"reason": "Oferta não disponibilizada."}))
        assert enrollment_status(db, dep["id"]) == "suspended", how
        after = ok(s.get(f"{ENR}/{dep['id']}"))
        assert (after["status"], after["reason"]) == ("suspended", "requires 3em1")
        history = ok(as_registrar(api, rid).get(f"{ENR}/{dep['id']}/history"))["items"]
        assert (history[-1]["action"], history[-1]["from_status"], history[-1]["to_status"],
                history[-1]["reason"]) == ("suspend", "active", "suspended", "requires 3em1")
        assert audit(db, dep["id"])[-1] == ("suspend", "active", "suspended", "requires 3em1")
        # both audit events come from the one request
        last = "SELECT action, request_id FROM audit_events WHERE resource_id = %s ORDER BY seq DESC LIMIT 1"
        base_event, dep_event = (db.execute(last, (i,)).fetchone() for i in (base["id"], dep["id"]))
        assert base_event[0] == how and dep_event[1] == base_event[1], (base_event, dep_event)
        # reinstating comercio re-checks 3em1
        body = problem(s.post(f"{ENR}/{dep['id']}/reinstate"), 409, "not-eligible")
        assert body["missing_program"] == "3em1" and body["check"] == "requires:3em1"
        assert enrollment_status(db, dep["id"]) == "suspended"


def test_a_dependent_that_is_not_active_is_left_alone(api, db):
    rid = make_registrar(db)
    base = active(api, rid, "3em1")
    pending = ok(enroll(api, rid, "3em1-comercio"), 201)
    ok(as_registrar(api, rid).post(f"{ENR}/{base['id']}/withdraw"))
    assert enrollment_status(db, pending["id"]) == "pending"
    # approving it now re-checks the prerequisite
    body = problem(staff(api).post(f"{ENR}/{pending['id']}/approve"), 409, "not-eligible")
    assert body["missing_program"] == "3em1"
    assert enrollment_status(db, pending["id"]) == "pending"


def test_approve_and_reinstate_re_check_the_registrar(api, db):
    s = staff(api)
    rid = make_registrar(db)
    pending = ok(enroll(api, rid, "3em1"), 201)
    db.execute("UPDATE registrars SET status = 'suspended' WHERE id = %s", (rid,))
    body = problem(s.post(f"{ENR}/{pending['id']}/approve"), 403, "registrar-suspended")
    assert body["check"] == "accredited"
    assert enrollment_status(db, pending["id"]) == "pending"
    db.execute("UPDATE registrars SET status = 'accredited' WHERE id = %s", (rid,))
    ok(s.post(f"{ENR}/{pending['id']}/approve"))
    ok(s.post(f"{ENR}/{pending['id']}/suspend", {"reason": "Em análise."}))
    db.execute("UPDATE registrars SET status = 'suspended' WHERE id = %s", (rid,))
    problem(s.post(f"{ENR}/{pending['id']}/reinstate"), 403, "registrar-suspended")
    assert enrollment_status(db, pending["id"]) == "suspended"


def test_reinstate_re_checks_the_capacity(api, db):
    s = staff(api)
    code = create_program(api, status="open", capacity=1)["code"]
    first, second = make_registrar(db), make_registrar(db)
    e = active(api, first, code, terms="t1")
    ok(s.post(f"{ENR}/{e['id']}/suspend", {"reason": "Em análise."}))
    ok(enroll(api, second, code, terms="t1"), 201)  # the freed seat
    body = problem(s.post(f"{ENR}/{e['id']}/reinstate"), 409, "capacity-full")
    assert body["check"] == "capacity"
    assert enrollment_status(db, e["id"]) == "suspended"


def test_a_suspended_registrar_cannot_withdraw(api, db):
    rid = make_registrar(db)
    e = active(api, rid, "3em1")
    ok(staff(api).post(f"/v1/registrars/{rid}/suspend", {"reason": "Falta de pagamento."}))
    body = problem(as_registrar(api, rid).post(f"{ENR}/{e['id']}/withdraw"), 403, "registrar-suspended")
    assert enrollment_status(db, e["id"]) == "active"
    assert audit(db, e["id"])[-1][0] == "approve"
    assert body["status"] == 403


# --- roles and other registrars ----------------------------------------------------------

def test_action_roles(api, db):
    rid = make_registrar(db)
    e = ok(enroll(api, rid, "3em1"), 201)
    mine = as_registrar(api, rid)
    for action in ("approve", "reject", "suspend", "reinstate"):
        problem(mine.post(f"{ENR}/{e['id']}/{action}", {"reason": "x"}), 403, "forbidden")
        problem(api.post(f"{ENR}/{e['id']}/{action}", {"reason": "x"}), 401, "unauthenticated")
    problem(staff(api).post(f"{ENR}/{e['id']}/withdraw"), 403, "forbidden")
    problem(api.post(f"{ENR}/{e['id']}/withdraw"), 401, "unauthenticated")
    problem(api.post(f"{PRG}/3em1/enrollments", {"accepted_terms_version": "1"}), 401, "unauthenticated")
    applicant = api.with_token(mint("applicant", application_id=str(uuid.uuid4())))
    problem(applicant.post(f"{PRG}/3em1/enrollments", {"accepted_terms_version": "1"}), 403, "forbidden")
    problem(applicant.get(ENR), 403, "forbidden")
    problem(api.get(ENR), 401, "unauthenticated")
    problem(api.get(f"{ENR}/{e['id']}"), 401, "unauthenticated")
    problem(api.get(f"{ENR}/{e['id']}/history"), 401, "unauthenticated")
    problem(mine.get(f"{PRG}/3em1/enrollments/summary"), 403, "forbidden")
    assert enrollment_status(db, e["id"]) == "pending"
    assert audit(db, e["id"]) == [("enroll", None, "pending", None)]


def test_another_registrars_enrollment_is_not_found(api, db):
    owner, other = make_registrar(db), make_registrar(db)
    e = ok(enroll(api, owner, "3em1"), 201)
    stranger = as_registrar(api, other)
    problem(stranger.get(f"{ENR}/{e['id']}"), 404, "not-found")
    problem(stranger.get(f"{ENR}/{e['id']}/history"), 404, "not-found")
    problem(stranger.post(f"{ENR}/{e['id']}/withdraw"), 404, "not-found")
    problem(stranger.get(f"{ENR}/{uuid.uuid4()}"), 404, "not-found")
    problem(stranger.get(f"{ENR}/not-a-uuid"), 404, "not-found")
    assert enrollment_status(db, e["id"]) == "pending"
    assert ok(stranger.get(ENR))["items"] == []
    problem(stranger.get(ENR, params={"registrar_id": owner}), 403, "forbidden")
    problem(stranger.get(ENR, params={"registrar_id": f"{other},{owner}"}), 403, "forbidden")
    assert ok(stranger.get(ENR, params={"registrar_id": other}))["items"] == []
    assert [i["id"] for i in ok(as_registrar(api, owner).get(ENR))["items"]] == [e["id"]]


def test_staff_list_filters_and_sorts(api, db):
    s = staff(api)
    a, b = make_registrar(db), make_registrar(db)
    ea = active(api, a, "3em1")
    eb = ok(enroll(api, b, "3em1"), 201)
    ec = ok(enroll(api, a, "3em1-comercio"), 201)

    def ids(params):
        return [i["id"] for i in ok(s.get(ENR, params=dict(params, limit="200")))["items"]]
    assert set(ids({"registrar_id": a})) == {ea["id"], ec["id"]}
    assert set(ids({"registrar_id": f"{a},{b}"})) == {ea["id"], eb["id"], ec["id"]}
    assert ids({"registrar_id": a, "program": "3em1-comercio"}) == [ec["id"]]
    assert ids({"registrar_id": f"{a},{b}", "status": "pending"}) == [ec["id"], eb["id"]]
    assert ids({"registrar_id": f"{a},{b}", "status": "active"}) == [ea["id"]]
    assert ids({"registrar_id": f"{a},{b}", "sort": "created_at"}) == [ea["id"], eb["id"], ec["id"]]
    assert ids({"registrar_id": f"{a},{b}", "sort": "-updated_at"}) == [ec["id"], eb["id"], ea["id"]]
    assert ids({"registrar_id": f"{a},{b}", "sort": "updated_at"}) == [ea["id"], eb["id"], ec["id"]]
    total = ok(s.get(ENR, params={"registrar_id": a, "include_total": "true"}))["total"]
    assert total == 2
    page = s.get(ENR, params={"registrar_id": a})
    assert s.get(ENR, params={"registrar_id": a}, headers={"If-None-Match": page.headers["ETag"]}).status_code == 304
    for bad in ({"status": "live"}, {"registrar_id": "x"}, {"program": "NOPE!"}, {"sort": "status"}):
        problem(s.get(ENR, params=bad), 400, "invalid-request")


def test_an_enrollment_read_answers_304_on_its_etag(api, db):
    rid = make_registrar(db)
    e = ok(enroll(api, rid, "3em1"), 201)
    mine = as_registrar(api, rid)
    one = mine.get(f"{ENR}/{e['id']}")
    assert one.headers["ETag"] == '"1"'
    assert mine.get(f"{ENR}/{e['id']}", headers={"If-None-Match": '"1"'}).status_code == 304
    ok(staff(api).post(f"{ENR}/{e['id']}/approve"))
    assert mine.get(f"{ENR}/{e['id']}", headers={"If-None-Match": '"1"'}).status_code == 200


# --- the summary, the registrar's programs, the directory ----------------------------------

def test_the_summary_counts_every_status(api, db):
    s = staff(api)
    code = create_program(api, status="open")["code"]
    empty = ok(s.get(f"{PRG}/{code}/enrollments/summary"))
    assert empty == {"program": code, "total": 0,
                     "counts": {"pending": 0, "active": 0, "rejected": 0, "withdrawn": 0, "suspended": 0}}
    regs = [make_registrar(db) for _ in range(6)]
    es = [ok(enroll(api, r, code, terms="t1"), 201) for r in regs]
    for e in es[1:4]:
        ok(s.post(f"{ENR}/{e['id']}/approve"))
    ok(s.post(f"{ENR}/{es[3]['id']}/suspend", {"reason": "Em análise."}))
    ok(s.post(f"{ENR}/{es[4]['id']}/reject", {"reason": "Incompleto."}))
    ok(as_registrar(api, regs[5]).post(f"{ENR}/{es[5]['id']}/withdraw"))
    summary = ok(s.get(f"{PRG}/{code}/enrollments/summary"))
    assert summary == {"program": code, "total": 6,
                       "counts": {"pending": 1, "active": 2, "rejected": 1, "withdrawn": 1, "suspended": 1}}


def test_a_registrars_programs_and_the_directory_filter(api, db):
    s = staff(api)
    name = f"Diretorio {uuid.uuid4().hex[:8]}"
    rid = make_registrar(db, trade_name=name)

    def found(program, caller=api):
        items = ok(caller.get("/v1/registrars", params={"program": program, "q": name}))["items"]
        return [i["id"] for i in items]
    assert found("3em1") == []
    base = ok(enroll(api, rid, "3em1"), 201)
    assert found("3em1") == [] and ok(api.get(f"/v1/registrars/{rid}"))["programs"] == []
    ok(s.post(f"{ENR}/{base['id']}/approve"))
    assert found("3em1") == [rid]
    assert found("3em1", s) == [rid]
    assert found("3em1,co-branding-2031") == [rid]
    assert found("3em1-comercio") == []
    assert ok(api.get(f"/v1/registrars/{rid}"))["programs"] == ["3em1"]
    assert ok(as_registrar(api, rid).get(f"/v1/registrars/{rid}"))["programs"] == ["3em1"]
    dep = active(api, rid, "3em1-comercio")
    assert ok(s.get(f"/v1/registrars/{rid}"))["programs"] == ["3em1", "3em1-comercio"]
    assert found("3em1-comercio") == [rid]
    listed = ok(api.get("/v1/registrars", params={"q": name}))["items"]
    assert listed[0]["programs"] == ["3em1", "3em1-comercio"]
    ok(s.post(f"{ENR}/{base['id']}/suspend", {"reason": "Oferta não disponibilizada."}))
    assert enrollment_status(db, dep["id"]) == "suspended"
    assert found("3em1") == [] and found("3em1-comercio") == []
    assert ok(api.get(f"/v1/registrars/{rid}"))["programs"] == []
    ok(s.post(f"{ENR}/{base['id']}/reinstate"))
    assert found("3em1") == [rid]
    assert ok(api.get(f"/v1/registrars/{rid}"))["programs"] == ["3em1"]
