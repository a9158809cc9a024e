"""The CENTR Registrar Day draw (issue 13, DOMAIN.md section 6): a committed
seed, the freeze that publishes the pool of attended registrars and closes
check-in, the run that anyone can recompute here from the public resource
(and that refuses a wrong seed without changing anything), covered
registrations for the winners, declines that promote the next alternate, and
each role's refusals."""
import hashlib
import hmac
import uuid

import pytest

from accreditation import ok
from events import (DRW, EVT, REG, attended, centr_day, check_in, commitment, count_draws, count_regs,
                    create_event, draw_body, draw_row, get_event, make_draw, meeting_with_attendees, patch_event,
                    patch_reg, people, recompute, reg_row, registered, registrations)
from identity import make_registrar, mint
from programs import as_registrar, audit, codes, problem, staff


def covered(api, target_id, rid):
    """rid's live registrations at the draw's target event."""
    return [r for r in registrations(api, target_id, registrar_id=rid)
            if r["status"] in ("confirmed", "waitlisted", "attended")]


# --- creation -------------------------------------------------------------------------------

def test_create_a_committed_draw(api, db):
    source, _ = meeting_with_attendees(api, db, 0)
    target = centr_day(api)
    seed = "segredo-do-encontro"
    body = draw_body(source["id"], target["id"], seed, 2, title="Sorteio CENTR 2027")
    r = staff(api).post(DRW, body)
    d = ok(r, 201)
    assert r.headers["Location"] == f"{DRW}/{d['id']}"
    assert (d["title"], d["source_event_id"], d["target_event_id"], d["winner_count"], d["seed_commitment"]) == \
        ("Sorteio CENTR 2027", source["id"], target["id"], 2, hashlib.sha256(seed.encode()).hexdigest())
    assert d["status"] == "committed"
    for k in ("pool", "frozen_at", "seed", "public_entropy", "drawn_at", "order", "winners", "alternates",
              "representatives"):
        assert d[k] is None, k
    assert d["declined"] == []
    assert "freeze" in d["allowed_actions"]
    assert draw_row(db, d["id"]) == ("committed",)
    assert audit(db, d["id"]) == [("create", None, "committed", None)]
    # the public sees it, commitment and all
    assert ok(api.get(f"{DRW}/{d['id']}")) == dict(d, allowed_actions=[])


def _bad(field, value):
    def build(api, db, good):
        body = dict(good)
        if value is ...:
            body.pop(field)
        elif callable(value):
            body[field] = value(api, db)
        else:
            body[field] = value
        return body
    return build


def _event(kind, status="published"):
    return lambda api, db: create_event(api, status=status, kind=kind)["id"]


BAD_CREATE = [
    (_bad("seed_commitment", "ABCDEF" + "0" * 58), [("/seed_commitment", "format")]),
    (_bad("seed_commitment", "0" * 63), [("/seed_commitment", "format")]),
    (_bad("seed_commitment", "0" * 65), [("/seed_commitment", "format")]),
    (_bad("seed_commitment", "g" * 64), [("/seed_commitment", "format")]),
    (_bad("seed_commitment", "segredo"), [("/seed_commitment", "format")]),
    (_bad("source_event_id", lambda api, db: str(uuid.uuid4())), [("/source_event_id", "unknown_event")]),
    (_bad("target_event_id", lambda api, db: str(uuid.uuid4())), [("/target_event_id", "unknown_event")]),
    (_bad("source_event_id", _event("conference")), [("/source_event_id", "event_kind")]),
    (_bad("source_event_id", _event("centr_registrar_day")), [("/source_event_id", "event_kind")]),
    (_bad("target_event_id", _event("registrar_meeting")), [("/target_event_id", "event_kind")]),
    (_bad("target_event_id", _event("summit")), [("/target_event_id", "event_kind")]),
    (_bad("winner_count", 0), [("/winner_count", "too_small")]),
    (_bad("winner_count", 21), [("/winner_count", "too_large")]),
    (_bad("winner_count", "2"), [("/winner_count", "type")]),
    (_bad("title", ...), [("/title", "required")]),
    (_bad("source_event_id", ...), [("/source_event_id", "required")]),
    (_bad("target_event_id", ...), [("/target_event_id", "required")]),
    (_bad("winner_count", ...), [("/winner_count", "required")]),
    (_bad("seed_commitment", ...), [("/seed_commitment", "required")]),
    (_bad("seed", "segredo"), [("/seed", "unknown_field")]),
]


