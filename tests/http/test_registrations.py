"""Registrations (issue 13): a registrar registers itself, staff register one
by id; confirmed or waitlisted with its position, or refused (each refusal
with its problem type, status and check, and nothing written); attendees
edited with their seats re-checked; cancel and the strict arrival order of
waitlist promotion; check-in; another registrar's registration is not
found; list scopes; attendees hashed in the audit log."""
import uuid

import pytest

from accreditation import ok
from events import (EVT, REG, audit_text, cancel_reg, check_in, count_regs, create_event, eligibility, failed,
                    get_reg, patch_reg, people, reg_row, reg_status, register, registered,
                    registrations, seats_in_sql, staff_register)
from identity import make_registrar, mint
from programs import active, as_registrar, audit, codes, problem, staff


def pos(api, reg):
    r = get_reg(api, reg["id"])
    return r["status"], r["waitlist_position"]


def event_state(api, eid):
    e = ok(api.get(f"{EVT}/{eid}"))
    return e["seats_taken"], e["seats_remaining"], e["waitlist_length"]


# --- registering ----------------------------------------------------------------------------

def test_a_registrar_registers_itself_and_is_confirmed(api, db):
    e = create_event(api, capacity=10, max_attendees_per_registrar=2)
    rid = make_registrar(db)
    attendees = people(2)
    r = register(api, rid, e["id"], attendees=attendees)
    reg = ok(r, 201)
    assert r.headers["Location"] == f"{REG}/{reg['id']}"
    assert r.headers["ETag"]
    assert (reg["event_id"], reg["registrar_id"], reg["status"], reg["seats"], reg["waitlist_position"]) == \
        (e["id"], rid, "confirmed", 2, None)
    assert reg["attendees"] == attendees
    assert (reg["covered_expenses"], reg["draw_id"], reg["reason"]) == (False, None, None)
    assert reg["created_at"] and reg["updated_at"] and reg["status_changed_at"]
    assert "cancel" in reg["allowed_actions"]
    assert "check-in" in ok(staff(api).get(f"{REG}/{reg['id']}"))["allowed_actions"]
    assert reg_row(db, reg["id"]) == ("confirmed", 2, False, None)
    assert event_state(api, e["id"]) == (2, 8, 0)
    assert audit(db, reg["id"]) == [("register", None, "confirmed", None)]
    history = ok(as_registrar(api, rid).get(f"{REG}/{reg['id']}/history"))["items"]
    assert [(h["action"], h["to_status"], h["actor"]["registrar_id"]) for h in history] == [
        ("register", "confirmed", rid)]
    assert ok(as_registrar(api, rid).get(f"{REG}/{reg['id']}")) == reg


def test_an_event_without_capacity_confirms_everyone(api, db):
    e = create_event(api, max_attendees_per_registrar=50)
    for _ in range(3):
        assert registered(api, make_registrar(db), e["id"], 50)["status"] == "confirmed"
    assert event_state(api, e["id"]) == (150, None, 0)


def test_a_full_event_with_a_waitlist_waitlists_in_order(api, db):
    e = create_event(api, capacity=2, waitlist=True)
    eid = e["id"]
    confirmed = [registered(api, make_registrar(db), eid, 1, "confirmed") for _ in range(2)]
    waiting = [registered(api, make_registrar(db), eid, 1, "waitlisted") for _ in range(3)]
    assert [w["waitlist_position"] for w in waiting] == [1, 2, 3]
    assert all(c["waitlist_position"] is None for c in confirmed)
    assert audit(db, waiting[0]["id"]) == [("register", None, "waitlisted", None)]
    assert event_state(api, eid) == (2, 0, 3)
    assert seats_in_sql(db, eid) == 2


def test_a_full_event_without_a_waitlist_refuses(api, db):
    e = create_event(api, capacity=2, max_attendees_per_registrar=2)
    registered(api, make_registrar(db), e["id"], 1, "confirmed")
    rid = make_registrar(db)
    body = problem(register(api, rid, e["id"], 2), 409, "capacity-full")
    assert body["check"] == "capacity"
    assert count_regs(db, e["id"], rid) == 0
    # one attendee still fits
    assert registered(api, rid, e["id"], 1)["status"] == "confirmed"
    assert event_state(api, e["id"]) == (2, 0, 0)


def test_attendees_that_do_not_fit_wait_when_there_is_a_waitlist(api, db):
    e = create_event(api, capacity=3, waitlist=True, max_attendees_per_registrar=3)
    registered(api, make_registrar(db), e["id"], 2, "confirmed")
    w = registered(api, make_registrar(db), e["id"], 2, "waitlisted")
    assert pos(api, w) == ("waitlisted", 1)
    assert event_state(api, e["id"]) == (2, 1, 1)


# --- bad input ------------------------------------------------------------------------------

