"""The tamper-evident activity log (issue 16, part J): checkpoints over the
audit log as a chained Merkle log, made hourly by the chore
`audit-checkpoint` (`tick --at`, no sleeping) and on demand; `parceria audit
verify`; a registrar's activity with proofs it verifies offline. Every hash
here is recomputed independently with hashlib from the encodings the
OpenAPI documents. The tamper test edits an event as the superuser and
`audit verify` names the checkpoint."""
import base64
import concurrent.futures
import datetime as dt
import hashlib
import struct
import subprocess
import threading
import uuid

import psycopg
import pytest

from accreditation import ok
from conftest import BIN, _db_url
from identity import make_registrar
from programs import as_registrar, staff

CPS = "/v1/audit-checkpoints"
ZERO = "00" * 32
COLUMNS = ("id::text, seq::text, txid::text, ((extract(epoch FROM at) * 1000000)::bigint)::text,"
           " actor_sub, actor_role, actor_registrar_id::text, registrar_id::text, action,"
           " resource_type, resource_id, from_status, to_status, reason, changes::text, request_id")


def H(b):
    return hashlib.sha256(b).digest()


def canonical(values):
    out = b""
    for v in values:
        if v is None:
            out += b"\xff\xff\xff\xff"
        else:
            raw = v.encode()
            out += struct.pack(">I", len(raw)) + raw
    return out


def decode_canonical(raw):
    values, i = [], 0
    while i < len(raw):
        (n,) = struct.unpack(">I", raw[i:i + 4])
        i += 4
        if n == 0xFFFFFFFF:
            values.append(None)
        else:
            values.append(raw[i:i + n].decode())
            i += n
    return values


def leaf(c):
    return H(b"\x00" + c)


def root(leaves):
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return H(b"\x01" + root(leaves[:k]) + root(leaves[k:]))


def fold(leaf_hash, index, size, path):
    """RFC 9162 section 2.1.3.2, as the OpenAPI describes it."""
    fn, sn, r = index, size - 1, leaf_hash
    for p in path:
        assert sn != 0
        if fn & 1 or fn == sn:
            r = H(b"\x01" + p + r)
            if not fn & 1:
                while fn != 0 and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = H(b"\x01" + r + p)
        fn >>= 1
        sn >>= 1
    assert sn == 0
    return r


def checkpoint_hash(cp):
    return H(bytes.fromhex(cp["previous_hash"]) + bytes.fromhex(cp["merkle_root"]) +
             struct.pack(">QQQQQ", cp["first"]["txid"], cp["first"]["seq"], cp["last"]["txid"],
                         cp["last"]["seq"], cp["event_count"])).hex()


def plant(db, registrar_id=None, reason="Tudo em ordem", changes='{"nome": "Çé €", "n": [1, 2]}'):
    """One audit record, written directly (as any use case's would be)."""
    return str(db.execute(
        "INSERT INTO audit_events (actor_sub, actor_role, action, resource_type, resource_id,"
        " reason, changes, request_id, registrar_id) VALUES ('joana@dns.pt', 'staff', 'approve',"
        " 'test_thing', %s, %s, %s::jsonb, %s, %s) RETURNING id",
        (uuid.uuid4().hex[:8], reason, changes, "req-" + uuid.uuid4().hex[:8],
         registrar_id)).fetchone()[0])


def all_checkpoints(api):
    items, cursor = [], None
    while True:
        body = ok(api.get(CPS + "?sort=-id&limit=2" + (f"&cursor={cursor}" if cursor else "")))
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items[::-1]


def recompute(db, checkpoints):
    """Every checkpoint from the events, with hashlib: the chain holds. ORDER BY
    names the table's columns: a bare txid or seq binds to the text output
    columns of COLUMNS, and '1000' sorts before '999' (CI's fresh cluster
    crosses txid 1000 during this module)."""
    prev = None
    for cp in checkpoints:
        after = (prev["last"]["txid"], prev["last"]["seq"]) if prev else (0, 0)
        rows = db.execute(
            f"SELECT {COLUMNS} FROM audit_events WHERE (txid, seq) > (%s::text::xid8, %s)"
            " AND (txid, seq) <= (%s::text::xid8, %s) ORDER BY audit_events.txid, audit_events.seq",
            (str(after[0]), after[1], str(cp["last"]["txid"]), cp["last"]["seq"])).fetchall()
        assert len(rows) == cp["event_count"]
        assert cp["previous_hash"] == (prev["hash"] if prev else ZERO)
        assert root([leaf(canonical(r)) for r in rows]).hex() == cp["merkle_root"]
        assert checkpoint_hash(cp) == cp["hash"]
        prev = cp


