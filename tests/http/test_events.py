"""Events (issue 13): creation and its rules, the draft → published →
cancelled | closed machine, drafts seen by staff only, the public list with
its filters, sorts and caching, edits under If-Match with every 422 rule
(each refused edit changes nothing), the eligibility that explains itself,
cancelling an event cancels its registrations, history, audit and roles."""
import uuid

import pytest

from accreditation import ok
from events import (CHECK_ORDER, EVT, KINDS, REG, check_codes, count_events, count_regs, create_event, day,
                    event_body, event_row, eligibility, failed, get_event, patch_event, people, register,
                    registered, reg_row, staff_register)
from identity import make_registrar, mint
from programs import active, admin, as_registrar, audit, codes, problem, staff

FULL = {"description": "Dia de trabalho.\nAlmoço incluído.", "capacity": 40,
        "registration_opens_at": day(-5), "registration_closes_at": day(30),
        "eligibility": "3em1", "max_attendees_per_registrar": 3, "waitlist": True}


# --- creation -------------------------------------------------------------------------------

def test_create_an_event_in_draft(api, db):
    s = staff(api)
    body = event_body("summit", **FULL)
    r = s.post(EVT, body)
    e = ok(r, 201)
    assert r.headers["Location"] == f"{EVT}/{e['id']}"
    assert r.headers["ETag"]
    for k, v in body.items():
        assert e[k] == v, k
    assert (e["status"], e["seats_taken"], e["seats_remaining"], e["waitlist_length"], e["check_in_closed"]) == \
        ("draft", 0, 40, 0, False)
    assert e["created_at"] and e["updated_at"] and e["status_changed_at"]
    assert set(e["allowed_actions"]) >= {"publish", "cancel"}
    assert event_row(db, e["id"]) == ("draft", body["title"], 40)
    assert audit(db, e["id"]) == [("create", None, "draft", None)]
    history = ok(s.get(f"{EVT}/{e['id']}/history"))["items"]
    assert [(h["action"], h["to_status"], h["actor"]["sub"]) for h in history] == [("create", "draft", "joana@dns.pt")]
    assert ok(s.get(f"{EVT}/{e['id']}")) == e


def test_create_defaults(api):
    e = ok(staff(api).post(EVT, event_body("training")), 201)
    assert (e["eligibility"], e["max_attendees_per_registrar"], e["waitlist"]) == ("accredited", 1, False)
    assert (e["capacity"], e["seats_remaining"], e["description"]) == (None, None, None)
    assert (e["registration_opens_at"], e["registration_closes_at"]) == (None, None)


def test_null_means_no_limit_on_creation(api):
    e = ok(staff(api).post(EVT, event_body(description=None, capacity=None, registration_opens_at=None,
                                           registration_closes_at=None)), 201)
    assert (e["capacity"], e["seats_remaining"], e["description"]) == (None, None, None)
    assert (e["registration_opens_at"], e["registration_closes_at"]) == (None, None)


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_is_accepted(api, kind):
    assert ok(staff(api).post(EVT, event_body(kind)), 201)["kind"] == kind


BAD_CREATE = [
    ({"kind": ...}, [("/kind", "required")]),
    ({"title": ...}, [("/title", "required")]),
    ({"location": ...}, [("/location", "required")]),
    ({"starts_at": ...}, [("/starts_at", "required")]),
    ({"ends_at": ...}, [("/ends_at", "required")]),
    ({"kind": "party"}, [("/kind", "enum")]),
    ({"title": ""}, [("/title", "too_short")]),
    ({"title": "t" * 201}, [("/title", "too_long")]),
    ({"location": "l" * 201}, [("/location", "too_long")]),
    ({"description": "d" * 5001}, [("/description", "too_long")]),
    ({"capacity": 0}, [("/capacity", "too_small")]),
    ({"capacity": 100001}, [("/capacity", "too_large")]),
    ({"capacity": "10"}, [("/capacity", "type")]),
    ({"max_attendees_per_registrar": 0}, [("/max_attendees_per_registrar", "too_small")]),
    ({"max_attendees_per_registrar": 51}, [("/max_attendees_per_registrar", "too_large")]),
    ({"waitlist": "yes"}, [("/waitlist", "type")]),
    ({"starts_at": "amanhã"}, [("/starts_at", "format")]),
    ({"starts_at": "2031-10-14T09:00:00Z", "ends_at": "2031-10-14T09:00:00Z"}, [("/ends_at", "before_start")]),
    ({"starts_at": "2031-10-14T09:00:00Z", "ends_at": "2031-10-13T18:00:00Z"}, [("/ends_at", "before_start")]),
    ({"registration_opens_at": "2031-09-01T00:00:00Z", "registration_closes_at": "2031-09-01T00:00:00Z"},
     [("/registration_closes_at", "before_opening")]),
    ({"registration_opens_at": "2031-09-01T00:00:00Z", "registration_closes_at": "2031-08-01T00:00:00Z"},
     [("/registration_closes_at", "before_opening")]),
    ({"eligibility": "Não É Código!"}, [("/eligibility", "program_code")]),
    ({"eligibility": "nao-existe"}, [("/eligibility", "unknown_program")]),
    ({"status": "published"}, [("/status", "unknown_field")]),
    ({"seats_taken": 3}, [("/seats_taken", "unknown_field")]),
    ({"colour": "red"}, [("/colour", "unknown_field")]),
]