@pytest.mark.parametrize("attendees, expected", [
    ([], [("/attendees", "too_few")]),
    (people(3), [("/attendees", "too_many")]),
    ([{"name": "Ana", "email": "ana@exemplo.pt"}, {"name": "Rui", "email": "ANA@Exemplo.PT"}],
     [("/attendees/1/email", "repeated")]),
    ([{"name": "Ana", "email": "sem-arroba"}], [("/attendees/0/email", "email")]),
    ([{"name": "Ana", "email": "ana@exemplo.pt"}, {"name": "Rui", "email": "rui@"}],
     [("/attendees/1/email", "email")]),
    ([{"name": "", "email": "ana@exemplo.pt"}], [("/attendees/0/name", "too_short")]),
    ([{"name": "n" * 201, "email": "ana@exemplo.pt"}], [("/attendees/0/name", "too_long")]),
    ([{"email": "ana@exemplo.pt"}], [("/attendees/0/name", "required")]),
    ([{"name": "Ana"}], [("/attendees/0/email", "required")]),
    ([{"name": "Ana", "email": "ana@exemplo.pt", "phone": "+351213456789"}], [("/attendees/0/phone", "unknown_field")]),
    (None, [("/attendees", "required")]),
], ids=["empty", "too-many", "repeated-email", "bad-email", "bad-second-email", "empty-name", "long-name",
        "no-name", "no-email", "unknown-member", "missing"])
def test_registering_refuses_bad_attendees_and_changes_nothing(api, db, attendees, expected):
    e = create_event(api, capacity=10, max_attendees_per_registrar=2)
    rid = make_registrar(db)
    body = {} if attendees is None else {"attendees": attendees}
    r = as_registrar(api, rid).post(f"{EVT}/{e['id']}/registrations", body)
    problem(r, 422, "validation-failed")
    assert codes(r) == expected
    assert count_regs(db, e["id"]) == 0
    assert event_state(api, e["id"]) == (0, 10, 0)


def test_registering_refuses_unknown_members_and_malformed_bodies(api, db):
    e = create_event(api)
    rid = make_registrar(db)
    mine = as_registrar(api, rid)
    r = mine.post(f"{EVT}/{e['id']}/registrations", {"attendees": people(1), "status": "confirmed"})
    problem(r, 422, "validation-failed")
    assert codes(r) == [("/status", "unknown_field")]
    r = mine.post(f"{EVT}/{e['id']}/registrations", {"attendees": people(1), "covered_expenses": True})
    assert codes(r) == [("/covered_expenses", "unknown_field")]
    problem(mine.request("POST", f"{EVT}/{e['id']}/registrations", data=b"{",
                         headers={"Content-Type": "application/json"}), 400, "invalid-request")
    problem(mine.request("POST", f"{EVT}/{e['id']}/registrations", data=b"x",
                         headers={"Content-Type": "text/plain"}), 415, "unsupported-media-type")
    assert count_regs(db, e["id"]) == 0


def test_staff_register_a_registrar_by_id(api, db):
    e = create_event(api)
    rid = make_registrar(db)
    reg = ok(staff_register(api, rid, e["id"]), 201)
    assert (reg["registrar_id"], reg["status"]) == (rid, "confirmed")
    events = ok(staff(api).get("/v1/audit-events", params={"resource_id": reg["id"]}))["items"]
    assert [(x["action"], x["resource_type"], x["actor"]["sub"]) for x in events] == [
        ("register", "registration", "joana@dns.pt")]
    # the registrar sees it as its own
    assert ok(as_registrar(api, rid).get(f"{REG}/{reg['id']}"))["id"] == reg["id"]


def test_registrar_id_is_staff_only_and_required_for_staff(api, db):
    e = create_event(api)
    rid, other = make_registrar(db), make_registrar(db)
    s = staff(api)
    r = s.post(f"{EVT}/{e['id']}/registrations", {"attendees": people(1)})
    problem(r, 422, "validation-failed")
    assert codes(r) == [("/registrar_id", "required")]
    r = s.post(f"{EVT}/{e['id']}/registrations", {"attendees": people(1), "registrar_id": "not-a-uuid"})
    problem(r, 422, "validation-failed")
    assert [p for p, _ in codes(r)] == ["/registrar_id"]
    problem(s.post(f"{EVT}/{e['id']}/registrations", {"attendees": people(1), "registrar_id": str(uuid.uuid4())}),
            404, "not-found")
    for named in (other, rid):
        r = as_registrar(api, rid).post(f"{EVT}/{e['id']}/registrations",
                                        {"attendees": people(1), "registrar_id": named})
        problem(r, 422, "validation-failed")
        assert codes(r) == [("/registrar_id", "not_writable")]
    assert count_regs(db, e["id"]) == 0


