"""Seats are never oversold and the waitlist keeps arrival order under
concurrency (issue 13), with two `parceria serve` processes on one database
and requests released together by a barrier, half through each: (a) 200
registrars for 20 seats with a waitlist: exactly 20 confirmed, 180
waitlisted at positions 1..180 in arrival order; (b) cancels and new
registrations at once: never more confirmed seats than the capacity, the
freed seats go to the head of the queue, the queue stays in arrival order;
(c) more attendees and new registrations at once: an edit that no longer
fits is refused whole, and the seats never exceed the capacity.
Every wait is bounded; nothing is timed."""
import uuid

import pytest

import race as race_kit
from events import EVT, REG, event_body, people, seats_in_sql, waitlist_in_sql
from identity import make_registrar, registrar_token
from openapi_check import Client
from programs import staff
from race import outcome, race


@pytest.fixture(scope="module")
def two_servers(template_db):
    yield from race_kit.two_servers(template_db, "event-race")


@pytest.fixture()
def race_db(two_servers):
    yield from race_kit.database(two_servers)


def new_event(client, capacity):
    s = staff(client)
    r = s.post(EVT, event_body("summit", capacity=capacity, waitlist=True))
    assert r.status_code == 201, r.text
    eid = r.json()["id"]
    r = s.post(f"{EVT}/{eid}/publish")
    assert r.status_code == 200, r.text
    return eid


def register_call(rid, eid):
    token, key = registrar_token(rid), str(uuid.uuid4())

    def call(client):
        return client.with_token(token).post(f"{EVT}/{eid}/registrations", {"attendees": people(1)},
                                             headers={"Idempotency-Key": key})
    return call


def cancel_call(reg):
    token = registrar_token(reg["registrar_id"])

    def call(client):
        return client.with_token(token).post(f"{REG}/{reg['id']}/cancel")
    return call


def rows(db, eid):
    """{id: (status, waitlist position or None)} and the arrival order, from SQL and the API."""
    return db.execute("SELECT id::text, status, registrar_id::text FROM registrations WHERE event_id = %s"
                      " ORDER BY created_at, id", (eid,)).fetchall()


def listed(client, eid, status):
    items, cursor = [], None
    while True:
        params = {"status": status, "sort": "created_at", "limit": "200"}
        if cursor:
            params["cursor"] = cursor
        r = staff(client).get(f"{EVT}/{eid}/registrations", params=params)
        assert r.status_code == 200, r.text
        items += r.json()["items"]
        cursor = r.json().get("next_cursor")
        if not cursor:
            return items


def assert_waitlist_in_arrival_order(client, db, eid, expected_length):
    waiting = listed(client, eid, "waitlisted")
    assert [w["id"] for w in waiting] == waitlist_in_sql(db, eid)
    assert [w["waitlist_position"] for w in waiting] == list(range(1, expected_length + 1))
    return waiting


def test_two_hundred_registrars_for_twenty_seats(two_servers, race_db):
    a, b = (Client(s.base) for s in two_servers)
    eid = new_event(a, capacity=20)
    rids = [make_registrar(race_db) for _ in range(200)]
    responses = race(two_servers, [register_call(rid, eid) for rid in rids], retry_lost=True)
    assert outcome(responses) == {(201, ""): 200}, outcome(responses)
    statuses = [r.json()["status"] for r in responses]
    assert statuses.count("confirmed") == 20 and statuses.count("waitlisted") == 180
    assert sorted(r.json()["registrar_id"] for r in responses) == sorted(rids)
    # the database agrees, and so does each process
    held = race_db.execute("SELECT status, count(*) FROM registrations WHERE event_id = %s GROUP BY status",
                           (eid,)).fetchall()
    assert dict(held) == {"confirmed": 20, "waitlisted": 180}
    assert seats_in_sql(race_db, eid) == 20
    for client in (a, b):
        e = client.get(f"{EVT}/{eid}").json()
        assert (e["seats_taken"], e["seats_remaining"], e["waitlist_length"]) == (20, 0, 180)
    # positions 1..180, no gap, no repeat, in arrival order
    waiting = assert_waitlist_in_arrival_order(b, race_db, eid, 180)
    # nobody waits who arrived before someone confirmed
    order = [row[1] for row in rows(race_db, eid)]
    assert order == ["confirmed"] * 20 + ["waitlisted"] * 180
    # each answer told its caller the position it got
    answered = {r.json()["id"]: r.json()["waitlist_position"] for r in responses
                if r.json()["status"] == "waitlisted"}
    assert {w["id"]: w["waitlist_position"] for w in waiting} == answered