@pytest.mark.parametrize("over, expected", BAD_CREATE, ids=lambda v: "" if isinstance(v, list) else
                         "-".join(f"{k}" for k in v))
def test_create_refuses_bad_input_and_changes_nothing(api, db, over, expected):
    body = event_body(**over)
    before = count_events(db)
    r = staff(api).post(EVT, body)
    problem(r, 422, "validation-failed")
    assert codes(r) == expected
    assert count_events(db) == before


def test_create_refuses_malformed_bodies(api, db):
    s = staff(api)
    before = count_events(db)
    problem(s.request("POST", EVT, data=b'{"kind": ', headers={"Content-Type": "application/json"}),
            400, "invalid-request")
    problem(s.request("POST", EVT, data=b"kind=summit", headers={"Content-Type": "text/plain"}),
            415, "unsupported-media-type")
    problem(s.post(EVT, ["not", "an", "object"]), 400, "invalid-request")
    assert count_events(db) == before


def test_create_idempotency_key_replays(api, db):
    s = staff(api)
    body = event_body()
    key = f"evt-{uuid.uuid4()}"
    first = s.post(EVT, body, headers={"Idempotency-Key": key})
    assert first.status_code == 201, first.text
    again = s.post(EVT, body, headers={"Idempotency-Key": key})
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    problem(s.post(EVT, event_body(), headers={"Idempotency-Key": key}), 422, "idempotency-key-reused")
    assert db.execute("SELECT count(*) FROM events WHERE title = %s", (body["title"],)).fetchone()[0] == 1


# --- the machine ----------------------------------------------------------------------------

def test_publish_close_and_wrong_states(api, db):
    s = staff(api)
    e = create_event(api, status="draft")
    eid = e["id"]

    def act(action, status=200, current=None):
        r = s.post(f"{EVT}/{eid}/{action}")
        if status == 200:
            return ok(r)
        body = problem(r, 409, "invalid-state")
        assert body["current_status"] == current, body
        return body

    act("close", 409, "draft")
    published = act("publish")
    assert published["status"] == "published"
    assert set(published["allowed_actions"]) >= {"cancel", "close"}
    assert "publish" not in published["allowed_actions"]
    act("publish", 409, "published")
    closed = act("close")
    assert closed["status"] == "closed" and closed["allowed_actions"] == []
    for action in ("publish", "close", "cancel"):
        act(action, 409, "closed")
    assert event_row(db, eid)[0] == "closed"
    history = ok(s.get(f"{EVT}/{eid}/history"))["items"]
    assert [(h["action"], h["from_status"], h["to_status"]) for h in history] == [
        ("create", None, "draft"), ("publish", "draft", "published"), ("close", "published", "closed")]
    assert [a[0] for a in audit(db, eid)] == ["create", "publish", "close"]
    # a closed event stays public
    assert ok(api.get(f"{EVT}/{eid}"))["status"] == "closed"


def test_cancel_a_draft_or_a_published_event(api, db):
    s = staff(api)
    for start in ("draft", "published"):
        e = create_event(api, status=start)
        cancelled = ok(s.post(f"{EVT}/{e['id']}/cancel"))
        assert cancelled["status"] == "cancelled" and cancelled["allowed_actions"] == []
        for action in ("publish", "close", "cancel"):
            body = problem(s.post(f"{EVT}/{e['id']}/{action}"), 409, "invalid-state")
            assert body["current_status"] == "cancelled"
        assert event_row(db, e["id"])[0] == "cancelled"
        assert audit(db, e["id"])[-1][:3] == ("cancel", start, "cancelled")


def test_status_changed_at_moves_with_the_status_only(api):
    e = create_event(api, status="draft")
    published = ok(staff(api).post(f"{EVT}/{e['id']}/publish"))
    assert published["status_changed_at"] >= e["status_changed_at"]
    edited = patch_event(api, e["id"], {"title": "Outro título"})
    assert edited["status_changed_at"] == published["status_changed_at"]
    assert edited["updated_at"] >= published["updated_at"]


# --- visibility and the public list ---------------------------------------------------------

