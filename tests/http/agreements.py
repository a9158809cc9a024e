"""Builders for the data-processing agreements tests (issue 16, H1): versions
through the API, a registrar's acceptance, and the database's view."""
import hashlib
import uuid

from accreditation import ok
from identity import make_registrar
from programs import as_registrar, at, staff

AGR = "/v1/agreements"


def sha(text):
    return hashlib.sha256(text.encode()).hexdigest()


def agreement_body(effective=-60, due=-1, **over):
    """A version effective `effective` days from now, to accept by `due` days from now."""
    version = "v" + uuid.uuid4().hex[:10]
    body = {"version": version,
            "title": "Acordo de tratamento de dados pessoais — registrars .PT",
            "document_url": f"https://www.dns.pt/documentos/acordo-{version}.pdf",
            "document_sha256": sha(version),
            "effective_at": at(effective), "accept_by": at(due)}
    body.update(over)
    return {k: v for k, v in body.items() if v is not ...}


def create_agreement(api, **kw):
    return ok(staff(api).post(AGR, agreement_body(**kw)), 201)


def accept(api, rid, a, **kw):
    return as_registrar(api, rid).post(f"{AGR}/{a['version']}/accept",
                                       {"document_sha256": a["document_sha256"]}, **kw)


def standing(api, rid, caller=None):
    return ok((caller or as_registrar(api, rid)).get(f"/v1/registrars/{rid}/agreements"))


def accept_due(api, rid):
    """rid accepts every version already past its accept_by (others stay as they are)."""
    for item in standing(api, rid)["agreements"]:
        a = item["agreement"]
        if item["acceptance"] is None and a["accept_by"] <= at(0):
            assert accept(api, rid, a).status_code in (200, 201)


def fresh_registrar(api, db):
    """An accredited registrar that no version gates yet."""
    rid = make_registrar(db)
    accept_due(api, rid)
    return rid


def acceptances(db, rid=None):
    if rid is None:
        return db.execute("SELECT count(*) FROM agreement_acceptances").fetchone()[0]
    return db.execute("SELECT count(*) FROM agreement_acceptances WHERE registrar_id = %s",
                      (rid,)).fetchone()[0]


def count_agreements(db):
    return db.execute("SELECT count(*) FROM agreements").fetchone()[0]
