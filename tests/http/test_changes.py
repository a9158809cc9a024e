"""The change feed, GET /v1/changes (issue 14, item 4): the audit log read
as events, in (transaction, sequence) order after an opaque cursor, for what
the caller may read: staff every event, a registrar its own. Ids only, never
a personal value. The cursor is gap-free under concurrent writes: 8 writers
through two server processes and a transaction held open across them (it
takes its transaction id first and writes its record last), while a reader
pages; in the end the reader has seen every committed audit record exactly
once."""
import base64
import json
import threading
import time
import uuid

import psycopg
import pytest

import race as race_kit
from accreditation import ok
from identity import make_registrar, mint, registrar_token
from openapi_check import Client
from programs import as_registrar, staff
from vouchers import beneficiary, builder, canonical, issue, redeem

CHG = "/v1/changes"
MEMBERS = {"id", "type", "resource_type", "resource_id", "action", "from_status", "to_status",
           "registrar_id", "occurred_at"}


def page(client, after=None, limit=None):
    params = {k: v for k, v in (("after", after), ("limit", limit)) if v is not None}
    query = "&".join(f"{k}={v}" for k, v in params.items())
    body = ok(client.get(CHG + (f"?{query}" if query else "")))
    assert set(body) == {"items", "next_cursor"} and isinstance(body["next_cursor"], str), body
    return body


def read_to_end(client, after=None, limit=50):
    """Every event after the cursor, paging until a page comes back empty;
    returns (events, the last cursor)."""
    events = []
    while True:
        body = page(client, after, limit)
        if not body["items"]:
            assert body["next_cursor"] == after or after is None
            return events, body["next_cursor"]
        events += body["items"]
        after = body["next_cursor"]


def patch_website(client, rid, etag, n):
    r = client.patch(f"/v1/registrars/{rid}", {"website": f"https://site-{n}.example.pt"},
                     headers={"If-Match": etag})
    assert r.status_code == 200, r.text
    return r.headers["ETag"]


def test_staff_sees_every_resource_in_order_with_event_types_and_no_personal_values(api, db):
    s = staff(api)
    _, start = read_to_end(s)
    rid = builder(api, db)                       # enrolls in 3em1 and 3em1-comercio, staff approve
    who = beneficiary(7, name="Padaria Conceição, Lda.", email="padaria.conceicao@exemplo.pt")
    v = issue(api, body={"beneficiary": who})
    domain = f"padaria-{uuid.uuid4().hex[:8]}.pt"
    ok(redeem(api, rid, v["code"], domain))
    mine = as_registrar(api, rid)
    patch_website(mine, rid, mine.get(f"/v1/registrars/{rid}").headers["ETag"], 1)

    events, _ = read_to_end(s, start)
    for e in events:
        assert set(e) == MEMBERS, e
    code = canonical(v["code"])  # the audit log's key of a voucher
    ours = [e for e in events if e["registrar_id"] == rid or e["resource_id"] == code]
    assert [e["type"] for e in ours] == [
        "enrollment.created", "enrollment.approved", "enrollment.created", "enrollment.approved",
        "voucher.issued", "voucher.redeemed", "registrar.updated"], ours
    redeemed = ours[5]
    assert (redeemed["resource_type"], redeemed["resource_id"], redeemed["action"],
            redeemed["from_status"], redeemed["to_status"], redeemed["registrar_id"]) == \
        ("voucher", code, "redeem", "issued", "redeemed", rid)
    assert ours[4]["registrar_id"] is None and ours[4]["from_status"] is None
    # each event is its audit record, in the audit log's (txid, seq) order
    ids = [e["id"] for e in events]
    assert len(set(ids)) == len(ids)
    stored = [r[0] for r in db.execute(
        "SELECT id::text FROM audit_events WHERE id::text = ANY(%s) ORDER BY txid, seq", (ids,))]
    assert stored == ids
    # no personal value anywhere: not the beneficiary, not the domain's owner, not the registrar's names
    text = json.dumps(events, ensure_ascii=False)
    legal, trade = db.execute("SELECT legal_name, trade_name FROM registrars WHERE id = %s", (rid,)).fetchone()
    for value in (who["name"], who["email"], legal, trade, "ana@example.pt", "site-1.example.pt", domain):
        assert value not in text, value