def test_drafts_are_seen_by_staff_only(api, db):
    draft = create_event(api, status="draft")
    rid = make_registrar(db)
    mine = as_registrar(api, rid)
    problem(api.get(f"{EVT}/{draft['id']}"), 404, "not-found")
    problem(mine.get(f"{EVT}/{draft['id']}"), 404, "not-found")
    for caller in (api, mine):
        listed = ok(caller.get(EVT, params={"limit": "200"}))["items"]
        assert draft["id"] not in {e["id"] for e in listed}
        assert all(e["status"] != "draft" for e in listed)
        assert ok(caller.get(EVT, params={"status": "draft", "limit": "200"}))["items"] == []
    s = staff(api)
    assert ok(s.get(f"{EVT}/{draft['id']}"))["status"] == "draft"
    assert draft["id"] in {e["id"] for e in ok(s.get(EVT, params={"status": "draft", "limit": "200"}))["items"]}
    # published, cancelled and closed ones are public
    for status in ("published", "cancelled", "closed"):
        e = create_event(api, status=status)
        assert ok(api.get(f"{EVT}/{e['id']}"))["status"] == status
        assert ok(mine.get(f"{EVT}/{e['id']}"))["status"] == status


def test_unknown_events_answer_404(api, db):
    s = staff(api)
    rid = make_registrar(db)
    for eid in (str(uuid.uuid4()), "not-a-uuid"):
        problem(api.get(f"{EVT}/{eid}"), 404, "not-found")
        problem(s.get(f"{EVT}/{eid}"), 404, "not-found")
        problem(s.patch(f"{EVT}/{eid}", {"title": "x"}, headers={"If-Match": '"1"'}), 404, "not-found")
        for action in ("publish", "cancel", "close"):
            problem(s.post(f"{EVT}/{eid}/{action}"), 404, "not-found")
        problem(s.get(f"{EVT}/{eid}/history"), 404, "not-found")
        problem(s.get(f"{EVT}/{eid}/eligibility", params={"registrar_id": rid}), 404, "not-found")
        problem(as_registrar(api, rid).get(f"{EVT}/{eid}/eligibility"), 404, "not-found")
        problem(register(api, rid, eid), 404, "not-found")
        problem(s.get(f"{EVT}/{eid}/registrations"), 404, "not-found")
        problem(api.get(f"{EVT}/{eid}/calendar.ics"), 404, "not-found")


def test_anonymous_reads_are_cacheable_and_others_are_not(api):
    e = create_event(api)
    one = api.get(f"{EVT}/{e['id']}")
    ok(one)
    assert one.headers["Cache-Control"] == "public, max-age=60"
    again = api.get(f"{EVT}/{e['id']}", headers={"If-None-Match": one.headers["ETag"]})
    assert again.status_code == 304 and again.content == b""
    page = api.get(EVT, params={"kind": "conference"})
    ok(page)
    assert page.headers["Cache-Control"] == "public, max-age=60"
    assert api.get(EVT, params={"kind": "conference"},
                   headers={"If-None-Match": page.headers["ETag"]}).status_code == 304
    s = staff(api)
    assert s.get(f"{EVT}/{e['id']}").headers["Cache-Control"] == "no-store"
    assert s.get(EVT).headers["Cache-Control"] == "no-store"


def _window(year):
    """A year of its own far ahead, so that a test's from/to see only its events."""
    return f"{year}-01-01T00:00:00Z", f"{year + 1}-01-01T00:00:00Z"


def test_list_filters_kind_status_from_to_and_sorts(api):
    year = 2080 + uuid.uuid4().int % 15
    s = staff(api)

    def ev(kind, month, status="published"):
        return create_event(api, status=status, kind=kind, starts_at=f"{year}-{month:02d}-10T09:00:00Z",
                            ends_at=f"{year}-{month:02d}-10T18:00:00Z")["id"]
    summit = ev("summit", 10)
    meeting = ev("registrar_meeting", 3)
    training = ev("training", 6, "cancelled")
    conference = ev("conference", 1, "closed")
    draft = ev("conference", 2, "draft")
    frm, to = _window(year)

    def listed(params, caller=api):
        return [e["id"] for e in ok(caller.get(EVT, params=dict({"from": frm, "to": to, "limit": "200"},
                                                                    **params)))["items"]]
    assert listed({"sort": "starts_at"}) == [conference, meeting, training, summit]
    assert listed({"sort": "-starts_at"}) == [summit, training, meeting, conference]
    assert listed({"sort": "starts_at"}, s) == [conference, draft, meeting, training, summit]
    assert listed({"sort": "created_at"}) == [summit, meeting, training, conference]
    assert listed({"sort": "-created_at"}) == [conference, training, meeting, summit]
    assert listed({"kind": "summit"}) == [summit]
    assert listed({"kind": "summit,training", "sort": "starts_at"}) == [training, summit]
    assert listed({"status": "cancelled"}) == [training]
    assert listed({"status": "published", "sort": "starts_at"}) == [meeting, summit]
    assert listed({"status": "cancelled,closed", "sort": "starts_at"}) == [conference, training]
    assert listed({"status": "draft"}, s) == [draft]
    # from is inclusive, to exclusive
    assert listed({"from": f"{year}-03-10T09:00:00Z", "to": f"{year}-06-10T09:00:00Z"}) == [meeting]
    assert listed({"from": f"{year}-03-10T09:00:01Z", "to": f"{year}-06-10T09:00:01Z"}) == [training]
    # pages follow the cursor to the end
    seen, cursor = [], None
    while True:
        params = {"from": frm, "to": to, "limit": "3", "sort": "starts_at"}
        if cursor:
            params["cursor"] = cursor
        page = ok(api.get(EVT, params=params))
        seen += [e["id"] for e in page["items"]]
        cursor = page.get("next_cursor")
        if not cursor:
            break
    assert seen == [conference, meeting, training, summit]
    for bad in ({"kind": "party"}, {"status": "frozen"}, {"from": "ontem"}, {"to": "2031-13-01T00:00:00Z"},
                {"sort": "title"}, {"colour": "red"}, {"limit": "0"}):
        problem(api.get(EVT, params=bad), 400, "invalid-request")