def test_idempotency_key_replays_a_registration(api, db):
    e = create_event(api)
    rid = make_registrar(db)
    mine = as_registrar(api, rid)
    key = f"reg-{uuid.uuid4()}"
    body = {"attendees": people(1)}
    first = mine.post(f"{EVT}/{e['id']}/registrations", body, headers={"Idempotency-Key": key})
    assert first.status_code == 201, first.text
    again = mine.post(f"{EVT}/{e['id']}/registrations", body, headers={"Idempotency-Key": key})
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    problem(mine.post(f"{EVT}/{e['id']}/registrations", body), 409, "duplicate")
    assert count_regs(db, e["id"], rid) == 1


# --- refusals: each with its type, status and check; eligibility said it first ---------------

def _suspended(api, db):
    return make_registrar(db, status="suspended"), create_event(api)["id"], None


def _terminated(api, db):
    return make_registrar(db, status="terminated"), create_event(api)["id"], None


def _draft_by_staff(api, db):
    return make_registrar(db), create_event(api, status="draft")["id"], staff(api)


def _cancelled(api, db):
    return make_registrar(db), create_event(api, status="cancelled")["id"], None


def _closed(api, db):
    return make_registrar(db), create_event(api, status="closed")["id"], None


def _window_not_yet_open(api, db):
    return make_registrar(db), create_event(api, registration_opens_at=f"{_year()}-01-01T00:00:00Z")["id"], None


def _window_already_closed(api, db):
    return make_registrar(db), create_event(api, registration_closes_at="2020-01-01T00:00:00Z")["id"], None


def _missing_3em1(api, db):
    return make_registrar(db), create_event(api, kind="summit", eligibility="3em1")["id"], None


def _pending_3em1(api, db):
    rid = make_registrar(db)
    ok(as_registrar(api, rid).post("/v1/programs/3em1/enrollments", {"accepted_terms_version": "1"}), 201)
    return rid, create_event(api, kind="summit", eligibility="3em1")["id"], None


def _duplicate_confirmed(api, db):
    rid = make_registrar(db)
    eid = create_event(api)["id"]
    registered(api, rid, eid)
    return rid, eid, None


def _duplicate_waitlisted(api, db):
    eid = create_event(api, capacity=1, waitlist=True)["id"]
    registered(api, make_registrar(db), eid)
    rid = make_registrar(db)
    registered(api, rid, eid, 1, "waitlisted")
    return rid, eid, None


def _duplicate_attended(api, db):
    rid = make_registrar(db)
    eid = create_event(api)["id"]
    ok(check_in(api, registered(api, rid, eid)["id"]))
    return rid, eid, None


def _full(api, db):
    eid = create_event(api, capacity=1)["id"]
    registered(api, make_registrar(db), eid)
    return make_registrar(db), eid, None


def _year():
    import datetime
    return datetime.datetime.now(datetime.timezone.utc).year + 2


REFUSALS = [
    (_suspended, 403, "registrar-suspended", "accredited"),
    (_terminated, 403, "forbidden", "accredited"),
    (_draft_by_staff, 409, "window-closed", "window"),
    (_cancelled, 409, "window-closed", "window"),
    (_closed, 409, "window-closed", "window"),
    (_window_not_yet_open, 409, "window-closed", "window"),
    (_window_already_closed, 409, "window-closed", "window"),
    (_missing_3em1, 403, "not-eligible", "requires:3em1"),
    (_pending_3em1, 403, "not-eligible", "requires:3em1"),
    (_duplicate_confirmed, 409, "duplicate", "duplicate"),
    (_duplicate_waitlisted, 409, "duplicate", "duplicate"),
    (_duplicate_attended, 409, "duplicate", "duplicate"),
    (_full, 409, "capacity-full", "capacity"),
]


@pytest.mark.parametrize("scenario, status, kind, check", REFUSALS, ids=[s[0].__name__.strip("_") for s in REFUSALS])
def test_each_refusal_has_its_type_and_check_and_writes_nothing(api, db, scenario, status, kind, check):
    rid, eid, caller = scenario(api, db)
    said = eligibility(api, rid, eid, caller)
    assert said["eligible"] is False and failed(said)[0] == check, said
    before = count_regs(db, eid)
    audit_before = db.execute("SELECT count(*) FROM audit_events").fetchone()[0]
    r = staff_register(api, rid, eid) if caller is not None else register(api, rid, eid)
    body = problem(r, status, kind)
    assert body["check"] == check, body
    if check.startswith("requires:"):
        assert body["missing_program"] == "3em1"
    assert count_regs(db, eid) == before
    assert db.execute("SELECT count(*) FROM audit_events").fetchone()[0] == audit_before


def _fresh(api, db):
    return make_registrar(db), create_event(api)["id"], "confirmed"