def test_a_registrar_sees_its_own_events_only(api, db):
    s = staff(api)
    rid, other = builder(api, db), builder(api, db)
    mine, theirs = as_registrar(api, rid), as_registrar(api, other)
    patch_website(mine, rid, mine.get(f"/v1/registrars/{rid}").headers["ETag"], 2)
    patch_website(theirs, other, theirs.get(f"/v1/registrars/{other}").headers["ETag"], 3)
    v = issue(api)
    ok(redeem(api, other, v["code"], f"outro-{uuid.uuid4().hex[:8]}.pt"))

    seen, _ = read_to_end(mine, limit=3)
    assert seen and all(e["registrar_id"] == rid for e in seen), seen
    assert [e["type"] for e in seen] == ["enrollment.created", "enrollment.approved", "enrollment.created",
                                          "enrollment.approved", "registrar.updated"]
    text = json.dumps(seen)
    assert other not in text and canonical(v["code"]) not in text
    expected = [r[0] for r in db.execute(
        "SELECT id::text FROM audit_events WHERE registrar_id = %s ORDER BY txid, seq", (rid,))]
    assert [e["id"] for e in seen] == expected
    # staff see both registrars' events, the voucher's too
    everything, _ = read_to_end(s, limit=200)
    regs = {e["registrar_id"] for e in everything}
    assert {rid, other} <= regs and any(e["resource_id"] == canonical(v["code"]) for e in everything)
    # another registrar's cursor is only a position: it shows nothing of theirs
    _, their_end = read_to_end(theirs)
    assert page(mine, their_end)["items"] == [] or all(
        e["registrar_id"] == rid for e in page(mine, their_end)["items"])


def test_paging_to_the_end_then_polling_sees_only_new_changes(api, db):
    s = staff(api)
    rid = make_registrar(db)
    mine = as_registrar(api, rid)
    etag = mine.get(f"/v1/registrars/{rid}").headers["ETag"]
    for n in range(5):
        etag = patch_website(mine, rid, etag, n)
    whole = page(s, limit=200)["items"]
    paged, end = read_to_end(s, limit=2)
    assert [e["id"] for e in paged][-len(whole):] == [e["id"] for e in whole][-len(paged):]
    assert len(paged) == len(whole) and len({e["id"] for e in paged}) == len(paged)
    # nothing new: the cursor stays where it is
    for _ in range(2):
        again = page(s, end)
        assert again == {"items": [], "next_cursor": end}
    # one new change: exactly it, then nothing again
    etag = patch_website(mine, rid, etag, 99)
    fresh = page(s, end)
    assert [(e["type"], e["resource_id"]) for e in fresh["items"]] == [("registrar.updated", rid)]
    assert fresh["next_cursor"] != end
    assert page(s, fresh["next_cursor"]) == {"items": [], "next_cursor": fresh["next_cursor"]}
    # the registrar's own view moves the same way
    mine_events, mine_end = read_to_end(mine)
    assert len(mine_events) == 6 and page(mine, mine_end)["items"] == []


def cursor(value):
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.mark.parametrize("after", [
    "nonsense", "", "%3D%3D", cursor([0, "12", "x"]), cursor([0, "-1", "3"]), cursor([1, "12", "3"]),
    cursor([0, "2026-10-14T09:00:00.000000Z", str(uuid.uuid4())]), cursor([0, "1" * 25, "3"]),
    cursor([0, "12", "3", 4]), cursor({"txid": 1})])
def test_a_malformed_cursor_is_400_naming_after(api, after):
    r = staff(api).get(f"{CHG}?after={after}")
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["type"].endswith("/invalid-request")
    assert [e["parameter"] for e in body["errors"]] == ["after"], body


def test_limits_and_who_may_read(api):
    s = staff(api)
    for bad in ("0", "201", "x", "-1"):
        r = s.get(f"{CHG}?limit={bad}")
        assert r.status_code == 400 and r.json()["errors"][0]["parameter"] == "limit", r.text
    assert s.get(f"{CHG}?cursor=abc").status_code == 400        # the feed's cursor is `after`
    assert api.get(CHG).status_code == 401
    for role, claim in (("applicant", "application_id"), ("teacher", "entry_id")):
        assert api.with_token(mint(role, **{claim: str(uuid.uuid4())})).get(CHG).status_code == 403
    body = page(api.with_token(mint("admin")), limit=1)
    assert len(body["items"]) <= 1


# --- completeness under concurrency ------------------------------------------

WRITERS = 8
EDITS = 12


@pytest.fixture(scope="module")
def two_servers(template_db):
    yield from race_kit.two_servers(template_db, "changes-race")


def admin_url(servers):
    from conftest import _db_url
    return _db_url(servers[0].db_name, "postgres")