def test_the_list_counts_its_total(api):
    year = 2096 + uuid.uuid4().int % 3
    for month in (1, 2, 3):
        create_event(api, starts_at=f"{year}-{month:02d}-10T09:00:00Z", ends_at=f"{year}-{month:02d}-10T18:00:00Z")
    create_event(api, status="draft", starts_at=f"{year}-04-10T09:00:00Z", ends_at=f"{year}-04-10T18:00:00Z")
    frm, to = _window(year)
    page = ok(api.get(EVT, params={"from": frm, "to": to, "include_total": "true", "limit": "2"}))
    assert page["total"] == 3 and len(page["items"]) == 2
    assert ok(staff(api).get(EVT, params={"from": frm, "to": to, "include_total": "true"}))["total"] == 4


def test_updated_since_lists_what_changed(api):
    e = create_event(api)
    mark = ok(api.get(f"{EVT}/{e['id']}"))["updated_at"]
    edited = patch_event(api, e["id"], {"location": "Porto, Alfândega"})
    items = ok(staff(api).get(EVT, params={"updated_since": mark, "limit": "200"}))["items"]
    assert e["id"] in {i["id"] for i in items}
    assert all(i["updated_at"] >= mark for i in items)
    assert edited["location"] == "Porto, Alfândega"


# --- edits ----------------------------------------------------------------------------------

def test_patch_needs_if_match_and_a_current_one(api, db):
    s = staff(api)
    e = create_event(api, capacity=10)
    eid = e["id"]
    etag = s.get(f"{EVT}/{eid}").headers["ETag"]
    problem(s.patch(f"{EVT}/{eid}", {"title": "Novo"}), 428, "precondition-required")
    problem(s.patch(f"{EVT}/{eid}", {"title": "Novo"}, headers={"If-Match": '"999"'}), 412, "precondition-failed")
    assert event_row(db, eid) == ("published", e["title"], 10)
    r = s.patch(f"{EVT}/{eid}", {"title": "Novo título", "capacity": 12, "description": "Com almoço."},
                headers={"If-Match": etag})
    after = ok(r)
    assert r.headers["ETag"] != etag
    assert (after["title"], after["capacity"], after["seats_remaining"], after["description"]) == \
        ("Novo título", 12, 12, "Com almoço.")
    problem(s.patch(f"{EVT}/{eid}", {"title": "Outra"}, headers={"If-Match": etag}), 412, "precondition-failed")
    merged = s.patch(f"{EVT}/{eid}", {"capacity": None, "description": None},
                     headers={"Content-Type": "application/merge-patch+json", "If-Match": r.headers["ETag"]})
    m = ok(merged)
    assert (m["capacity"], m["seats_remaining"], m["description"], m["title"]) == (None, None, None, "Novo título")
    assert event_row(db, eid) == ("published", "Novo título", None)
    edits = [h for h in ok(s.get(f"{EVT}/{eid}/history"))["items"] if h["action"] == "edit"]
    assert len(edits) == 2
    assert [a[0] for a in audit(db, eid)] == ["create", "publish", "edit", "edit"]


def test_every_writable_field_is_patched(api):
    e = create_event(api, status="draft")
    body = {"title": "T", "description": "D", "location": "Braga", "starts_at": day(50, 10),
            "ends_at": day(50, 17), "capacity": 9, "registration_opens_at": day(1), "registration_closes_at": day(20),
            "eligibility": "3em1", "max_attendees_per_registrar": 4, "waitlist": True}
    after = patch_event(api, e["id"], body)
    for k, v in body.items():
        assert after[k] == v, k
    assert after["status"] == "draft" and after["kind"] == e["kind"]