def _inside_the_window(api, db):
    return make_registrar(db), create_event(api, registration_opens_at="2020-01-01T00:00:00Z",
                                            registration_closes_at=f"{_year()}-01-01T00:00:00Z")["id"], "confirmed"


def _with_3em1(api, db):
    rid = make_registrar(db)
    active(api, rid, "3em1")
    return rid, create_event(api, kind="summit", eligibility="3em1", capacity=20)["id"], "confirmed"


def _after_cancelling(api, db):
    rid = make_registrar(db)
    eid = create_event(api)["id"]
    ok(cancel_reg(api, registered(api, rid, eid)))
    return rid, eid, "confirmed"


def _after_the_event_freed_a_seat(api, db):
    eid = create_event(api, capacity=1)["id"]
    ok(cancel_reg(api, registered(api, make_registrar(db), eid)))
    return make_registrar(db), eid, "confirmed"


def _onto_the_waitlist(api, db):
    eid = create_event(api, capacity=1, waitlist=True)["id"]
    registered(api, make_registrar(db), eid)
    return make_registrar(db), eid, "waitlisted"


def _reinstated_registrar(api, db):
    rid = make_registrar(db)
    ok(staff(api).post(f"/v1/registrars/{rid}/suspend", {"reason": "Em análise."}))
    ok(staff(api).post(f"/v1/registrars/{rid}/reinstate", {"reason": "Regularizado."}))
    return rid, create_event(api)["id"], "confirmed"


ACCEPTED = [_fresh, _inside_the_window, _with_3em1, _after_cancelling, _after_the_event_freed_a_seat,
            _onto_the_waitlist, _reinstated_registrar]


@pytest.mark.parametrize("scenario", ACCEPTED, ids=[s.__name__.strip("_") for s in ACCEPTED])
def test_eligibility_said_yes_and_the_registration_lands_where_it_said(api, db, scenario):
    rid, eid, placement = scenario(api, db)
    said = eligibility(api, rid, eid)
    assert (said["eligible"], said["placement"], failed(said)) == (True, placement, []), said
    assert said == eligibility(api, rid, eid, staff(api))
    assert registered(api, rid, eid)["status"] == placement
    assert count_regs(db, eid, rid, placement) == 1


def test_an_active_3em1_registrar_gets_the_summit_stand(api, db):
    rid = make_registrar(db)
    active(api, rid, "3em1")
    e = create_event(api, kind="summit", eligibility="3em1", capacity=20)
    assert registered(api, rid, e["id"])["status"] == "confirmed"


def test_a_registrar_does_not_see_a_draft(api, db):
    e = create_event(api, status="draft")
    rid = make_registrar(db)
    problem(register(api, rid, e["id"]), 404, "not-found")
    problem(as_registrar(api, rid).get(f"{EVT}/{e['id']}/registrations"), 404, "not-found")
    problem(register(api, rid, str(uuid.uuid4())), 404, "not-found")
    assert count_regs(db, e["id"]) == 0


def test_a_registrar_registers_again_after_cancelling(api, db):
    e = create_event(api, capacity=1)
    rid = make_registrar(db)
    first = registered(api, rid, e["id"])
    cancelled = ok(cancel_reg(api, first, reason="Mudança de planos."))
    assert (cancelled["status"], cancelled["reason"], cancelled["allowed_actions"]) == \
        ("cancelled", "Mudança de planos.", [])
    second = registered(api, rid, e["id"], 1, "confirmed")
    assert second["id"] != first["id"]
    assert count_regs(db, e["id"], rid) == 2 and count_regs(db, e["id"], rid, "confirmed") == 1


# --- editing attendees ----------------------------------------------------------------------

def test_patch_attendees_needs_if_match_and_rechecks_the_seats(api, db):
    e = create_event(api, capacity=4, max_attendees_per_registrar=4)
    rid = make_registrar(db)
    reg = registered(api, rid, e["id"], 1)
    registered(api, make_registrar(db), e["id"], 2)
    mine = as_registrar(api, rid)
    problem(mine.patch(f"{REG}/{reg['id']}", {"attendees": people(2)}), 428, "precondition-required")
    problem(mine.patch(f"{REG}/{reg['id']}", {"attendees": people(2)}, headers={"If-Match": '"99"'}),
            412, "precondition-failed")
    two = people(2)
    r = patch_reg(api, reg["id"], {"attendees": two}, mine)
    after = ok(r)
    assert (after["attendees"], after["seats"], after["status"]) == (two, 2, "confirmed")
    assert event_state(api, e["id"]) == (4, 0, 0)
    # one more no longer fits: refused, never silently waitlisted, nothing changes
    etag = mine.get(f"{REG}/{reg['id']}").headers["ETag"]
    body = problem(mine.patch(f"{REG}/{reg['id']}", {"attendees": people(3)}, headers={"If-Match": etag}),
                   409, "capacity-full")
    assert body["check"] == "capacity"
    assert reg_row(db, reg["id"]) == ("confirmed", 2, False, None)
    assert get_reg(api, reg["id"])["attendees"] == two
    assert mine.get(f"{REG}/{reg['id']}").headers["ETag"] == etag
    assert [a[0] for a in audit(db, reg["id"])] == ["register", "edit"]