def cli(server, *args):
    return subprocess.run([BIN, *args], env=server.env, capture_output=True, text=True, timeout=60)


def count(db):
    return db.execute("SELECT count(*) FROM audit_checkpoints").fetchone()[0]


def test_on_demand_checkpoint_covers_new_events_and_chains(api, db):
    for _ in range(3):
        plant(db)
    r = staff(api).post(CPS)
    first = ok(r, 201)
    assert r.headers["Location"] == f"{CPS}/{first['id']}"
    assert first["event_count"] >= 3
    # Nothing new: 200, the newest, nothing written.
    before = count(db)
    again = ok(staff(api).post(CPS), 200)
    assert again == first and count(db) == before
    # New events: the next checkpoint chains to the first.
    plant(db)
    plant(db)
    second = ok(staff(api).post(CPS), 201)
    assert second["id"] == first["id"] + 1 and second["previous_hash"] == first["hash"]
    assert second["event_count"] == 2
    assert (second["first"]["txid"], second["first"]["seq"]) > \
        (first["last"]["txid"], first["last"]["seq"])
    chain = all_checkpoints(api)
    assert [c["id"] for c in chain] == list(range(1, len(chain) + 1))
    assert chain[0]["previous_hash"] == ZERO
    recompute(db, chain)


def test_checkpoints_are_public_and_cacheable(api, db):
    plant(db)
    made = ok(staff(api).post(CPS), 201)
    r = api.get(CPS)
    body = ok(r)
    assert body["items"][0] == made  # newest first (no chore has run here yet)
    assert "public" in r.headers["Cache-Control"] and r.headers.get("ETag")
    assert api.get(CPS, headers={"If-None-Match": r.headers["ETag"]}).status_code == 304
    one = api.get(f"{CPS}/{made['id']}")
    assert ok(one) == made and "public" in one.headers["Cache-Control"]
    assert api.get(f"{CPS}/{made['id']}", headers={"If-None-Match": one.headers["ETag"]}).status_code == 304
    for bad in ("999999", "0", "abc", "01", "1" * 16):
        assert api.get(f"{CPS}/{bad}").status_code == 404, bad
    assert api.get(CPS + "?cursor=nonsense").status_code == 400
    assert api.get(CPS + "?limit=0").status_code == 400
    assert api.get(CPS + "?sort=hash").status_code == 400
    # The chain order, and the total.
    chain = ok(api.get(CPS + "?sort=id&include_total=true&limit=200"))
    assert [c["id"] for c in chain["items"]] == list(range(1, chain["total"] + 1))
    # Staff may take the list as CSV (the kit's export).
    csv = staff(api).get(CPS, headers={"Accept": "text/csv"})
    assert csv.status_code == 200 and csv.headers["Content-Type"].startswith("text/csv")
    assert csv.text.splitlines()[0].startswith("id,previous_hash,merkle_root")


def test_making_a_checkpoint_is_staff_only_and_refusals_write_nothing(api, db):
    plant(db)
    before = count(db)
    assert api.post(CPS).status_code == 401
    rid = make_registrar(db)
    assert as_registrar(api, rid).post(CPS).status_code == 403
    assert count(db) == before


def test_the_hourly_chore_makes_one_when_due_and_is_idempotent(api, server, db):
    base = dt.datetime(2031, 1, 1, tzinfo=dt.timezone.utc)
    fmt = lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
    plant(db)
    out = cli(server, "tick", "--at", fmt(base))
    assert out.returncode == 0, out.stderr
    assert "audit-checkpoint: 1" in out.stdout.splitlines()
    assert "audit-checkpoint: 0" in cli(server, "tick", "--at", fmt(base)).stdout.splitlines()
    # Half an hour on, with a new event: not due yet.
    plant(db)
    out = cli(server, "tick", "--at", fmt(base + dt.timedelta(minutes=30)))
    assert "audit-checkpoint: 0" in out.stdout.splitlines()
    # An hour on: due; it covers the event, once.
    n = count(db)
    out = cli(server, "tick", "--at", fmt(base + dt.timedelta(hours=1)))
    assert "audit-checkpoint: 1" in out.stdout.splitlines() and count(db) == n + 1
    newest = ok(api.get(CPS + "?sort=-id&limit=1"))["items"][0]
    assert newest["created_at"].startswith("2031-01-01T01:00:00")
    # Three hours on with nothing new: none.
    out = cli(server, "tick", "--at", fmt(base + dt.timedelta(hours=3)))
    assert "audit-checkpoint: 0" in out.stdout.splitlines() and count(db) == n + 1
    recompute(db, all_checkpoints(api))


