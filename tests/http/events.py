"""Builders for the events, registrations and draws tests (issue 13): events
in any status through the API, registrations brought to any state, draws in
any status with their seed, the independent recomputation of a draw from its
public resource, and the database's view of all of them."""
import datetime
import hashlib
import hmac
import uuid

from accreditation import ok
from programs import as_registrar, staff

EVT = "/v1/events"
REG = "/v1/registrations"
DRW = "/v1/draws"
FEED = "/v1/events/calendar.ics"

KINDS = ["summit", "registrar_meeting", "centr_registrar_day", "conference", "training"]
CHECK_ORDER = ["accredited", "agreement", "window", "requires", "duplicate", "capacity"]


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def day(delta_days, hour=9):
    """An RFC 3339 time delta_days from today at hour:00 UTC."""
    now = datetime.datetime.now(datetime.timezone.utc).replace(minute=0, second=0, microsecond=0)
    return iso(now.replace(hour=hour) + datetime.timedelta(days=delta_days))


def event_body(kind="conference", **over):
    body = {"kind": kind, "title": f"Evento {uuid.uuid4().hex[:8]}", "location": "Lisboa, Centro de Congressos",
            "starts_at": day(40, 9), "ends_at": day(40, 18)}
    body.update(over)
    return {k: v for k, v in body.items() if v is not ...}


STEPS = {"draft": [], "published": ["publish"], "cancelled": ["publish", "cancel"],
         "closed": ["publish", "close"], "cancelled-draft": ["cancel"]}


def create_event(api, status="published", kind="conference", **over):
    """A new event through the API (staff), moved to status by staff's actions."""
    s = staff(api)
    e = ok(s.post(EVT, event_body(kind, **over)), 201)
    for action in STEPS[status]:
        e = ok(s.post(f"{EVT}/{e['id']}/{action}"))
    return e


def get_event(api, eid):
    return ok(staff(api).get(f"{EVT}/{eid}"))


def patch_event(api, eid, body, status=200):
    s = staff(api)
    etag = s.get(f"{EVT}/{eid}").headers["ETag"]
    r = s.patch(f"{EVT}/{eid}", body, headers={"If-Match": etag})
    return ok(r, status) if status == 200 else r


def people(n, tag=None):
    tag = tag or uuid.uuid4().hex[:8]
    return [{"name": f"Pessoa {i} {tag}", "email": f"pessoa{i}.{tag}@exemplo.pt"} for i in range(n)]


def register(api, rid, eid, n=1, attendees=None, **kw):
    """rid registers itself for eid with n attendees (or those given): the response."""
    body = {"attendees": attendees if attendees is not None else people(n)}
    return as_registrar(api, rid).post(f"{EVT}/{eid}/registrations", body, **kw)


def registered(api, rid, eid, n=1, status=None):
    """rid's new registration for eid (201), optionally asserting its status."""
    reg = ok(register(api, rid, eid, n), 201)
    if status is not None:
        assert reg["status"] == status, reg
    return reg


def staff_register(api, rid, eid, n=1, attendees=None):
    body = {"registrar_id": rid, "attendees": attendees if attendees is not None else people(n)}
    return staff(api).post(f"{EVT}/{eid}/registrations", body)


def get_reg(api, reg_id):
    return ok(staff(api).get(f"{REG}/{reg_id}"))


def cancel_reg(api, reg, caller=None, reason=None):
    caller = caller or as_registrar(api, reg["registrar_id"])
    return caller.post(f"{REG}/{reg['id']}/cancel", {"reason": reason} if reason else None)


def patch_reg(api, reg_id, body, caller=None):
    caller = caller or staff(api)
    etag = caller.get(f"{REG}/{reg_id}").headers["ETag"]
    return caller.patch(f"{REG}/{reg_id}", body, headers={"If-Match": etag})


def check_in(api, reg_id):
    return staff(api).post(f"{REG}/{reg_id}/check-in")


def attended(api, rid, eid):
    """rid registered for eid and checked in: the registration."""
    reg = registered(api, rid, eid)
    return ok(check_in(api, reg["id"]))


def registrations(api, eid, caller=None, **params):
    caller = caller or staff(api)
    params.setdefault("limit", "200")
    return ok(caller.get(f"{EVT}/{eid}/registrations", params=params))["items"]


def eligibility(api, rid, eid, caller=None, **kw):
    if caller is None:
        return ok(as_registrar(api, rid).get(f"{EVT}/{eid}/eligibility", **kw))
    return ok(caller.get(f"{EVT}/{eid}/eligibility", params={"registrar_id": rid}, **kw))


def failed(e):
    return [c["code"] for c in e["checks"] if not c["passed"]]


def check_codes(e):
    return [c["code"] for c in e["checks"]]


# --- draws ---------------------------------------------------------------------------------

def commitment(seed):
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()