def test_every_committed_event_is_seen_exactly_once_under_concurrent_writes(two_servers):
    clients = [Client(s.base) for s in two_servers]
    url = admin_url(two_servers)
    with psycopg.connect(url, autocommit=True) as db:
        rids = [make_registrar(db) for _ in range(WRITERS)]
    _, start = read_to_end(staff(clients[0]))
    seen, errors, stop = [], [], threading.Event()
    arrived, go = (threading.Barrier(WRITERS + 1, timeout=120) for _ in range(2))

    def read():
        after = start
        try:
            while True:
                last_round = stop.is_set()
                body = page(staff(clients[len(seen) % 2]), after, 7)
                seen.extend(e["id"] for e in body["items"])
                after = body["next_cursor"]
                if last_round and not body["items"]:
                    break
                if not body["items"]:  # a poller at the end pauses, as one within its rate limit does
                    time.sleep(0.02)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    def write(i):
        try:
            client = clients[i % 2].with_token(registrar_token(rids[i]))
            etag = client.get(f"/v1/registrars/{rids[i]}").headers["ETag"]
            for n in range(EDITS):
                if n == EDITS // 2:
                    arrived.wait()
                    go.wait()
                etag = patch_website(client, rids[i], etag, n)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)
            arrived.abort()
            go.abort()

    reading = threading.Thread(target=read, daemon=True)
    writers = [threading.Thread(target=write, args=(i,), daemon=True) for i in range(WRITERS)]
    reading.start()
    for t in writers:
        t.start()
    # Halfway, a transaction takes its id before the writers go on; it writes
    # its audit record after they have written theirs, and commits last: its
    # record is behind theirs in seq and in commit order, ahead in txid order.
    arrived.wait()
    held = psycopg.connect(url)
    held_txid = held.execute("SELECT pg_current_xact_id()::text").fetchone()[0]
    go.wait()
    for t in writers:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in writers), "a writer never finished"
    assert not errors, errors[:3]
    held_id = held.execute(
        "INSERT INTO audit_events (actor_sub, actor_role, action, resource_type, resource_id,"
        " from_status, to_status, request_id, registrar_id)"
        " VALUES ('held', 'staff', 'edit', 'registrar', %s, 'accredited', 'accredited', 'held', %s)"
        " RETURNING id::text", (rids[0], rids[0])).fetchone()[0]
    with psycopg.connect(url, autocommit=True) as db:
        later = {r[0] for r in db.execute("SELECT id::text FROM audit_events WHERE txid > %s::xid8",
                                          (held_txid,))}
    assert len(later) == WRITERS * (EDITS - EDITS // 2)
    time.sleep(1)  # the reader goes on paging: while the held transaction runs, nothing after it is served
    assert not later & set(seen) and held_id not in seen
    held.commit()
    held.close()
    # The end is reached once every transaction that wrote a record has
    # ended (any transaction of the cluster with an id holds the feed back,
    # and rightly: it might still write a record).
    settle_until = time.time() + 60
    with psycopg.connect(url, autocommit=True) as db:
        while not db.execute("SELECT pg_snapshot_xmin(pg_current_snapshot()) >"
                             " (SELECT max(txid) FROM audit_events)").fetchone()[0]:
            assert time.time() < settle_until, "a transaction never ended"
            time.sleep(0.05)
    stop.set()
    reading.join(timeout=120)
    assert not reading.is_alive(), "the reader never reached the end"
    assert not errors, errors[:3]

    with psycopg.connect(url, autocommit=True) as db:
        committed = [r[0] for r in db.execute(
            "SELECT id::text FROM audit_events WHERE registrar_id = ANY(%s::uuid[]) ORDER BY txid, seq",
            (rids,))]
    assert len(committed) == WRITERS * EDITS + 1
    assert len(seen) == len(set(seen)), "an event was served twice"
    assert set(committed) <= set(seen), f"{len(set(committed) - set(seen))} committed events never served"
    # in the feed's order, which puts the held record before every later writer's
    assert [i for i in seen if i in set(committed)] == committed
    assert seen.index(held_id) < min(seen.index(i) for i in later)

    # each registrar pages its own events, through either process: exactly its own
    for n, rid in enumerate(rids[:3]):
        mine, _ = read_to_end(clients[n % 2].with_token(registrar_token(rid)), limit=5)
        assert [e["id"] for e in mine] == [i for i in committed if i in {e["id"] for e in mine}]
        assert len(mine) == EDITS + (1 if n == 0 else 0)
        assert all(e["registrar_id"] == rid for e in mine)