def test_patch_attendees_with_a_waitlist_refuses_rather_than_waitlisting(api, db):
    e = create_event(api, capacity=2, waitlist=True, max_attendees_per_registrar=3)
    reg = registered(api, make_registrar(db), e["id"], 2, "confirmed")
    body = problem(patch_reg(api, reg["id"], {"attendees": people(3)}), 409, "capacity-full")
    assert body["status"] == 409
    assert reg_row(db, reg["id"])[:2] == ("confirmed", 2)
    assert event_state(api, e["id"]) == (2, 0, 0)


@pytest.mark.parametrize("patch, expected", [
    ({"attendees": []}, [("/attendees", "too_few")]),
    ({"attendees": people(3)}, [("/attendees", "too_many")]),
    ({"attendees": [{"name": "A", "email": "a@x.pt"}, {"name": "B", "email": "A@X.pt"}]},
     [("/attendees/1/email", "repeated")]),
    ({"attendees": [{"name": "A", "email": "nope"}]}, [("/attendees/0/email", "email")]),
    ({"status": "attended"}, [("/status", "unknown_field")]),
    ({"covered_expenses": True}, [("/covered_expenses", "unknown_field")]),
    ({"event_id": str(uuid.uuid4())}, [("/event_id", "unknown_field")]),
], ids=["empty", "too-many", "repeated", "bad-email", "status", "covered", "event"])
def test_patch_refuses_bad_attendees_and_changes_nothing(api, db, patch, expected):
    e = create_event(api, capacity=10, max_attendees_per_registrar=2)
    reg = registered(api, make_registrar(db), e["id"], 1)
    r = patch_reg(api, reg["id"], patch)
    problem(r, 422, "validation-failed")
    assert codes(r) == expected
    assert reg_row(db, reg["id"]) == ("confirmed", 1, False, None)
    assert get_reg(api, reg["id"])["attendees"] == reg["attendees"]


def test_patch_is_refused_once_cancelled_attended_or_the_event_is_over(api, db):
    e = create_event(api, capacity=10, max_attendees_per_registrar=2)
    s = staff(api)
    gone = registered(api, make_registrar(db), e["id"])
    ok(cancel_reg(api, gone))
    there = registered(api, make_registrar(db), e["id"])
    ok(check_in(api, there["id"]))
    for reg, status in ((gone, "cancelled"), (there, "attended")):
        body = problem(patch_reg(api, reg["id"], {"attendees": people(2)}), 409, "invalid-state")
        assert body["current_status"] == status
    later = registered(api, make_registrar(db), e["id"])
    ok(s.post(f"{EVT}/{e['id']}/close"))
    problem(patch_reg(api, later["id"], {"attendees": people(2)}), 409, "invalid-state")
    assert reg_row(db, later["id"])[:2] == ("confirmed", 1)
    # and cancelling needs a published event too
    problem(cancel_reg(api, later), 409, "invalid-state")
    assert reg_status(db, later["id"]) == "confirmed"


def test_a_waitlisted_registration_may_change_its_attendees(api, db):
    e = create_event(api, capacity=1, waitlist=True, max_attendees_per_registrar=3)
    registered(api, make_registrar(db), e["id"], 1, "confirmed")
    w = registered(api, make_registrar(db), e["id"], 1, "waitlisted")
    after = ok(patch_reg(api, w["id"], {"attendees": people(3)}))
    assert (after["status"], after["seats"], after["waitlist_position"]) == ("waitlisted", 3, 1)


def test_fewer_attendees_free_seats_and_promote_the_waitlist(api, db):
    e = create_event(api, capacity=3, waitlist=True, max_attendees_per_registrar=3)
    eid = e["id"]
    big = registered(api, make_registrar(db), eid, 3, "confirmed")
    w1 = registered(api, make_registrar(db), eid, 1, "waitlisted")
    w2 = registered(api, make_registrar(db), eid, 1, "waitlisted")
    w3 = registered(api, make_registrar(db), eid, 1, "waitlisted")
    ok(patch_reg(api, big["id"], {"attendees": people(1)}, as_registrar(api, big["registrar_id"])))
    assert [pos(api, r) for r in (w1, w2, w3)] == [("confirmed", None), ("confirmed", None), ("waitlisted", 1)]
    assert event_state(api, eid) == (3, 0, 1)
    assert seats_in_sql(db, eid) == 3
    assert audit(db, w1["id"])[-1][:3] == ("promote", "waitlisted", "confirmed")
    assert [a[0] for a in audit(db, w3["id"])] == ["register"]