BAD_PATCH = [
    ({"kind": "summit"}, "/kind", "unknown_field"),
    ({"status": "closed"}, "/status", "unknown_field"),
    ({"id": str(uuid.uuid4())}, "/id", "unknown_field"),
    ({"seats_taken": 0}, "/seats_taken", "unknown_field"),
    ({"check_in_closed": True}, "/check_in_closed", "unknown_field"),
    ({"title": None}, "/title", "not_null"),
    ({"title": ""}, "/title", "too_short"),
    ({"capacity": 0}, "/capacity", "too_small"),
    ({"max_attendees_per_registrar": 51}, "/max_attendees_per_registrar", "too_large"),
    ({"ends_at": "2001-01-01T00:00:00Z"}, "/ends_at", "before_start"),
    ({"starts_at": "2099-01-01T00:00:00Z"}, "/ends_at", "before_start"),
    ({"registration_opens_at": "2031-09-01T00:00:00Z", "registration_closes_at": "2031-08-01T00:00:00Z"},
     "/registration_closes_at", "before_opening"),
    ({"eligibility": "XX YY"}, "/eligibility", "program_code"),
    ({"eligibility": "nao-existe"}, "/eligibility", "unknown_program"),
]


@pytest.mark.parametrize("patch, pointer, code", BAD_PATCH, ids=lambda v: v if isinstance(v, str) else "")
def test_patch_refuses_bad_input_and_changes_nothing(api, db, patch, pointer, code):
    e = create_event(api, capacity=5)
    s = staff(api)
    etag = s.get(f"{EVT}/{e['id']}").headers["ETag"]
    r = s.patch(f"{EVT}/{e['id']}", patch, headers={"If-Match": etag})
    problem(r, 422, "validation-failed")
    got = codes(r)
    if code == "not_null":
        assert got in ([(pointer, "not_null")], [(pointer, "type")]), got
    else:
        assert got == [(pointer, code)]
    assert s.get(f"{EVT}/{e['id']}").headers["ETag"] == etag
    assert ok(s.get(f"{EVT}/{e['id']}")) == get_event(api, e["id"])
    assert event_row(db, e["id"]) == ("published", e["title"], 5)
    assert [a[0] for a in audit(db, e["id"])] == ["create", "publish"]


def test_patch_window_rule_holds_against_the_stored_opening(api, db):
    e = create_event(api, status="draft", registration_opens_at="2031-05-01T00:00:00Z")
    r = patch_event(api, e["id"], {"registration_closes_at": "2031-04-01T00:00:00Z"}, status=422)
    problem(r, 422, "validation-failed")
    assert codes(r) == [("/registration_closes_at", "before_opening")]
    assert patch_event(api, e["id"], {"registration_closes_at": "2031-06-01T00:00:00Z"})[
        "registration_closes_at"] == "2031-06-01T00:00:00Z"


def test_capacity_below_seats_taken_is_refused(api, db):
    e = create_event(api, capacity=5, max_attendees_per_registrar=3)
    registered(api, make_registrar(db), e["id"], 3, "confirmed")
    r = patch_event(api, e["id"], {"capacity": 2}, status=422)
    problem(r, 422, "validation-failed")
    assert codes(r) == [("/capacity", "below_taken")]
    assert event_row(db, e["id"])[2] == 5
    assert patch_event(api, e["id"], {"capacity": 3})["seats_remaining"] == 0


def test_raising_the_capacity_promotes_the_waitlist_in_order(api, db):
    e = create_event(api, capacity=2, waitlist=True, max_attendees_per_registrar=2)
    eid = e["id"]
    registered(api, make_registrar(db), eid, 2, "confirmed")
    big = registered(api, make_registrar(db), eid, 2, "waitlisted")
    small = registered(api, make_registrar(db), eid, 1, "waitlisted")
    after = patch_event(api, eid, {"capacity": 3})
    # the head needs 2 and 1 is free: nobody behind it jumps ahead
    assert (after["seats_taken"], after["seats_remaining"], after["waitlist_length"]) == (2, 1, 2)
    assert [get_reg_status(api, r) for r in (big, small)] == [("waitlisted", 1), ("waitlisted", 2)]
    after = patch_event(api, eid, {"capacity": 5})
    assert (after["seats_taken"], after["seats_remaining"], after["waitlist_length"]) == (5, 0, 0)
    assert [get_reg_status(api, r) for r in (big, small)] == [("confirmed", None), ("confirmed", None)]
    assert audit(db, big["id"])[-1][:3] == ("promote", "waitlisted", "confirmed")
    assert audit(db, small["id"])[-1][:3] == ("promote", "waitlisted", "confirmed")
    # no limit at all: everyone waiting gets in, in order
    queue = [registered(api, make_registrar(db), eid, n, "waitlisted") for n in (2, 1, 2)]
    after = patch_event(api, eid, {"capacity": None})
    assert (after["seats_taken"], after["seats_remaining"], after["waitlist_length"]) == (10, None, 0)
    assert [get_reg_status(api, r) for r in queue] == [("confirmed", None)] * 3


def get_reg_status(api, reg):
    r = ok(staff(api).get(f"{REG}/{reg['id']}"))
    return r["status"], r["waitlist_position"]


def test_cancelled_and_closed_events_are_not_edited(api, db):
    for status in ("cancelled", "closed"):
        e = create_event(api, status=status)
        r = patch_event(api, e["id"], {"title": "Tarde demais"}, status=409)
        assert problem(r, 409, "invalid-state")["current_status"] == status
        assert event_row(db, e["id"])[:2] == (status, e["title"])