def test_registrar_activity_carries_proofs_verifiable_offline(api, db):
    rid, other = make_registrar(db), make_registrar(db)
    mine = [plant(db, rid, reason=f"motivo {i}") for i in range(3)]
    plant(db, other)
    plant(db, rid, reason=None, changes="{}")  # nulls and an empty object too
    mine.append(db.execute("SELECT id::text FROM audit_events WHERE registrar_id = %s"
                           " ORDER BY seq DESC LIMIT 1", (rid,)).fetchone()[0])
    ok(staff(api).post(CPS), 201)
    late = plant(db, rid)  # not yet checkpointed
    items, cursor = [], None
    while True:
        body = ok(as_registrar(api, rid).get(f"/v1/registrars/{rid}/activity?limit=2" +
                                             (f"&after={cursor}" if cursor else "")))
        if not body["items"]:
            break
        items += body["items"]
        cursor = body["next_cursor"]
    assert [i["id"] for i in items] == mine + [late]
    assert all(i["registrar_id"] == rid for i in items)
    checkpoints = {}
    for item in items:
        raw = base64.b64decode(item["canonical"])
        values = decode_canonical(raw)
        assert len(values) == 16
        assert values[0] == item["id"] and int(values[1]) == item["seq"] and int(values[2]) == item["txid"]
        assert values[7] == rid and values[13] == item["reason"] and values[15] == item["request_id"]
        assert leaf(raw).hex() == item["leaf_hash"]
        if item["id"] == late:
            assert item["proof"] is None
            continue
        p = item["proof"]
        cp = checkpoints.setdefault(p["checkpoint_id"], ok(api.get(f"{CPS}/{p['checkpoint_id']}")))
        assert p["merkle_root"] == cp["merkle_root"] and p["tree_size"] == cp["event_count"]
        got = fold(bytes.fromhex(item["leaf_hash"]), p["leaf_index"], p["tree_size"],
                   [bytes.fromhex(h) for h in p["audit_path"]])
        assert got.hex() == cp["merkle_root"]
        assert checkpoint_hash(cp) == cp["hash"]
    # Staff read it too; another registrar, the public and unknown ids do not.
    assert [i["id"] for i in ok(staff(api).get(f"/v1/registrars/{rid}/activity"))["items"]] == mine + [late]
    assert as_registrar(api, other).get(f"/v1/registrars/{rid}/activity").status_code == 404
    assert api.get(f"/v1/registrars/{rid}/activity").status_code == 401
    assert staff(api).get(f"/v1/registrars/{uuid.uuid4()}/activity").status_code == 404
    assert staff(api).get("/v1/registrars/nope/activity").status_code == 404
    assert staff(api).get(f"/v1/registrars/{rid}/activity?after=zzz").status_code == 400


def test_verify_passes_then_catches_an_edited_event(api, server, db):
    plant(db)
    ok(staff(api).post(CPS), 201)
    n = count(db)
    out = cli(server, "audit", "verify")
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.strip() == f"ok {n} checkpoints"
    # The tamper: one event of checkpoint 2, edited by the superuser with the trigger off.
    cp2 = ok(api.get(f"{CPS}/2"))
    victim, old = db.execute(
        "SELECT id, reason FROM audit_events WHERE (txid, seq) <= (%s::text::xid8, %s)"
        " ORDER BY txid DESC, seq DESC LIMIT 1",
        (str(cp2["last"]["txid"]), cp2["last"]["seq"])).fetchone()
    db.execute("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update")
    db.execute("UPDATE audit_events SET reason = 'nada a declarar' WHERE id = %s", (victim,))
    db.execute("ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update")
    out = cli(server, "audit", "verify")
    assert out.returncode == 1
    assert out.stdout.startswith("broken: checkpoint 2:"), out.stdout
    assert "Merkle root" in out.stdout
    # A deleted event is caught too (the count), then put back: ok again.
    db.execute("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update")
    db.execute("UPDATE audit_events SET reason = %s WHERE id = %s", (old, victim))
    db.execute("ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update")
    out = cli(server, "audit", "verify")
    assert out.returncode == 0 and out.stdout.strip() == f"ok {n} checkpoints"


