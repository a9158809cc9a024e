"""Builders for the registrars' news tests (issue 15, area C): news items in
any status through the API, the public reads, and the database's view."""
import uuid

from accreditation import ok
from programs import as_registrar, staff

NWS = "/v1/news-items"
PUB = "/v1/news"
FEED = "/v1/news.atom"
CHANNELS = ["site", "newsletter", "social"]


def news_body(**over):
    body = {"title": f"Novidade {uuid.uuid4().hex[:8]}",
            "summary": "Domínios .pt com alojamento incluído durante o primeiro ano.",
            "body": "A nossa loja junta o registo de domínios .pt ao alojamento.\nSem custos no primeiro ano.",
            "link": "https://www.lojaexemplo.pt/noticias/alojamento",
            "channels": ["site", "newsletter"]}
    body.update(over)
    return {k: v for k, v in body.items() if v is not ...}


STEPS = {"submitted": [], "published": [("publish", None)],
         "rejected": [("reject", "Sem interesse para a comunidade.")],
         "changes_requested": [("request-changes", "Indiquem o preço com IVA.")],
         "archived": [("publish", None), ("archive", None)]}


def submit(api, rid, **over):
    return as_registrar(api, rid).post(NWS, news_body(**over))


def create_item(api, rid, status="submitted", **over):
    """rid's new news item, moved to status by staff's actions."""
    item = ok(submit(api, rid, **over), 201)
    for action, reason in STEPS[status]:
        item = ok(staff(api).post(f"{NWS}/{item['id']}/{action}", {"reason": reason} if reason else None))
    assert item["status"] == status
    return item


def patch_item(caller, iid, body):
    etag = caller.get(f"{NWS}/{iid}").headers["ETag"]
    return caller.patch(f"{NWS}/{iid}", body, headers={"If-Match": etag})


def item_row(db, iid):
    return db.execute("SELECT status, title, reason, published_at IS NOT NULL, version FROM news_items"
                      " WHERE id = %s", (iid,)).fetchone()


def count_items(db):
    return db.execute("SELECT count(*) FROM news_items").fetchone()[0]


def snapshot(db):
    """Every news item as the database holds it: for 'nothing changed'."""
    return db.execute("SELECT id, status, title, summary, body, link, channels, reason, version"
                      " FROM news_items ORDER BY id").fetchall()