def test_seats_are_counted_in_the_resource(api, db):
    e = create_event(api, capacity=10, waitlist=True, max_attendees_per_registrar=5)
    eid = e["id"]
    a = registered(api, make_registrar(db), eid, 4, "confirmed")
    registered(api, make_registrar(db), eid, 5, "confirmed")
    registered(api, make_registrar(db), eid, 2, "waitlisted")
    got = ok(api.get(f"{EVT}/{eid}"))
    assert (got["seats_taken"], got["seats_remaining"], got["waitlist_length"]) == (9, 1, 1)
    ok(check_in_staff(api, a["id"]))
    got = ok(api.get(f"{EVT}/{eid}"))
    assert (got["seats_taken"], got["seats_remaining"]) == (9, 1)  # attended still holds its seats


def check_in_staff(api, reg_id):
    return staff(api).post(f"{REG}/{reg_id}/check-in")


# --- cancelling an event --------------------------------------------------------------------

def test_cancelling_an_event_cancels_its_registrations(api, db):
    e = create_event(api, capacity=2, waitlist=True)
    eid = e["id"]
    regs = [registered(api, make_registrar(db), eid) for _ in range(4)]
    ok(check_in_staff(api, regs[0]["id"]))
    before_cancel = ok(api.get(f"{EVT}/{eid}"))
    assert (before_cancel["seats_taken"], before_cancel["waitlist_length"]) == (2, 2)
    cancelled = ok(staff(api).post(f"{EVT}/{eid}/cancel", {"reason": "Sala indisponível."}))
    assert cancelled["status"] == "cancelled"
    assert cancelled["waitlist_length"] == 0
    for reg in regs[1:]:
        row = reg_row(db, reg["id"])
        assert (row[0], row[3]) == ("cancelled", "event cancelled"), row
        got = ok(as_registrar(api, reg["registrar_id"]).get(f"{REG}/{reg['id']}"))
        assert (got["status"], got["reason"], got["waitlist_position"]) == ("cancelled", "event cancelled", None)
        assert audit(db, reg["id"])[-1][:3] in (("cancel", "confirmed", "cancelled"),
                                                 ("cancel", "waitlisted", "cancelled"))
    # who attended did attend
    assert reg_row(db, regs[0]["id"])[0] == "attended"
    assert count_regs(db, eid, status="cancelled") == 3
    # nothing is promoted, nobody registers any more
    body = problem(register(api, make_registrar(db), eid), 409, "window-closed")
    assert body["check"] == "window"
    assert count_regs(db, eid) == 4


# --- eligibility ----------------------------------------------------------------------------

def in_order(e):
    order = [CHECK_ORDER.index(c["code"].split(":")[0]) for c in e["checks"]]
    return order == sorted(order)


def test_eligibility_of_an_open_event(api, db):
    e = create_event(api, capacity=2)
    rid = make_registrar(db)
    said = eligibility(api, rid, e["id"])
    assert (said["event_id"], said["registrar_id"], said["eligible"], said["placement"]) == \
        (e["id"], rid, True, "confirmed")
    assert check_codes(said) == ["accredited", "agreement", "window", "duplicate", "capacity"]
    assert all(c["passed"] and c["message"] for c in said["checks"])
    assert said == eligibility(api, rid, e["id"], staff(api))
    assert said == eligibility(api, rid, e["id"], admin(api))
    # asking changes nothing
    assert count_regs(db, e["id"]) == 0


def test_eligibility_lists_the_program_requirement_in_its_place(api, db):
    e = create_event(api, kind="summit", eligibility="3em1", capacity=20)
    rid = make_registrar(db)
    said = eligibility(api, rid, e["id"])
    assert check_codes(said) == ["accredited", "agreement", "window", "requires:3em1", "duplicate",
                                 "capacity"]
    assert failed(said) == ["requires:3em1"]
    assert (said["eligible"], said["placement"]) == (False, None)
    active(api, rid, "3em1")
    said = eligibility(api, rid, e["id"])
    assert (said["eligible"], said["placement"], failed(said)) == (True, "confirmed", [])


def test_eligibility_places_on_the_waitlist(api, db):
    e = create_event(api, capacity=1, waitlist=True)
    registered(api, make_registrar(db), e["id"], 1, "confirmed")
    said = eligibility(api, make_registrar(db), e["id"])
    assert (said["eligible"], said["placement"], failed(said)) == (True, "waitlisted", [])
    # while anyone waits, a newcomer waits too, even when a seat is free
    e2 = create_event(api, capacity=2, waitlist=True, max_attendees_per_registrar=2)
    registered(api, make_registrar(db), e2["id"], 1, "confirmed")
    registered(api, make_registrar(db), e2["id"], 2, "waitlisted")
    said = eligibility(api, make_registrar(db), e2["id"])
    assert (said["eligible"], said["placement"]) == (True, "waitlisted")