@pytest.mark.parametrize("build, expected", BAD_CREATE,
                         ids=["commitment-upper", "commitment-63", "commitment-65", "commitment-not-hex",
                              "commitment-plain", "unknown-source", "unknown-target", "source-conference",
                              "source-centr", "target-meeting", "target-summit", "winners-0", "winners-21",
                              "winners-type", "no-title", "no-source", "no-target", "no-winners", "no-commitment",
                              "seed-now"])
def test_create_refuses_bad_input_and_changes_nothing(api, db, build, expected):
    source = create_event(api, kind="registrar_meeting")
    target = centr_day(api)
    body = build(api, db, draw_body(source["id"], target["id"], "s"))
    before = count_draws(db)
    r = staff(api).post(DRW, body)
    problem(r, 422, "validation-failed")
    if expected == [("/seed_commitment", "format")] and len(body["seed_commitment"]) > 64:
        # too long is also said as such
        assert codes(r) in (expected, [("/seed_commitment", "too_long")])
    else:
        assert codes(r) == expected
    assert count_draws(db) == before


def test_a_second_draw_for_the_same_meeting_is_a_duplicate(api, db):
    source = create_event(api, kind="registrar_meeting")
    s = staff(api)
    first = ok(s.post(DRW, draw_body(source["id"], centr_day(api)["id"], "a")), 201)
    before = count_draws(db)
    problem(s.post(DRW, draw_body(source["id"], centr_day(api)["id"], "b")), 409, "duplicate")
    assert count_draws(db) == before
    assert draw_row(db, first["id"]) == ("committed",)


def test_create_refuses_malformed_bodies(api, db):
    s = staff(api)
    before = count_draws(db)
    problem(s.request("POST", DRW, data=b"{", headers={"Content-Type": "application/json"}), 400, "invalid-request")
    problem(s.request("POST", DRW, data=b"x", headers={"Content-Type": "text/plain"}), 415, "unsupported-media-type")
    assert count_draws(db) == before


# --- freeze ---------------------------------------------------------------------------------

def test_freeze_publishes_the_pool_of_attended_registrars_and_closes_check_in(api, db):
    source, rids = meeting_with_attendees(api, db, 4)
    # registered but never checked in, and cancelled: neither is in the pool
    absent = registered(api, make_registrar(db), source["id"])
    gone = registered(api, make_registrar(db), source["id"])
    ok(as_registrar(api, gone["registrar_id"]).post(f"{REG}/{gone['id']}/cancel"))
    # an attendee of another meeting is not either
    attended(api, make_registrar(db), create_event(api, kind="registrar_meeting")["id"])
    s = staff(api)
    d = ok(s.post(DRW, draw_body(source["id"], centr_day(api)["id"], "seed")), 201)
    problem(s.post(f"{DRW}/{d['id']}/run", {"seed": "seed", "public_entropy": "1234"}), 409, "invalid-state")
    frozen = ok(s.post(f"{DRW}/{d['id']}/freeze"))
    assert frozen["status"] == "frozen" and frozen["frozen_at"]
    assert frozen["pool"] == sorted(rids)
    assert (frozen["seed"], frozen["order"], frozen["winners"]) == (None, None, None)
    assert get_event(api, source["id"])["check_in_closed"] is True
    assert ok(api.get(f"{EVT}/{source['id']}"))["check_in_closed"] is True
    # from now on nobody is checked in there
    body = problem(check_in(api, absent["id"]), 409, "invalid-state")
    assert body["status"] == 409
    assert reg_row(db, absent["id"])[0] == "confirmed"
    assert ok(api.get(f"{DRW}/{d['id']}"))["pool"] == sorted(rids)
    assert problem(s.post(f"{DRW}/{d['id']}/freeze"), 409, "invalid-state")["current_status"] == "frozen"
    assert audit(db, d["id"])[-1][:3] == ("freeze", "committed", "frozen")