# --- cancel and the waitlist ----------------------------------------------------------------

def test_cancel_promotes_in_strict_arrival_order(api, db):
    e = create_event(api, capacity=3, waitlist=True, max_attendees_per_registrar=2)
    eid = e["id"]
    a = registered(api, make_registrar(db), eid, 2, "confirmed")
    b = registered(api, make_registrar(db), eid, 1, "confirmed")
    c = registered(api, make_registrar(db), eid, 2, "waitlisted")  # the head: needs 2
    d = registered(api, make_registrar(db), eid, 1, "waitlisted")
    ex = registered(api, make_registrar(db), eid, 1, "waitlisted")
    assert [pos(api, x) for x in (c, d, ex)] == [("waitlisted", 1), ("waitlisted", 2), ("waitlisted", 3)]
    # one seat frees: the head does not fit, and nobody behind it jumps ahead
    cancelled = ok(cancel_reg(api, b))
    assert cancelled["status"] == "cancelled" and cancelled["waitlist_position"] is None
    assert [pos(api, x) for x in (c, d, ex)] == [("waitlisted", 1), ("waitlisted", 2), ("waitlisted", 3)]
    assert event_state(api, eid) == (2, 1, 3)
    # while anyone waits, a newcomer waits even though its seat would fit
    f = registered(api, make_registrar(db), eid, 1, "waitlisted")
    assert pos(api, f) == ("waitlisted", 4)
    assert event_state(api, eid) == (2, 1, 4)
    # two more seats: the head (2) fits, then the next (1); the rest keep their order
    ok(cancel_reg(api, a, caller=staff(api), reason="Pedido por telefone."))
    assert [pos(api, x) for x in (c, d, ex, f)] == [("confirmed", None), ("confirmed", None),
                                                    ("waitlisted", 1), ("waitlisted", 2)]
    assert event_state(api, eid) == (3, 0, 2)
    assert seats_in_sql(db, eid) == 3
    for x in (c, d):
        assert audit(db, x["id"])[-1][:3] == ("promote", "waitlisted", "confirmed")
        history = ok(as_registrar(api, x["registrar_id"]).get(f"{REG}/{x['id']}/history"))["items"]
        assert [h["action"] for h in history] == ["register", "promote"]
    # the cancel and the promotions are one transaction: one request
    rq = "SELECT request_id FROM audit_events WHERE resource_id = %s ORDER BY seq DESC LIMIT 1"
    ids = {db.execute(rq, (x["id"],)).fetchone()[0] for x in (a, c, d)}
    assert len(ids) == 1
    assert reg_row(db, a["id"]) == ("cancelled", 2, False, "Pedido por telefone.")


def test_cancelling_a_waitlisted_registration_closes_the_gap(api, db):
    e = create_event(api, capacity=1, waitlist=True)
    registered(api, make_registrar(db), e["id"])
    w = [registered(api, make_registrar(db), e["id"], 1, "waitlisted") for _ in range(3)]
    ok(cancel_reg(api, w[1]))
    assert [pos(api, x) for x in w] == [("waitlisted", 1), ("cancelled", None), ("waitlisted", 2)]
    assert event_state(api, e["id"]) == (1, 0, 2)


def test_cancel_twice_is_refused(api, db):
    e = create_event(api)
    reg = registered(api, make_registrar(db), e["id"])
    ok(cancel_reg(api, reg))
    body = problem(cancel_reg(api, reg), 409, "invalid-state")
    assert body["current_status"] == "cancelled"
    problem(check_in(api, reg["id"]), 409, "invalid-state")
    assert [a[0] for a in audit(db, reg["id"])] == ["register", "cancel"]


def test_cancel_body_is_validated(api, db):
    e = create_event(api)
    reg = registered(api, make_registrar(db), e["id"])
    mine = as_registrar(api, reg["registrar_id"])
    problem(mine.post(f"{REG}/{reg['id']}/cancel", {"reason": ""}), 422, "validation-failed")
    problem(mine.post(f"{REG}/{reg['id']}/cancel", {"motivo": "x"}), 422, "validation-failed")
    assert reg_status(db, reg["id"]) == "confirmed"


# --- check-in -------------------------------------------------------------------------------