def recompute(draw, seed=None, public_entropy=None):
    """The order, winners and alternates of a draw, computed here from its public
    resource alone (DOMAIN.md section 6): the pool sorted by ascending lowercase-hex
    HMAC-SHA-256 with key UTF-8(seed + ":" + public_entropy) over each registrar id."""
    seed = draw["seed"] if seed is None else seed
    entropy = draw["public_entropy"] if public_entropy is None else public_entropy
    assert hashlib.sha256(seed.encode("utf-8")).hexdigest() == draw["seed_commitment"]
    key = (seed + ":" + entropy).encode("utf-8")

    def score(rid):
        return hmac.new(key, str(uuid.UUID(rid)).lower().encode("utf-8"), hashlib.sha256).hexdigest()
    order = sorted(draw["pool"], key=score)
    k = draw["winner_count"]
    return order, order[:k], order[k:]


def draw_body(source_id, target_id, seed, winner_count=2, **over):
    body = {"title": f"Sorteio CENTR {uuid.uuid4().hex[:6]}", "source_event_id": source_id,
            "target_event_id": target_id, "winner_count": winner_count, "seed_commitment": commitment(seed)}
    body.update(over)
    return body


def meeting_with_attendees(api, db, n):
    """A published Encontro (registrar_meeting) with n registrars checked in: (event, [registrar ids])."""
    from identity import make_registrar
    ev = create_event(api, kind="registrar_meeting")
    rids = [make_registrar(db) for _ in range(n)]
    for rid in rids:
        attended(api, rid, ev["id"])
    return ev, rids


def centr_day(api, **over):
    """A published CENTR Registrar Day whose window is already closed and which asks
    for 3em1: the draw's winners get in anyway."""
    over.setdefault("registration_closes_at", day(-1))
    over.setdefault("eligibility", "3em1")
    over.setdefault("capacity", 10)
    over.setdefault("max_attendees_per_registrar", 3)
    return create_event(api, kind="centr_registrar_day", **over)


def make_draw(api, db, status="drawn", pool=5, winner_count=2, seed=None, entropy=None):
    """A draw in status over a fresh meeting of pool attendees: a dict with the
    draw, its seed and public_entropy, the source and target events and the pool."""
    seed = seed or f"segredo-{uuid.uuid4().hex}"
    entropy = entropy or f"dados 3 5 6 1 {uuid.uuid4().hex[:4]}"
    source, rids = meeting_with_attendees(api, db, pool)
    target = centr_day(api)
    s = staff(api)
    d = ok(s.post(DRW, draw_body(source["id"], target["id"], seed, winner_count)), 201)
    if status in ("frozen", "drawn"):
        d = ok(s.post(f"{DRW}/{d['id']}/freeze"))
    if status == "drawn":
        d = ok(s.post(f"{DRW}/{d['id']}/run", {"seed": seed, "public_entropy": entropy}))
    return {"draw": d, "seed": seed, "entropy": entropy, "source": source, "target": target, "pool": rids}


# --- the database's view -------------------------------------------------------------------

def event_row(db, eid):
    return db.execute("SELECT status, title, capacity FROM events WHERE id = %s", (eid,)).fetchone()


def count_events(db):
    return db.execute("SELECT count(*) FROM events").fetchone()[0]


def reg_row(db, reg_id):
    """(status, seats, covered_expenses, reason) of a registration."""
    return db.execute("SELECT status, jsonb_array_length(attendees), covered_expenses, reason"
                      " FROM registrations WHERE id = %s", (reg_id,)).fetchone()


def reg_status(db, reg_id):
    row = db.execute("SELECT status FROM registrations WHERE id = %s", (reg_id,)).fetchone()
    return row and row[0]


def count_regs(db, eid=None, rid=None, status=None):
    sql, args = "SELECT count(*) FROM registrations WHERE true", []
    if eid is not None:
        sql, args = sql + " AND event_id = %s", args + [eid]
    if rid is not None:
        sql, args = sql + " AND registrar_id = %s", args + [rid]
    if status is not None:
        sql, args = sql + " AND status = %s", args + [status]
    return db.execute(sql, args).fetchone()[0]


def seats_in_sql(db, eid):
    """Attendees of the confirmed and attended registrations of eid, counted in SQL."""
    return db.execute("SELECT coalesce(sum(jsonb_array_length(attendees)), 0) FROM registrations"
                      " WHERE event_id = %s AND status IN ('confirmed', 'attended')", (eid,)).fetchone()[0]


def waitlist_in_sql(db, eid):
    """Ids of the waitlisted registrations of eid in arrival order (created_at, id)."""
    return [r[0] for r in db.execute("SELECT id::text FROM registrations WHERE event_id = %s"
                                     " AND status = 'waitlisted' ORDER BY created_at, id", (eid,)).fetchall()]


def draw_row(db, did):
    return db.execute("SELECT status FROM draws WHERE id = %s", (did,)).fetchone()


def count_draws(db):
    return db.execute("SELECT count(*) FROM draws").fetchone()[0]


def audit_text(db, resource_id):
    """Everything the audit log holds about one resource, as text."""
    rows = db.execute("SELECT action, coalesce(reason, ''), changes::text FROM audit_events"
                      " WHERE resource_id = %s ORDER BY seq", (str(resource_id),)).fetchall()
    return " ".join(" ".join(r) for r in rows)