def test_an_empty_meeting_freezes_an_empty_pool_and_draws_nobody(api, db):
    source, _ = meeting_with_attendees(api, db, 0)
    target = centr_day(api)
    s = staff(api)
    d = ok(s.post(DRW, draw_body(source["id"], target["id"], "vazio")), 201)
    assert ok(s.post(f"{DRW}/{d['id']}/freeze"))["pool"] == []
    drawn = ok(s.post(f"{DRW}/{d['id']}/run", {"seed": "vazio", "public_entropy": "42"}))
    assert (drawn["status"], drawn["order"], drawn["winners"], drawn["alternates"], drawn["representatives"]) == \
        ("drawn", [], [], [], [])
    assert count_regs(db, target["id"]) == 0


# --- run ------------------------------------------------------------------------------------

def test_a_wrong_seed_is_refused_and_changes_nothing(api, db):
    x = make_draw(api, db, status="frozen", pool=4)
    d = x["draw"]
    s = staff(api)
    before = ok(api.get(f"{DRW}/{d['id']}"))
    for seed in ("segredo-errado", x["seed"].upper(), x["seed"] + " ", x["draw"]["seed_commitment"]):
        r = s.post(f"{DRW}/{d['id']}/run", {"seed": seed, "public_entropy": x["entropy"]})
        problem(r, 422, "validation-failed")
        assert codes(r) == [("/seed", "seed_mismatch")]
    assert ok(api.get(f"{DRW}/{d['id']}")) == before
    assert draw_row(db, d["id"]) == ("frozen",)
    assert count_regs(db, x["target"]["id"]) == 0
    assert [a[0] for a in audit(db, d["id"])] == ["create", "freeze"]


@pytest.mark.parametrize("body, expected", [
    ({}, [("/public_entropy", "required"), ("/seed", "required")]),
    ({"seed": "s"}, [("/public_entropy", "required")]),
    ({"public_entropy": "e"}, [("/seed", "required")]),
    ({"seed": "", "public_entropy": "e"}, [("/seed", "too_short")]),
    ({"seed": "s" * 201, "public_entropy": "e"}, [("/seed", "too_long")]),
    ({"seed": "s", "public_entropy": ""}, [("/public_entropy", "too_short")]),
    ({"seed": "s", "public_entropy": "e" * 201}, [("/public_entropy", "too_long")]),
    ({"seed": "s", "public_entropy": "e", "winners": []}, [("/winners", "unknown_field")]),
], ids=["empty", "no-entropy", "no-seed", "empty-seed", "long-seed", "empty-entropy", "long-entropy", "winners"])
def test_run_validates_its_body(api, db, body, expected):
    x = make_draw(api, db, status="frozen", pool=1)
    r = staff(api).post(f"{DRW}/{x['draw']['id']}/run", body)
    problem(r, 422, "validation-failed")
    assert codes(r) == expected
    assert draw_row(db, x["draw"]["id"]) == ("frozen",)