def test_check_in_marks_attended(api, db):
    e = create_event(api, capacity=1, waitlist=True)
    reg = registered(api, make_registrar(db), e["id"])
    w = registered(api, make_registrar(db), e["id"], 1, "waitlisted")
    mine = as_registrar(api, reg["registrar_id"])
    problem(mine.post(f"{REG}/{reg['id']}/check-in"), 403, "forbidden")
    problem(api.post(f"{REG}/{reg['id']}/check-in"), 401, "unauthenticated")
    done = ok(check_in(api, reg["id"]))
    assert done["status"] == "attended" and "check-in" not in done["allowed_actions"]
    assert audit(db, reg["id"])[-1][:3] == ("check-in", "confirmed", "attended")
    assert problem(check_in(api, reg["id"]), 409, "invalid-state")["current_status"] == "attended"
    assert problem(check_in(api, w["id"]), 409, "invalid-state")["current_status"] == "waitlisted"
    # an attended registration is not cancelled
    problem(cancel_reg(api, reg), 409, "invalid-state")
    assert reg_status(db, reg["id"]) == "attended" and reg_status(db, w["id"]) == "waitlisted"
    assert ok(mine.get(f"{REG}/{reg['id']}"))["status"] == "attended"


def test_check_in_is_refused_when_the_event_is_cancelled(api, db):
    e = create_event(api)
    reg = registered(api, make_registrar(db), e["id"])
    other = registered(api, make_registrar(db), e["id"])
    ok(check_in(api, other["id"]))
    ok(staff(api).post(f"{EVT}/{e['id']}/cancel"))
    problem(check_in(api, reg["id"]), 409, "invalid-state")
    assert reg_status(db, reg["id"]) == "cancelled"


# --- another registrar's, roles and the list -------------------------------------------------

def test_another_registrars_registration_is_not_found(api, db):
    e = create_event(api, max_attendees_per_registrar=2)
    owner, other = make_registrar(db), make_registrar(db)
    reg = registered(api, owner, e["id"])
    stranger = as_registrar(api, other)
    problem(stranger.get(f"{REG}/{reg['id']}"), 404, "not-found")
    problem(stranger.get(f"{REG}/{reg['id']}/history"), 404, "not-found")
    problem(stranger.patch(f"{REG}/{reg['id']}", {"attendees": people(2)},
                           headers={"If-Match": staff(api).get(f"{REG}/{reg['id']}").headers["ETag"]}),
            404, "not-found")
    problem(stranger.post(f"{REG}/{reg['id']}/cancel"), 404, "not-found")
    problem(stranger.get(f"{REG}/{uuid.uuid4()}"), 404, "not-found")
    problem(stranger.get(f"{REG}/not-a-uuid"), 404, "not-found")
    assert reg_row(db, reg["id"]) == ("confirmed", 1, False, None)
    assert [a[0] for a in audit(db, reg["id"])] == ["register"]


def test_unknown_registrations_answer_404_to_staff(api):
    s = staff(api)
    rid = str(uuid.uuid4())
    problem(s.get(f"{REG}/{rid}"), 404, "not-found")
    problem(s.get(f"{REG}/{rid}/history"), 404, "not-found")
    problem(s.patch(f"{REG}/{rid}", {"attendees": people(1)}, headers={"If-Match": '"1"'}), 404, "not-found")
    problem(s.post(f"{REG}/{rid}/cancel"), 404, "not-found")
    problem(s.post(f"{REG}/{rid}/check-in"), 404, "not-found")


def test_registration_roles(api, db):
    e = create_event(api)
    reg = registered(api, make_registrar(db), e["id"])
    applicant = api.with_token(mint("applicant", application_id=str(uuid.uuid4())))
    for caller, status, kind in ((api, 401, "unauthenticated"), (applicant, 403, "forbidden")):
        problem(caller.post(f"{EVT}/{e['id']}/registrations", {"attendees": people(1)}), status, kind)
        problem(caller.get(f"{EVT}/{e['id']}/registrations"), status, kind)
        problem(caller.get(f"{REG}/{reg['id']}"), status, kind)
        problem(caller.get(f"{REG}/{reg['id']}/history"), status, kind)
        problem(caller.patch(f"{REG}/{reg['id']}", {"attendees": people(1)}, headers={"If-Match": '"1"'}),
                status, kind)
        problem(caller.post(f"{REG}/{reg['id']}/cancel"), status, kind)
        problem(caller.post(f"{REG}/{reg['id']}/check-in"), status, kind)
    assert reg_row(db, reg["id"]) == ("confirmed", 1, False, None)
    assert count_regs(db, e["id"]) == 1


