"""Builders for the Conselho Consultivo's tests (issue 16, part I): terms
moved through their machine, eligible registrars, nominations, a term in
voting with accepted nominations, ballots, and problem checks."""
from accreditation import ok
from identity import make_registrar
from programs import as_registrar, staff

TERMS = "/v1/council/terms"
NOMS = "/v1/council/nominations"


def veteran(db, status="accredited"):
    """A registrar accredited 13 months ago (eligible to nominate)."""
    rid = make_registrar(db, status=status)
    db.execute("UPDATE registrars SET accredited_at = now() - interval '13 months' WHERE id = %s", (rid,))
    return rid


def create_term(api, seats=2, **over):
    body = {"title": "Conselho Consultivo 2027–2029", "starts_on": "2027-01-01", "ends_on": "2028-12-31",
            "registrar_seats": seats}
    body.update(over)
    return ok(staff(api).post(TERMS, body), 201)


def act(api, tid, action, status=200):
    r = staff(api).post(f"{TERMS}/{tid}/{action}")
    return ok(r, status) if status == 200 else r


def nominate(api, tid, rid, name="Ana Martins", status=201):
    r = as_registrar(api, rid).post(f"{TERMS}/{tid}/nominations",
                                    {"nominee_name": name, "statement": "Quero representar\nos registrars."})
    return ok(r, status) if status == 201 else r


def voting_term(api, db, candidates=3, seats=2):
    """A term in voting with `candidates` accepted nominations."""
    t = create_term(api, seats=seats)
    act(api, t["id"], "open-nominations")
    noms = []
    for i in range(candidates):
        n = nominate(api, t["id"], veteran(db), name=f"Pessoa {i}")
        noms.append(ok(staff(api).post(f"{NOMS}/{n['id']}/accept")))
    act(api, t["id"], "open-voting")
    return t, noms


def vote(api, tid, rid, choices, status=201):
    r = as_registrar(api, rid).post(f"{TERMS}/{tid}/ballots", {"choices": choices})
    return ok(r, status) if status == 201 else r


def problem(r, status, kind):
    assert r.status_code == status, (r.status_code, r.text)
    assert r.json()["type"].endswith("/" + kind), r.text
    return r.json()


def count(db, sql, *args):
    return db.execute(sql, args).fetchone()[0]