def test_anyone_recomputes_the_draw_from_the_public_resource(api, db):
    x = make_draw(api, db, status="drawn", pool=7, winner_count=2, seed="ourém-🎲-2027",
                  entropy="dados: 6 2 5 1 4 4 3")
    public = ok(api.get(f"{DRW}/{x['draw']['id']}"))
    assert public["status"] == "drawn" and public["drawn_at"] and public["frozen_at"]
    assert public["seed"] == "ourém-🎲-2027" and public["public_entropy"] == "dados: 6 2 5 1 4 4 3"
    assert sorted(public["pool"]) == public["pool"] == sorted(x["pool"])
    # the seed was the one committed to before the meeting
    assert hashlib.sha256(public["seed"].encode("utf-8")).hexdigest() == public["seed_commitment"]
    # the order, by hand: ascending lowercase-hex HMAC-SHA-256(seed ":" entropy, registrar id)
    key = (public["seed"] + ":" + public["public_entropy"]).encode("utf-8")
    digests = {rid: hmac.new(key, rid.lower().encode("utf-8"), hashlib.sha256).hexdigest() for rid in public["pool"]}
    order = sorted(public["pool"], key=lambda rid: digests[rid])
    assert public["order"] == order
    assert public["winners"] == order[:2]
    assert public["alternates"] == order[2:]
    assert public["representatives"] == order[:2] and public["declined"] == []
    assert recompute(public) == (public["order"], public["winners"], public["alternates"])
    assert ok(staff(api).get(f"{DRW}/{x['draw']['id']}"))["order"] == order
    assert audit(db, x["draw"]["id"])[-1][:3] == ("run", "frozen", "drawn")


def test_a_pool_smaller_than_the_winner_count_all_win(api, db):
    x = make_draw(api, db, status="drawn", pool=2, winner_count=5)
    d = x["draw"]
    order, winners, alternates = recompute(d)
    assert (d["order"], d["winners"], d["alternates"]) == (order, order, [])
    assert alternates == [] and sorted(winners) == sorted(x["pool"])


def test_run_again_with_the_same_body_changes_nothing_and_another_body_is_refused(api, db):
    x = make_draw(api, db, status="drawn", pool=4)
    d = x["draw"]
    s = staff(api)
    again = ok(s.post(f"{DRW}/{d['id']}/run", {"seed": x["seed"], "public_entropy": x["entropy"]}))
    assert again == d
    for body in ({"seed": x["seed"], "public_entropy": x["entropy"] + "7"},
                 {"seed": "outro", "public_entropy": x["entropy"]}):
        r = s.post(f"{DRW}/{d['id']}/run", body)
        assert problem(r, 409, "invalid-state")["current_status"] == "drawn"
    assert ok(api.get(f"{DRW}/{d['id']}")) == dict(d, allowed_actions=[])
    assert [a[0] for a in audit(db, d["id"])] == ["create", "freeze", "run"]
    assert count_regs(db, x["target"]["id"]) == 2
    problem(s.post(f"{DRW}/{d['id']}/freeze"), 409, "invalid-state")


def test_winners_get_covered_registrations_and_name_their_attendees(api, db):
    x = make_draw(api, db, status="drawn", pool=5, winner_count=2)
    d, target = x["draw"], x["target"]
    assert count_regs(db, target["id"]) == 2
    for rid in d["winners"]:
        [reg] = covered(api, target["id"], rid)
        assert (reg["status"], reg["covered_expenses"], reg["attendees"], reg["seats"], reg["draw_id"]) == \
            ("confirmed", True, [], 0, d["id"])
        assert reg_row(db, reg["id"]) == ("confirmed", 0, True, None)
    for rid in d["alternates"]:
        assert covered(api, target["id"], rid) == []
    # the winner names who travels (its window closed long ago, and it lacks 3em1)
    w = d["winners"][0]
    [reg] = covered(api, target["id"], w)
    mine = as_registrar(api, w)
    assert ok(mine.get(f"{REG}/{reg['id']}"))["covered_expenses"] is True
    two = people(2)
    after = ok(patch_reg(api, reg["id"], {"attendees": two}, mine))
    assert (after["attendees"], after["seats"], after["covered_expenses"], after["status"]) == \
        (two, 2, True, "confirmed")
    assert get_event(api, target["id"])["seats_taken"] == 2
    # seats are re-checked: the target has 10
    patch_event(api, target["id"], {"capacity": 2})
    body = problem(patch_reg(api, reg["id"], {"attendees": people(3)}, mine), 409, "capacity-full")
    assert body["check"] == "capacity"
    assert reg_row(db, reg["id"])[:2] == ("confirmed", 2)


