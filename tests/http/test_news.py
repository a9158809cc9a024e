"""Registrars' news (issue 15, area C)."""
import feedparser

from accreditation import ok
from identity import make_registrar
from news import FEED, NWS, PUB, create_item, submit
from programs import staff


def test_smoke(api, db):
    rid = make_registrar(db, trade_name="Loja Exemplo")
    item = create_item(api, rid, "published", body="<script>alert(1)</script> & ]]>")
    r = api.get(PUB)
    assert ok(r)["items"][0]["id"] == item["id"]
    f = api.get(FEED)
    assert f.status_code == 200, f.text
    feed = feedparser.parse(f.content)
    assert feed.bozo == 0, feed.bozo_exception
    print(f.text)