def test_the_list_is_scoped_to_the_registrar(api, db):
    e = create_event(api, capacity=2, waitlist=True)
    eid = e["id"]
    a, b, c = make_registrar(db), make_registrar(db), make_registrar(db)
    ra = registered(api, a, eid)
    rb = registered(api, b, eid)
    rc = registered(api, c, eid, 1, "waitlisted")
    ok(cancel_reg(api, ra))  # promotes c
    ra2 = registered(api, a, eid, 1, "waitlisted")
    mine = as_registrar(api, a)
    assert [i["id"] for i in registrations(api, eid, mine)] == [ra2["id"], ra["id"]]
    assert [i["id"] for i in registrations(api, eid, mine, registrar_id=a)] == [ra2["id"], ra["id"]]
    problem(mine.get(f"{EVT}/{eid}/registrations", params={"registrar_id": b}), 403, "forbidden")
    problem(mine.get(f"{EVT}/{eid}/registrations", params={"registrar_id": f"{a},{b}"}), 403, "forbidden")
    assert registrations(api, eid, as_registrar(api, make_registrar(db))) == []
    # staff see everyone; default newest first
    everyone = [i["id"] for i in registrations(api, eid)]
    assert everyone == [ra2["id"], rc["id"], rb["id"], ra["id"]]
    assert [i["id"] for i in registrations(api, eid, sort="created_at")] == [ra["id"], rb["id"], rc["id"], ra2["id"]]
    assert [i["id"] for i in registrations(api, eid, status="confirmed", sort="created_at")] == [rb["id"], rc["id"]]
    assert [i["id"] for i in registrations(api, eid, status="cancelled,waitlisted", sort="created_at")] == \
        [ra["id"], ra2["id"]]
    assert [i["id"] for i in registrations(api, eid, registrar_id=f"{b},{c}", sort="created_at")] == \
        [rb["id"], rc["id"]]
    by_update = [i["id"] for i in registrations(api, eid, sort="-updated_at")]
    assert by_update[0] == ra2["id"] and set(by_update) == set(everyone)
    assert [i["id"] for i in registrations(api, eid, sort="updated_at")] == list(reversed(by_update))
    for bad in ({"status": "live"}, {"registrar_id": "x"}, {"sort": "seats"}, {"colour": "red"}):
        problem(staff(api).get(f"{EVT}/{eid}/registrations", params=bad), 400, "invalid-request")
    problem(staff(api).get(f"{EVT}/{uuid.uuid4()}/registrations"), 404, "not-found")
    # pages follow the cursor, in arrival order, to the end
    seen, cursor = [], None
    while True:
        params = {"limit": "1", "sort": "created_at"}
        if cursor:
            params["cursor"] = cursor
        page = ok(staff(api).get(f"{EVT}/{eid}/registrations", params=params))
        seen += [i["id"] for i in page["items"]]
        cursor = page.get("next_cursor")
        if not cursor:
            break
    assert seen == [ra["id"], rb["id"], rc["id"], ra2["id"]]


def test_the_registrations_list_counts_its_total(api, db):
    e = create_event(api)
    for _ in range(3):
        registered(api, make_registrar(db), e["id"])
    page = ok(staff(api).get(f"{EVT}/{e['id']}/registrations", params={"include_total": "true", "limit": "2"}))
    assert page["total"] == 3 and len(page["items"]) == 2


def test_a_registration_read_answers_304_on_its_etag(api, db):
    e = create_event(api)
    reg = registered(api, make_registrar(db), e["id"])
    mine = as_registrar(api, reg["registrar_id"])
    one = mine.get(f"{REG}/{reg['id']}")
    etag = one.headers["ETag"]
    assert one.headers["Cache-Control"] == "no-store" or "private" in one.headers["Cache-Control"]
    assert mine.get(f"{REG}/{reg['id']}", headers={"If-None-Match": etag}).status_code == 304
    ok(check_in(api, reg["id"]))
    assert mine.get(f"{REG}/{reg['id']}", headers={"If-None-Match": etag}).status_code == 200


# --- personal data in the audit log ----------------------------------------------------------

def test_attendee_names_and_emails_are_hashed_in_the_audit_log(api, db):
    e = create_event(api, capacity=10, max_attendees_per_registrar=2)
    rid = make_registrar(db)
    first = [{"name": "Maria Conceição Albuquerque", "email": "maria.albuquerque@registrar-exemplo.pt"}]
    reg = ok(register(api, rid, e["id"], attendees=first), 201)
    second = [{"name": "Joaquim Bettencourt", "email": "joaquim.b@registrar-exemplo.pt"},
              {"name": "Inês Vasconcelos", "email": "ines.v@registrar-exemplo.pt"}]
    ok(patch_reg(api, reg["id"], {"attendees": second}, as_registrar(api, rid)))
    ok(cancel_reg(api, reg))
    text = audit_text(db, reg["id"])
    everything = str(db.execute("SELECT array_agg(changes::text) FROM audit_events").fetchone()[0])
    for a in first + second:
        for secret in (a["email"], a["email"].split("@")[0], a["name"]):
            assert secret not in text and secret not in everything, secret
    history = ok(staff(api).get(f"{REG}/{reg['id']}/history"))["items"]
    assert [h["action"] for h in history] == ["register", "edit", "cancel"]
    assert "registrar-exemplo.pt" not in str(history)
    # what is there is hashed, the way other personal fields are
    assert "hmac-sha256:" in text
