"""Builders for the SIGA proposals tests (issue 15): proposals in any
status through the API, votes and comments, and the database's view of
them."""
import uuid

from accreditation import ok
from programs import as_registrar, staff

PRP = "/v1/siga/proposals"
CMT = "/v1/siga/comments"
AREAS = ["domains", "contacts", "dns", "transfers", "billing", "reports", "api", "other"]

STEPS = {"open": [], "under_consideration": ["consider"], "planned": ["consider", "plan"],
         "done": ["consider", "plan", "complete"], "declined": ["decline"]}


def proposal_body(**over):
    body = {"title": f"Proposta {uuid.uuid4().hex[:8]}",
            "description": "Hoje não é possível.\nSeria útil para todos os registrars.", "area": "reports"}
    body.update(over)
    return body


def create_proposal(api, rid=None, status="open", **over):
    """A new proposal by registrar rid (or staff), moved to status by staff's actions."""
    caller = as_registrar(api, rid) if rid else staff(api)
    p = ok(caller.post(PRP, proposal_body(**over)), 201)
    for action in STEPS[status]:
        p = ok(staff(api).post(f"{PRP}/{p['id']}/{action}", {"note": f"Nota: {action}."}))
    return p


def put(client, path, body=None, **kw):
    return client.request("PUT", path, json_body=body, **kw)


def vote(api, rid, pid, **kw):
    return put(as_registrar(api, rid), f"{PRP}/{pid}/vote", **kw)


def unvote(api, rid, pid, **kw):
    return as_registrar(api, rid).delete(f"{PRP}/{pid}/vote", **kw)


def patch(client, path, body, etag=None):
    etag = etag or client.get(path).headers["ETag"]
    return client.patch(path, body, headers={"If-Match": etag})


def comment(client, pid, text="Concordo com a proposta."):
    return ok(client.post(f"{PRP}/{pid}/comments", {"body": text}), 201)


def proposal_row(db, pid):
    return db.execute("SELECT status, title, votes, comments, status_note, version FROM siga_proposals"
                      " WHERE id = %s", (pid,)).fetchone()


def votes_in_sql(db, pid):
    return db.execute("SELECT count(*) FROM siga_votes WHERE proposal_id = %s", (pid,)).fetchone()[0]


def comment_row(db, cid):
    return db.execute("SELECT status, body, hidden_reason, edited_at FROM siga_comments WHERE id = %s",
                      (cid,)).fetchone()


def count_proposals(db):
    return db.execute("SELECT count(*) FROM siga_proposals").fetchone()[0]


def count_comments(db, pid=None):
    if pid is None:
        return db.execute("SELECT count(*) FROM siga_comments").fetchone()[0]
    return db.execute("SELECT count(*) FROM siga_comments WHERE proposal_id = %s", (pid,)).fetchone()[0]


def age_comment(db, cid, minutes):
    """Moves a comment's creation minutes into the past (the edit window, without waiting)."""
    db.execute("UPDATE siga_comments SET created_at = created_at - make_interval(mins => %s) WHERE id = %s",
               (minutes, cid))
