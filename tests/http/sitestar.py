"""Builders for the Sitestar.pt tests (issue 12, part 6): editions through the
API with their submission window moved in the database (the API checks the
times it is given, the clock is ours to move), entries submitted in public,
the teacher's token through POST /v1/auth/token, jurors' scores, and the
database's view of it all."""
import itertools
import uuid

from accreditation import ok
from identity import mint
from programs import at, staff

ED = "/v1/sitestar/editions"
EN = "/v1/sitestar/entries"

_years = itertools.count(2001)


def next_year():
    """A year no other test of the module uses (each module has its own database)."""
    return next(_years)


def edition_body(year, **over):
    body = {"year": year, "submissions_open_at": at(-1), "submissions_close_at": at(30)}
    body.update(over)
    return body


def create_edition(api, year=None, **over):
    """A new edition, open to submissions now (opened a day ago, closing in 30 days)."""
    year = year or next_year()
    return ok(staff(api).post(ED, edition_body(year, **over)), 201)


def entry_body(i=0, **over):
    body = {"school": {"name": f"Escola Secundária n.º {i} de Camões", "municipality": "Lisboa"},
            "teacher": {"name": "Maria Santos", "email": f"professora{i}@escola-camoes.pt"},
            "team_size": 4,
            "title": f"Ciência em Camões {i}",
            "description": "Um site onde a turma publica as experiências de ciência da escola,"
                           " com fotografias e vídeos curtos.",
            "proposed_domain": f"camoes-ciencia-{i}.pt"}
    body.update(over)
    return body


def submit(api, year, body=None, i=0, status=201, **kw):
    """An entry submitted without a token: the answer's body (with its access_key)."""
    return ok(api.post(f"{ED}/{year}/entries", body or entry_body(i), **kw), status)


def teacher_token(api, created):
    r = api.post("/v1/auth/token", data={"grant_type": "client_credentials", "client_id": created["id"],
                                         "client_secret": created["access_key"]})
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


def as_teacher(api, created):
    return api.with_token(teacher_token(api, created))


def juror(api, n=1):
    """A staff caller whose subject is juror n."""
    return api.with_token(mint("staff", sub=f"juri{n}@dns.pt"))


def score(api, eid, value, n=1):
    return juror(api, n).request("PUT", f"{EN}/{eid}/scores/me", json_body={"score": value})


# --- the clock of an edition, moved in the database ----------------------------------------

def set_window(db, year, opens, closes):
    """Sets the submission window to now + the given SQL intervals ('-2 days', '1 hour')."""
    db.execute("UPDATE sitestar_editions SET submissions_open_at = now() + %s::interval,"
               " submissions_close_at = now() + %s::interval WHERE year = %s", (opens, closes, year))


def close_submissions(db, year):
    set_window(db, year, "-2 days", "-1 second")


def not_yet_open(db, year):
    set_window(db, year, "1 day", "2 days")


# --- the database's view -------------------------------------------------------------------

def sitestar_tables(db):
    return [r[0] for r in db.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        " AND table_name LIKE 'sitestar%%' AND table_type = 'BASE TABLE' ORDER BY 1").fetchall()]


def snapshot(db):
    """Every Sitestar table's content, the programs, the vouchers, the access keys and the
    audit log's length: equal before and after a refused request."""
    out = {}
    for t in sitestar_tables(db) + ["programs", "vouchers", "access_keys"]:
        out[t] = db.execute(f'SELECT count(*), md5(coalesce(string_agg(x::text, \'|\' ORDER BY x::text), \'\'))'
                            f' FROM "{t}" x').fetchone()
    out["audit"] = db.execute("SELECT count(*) FROM audit_events").fetchone()[0]
    return out


def entry_status(db, eid):
    return db.execute("SELECT status FROM sitestar_entries WHERE id = %s", (eid,)).fetchone()[0]


def statuses(db, year):
    return dict(db.execute("SELECT id::text, status FROM sitestar_entries WHERE year = %s", (year,)).fetchall())


def vouchers_of(db, year):
    return db.execute("SELECT count(*) FROM vouchers WHERE program_code = %s", (f"sitestar-{year}",)).fetchone()[0]


def entry_audit(db, eid):
    """(action, from_status, to_status, reason, changes) of one entry's audit events, oldest first."""
    return db.execute("SELECT action, from_status, to_status, reason, changes FROM audit_events"
                      " WHERE resource_id = %s ORDER BY seq", (str(eid),)).fetchall()


def fresh_uuid():
    return str(uuid.uuid4())
