"""Builders for the programs and enrollment tests (issue 11): callers, fresh
programs in any status, enrollments brought to any status through the API,
and the database's view of them."""
import datetime
import uuid

from accreditation import ok
from identity import mint, registrar_token

PRG = "/v1/programs"
ENR = "/v1/enrollments"

APPLICATION = {"proposal": "Campanha conjunta em rádio local e redes sociais para lojas do Porto.",
               "channels": ["rádio", "Instagram"], "planned_budget_eur": 15000}


def staff(api):
    return api.with_token(mint("staff", sub="joana@dns.pt"))


def admin(api):
    return api.with_token(mint("admin", sub="root@dns.pt"))


def as_registrar(api, rid):
    return api.with_token(registrar_token(rid))


def at(delta_days):
    """An RFC 3339 time delta_days from now (negative: in the past)."""
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=delta_days)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def program_body(kind="standing", code=None, year=None, **over):
    if kind == "standing":
        code = code or f"prog-{uuid.uuid4().hex[:10]}"
        body = {"code": code, "kind": kind}
    else:
        year = year or 2031
        code = code or f"{'co-branding' if kind == 'call' else 'sitestar'}-{uuid.uuid4().hex[:6]}-{year}"
        body = {"code": code, "kind": kind, "year": year}
    body.update({"name": {"pt": "Programa de teste", "en": "Test program"},
                 "terms_version": "t1"})
    body.update(over)
    return body


def create_program(api, status="draft", **kw):
    """A new program through the API, moved to status by staff's actions."""
    s = staff(api)
    body = program_body(**kw)
    p = ok(s.post(PRG, body), 201)
    steps = {"draft": [], "open": ["open"], "closed": ["open", "close"],
             "archived": ["open", "close", "archive"]}[status]
    for action in steps:
        p = ok(s.post(f"{PRG}/{p['code']}/{action}"))
    return p


def patch_program(api, code, body):
    s = staff(api)
    etag = s.get(f"{PRG}/{code}").headers["ETag"]
    return ok(s.patch(f"{PRG}/{code}", body, headers={"If-Match": etag}))


def enroll(api, rid, code, terms="1", application=None, **kw):
    body = {"accepted_terms_version": terms}
    if application is not None:
        body["application"] = application
    return as_registrar(api, rid).post(f"{PRG}/{code}/enrollments", body, **kw)


def active(api, rid, code, terms="1"):
    """rid's enrollment in code, approved by staff: the enrollment."""
    e = ok(enroll(api, rid, code, terms), 201)
    return ok(staff(api).post(f"{ENR}/{e['id']}/approve"))


def enrollment_status(db, eid):
    row = db.execute("SELECT status FROM enrollments WHERE id = %s", (eid,)).fetchone()
    return row and row[0]


def count_enrollments(db, code=None, rid=None):
    sql, args = "SELECT count(*) FROM enrollments WHERE true", []
    if code is not None:
        sql, args = sql + " AND program_code = %s", args + [code]
    if rid is not None:
        sql, args = sql + " AND registrar_id = %s", args + [rid]
    return db.execute(sql, args).fetchone()[0]


def program_row(db, code):
    return db.execute("SELECT status, version, capacity, enrollment_opens_at, enrollment_closes_at"
                      " FROM programs WHERE code = %s", (code,)).fetchone()


def audit(db, resource_id):
    """(action, from_status, to_status, reason) of the audit log for one resource, oldest first."""
    return db.execute("SELECT action, from_status, to_status, reason FROM audit_events"
                      " WHERE resource_id = %s ORDER BY seq", (str(resource_id),)).fetchall()


def codes(resp):
    return sorted((e.get("pointer") or e.get("parameter"), e["code"]) for e in resp.json()["errors"])


def problem(resp, status, kind):
    assert resp.status_code == status, (resp.request.method, resp.request.url, resp.status_code, resp.text)
    body = resp.json()
    assert body["type"] == f"https://parceria.dns.pt/problems/{kind}", body
    return body