def test_cancels_and_registrations_at_once_never_oversell(two_servers, race_db):
    a, b = (Client(s.base) for s in two_servers)
    eid = new_event(a, capacity=20)
    first = []
    for i in range(60):  # one by one: 20 confirmed, then 40 waiting in a known order
        r = register_call(make_registrar(race_db), eid)((a, b)[i % 2])
        assert r.status_code == 201, r.text
        first.append(r.json())
    assert [x["status"] for x in first] == ["confirmed"] * 20 + ["waitlisted"] * 40
    confirmed, waiting = first[:20], first[20:]
    cancels = [cancel_call(reg) for reg in confirmed[:10]]
    newcomers = [make_registrar(race_db) for _ in range(30)]
    calls = cancels + [register_call(rid, eid) for rid in newcomers]
    responses = race(two_servers, calls)
    assert outcome(responses[:10]) == {(200, ""): 10}, outcome(responses[:10])
    assert outcome(responses[10:]) == {(201, ""): 30}, outcome(responses[10:])
    # while anyone waits, a newcomer waits
    assert [r.json()["status"] for r in responses[10:]] == ["waitlisted"] * 30
    # never more seats than the capacity: exactly full, by the head of the queue
    assert seats_in_sql(race_db, eid) == 20
    now_confirmed = {x[0] for x in rows(race_db, eid) if x[1] == "confirmed"}
    assert now_confirmed == {x["id"] for x in confirmed[10:]} | {x["id"] for x in waiting[:10]}
    # the queue: the 30 who waited before, in their order, then the 30 newcomers in arrival order
    queue = assert_waitlist_in_arrival_order(b, race_db, eid, 60)
    assert [q["id"] for q in queue[:30]] == [x["id"] for x in waiting[10:]]
    assert {q["registrar_id"] for q in queue[30:]} == set(newcomers)
    e = a.get(f"{EVT}/{eid}").json()
    assert (e["seats_taken"], e["seats_remaining"], e["waitlist_length"]) == (20, 0, 60)
    # each promotion is on the record
    promoted = race_db.execute("SELECT count(*) FROM audit_events WHERE action = 'promote'"
                               " AND resource_id = ANY(%s)", ([x["id"] for x in waiting[:10]],)).fetchone()[0]
    assert promoted == 10


def test_one_registrar_fifty_times_registers_once(two_servers, race_db):
    a = Client(two_servers[0].base)
    eid = new_event(a, capacity=5)
    rid = make_registrar(race_db)
    responses = race(two_servers, [register_call(rid, eid) for _ in range(50)], retry_lost=True)
    assert outcome(responses) == {(201, ""): 1, (409, "duplicate"): 49}, outcome(responses)
    assert all(r.json()["check"] == "duplicate" for r in responses if r.status_code == 409)
    assert race_db.execute("SELECT count(*) FROM registrations WHERE event_id = %s AND registrar_id = %s",
                           (eid, rid)).fetchone()[0] == 1
    assert seats_in_sql(race_db, eid) == 1


def patch_call(reg, n):
    token = registrar_token(reg["registrar_id"])

    def call(client):
        mine = client.with_token(token)
        etag = mine.get(f"{REG}/{reg['id']}").headers["ETag"]
        return mine.patch(f"{REG}/{reg['id']}", {"attendees": people(n)}, headers={"If-Match": etag})
    return call


def test_more_attendees_and_new_registrations_at_once_never_oversell(two_servers, race_db):
    a, b = (Client(s.base) for s in two_servers)
    s = staff(a)
    r = s.post(EVT, event_body("training", capacity=20, waitlist=True, max_attendees_per_registrar=3))
    assert r.status_code == 201, r.text
    eid = r.json()["id"]
    assert s.post(f"{EVT}/{eid}/publish").status_code == 200
    held = []
    for i in range(10):
        r = register_call(make_registrar(race_db), eid)((a, b)[i % 2])
        assert r.status_code == 201 and r.json()["status"] == "confirmed", r.text
        held.append(r.json())
    # 10 free seats; 10 registrations want 2 more each, 10 newcomers want 1 each
    calls = [patch_call(reg, 3) for reg in held] + [register_call(make_registrar(race_db), eid) for _ in range(10)]
    responses = race(two_servers, calls)
    patched, new = responses[:10], responses[10:]
    assert set(outcome(patched)) <= {(200, ""), (409, "capacity-full")}, outcome(patched)
    assert outcome(new) == {(201, ""): 10}, outcome(new)
    seats = seats_in_sql(race_db, eid)
    assert seats <= 20
    grown = sum(1 for r in patched if r.status_code == 200)
    confirmed_new = sum(1 for r in new if r.json()["status"] == "confirmed")
    assert seats == 10 + 2 * grown + confirmed_new
    # a refused edit changed nothing
    for reg, r in zip(held, patched):
        want = 3 if r.status_code == 200 else 1
        assert race_db.execute("SELECT status, seats FROM registrations WHERE id = %s",
                               (reg["id"],)).fetchone() == ("confirmed", want)
    e = b.get(f"{EVT}/{eid}").json()
    assert (e["seats_taken"], e["seats_remaining"]) == (seats, 20 - seats)
    waiting = assert_waitlist_in_arrival_order(a, race_db, eid, 10 - confirmed_new)
    assert all(w["seats"] == 1 for w in waiting)
    # nobody waits while the head of the queue would fit
    if waiting:
        assert 20 - seats < waiting[0]["seats"]