def _suspended(api, db):
    return make_registrar(db, status="suspended"), create_event(api)["id"], None


def _terminated(api, db):
    return make_registrar(db, status="terminated"), create_event(api)["id"], None


def _draft(api, db):
    return make_registrar(db), create_event(api, status="draft")["id"], staff(api)


def _cancelled(api, db):
    return make_registrar(db), create_event(api, status="cancelled")["id"], None


def _closed(api, db):
    return make_registrar(db), create_event(api, status="closed")["id"], None


def _not_yet_open(api, db):
    return make_registrar(db), create_event(api, registration_opens_at=day(2), registration_closes_at=day(9))["id"], None


def _already_closed(api, db):
    return make_registrar(db), create_event(api, registration_opens_at=day(-9), registration_closes_at=day(-1))["id"], \
        None


def _requires_3em1(api, db):
    return make_registrar(db), create_event(api, kind="summit", eligibility="3em1")["id"], None


def _duplicate(api, db):
    rid = make_registrar(db)
    eid = create_event(api)["id"]
    registered(api, rid, eid)
    return rid, eid, None


def _full(api, db):
    eid = create_event(api, capacity=1)["id"]
    registered(api, make_registrar(db), eid, 1, "confirmed")
    return make_registrar(db), eid, None


def _full_with_a_queue_and_no_waitlist_left(api, db):
    # a waitlist that was switched off while people wait: no seat, and no more waiting
    eid = create_event(api, capacity=1, waitlist=True)["id"]
    registered(api, make_registrar(db), eid, 1, "confirmed")
    registered(api, make_registrar(db), eid, 1, "waitlisted")
    patch_event(api, eid, {"waitlist": False})
    return make_registrar(db), eid, None


ELIGIBILITY_REFUSALS = [
    (_suspended, "accredited"), (_terminated, "accredited"), (_draft, "window"), (_cancelled, "window"),
    (_closed, "window"), (_not_yet_open, "window"), (_already_closed, "window"),
    (_requires_3em1, "requires:3em1"), (_duplicate, "duplicate"), (_full, "capacity"),
    (_full_with_a_queue_and_no_waitlist_left, "capacity"),
]


@pytest.mark.parametrize("scenario, check", ELIGIBILITY_REFUSALS,
                         ids=[s[0].__name__.strip("_") for s in ELIGIBILITY_REFUSALS])
def test_eligibility_names_the_first_failed_check(api, db, scenario, check):
    rid, eid, caller = scenario(api, db)
    said = eligibility(api, rid, eid, caller)
    assert said["eligible"] is False and said["placement"] is None, said
    assert in_order(said), said
    assert failed(said)[0] == check, said
    assert all(isinstance(c["message"], str) and c["message"] for c in said["checks"])


def test_eligibility_speaks_the_callers_language(api, db):
    e = create_event(api, kind="summit", eligibility="3em1")
    rid = make_registrar(db)
    en = eligibility(api, rid, e["id"])
    pt = eligibility(api, rid, e["id"], headers={"Accept-Language": "pt-PT,pt;q=0.9"})
    assert check_codes(en) == check_codes(pt)
    assert all(a["message"] != b["message"] for a, b in zip(en["checks"], pt["checks"]))
    assert "3em1" in next(c["message"] for c in pt["checks"] if c["code"] == "requires:3em1")


def test_eligibility_roles_and_parameters(api, db):
    e = create_event(api)
    eid = e["id"]
    rid, other = make_registrar(db), make_registrar(db)
    s = staff(api)
    body = problem(s.get(f"{EVT}/{eid}/eligibility"), 400, "invalid-request")
    assert [(x.get("parameter"), x["code"]) for x in body["errors"]] == [("registrar_id", "required")]
    body = problem(s.get(f"{EVT}/{eid}/eligibility", params={"registrar_id": "x"}), 400, "invalid-request")
    assert [(x.get("parameter"), x["code"]) for x in body["errors"]] == [("registrar_id", "format")]
    problem(s.get(f"{EVT}/{eid}/eligibility", params={"registrar_id": str(uuid.uuid4())}), 404, "not-found")
    mine = as_registrar(api, rid)
    assert ok(mine.get(f"{EVT}/{eid}/eligibility", params={"registrar_id": rid}))["registrar_id"] == rid
    problem(mine.get(f"{EVT}/{eid}/eligibility", params={"registrar_id": other}), 404, "not-found")
    problem(api.get(f"{EVT}/{eid}/eligibility"), 401, "unauthenticated")
    applicant = api.with_token(mint("applicant", application_id=str(uuid.uuid4())))
    problem(applicant.get(f"{EVT}/{eid}/eligibility"), 403, "forbidden")
    draft = create_event(api, status="draft")
    problem(mine.get(f"{EVT}/{draft['id']}/eligibility"), 404, "not-found")
    assert failed(eligibility(api, rid, draft["id"], s)) == ["window"]