def test_verify_catches_a_deleted_event_and_a_rewritten_link(api, server, db):
    plant(db)
    ok(staff(api).post(CPS), 201)
    n = count(db)
    cp1 = ok(api.get(f"{CPS}/1"))
    row = db.execute("SELECT * FROM audit_events WHERE (txid, seq) = (%s::text::xid8, %s)",
                     (str(cp1["first"]["txid"]), cp1["first"]["seq"])).fetchone()
    cols = [d.name for d in db.execute("SELECT * FROM audit_events LIMIT 0").description]
    db.execute("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update")
    db.execute("DELETE FROM audit_events WHERE id = %s", (row[cols.index("id")],))
    db.execute("ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update")
    out = cli(server, "audit", "verify")
    assert out.returncode == 1 and out.stdout.startswith("broken: checkpoint 1:"), out.stdout
    # Put back exactly as it was: ok again.
    db.execute(f"INSERT INTO audit_events ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))})",
               [psycopg.types.json.Jsonb(v) if c == "changes" else v for c, v in zip(cols, row)])
    out = cli(server, "audit", "verify")
    assert out.returncode == 0 and out.stdout.strip() == f"ok {n} checkpoints", out.stdout
    # A checkpoint whose link to the previous one is rewritten: that one is named.
    last = ok(api.get(CPS + "?sort=-id&limit=1"))["items"][0]
    db.execute("ALTER TABLE audit_checkpoints DISABLE TRIGGER audit_checkpoints_no_update")
    db.execute("UPDATE audit_checkpoints SET previous_hash = %s WHERE id = %s", ("ab" * 32, last["id"]))
    try:
        out = cli(server, "audit", "verify")
        assert out.returncode == 1, out.stdout
        assert out.stdout.startswith(f"broken: checkpoint {last['id']}: its previous hash"), out.stdout
    finally:
        db.execute("UPDATE audit_checkpoints SET previous_hash = %s WHERE id = %s",
                   (last["previous_hash"], last["id"]))
        db.execute("ALTER TABLE audit_checkpoints ENABLE TRIGGER audit_checkpoints_no_update")
    assert cli(server, "audit", "verify").returncode == 0


def test_audit_command_usage(server):
    for bad in (["audit"], ["audit", "check"], ["audit", "verify", "now"]):
        out = cli(server, *bad)
        assert out.returncode == 2 and "usage:" in out.stderr, bad


def test_a_late_commit_never_falls_behind_a_checkpoint(api, server, db):
    """A transaction that took its id first and commits last: the checkpoint
    made meanwhile stops before every later transaction's records, and the
    next one covers both, in transaction order."""
    with psycopg.connect(_db_url(server.db_name, "postgres")) as held:
        early = plant(held)  # its transaction stays open
        later = plant(db)    # committed, but younger than the open one
        newest = ok(staff(api).post(CPS))
        pos = db.execute("SELECT txid::text::bigint, seq FROM audit_events WHERE id = %s",
                         (later,)).fetchone()
        assert pos > (newest["last"]["txid"], newest["last"]["seq"])
        held.commit()
    made = ok(staff(api).post(CPS), 201)
    covered = db.execute(
        "SELECT id::text FROM audit_events WHERE (txid, seq) > (%s::text::xid8, %s)"
        " AND (txid, seq) <= (%s::text::xid8, %s) ORDER BY txid, seq",
        (str(made["first"]["txid"]), made["first"]["seq"] - 1, str(made["last"]["txid"]),
         made["last"]["seq"])).fetchall()
    ids = [r[0] for r in covered]
    assert early in ids and later in ids and ids.index(early) < ids.index(later)
    recompute(db, all_checkpoints(api))


def test_concurrent_requests_make_one_checkpoint(api, db):
    plant(db)
    before = count(db)
    barrier = threading.Barrier(6)
    client = staff(api)

    def call(_):
        barrier.wait(timeout=30)
        return client.post(CPS)

    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(call, range(6)))
    codes = sorted(r.status_code for r in answers)
    assert codes == [200] * 5 + [201], codes
    assert len({r.json()["id"] for r in answers}) == 1
    assert count(db) == before + 1


def test_an_idempotent_retry_answers_the_same(api, db):
    plant(db)
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = staff(api).post(CPS, headers=key)
    again = staff(api).post(CPS, headers=key)
    assert first.status_code == 201 and again.status_code == 201
    assert again.json() == first.json() and again.headers.get("Idempotent-Replayed") == "true"