def test_a_winner_already_registered_keeps_its_registration_now_covered(api, db):
    seed, entropy = "ja-inscrito", "777"
    source, rids = meeting_with_attendees(api, db, 1)
    target = create_event(api, kind="centr_registrar_day", capacity=10)
    before = registered(api, rids[0], target["id"])
    s = staff(api)
    d = ok(s.post(DRW, draw_body(source["id"], target["id"], seed, 1)), 201)
    ok(s.post(f"{DRW}/{d['id']}/freeze"))
    d = ok(s.post(f"{DRW}/{d['id']}/run", {"seed": seed, "public_entropy": entropy}))
    assert d["winners"] == rids
    [reg] = covered(api, target["id"], rids[0])
    assert reg["id"] == before["id"]
    assert (reg["covered_expenses"], reg["draw_id"], reg["status"]) == (True, d["id"], "confirmed")
    assert count_regs(db, target["id"], rids[0]) == 1


def test_winners_are_confirmed_even_at_a_full_target_with_a_queue(api, db):
    seed, entropy = "cheio", "1 2 3"
    source, rids = meeting_with_attendees(api, db, 2)
    target = create_event(api, kind="centr_registrar_day", capacity=1, waitlist=True)
    registered(api, make_registrar(db), target["id"], 1, "confirmed")
    waiting = registered(api, make_registrar(db), target["id"], 1, "waitlisted")
    s = staff(api)
    d = ok(s.post(DRW, draw_body(source["id"], target["id"], seed, 2)), 201)
    ok(s.post(f"{DRW}/{d['id']}/freeze"))
    d = ok(s.post(f"{DRW}/{d['id']}/run", {"seed": seed, "public_entropy": entropy}))
    assert sorted(d["winners"]) == sorted(rids)
    for rid in rids:
        [reg] = covered(api, target["id"], rid)
        assert (reg["status"], reg["seats"], reg["covered_expenses"]) == ("confirmed", 0, True)
    after = get_event(api, target["id"])
    assert (after["seats_taken"], after["waitlist_length"]) == (1, 1)
    assert reg_row(db, waiting["id"])[0] == "waitlisted"
    # naming attendees needs seats like anyone else's
    w = rids[0]
    [reg] = covered(api, target["id"], w)
    problem(patch_reg(api, reg["id"], {"attendees": people(1)}, as_registrar(api, w)), 409, "capacity-full")
    assert reg_row(db, reg["id"])[:2] == ("confirmed", 0)


# --- declines -------------------------------------------------------------------------------

def test_a_winner_declines_for_itself_and_the_next_alternate_is_promoted(api, db):
    x = make_draw(api, db, status="drawn", pool=5, winner_count=2)
    d, target = x["draw"], x["target"]
    w0, w1 = d["winners"]
    a0, a1, a2 = d["alternates"]
    [reg] = covered(api, target["id"], w0)
    mine = as_registrar(api, w0)
    r = mine.post(f"{DRW}/{d['id']}/decline", {"registrar_id": w0})
    problem(r, 422, "validation-failed")
    assert codes(r) == [("/registrar_id", "not_writable")]
    after = ok(mine.post(f"{DRW}/{d['id']}/decline"))
    assert after["status"] == "drawn"
    assert after["declined"] == [w0]
    assert after["representatives"] == [w1, a0]
    assert (after["winners"], after["alternates"], after["order"]) == (d["winners"], d["alternates"], d["order"])
    assert reg_row(db, reg["id"]) == ("cancelled", 0, True, "declined")
    [promoted] = covered(api, target["id"], a0)
    assert (promoted["covered_expenses"], promoted["draw_id"], promoted["attendees"]) == (True, d["id"], [])
    assert covered(api, target["id"], a1) == []
    # declining twice: no longer a representative
    problem(mine.post(f"{DRW}/{d['id']}/decline"), 403, "forbidden")
    # a registrar that never won cannot decline
    problem(as_registrar(api, a1).post(f"{DRW}/{d['id']}/decline"), 403, "forbidden")
    problem(as_registrar(api, make_registrar(db)).post(f"{DRW}/{d['id']}/decline"), 403, "forbidden")
    # staff decline for the promoted alternate: the next one in order comes in
    s = staff(api)
    after = ok(s.post(f"{DRW}/{d['id']}/decline", {"registrar_id": a0}))
    assert after["declined"] == [w0, a0] and after["representatives"] == [w1, a1]
    assert covered(api, target["id"], a0) == [] and len(covered(api, target["id"], a1)) == 1
    assert ok(api.get(f"{DRW}/{d['id']}"))["representatives"] == [w1, a1]
    history = ok(s.get(f"{DRW}/{d['id']}/history"))["items"]
    assert [h["action"] for h in history] == ["create", "freeze", "run", "decline", "decline"]
    assert [a[0] for a in audit(db, d["id"])] == ["create", "freeze", "run", "decline", "decline"]
    assert a2 not in after["representatives"]