def test_eligibility_and_registration_agree(api, db):
    """Where eligibility says yes the registration lands where it said; where it says no
    the registration is refused with the same check."""
    e = create_event(api, capacity=1, waitlist=True)
    first, second = make_registrar(db), make_registrar(db)
    for rid, placement in ((first, "confirmed"), (second, "waitlisted")):
        said = eligibility(api, rid, e["id"])
        assert said["placement"] == placement
        assert registered(api, rid, e["id"])["status"] == placement
        said = eligibility(api, rid, e["id"])
        assert failed(said) == ["duplicate"]
        assert problem(register(api, rid, e["id"]), 409, "duplicate")["check"] == "duplicate"


# --- history and roles ----------------------------------------------------------------------

def test_history_tells_the_whole_story(api, db):
    s = staff(api)
    e = create_event(api, status="draft")
    ok(s.post(f"{EVT}/{e['id']}/publish", {"reason": "Programa fechado."}))
    patch_event(api, e["id"], {"capacity": 30})
    ok(s.post(f"{EVT}/{e['id']}/cancel", {"reason": "Sala indisponível."}))
    history = ok(s.get(f"{EVT}/{e['id']}/history"))["items"]
    assert [(h["action"], h["from_status"], h["to_status"]) for h in history] == [
        ("create", None, "draft"), ("publish", "draft", "published"), ("edit", None, None),
        ("cancel", "published", "cancelled")]
    assert history[3]["reason"] == "Sala indisponível."
    assert all(h["actor"]["role"] == "staff" for h in history)
    assert [a[0] for a in audit(db, e["id"])] == ["create", "publish", "edit", "cancel"]
    events = ok(s.get("/v1/audit-events", params={"resource_id": e["id"], "sort": "created_at"}))["items"]
    assert [(x["action"], x["resource_type"]) for x in events][0] == ("create", "event")


def test_action_bodies_are_validated(api, db):
    e = create_event(api, status="draft")
    s = staff(api)
    problem(s.post(f"{EVT}/{e['id']}/publish", {"reason": ""}), 422, "validation-failed")
    problem(s.post(f"{EVT}/{e['id']}/publish", {"motivo": "x"}), 422, "validation-failed")
    assert event_row(db, e["id"])[0] == "draft"


STAFF_ROUTES = [
    ("POST", EVT, lambda eid: event_body()),
    ("PATCH", EVT + "/{id}", lambda eid: {"title": "Roubado"}),
    ("POST", EVT + "/{id}/publish", lambda eid: None),
    ("POST", EVT + "/{id}/cancel", lambda eid: None),
    ("POST", EVT + "/{id}/close", lambda eid: None),
    ("GET", EVT + "/{id}/history", lambda eid: None),
]


@pytest.mark.parametrize("method, template, body", STAFF_ROUTES, ids=lambda v: v if isinstance(v, str) else "")
def test_staff_routes_refuse_the_public_and_registrars(api, db, method, template, body):
    e = create_event(api, status="draft")
    eid = e["id"]
    path = template.format(id=eid)
    headers = {"If-Match": api.with_token(mint("staff")).get(f"{EVT}/{eid}").headers["ETag"]} \
        if method == "PATCH" else {}
    before = count_events(db)
    r = api.request(method, path, json_body=body(eid), headers=headers)
    problem(r, 401, "unauthenticated")
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    rid = make_registrar(db)
    problem(as_registrar(api, rid).request(method, path, json_body=body(eid), headers=headers), 403, "forbidden")
    applicant = api.with_token(mint("applicant", application_id=str(uuid.uuid4())))
    problem(applicant.request(method, path, json_body=body(eid), headers=headers), 403, "forbidden")
    assert event_row(db, eid) == ("draft", e["title"], None)
    assert count_events(db) == before
    assert audit(db, eid) == [("create", None, "draft", None)]


def test_admin_is_staff_for_events(api):
    a = admin(api)
    e = ok(a.post(EVT, event_body()), 201)
    assert ok(a.post(f"{EVT}/{e['id']}/publish"))["status"] == "published"
    assert ok(a.get(f"{EVT}/{e['id']}/history"))["items"][0]["actor"]["role"] == "admin"


def test_public_reads_show_no_staff_actions(api, db):
    e = create_event(api)
    assert ok(api.get(f"{EVT}/{e['id']}"))["allowed_actions"] == []
    mine = ok(as_registrar(api, make_registrar(db)).get(f"{EVT}/{e['id']}"))
    assert not {"publish", "cancel", "close", "edit"} & set(mine["allowed_actions"])
    assert {"cancel", "close"} <= set(ok(staff(api).get(f"{EVT}/{e['id']}"))["allowed_actions"])


def test_staff_registers_for_a_registrar_of_their_choosing(api, db):
    e = create_event(api)
    rid = make_registrar(db)
    reg = ok(staff_register(api, rid, e["id"], 1, people(1)), 201)
    assert reg["registrar_id"] == rid and reg["status"] == "confirmed"