def test_checkpoints_are_append_only(db):
    for sql in ("UPDATE audit_checkpoints SET event_count = event_count",
                "DELETE FROM audit_checkpoints"):
        with pytest.raises(psycopg.Error):
            db.execute(sql)
    assert count(db) >= 1


def test_records_written_by_the_api_prove_as_well(api, db):
    """Not only planted rows: a registrar's own change through the API (a
    webhook subscription, audited with its registrar) is in its activity,
    and its canonical bytes are the row's columns as the database holds them."""
    rid = make_registrar(db)
    r = as_registrar(api, rid).post("/v1/webhooks", {"url": "https://hooks.example.pt/in"})
    assert r.status_code == 201, r.text
    ok(staff(api).post(CPS), 201)
    items = ok(as_registrar(api, rid).get(f"/v1/registrars/{rid}/activity"))["items"]
    assert [i["resource_type"] for i in items] == ["webhook"]
    item = items[0]
    row = db.execute(f"SELECT {COLUMNS} FROM audit_events WHERE id = %s", (item["id"],)).fetchone()
    assert base64.b64decode(item["canonical"]) == canonical(row)
    p = item["proof"]
    root_ = fold(bytes.fromhex(item["leaf_hash"]), p["leaf_index"], p["tree_size"],
                 [bytes.fromhex(h) for h in p["audit_path"]])
    assert root_.hex() == ok(api.get(f"{CPS}/{p['checkpoint_id']}"))["merkle_root"]


def test_a_backlog_is_checkpointed_in_capped_checkpoints(api, server, db):
    """At most 10,000 records a checkpoint (a proof reads no more than
    that): the chore covers a backlog of 20,500 in three, chained, and a
    proof in a full one is 14 hashes long."""
    rid = make_registrar(db)
    db.execute(
        "INSERT INTO audit_events (actor_sub, actor_role, action, resource_type, resource_id,"
        " request_id, registrar_id) SELECT 'joana@dns.pt', 'staff', 'approve', 'test_thing',"
        " 'bulk-' || n, 'req-bulk-' || n, %s FROM generate_series(1, 20500) n", (rid,))
    out = cli(server, "tick", "--at", "2032-01-01T00:00:00Z")
    assert out.returncode == 0, out.stderr
    assert "audit-checkpoint: 3" in out.stdout.splitlines(), out.stdout
    newest = ok(api.get(CPS + "?sort=-id&limit=3"))["items"][::-1]
    assert [c["event_count"] for c in newest[:2]] == [10000, 10000]
    assert newest[2]["event_count"] >= 500
    assert newest[1]["previous_hash"] == newest[0]["hash"]
    assert newest[2]["previous_hash"] == newest[1]["hash"]
    item = ok(as_registrar(api, rid).get(f"/v1/registrars/{rid}/activity?limit=1"))["items"][0]
    p = item["proof"]
    assert p["tree_size"] == 10000 and len(p["audit_path"]) == 14
    got = fold(bytes.fromhex(item["leaf_hash"]), p["leaf_index"], p["tree_size"],
               [bytes.fromhex(h) for h in p["audit_path"]])
    assert got.hex() == ok(api.get(f"{CPS}/{p['checkpoint_id']}"))["merkle_root"]
    out = cli(server, "audit", "verify")
    assert out.returncode == 0 and out.stdout.strip() == f"ok {count(db)} checkpoints", out.stdout


def test_a_column_added_later_changes_no_leaf(api, server, db):
    """The canonical record is a fixed list of columns: a column added to
    audit_events (as another part adds `confidential`) leaves every
    checkpoint verifiable."""
    plant(db)
    ok(staff(api).post(CPS), 201)
    db.execute("ALTER TABLE audit_events ADD COLUMN later_note text NOT NULL DEFAULT 'x'")
    try:
        out = cli(server, "audit", "verify")
        assert out.returncode == 0 and out.stdout.strip() == f"ok {count(db)} checkpoints", out.stdout
    finally:
        db.execute("ALTER TABLE audit_events DROP COLUMN later_note")


def test_a_registrar_without_records_has_an_empty_activity(api, db):
    rid = make_registrar(db)
    body = ok(as_registrar(api, rid).get(f"/v1/registrars/{rid}/activity"))
    assert body["items"] == [] and body["next_cursor"]
    # Its cursor keeps its place: polling with it is empty too.
    again = ok(as_registrar(api, rid).get(f"/v1/registrars/{rid}/activity?after={body['next_cursor']}"))
    assert again["items"] == []