def test_staff_decline_rules(api, db):
    x = make_draw(api, db, status="drawn", pool=3, winner_count=1)
    d = x["draw"]
    s = staff(api)
    [winner] = d["winners"]
    alt = d["alternates"][0]
    for body, expected in (({"registrar_id": alt}, [("/registrar_id", "not_a_winner")]),
                           ({"registrar_id": str(uuid.uuid4())}, [("/registrar_id", "not_a_winner")]),
                           ({}, [("/registrar_id", "required")]),
                           ({"registrar_id": winner, "reason": "x", "extra": 1}, None)):
        r = s.post(f"{DRW}/{d['id']}/decline", body)
        problem(r, 422, "validation-failed")
        if expected:
            assert codes(r) == expected
    problem(s.post(f"{DRW}/{d['id']}/decline"), 422, "validation-failed")
    assert ok(api.get(f"{DRW}/{d['id']}"))["declined"] == []
    assert [a[0] for a in audit(db, d["id"])] == ["create", "freeze", "run"]
    after = ok(s.post(f"{DRW}/{d['id']}/decline", {"registrar_id": winner}))
    assert after["representatives"] == [alt]
    # the last alternate declines too: nobody is left to promote
    after = ok(s.post(f"{DRW}/{d['id']}/decline", {"registrar_id": alt}))
    rest = d["alternates"][1:]
    assert after["representatives"] == rest[:1]


def test_decline_needs_a_drawn_draw(api, db):
    for status in ("committed", "frozen"):
        x = make_draw(api, db, status=status, pool=2, winner_count=1)
        r = staff(api).post(f"{DRW}/{x['draw']['id']}/decline", {"registrar_id": x["pool"][0]})
        assert problem(r, 409, "invalid-state")["current_status"] == status
        problem(as_registrar(api, x["pool"][0]).post(f"{DRW}/{x['draw']['id']}/decline"), 409, "invalid-state")
        assert draw_row(db, x["draw"]["id"]) == (status,)


# --- reading and roles ----------------------------------------------------------------------

def test_anyone_lists_and_reads_draws(api, db):
    committed = make_draw(api, db, status="committed", pool=0)["draw"]
    drawn = make_draw(api, db, status="drawn", pool=2, winner_count=1)["draw"]
    page = api.get(DRW, params={"limit": "200"})
    listed = {d["id"]: d for d in ok(page)["items"]}
    assert {committed["id"], drawn["id"]} <= set(listed)
    assert listed[drawn["id"]]["winners"] == drawn["winners"]
    assert page.headers["Cache-Control"] == "public, max-age=60"
    assert staff(api).get(DRW).headers["Cache-Control"] == "no-store"
    only = [d["id"] for d in ok(api.get(DRW, params={"status": "drawn", "limit": "200"}))["items"]]
    assert drawn["id"] in only and committed["id"] not in only
    newest = [d["id"] for d in ok(api.get(DRW, params={"sort": "-created_at", "limit": "200"}))["items"]]
    assert newest.index(drawn["id"]) < newest.index(committed["id"])
    oldest = [d["id"] for d in ok(api.get(DRW, params={"sort": "created_at", "limit": "200"}))["items"]]
    assert oldest == list(reversed(newest))
    assert ok(api.get(DRW, params={"include_total": "true"}))["total"] >= 2
    for bad in ({"status": "open"}, {"sort": "title"}, {"colour": "red"}):
        problem(api.get(DRW, params=bad), 400, "invalid-request")
    one = api.get(f"{DRW}/{drawn['id']}")
    assert ok(one)["id"] == drawn["id"]
    assert api.get(f"{DRW}/{drawn['id']}", headers={"If-None-Match": one.headers["ETag"]}).status_code == 304
    assert ok(as_registrar(api, make_registrar(db)).get(f"{DRW}/{drawn['id']}"))["order"] == drawn["order"]
    problem(api.get(f"{DRW}/{uuid.uuid4()}"), 404, "not-found")
    problem(api.get(f"{DRW}/not-a-uuid"), 404, "not-found")


def test_draw_roles(api, db):
    x = make_draw(api, db, status="committed", pool=1, winner_count=1)
    d = x["draw"]
    rid = x["pool"][0]
    applicant = api.with_token(mint("applicant", application_id=str(uuid.uuid4())))
    for caller, status, kind in ((api, 401, "unauthenticated"), (as_registrar(api, rid), 403, "forbidden"),
                                 (applicant, 403, "forbidden")):
        problem(caller.post(DRW, draw_body(x["source"]["id"], x["target"]["id"], "x")), status, kind)
        problem(caller.post(f"{DRW}/{d['id']}/freeze"), status, kind)
        problem(caller.post(f"{DRW}/{d['id']}/run", {"seed": x["seed"], "public_entropy": "1"}), status, kind)
        problem(caller.get(f"{DRW}/{d['id']}/history"), status, kind)
    problem(api.post(f"{DRW}/{d['id']}/decline"), 401, "unauthenticated")
    problem(applicant.post(f"{DRW}/{d['id']}/decline"), 403, "forbidden")
    assert draw_row(db, d["id"]) == ("committed",)
    assert [a[0] for a in audit(db, d["id"])] == ["create"]
    s = staff(api)
    for path in (f"{DRW}/{uuid.uuid4()}/freeze", f"{DRW}/{uuid.uuid4()}/history"):
        problem(s.request("POST" if path.endswith("freeze") else "GET", path), 404, "not-found")
    problem(s.post(f"{DRW}/{uuid.uuid4()}/run", {"seed": "a", "public_entropy": "b"}), 404, "not-found")
    problem(s.post(f"{DRW}/{uuid.uuid4()}/decline", {"registrar_id": rid}), 404, "not-found")


def test_draw_history_is_staff_only_and_complete(api, db):
    x = make_draw(api, db, status="drawn", pool=3, winner_count=1)
    history = ok(staff(api).get(f"{DRW}/{x['draw']['id']}/history"))["items"]
    assert [(h["action"], h["from_status"], h["to_status"]) for h in history] == [
        ("create", None, "committed"), ("freeze", "committed", "frozen"), ("run", "frozen", "drawn")]
    assert all(h["actor"]["sub"] == "joana@dns.pt" for h in history)


def test_the_commitment_is_published_before_anything_is_drawn(api, db):
    """The resource shows the commitment from the start and the seed only after the run."""
    x = make_draw(api, db, status="frozen", pool=3)
    public = ok(api.get(f"{DRW}/{x['draw']['id']}"))
    assert public["seed_commitment"] == commitment(x["seed"]) and public["seed"] is None
    assert public["public_entropy"] is None and public["order"] is None
    assert x["seed"] not in str(public)
