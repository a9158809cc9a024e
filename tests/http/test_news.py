"""Registrars' news (issue 15, area C): a registrar submits a news item;
staff publish, reject or ask for changes, and may edit before publishing;
the registrar edits and resubmits; a published item may be archived. Every
refusal changes nothing. Published items only are public, as JSON and as an
Atom feed that a feed parser accepts, newest first, with stable entry ids;
the body is plain text and every output escapes it."""
import uuid

import feedparser
import psycopg
import pytest

from accreditation import ok
from conftest import Server, _db_url, clone_database, drop_database
from identity import make_registrar, mint
from openapi_check import Client
from news import (CHANNELS, FEED, NWS, PUB, count_items, create_item, item_row, news_body, patch_item,
                  snapshot, submit)
from programs import admin, as_registrar, audit, codes, problem, staff

NASTY = "<script>alert('x')</script> & \"aspas\" ]]> <![CDATA[ fim ]]>\nLinha 2 com <b>negrito</b> &amp;"


@pytest.fixture()
def rid(db):
    return make_registrar(db, trade_name=f"Loja {uuid.uuid4().hex[:6]}")


# --- submitting ------------------------------------------------------------------------------

def test_a_registrar_submits_a_news_item(api, db, rid):
    body = news_body(channels=["social", "site", "newsletter"])
    r = as_registrar(api, rid).post(NWS, body)
    item = ok(r, 201)
    assert r.headers["Location"] == f"{NWS}/{item['id']}"
    assert r.headers["ETag"] == '"1"'
    for k in ("title", "summary", "body", "link"):
        assert item[k] == body[k], k
    assert item["channels"] == CHANNELS  # in the fixed order
    assert (item["registrar_id"], item["status"], item["reason"], item["published_at"]) == \
        (rid, "submitted", None, None)
    assert item["allowed_actions"] == ["edit"]
    assert item_row(db, item["id"]) == ("submitted", body["title"], None, False, 1)
    assert audit(db, item["id"]) == [("submit", None, "submitted", None)]
    assert ok(as_registrar(api, rid).get(f"{NWS}/{item['id']}")) == item
    as_staff = ok(staff(api).get(f"{NWS}/{item['id']}"))
    assert as_staff["allowed_actions"] == ["publish", "reject", "request-changes", "edit"]


def test_link_is_optional(api, rid):
    assert ok(submit(api, rid, link=...), 201)["link"] is None
    assert ok(submit(api, rid, link=None), 201)["link"] is None


BAD = [
    ({"title": ...}, [("/title", "required")]),
    ({"summary": ...}, [("/summary", "required")]),
    ({"body": ...}, [("/body", "required")]),
    ({"channels": ...}, [("/channels", "required")]),
    ({"title": ""}, [("/title", "too_short")]),
    ({"title": "t" * 201}, [("/title", "too_long")]),
    ({"summary": "s" * 501}, [("/summary", "too_long")]),
    ({"body": "b" * 20001}, [("/body", "too_long")]),
    ({"title": "Duas\nlinhas"}, [("/title", "control_character")]),
    ({"body": "sino\x07"}, [("/body", "control_character")]),
    ({"link": "http://www.lojaexemplo.pt"}, [("/link", "url")]),
    ({"link": "javascript:alert(1)"}, [("/link", "url")]),
    ({"channels": []}, [("/channels", "too_few")]),
    ({"channels": ["site", "newsletter", "social", "site"]}, [("/channels", "too_many")]),
    ({"channels": ["tv"]}, [("/channels/0", "enum")]),
    ({"channels": ["site", "site"]}, [("/channels/1", "duplicate_channel")]),
    ({"channels": "site"}, [("/channels", "type")]),
    ({"status": "published"}, [("/status", "unknown_field")]),
    ({"registrar_id": str(uuid.uuid4())}, [("/registrar_id", "unknown_field")]),
    ({"published_at": "2026-10-22T10:00:00Z"}, [("/published_at", "unknown_field")]),
]


@pytest.mark.parametrize("over, expected", BAD, ids=lambda v: "" if isinstance(v, list) else
                         "-".join(f"{k}" for k in v))
def test_bad_submissions_are_refused_and_change_nothing(api, db, rid, over, expected):
    before = snapshot(db)
    r = submit(api, rid, **over)
    problem(r, 422, "validation-failed")
    assert codes(r) == expected
    assert snapshot(db) == before


def test_who_may_submit(api, db):
    before = count_items(db)
    problem(staff(api).post(NWS, news_body()), 403, "forbidden")
    problem(api.post(NWS, news_body()), 401, "unauthenticated")
    problem(as_registrar(api, make_registrar(db, status="suspended")).post(NWS, news_body()), 403,
            "registrar-suspended")
    problem(as_registrar(api, make_registrar(db, status="terminated")).post(NWS, news_body()), 403,
            "forbidden")
    problem(as_registrar(api, str(uuid.uuid4())).post(NWS, news_body()), 403, "forbidden")
    assert count_items(db) == before


def test_submission_idempotency_key_replays(api, db, rid):
    caller = as_registrar(api, rid)
    body = news_body()
    key = f"news-{uuid.uuid4()}"
    first = ok(caller.post(NWS, body, headers={"Idempotency-Key": key}), 201)
    again = caller.post(NWS, body, headers={"Idempotency-Key": key})
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first["id"]
    assert db.execute("SELECT count(*) FROM news_items WHERE title = %s", (body["title"],)).fetchone()[0] == 1


# --- the machine -----------------------------------------------------------------------------

def act(api, iid, action, reason=None, caller=None):
    caller = caller or staff(api)
    return caller.post(f"{NWS}/{iid}/{action}", {"reason": reason} if reason else None)


def test_publish_then_archive(api, db, rid):
    item = create_item(api, rid)
    published = ok(act(api, item["id"], "publish"))
    assert published["status"] == "published" and published["published_at"]
    assert published["allowed_actions"] == ["archive"]
    assert item_row(db, item["id"])[3] is True
    archived = ok(act(api, item["id"], "archive"))
    assert (archived["status"], archived["published_at"]) == ("archived", published["published_at"])
    assert archived["allowed_actions"] == []
    assert [a[0] for a in audit(db, item["id"])] == ["submit", "publish", "archive"]
    history = ok(staff(api).get(f"{NWS}/{item['id']}/history"))["items"]
    assert [(h["action"], h["to_status"]) for h in history] == \
        [("submit", "submitted"), ("publish", "published"), ("archive", "archived")]
    assert ok(as_registrar(api, rid).get(f"{NWS}/{item['id']}/history"))["items"] == history


def test_reject_needs_a_reason_and_keeps_it(api, db, rid):
    item = create_item(api, rid)
    before = snapshot(db)
    r = act(api, item["id"], "reject")
    problem(r, 422, "validation-failed")
    assert codes(r) == [("/reason", "required")]
    assert snapshot(db) == before
    rejected = ok(act(api, item["id"], "reject", "Publicidade sem interesse para a comunidade."))
    assert (rejected["status"], rejected["reason"]) == ("rejected", "Publicidade sem interesse para a comunidade.")
    mine = ok(as_registrar(api, rid).get(f"{NWS}/{item['id']}"))
    assert mine["reason"] == rejected["reason"] and mine["allowed_actions"] == []
    assert audit(db, item["id"])[-1] == ("reject", "submitted", "rejected",
                                         "Publicidade sem interesse para a comunidade.")


def test_request_changes_edit_and_resubmit(api, db, rid):
    item = create_item(api, rid)
    r = act(api, item["id"], "request-changes")
    problem(r, 422, "validation-failed")
    asked = ok(act(api, item["id"], "request-changes", "Indiquem o preço com IVA."))
    assert (asked["status"], asked["reason"]) == ("changes_requested", "Indiquem o preço com IVA.")
    mine = as_registrar(api, rid)
    assert ok(mine.get(f"{NWS}/{item['id']}"))["allowed_actions"] == ["resubmit", "edit"]
    edited = ok(patch_item(mine, item["id"], {"summary": "Alojamento grátis: 0 € + IVA no primeiro ano."}))
    assert (edited["status"], edited["summary"]) == ("changes_requested", "Alojamento grátis: 0 € + IVA no primeiro ano.")
    again = ok(act(api, item["id"], "resubmit", caller=mine))
    assert (again["status"], again["reason"]) == ("submitted", None)
    assert ok(act(api, item["id"], "publish"))["status"] == "published"
    assert [a[0] for a in audit(db, item["id"])] == ["submit", "request-changes", "edit", "resubmit", "publish"]


WRONG = [  # (status, action, reason): refused with 409 in that status
    ("published", "publish", None), ("published", "reject", "x"), ("published", "request-changes", "x"),
    ("rejected", "publish", None), ("rejected", "archive", None), ("changes_requested", "publish", None),
    ("changes_requested", "archive", None), ("archived", "publish", None), ("archived", "archive", None),
    ("submitted", "archive", None), ("submitted", "resubmit", None), ("published", "resubmit", None),
]


@pytest.mark.parametrize("status, action, reason", WRONG)
def test_wrong_states_are_409_and_change_nothing(api, db, rid, status, action, reason):
    item = create_item(api, rid, status)
    caller = as_registrar(api, rid) if action == "resubmit" else staff(api)
    before = snapshot(db)
    body = problem(act(api, item["id"], action, reason, caller), 409, "invalid-state")
    assert body["current_status"] == status
    assert snapshot(db) == before


@pytest.mark.parametrize("action", ["publish", "reject", "request-changes", "archive"])
def test_a_registrar_may_not_decide(api, db, rid, action):
    item = create_item(api, rid)
    before = snapshot(db)
    problem(act(api, item["id"], action, "Aprovo eu.", as_registrar(api, rid)), 403, "forbidden")
    assert snapshot(db) == before


def test_staff_may_not_resubmit(api, db, rid):
    item = create_item(api, rid, "changes_requested")
    before = snapshot(db)
    problem(act(api, item["id"], "resubmit"), 403, "forbidden")
    assert snapshot(db) == before


# --- editing ---------------------------------------------------------------------------------

def test_staff_may_edit_before_publishing(api, db, rid):
    item = create_item(api, rid)
    s = staff(api)
    edited = ok(patch_item(s, item["id"], {"title": "Título revisto pelo .PT", "link": None,
                                           "channels": ["site"]}))
    assert (edited["title"], edited["link"], edited["channels"], edited["status"]) == \
        ("Título revisto pelo .PT", None, ["site"], "submitted")
    assert item_row(db, item["id"])[4] == 2
    r = s.patch(f"{NWS}/{item['id']}", {"title": "Outra vez"},
                headers={"If-Match": '"1"', "Content-Type": "application/merge-patch+json"})
    problem(r, 412, "precondition-failed")
    problem(s.patch(f"{NWS}/{item['id']}", {"title": "Sem If-Match"}), 428, "precondition-required")
    assert item_row(db, item["id"])[1] == "Título revisto pelo .PT"


def test_its_registrar_may_edit_while_submitted(api, db, rid):
    item = create_item(api, rid)
    mine = as_registrar(api, rid)
    edited = ok(patch_item(mine, item["id"], {"body": "Corpo novo.\nCom duas linhas.", "channels": ["social"]}))
    assert (edited["body"], edited["channels"], edited["status"]) == \
        ("Corpo novo.\nCom duas linhas.", ["social"], "submitted")
    assert db.execute("SELECT body, channels FROM news_items WHERE id = %s", (item["id"],)).fetchone() == \
        ("Corpo novo.\nCom duas linhas.", ["social"])
    assert audit(db, item["id"])[-1] == ("edit", None, None, None)


@pytest.mark.parametrize("status", ["published", "rejected", "archived"])
def test_no_edit_once_decided(api, db, rid, status):
    item = create_item(api, rid, status)
    before = snapshot(db)
    for caller in (staff(api), as_registrar(api, rid)):
        body = problem(patch_item(caller, item["id"], {"title": "Tarde demais"}), 409, "invalid-state")
        assert body["current_status"] == status
    assert snapshot(db) == before


BAD_PATCH = [
    ({"title": None}, [("/title", "not_null")]),
    ({"channels": None}, [("/channels", "not_null")]),
    ({"channels": ["social", "social"]}, [("/channels/1", "duplicate_channel")]),
    ({"link": "ftp://x.pt"}, [("/link", "url")]),
    ({"status": "published"}, [("/status", "unknown_field")]),
    ({"reason": "x"}, [("/reason", "unknown_field")]),
]


@pytest.mark.parametrize("patch, expected", BAD_PATCH, ids=lambda v: "" if isinstance(v, list) else
                         "-".join(v))
def test_bad_edits_are_refused_and_change_nothing(api, db, rid, patch, expected):
    item = create_item(api, rid)
    before = snapshot(db)
    r = patch_item(as_registrar(api, rid), item["id"], patch)
    problem(r, 422, "validation-failed")
    assert codes(r) == expected
    assert snapshot(db) == before


# --- own and other ---------------------------------------------------------------------------

def test_another_registrars_item_is_absent(api, db, rid):
    item = create_item(api, rid, "changes_requested")
    other = as_registrar(api, make_registrar(db))
    before = snapshot(db)
    problem(other.get(f"{NWS}/{item['id']}"), 404, "not-found")
    problem(other.get(f"{NWS}/{item['id']}/history"), 404, "not-found")
    problem(patch_item_blind(other, item["id"]), 404, "not-found")
    problem(act(api, item["id"], "resubmit", caller=other), 404, "not-found")
    assert snapshot(db) == before
    assert ok(staff(api).get(f"{NWS}/{item['id']}"))["status"] == "changes_requested"


def patch_item_blind(caller, iid):
    return caller.patch(f"{NWS}/{iid}", {"title": "Roubado"}, headers={"If-Match": '"1"'})


def test_lists_staff_all_registrar_own(api, db, rid):
    other = make_registrar(db)
    mine = [create_item(api, rid)["id"], create_item(api, rid, "published")["id"]]
    theirs = create_item(api, other)["id"]
    got = ok(as_registrar(api, rid).get(NWS, params={"limit": "200"}))["items"]
    assert sorted(i["id"] for i in got) == sorted(mine)
    assert [i["id"] for i in got] == mine[::-1]  # newest first
    problem(as_registrar(api, rid).get(NWS, params={"registrar_id": other}), 403, "forbidden")
    s = staff(api)
    ids = [i["id"] for i in ok(s.get(NWS, params={"registrar_id": f"{rid},{other}", "limit": "200"}))["items"]]
    assert sorted(ids) == sorted(mine + [theirs])
    published = ok(s.get(NWS, params={"registrar_id": rid, "status": "published"}))["items"]
    assert [i["id"] for i in published] == [mine[1]]
    page = ok(s.get(NWS, params={"registrar_id": rid, "limit": "1", "include_total": "true",
                                 "sort": "updated_at"}))
    assert page["total"] == 2 and page["next_cursor"]
    problem(s.get(NWS, params={"status": "draft"}), 400, "invalid-request")
    problem(s.get(NWS, params={"sort": "published_at"}), 400, "invalid-request")
    csv = s.get(NWS, params={"registrar_id": rid}, headers={"Accept": "text/csv"})
    assert csv.status_code == 200 and csv.headers["Content-Type"].startswith("text/csv")
    assert csv.text.count(rid) == 2
    assert ok(admin(api).get(NWS, params={"registrar_id": other}))["items"][0]["id"] == theirs


@pytest.mark.parametrize("role", ["applicant", "teacher"])
def test_other_roles_are_refused(api, rid, role):
    item = create_item(api, rid)
    claims = {"applicant": {"application_id": str(uuid.uuid4())}, "teacher": {"entry_id": str(uuid.uuid4())}}
    caller = api.with_token(mint(role, **claims[role]))
    for r in (caller.get(NWS), caller.get(f"{NWS}/{item['id']}"), caller.post(NWS, news_body()),
              act(api, item["id"], "publish", caller=caller)):
        assert r.status_code in (401, 403), r.text


# --- the public news -------------------------------------------------------------------------

def public_ids(api, **params):
    return [i["id"] for i in ok(api.get(PUB, params={"limit": "200", **params}))["items"]]


def test_only_published_items_are_public(api, db, rid):
    items = {s: create_item(api, rid, s) for s in ("submitted", "published", "rejected",
                                                    "changes_requested", "archived")}
    ids = public_ids(api)
    assert items["published"]["id"] in ids
    for s in ("submitted", "rejected", "changes_requested", "archived"):
        assert items[s]["id"] not in ids
        for caller in (api, as_registrar(api, rid), staff(api)):
            problem(caller.get(f"{PUB}/{items[s]['id']}"), 404, "not-found")
    one = ok(api.get(f"{PUB}/{items['published']['id']}"))
    trade = db.execute("SELECT trade_name FROM registrars WHERE id = %s", (rid,)).fetchone()[0]
    assert one["registrar"] == {"id": rid, "trade_name": trade}
    assert set(one) == {"id", "registrar", "title", "summary", "body", "link", "channels",
                        "published_at", "updated_at"}  # never a reason or a status
    assert ok(as_registrar(api, make_registrar(db)).get(f"{PUB}/{one['id']}")) == one
    problem(api.get(f"{PUB}/{uuid.uuid4()}"), 404, "not-found")
    problem(api.get(f"{PUB}/nao-e-um-id"), 404, "not-found")


def test_public_news_newest_published_first_with_pages(api, db, rid):
    a = create_item(api, rid, "published")
    b = create_item(api, rid)
    c = create_item(api, rid, "published")
    ok(act(api, b["id"], "publish"))  # b was submitted before c, published after it
    db.execute("UPDATE news_items SET published_at = now() - interval '1 day' WHERE id = %s", (a["id"],))
    ids = public_ids(api)
    assert ids.index(b["id"]) < ids.index(c["id"]) < ids.index(a["id"])
    first = ok(api.get(PUB, params={"limit": "1"}))
    assert len(first["items"]) == 1 and first["next_cursor"]
    second = ok(api.get(PUB, params={"limit": "1", "cursor": first["next_cursor"]}))
    assert second["items"][0]["id"] != first["items"][0]["id"]
    problem(api.get(PUB, params={"status": "submitted"}), 400, "invalid-request")
    problem(api.get(PUB, params={"sort": "created_at"}), 400, "invalid-request")


def test_public_reads_are_cacheable_and_answer_304(api, db, rid):
    item = create_item(api, rid, "published")
    for path in (PUB, f"{PUB}/{item['id']}", FEED):
        r = api.get(path)
        assert r.status_code == 200, r.text
        assert r.headers["Cache-Control"] == "public, max-age=60", path
        etag = r.headers["ETag"]
        again = api.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b"", path
        assert "public" not in staff(api).get(path).headers.get("Cache-Control", ""), path


def test_head_and_staff_csv_of_the_public_news(api, db, rid):
    item = create_item(api, rid, "published")
    for path in (PUB, f"{PUB}/{item['id']}", FEED):
        r = api.request("HEAD", path)
        assert r.status_code == 200 and r.content == b"", path
    csv = staff(api).get(PUB, headers={"Accept": "text/csv"})
    assert csv.status_code == 200 and csv.headers["Content-Type"].startswith("text/csv")
    assert csv.text.splitlines()[0].startswith("id,registrar,title,summary,body,link,channels,published_at")
    assert item["id"] in csv.text and "reason" not in csv.text.splitlines()[0]


def test_a_change_is_seen_at_once_by_the_cached_reads(api, db, rid):
    item = create_item(api, rid, "published")
    list_etag, feed_etag = api.get(PUB).headers["ETag"], api.get(FEED).headers["ETag"]
    assert item["id"] in public_ids(api)
    ok(act(api, item["id"], "archive"))
    assert item["id"] not in public_ids(api)
    assert item["id"] not in api.get(FEED).text
    assert api.get(PUB, headers={"If-None-Match": list_etag}).status_code == 200
    assert api.get(FEED, headers={"If-None-Match": feed_etag}).status_code == 200
    # the items show the registrar's trade name: renaming it is seen too
    other = create_item(api, rid, "published")
    one_etag = api.get(f"{PUB}/{other['id']}").headers["ETag"]
    # as a registrar's edit through the API does: its version moves with it
    db.execute("UPDATE registrars SET trade_name = 'Nome Novo, Lda.', version = version + 1 WHERE id = %s",
               (rid,))
    got = [i for i in ok(api.get(PUB, params={"limit": "200"}))["items"] if i["id"] == other["id"]]
    assert got[0]["registrar"]["trade_name"] == "Nome Novo, Lda."
    assert "Nome Novo, Lda." in api.get(FEED).text
    r = api.get(f"{PUB}/{other['id']}", headers={"If-None-Match": one_etag})
    assert r.status_code == 200 and r.json()["registrar"]["trade_name"] == "Nome Novo, Lda."
    assert r.headers["ETag"] != one_etag


# --- escaping --------------------------------------------------------------------------------

def test_the_body_is_text_in_every_output(api, db, rid):
    item = create_item(api, rid, "published", title="Título <i>com</i> & marcas", body=NASTY,
                       summary="Resumo ]]> & <b>")
    assert ok(staff(api).get(f"{NWS}/{item['id']}"))["body"] == NASTY
    pub = ok(api.get(f"{PUB}/{item['id']}"))
    assert (pub["body"], pub["title"]) == (NASTY, "Título <i>com</i> & marcas")
    r = api.get(FEED)
    assert "<script>" not in r.text and "<b>" not in r.text and "<i>" not in r.text
    assert "]]>" not in r.text and "<![CDATA[" not in r.text
    feed = feedparser.parse(r.content)
    assert feed.bozo == 0, feed.bozo_exception
    entry = next(e for e in feed.entries if e.id == f"urn:uuid:{item['id']}")
    assert entry.content[0].type == "text/plain"
    assert entry.content[0].value == NASTY
    assert entry.title == "Título <i>com</i> & marcas"
    assert entry.summary == "Resumo ]]> & <b>"


# --- the Atom feed ---------------------------------------------------------------------------

def parse_feed(api):
    r = api.get(FEED)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(r.content)
    assert feed.bozo == 0, feed.bozo_exception
    assert feed.version == "atom10"
    return feed


def test_the_feed_is_valid_atom_with_published_items_only(api, db):
    rid = make_registrar(db, trade_name="Loja Exemplo & Filhos")
    items = {s: create_item(api, rid, s) for s in ("submitted", "published", "rejected",
                                                    "changes_requested", "archived")}
    plain = create_item(api, rid, "published", link=None, channels=["social", "site"])
    feed = parse_feed(api)
    assert feed.feed.id == "urn:uuid:27d5c83f-f48a-4dc6-b9de-2a7f6ec1e2b1"
    ids = [e.id for e in feed.entries]
    assert f"urn:uuid:{items['published']['id']}" in ids and f"urn:uuid:{plain['id']}" in ids
    for s in ("submitted", "rejected", "changes_requested", "archived"):
        assert f"urn:uuid:{items[s]['id']}" not in ids
    assert len(ids) <= 50
    assert feed.feed.updated == max(e.updated for e in feed.entries)
    e = next(x for x in feed.entries if x.id == f"urn:uuid:{plain['id']}")
    full = ok(staff(api).get(f"{NWS}/{plain['id']}"))
    assert (e.title, e.summary, e.author) == (full["title"], full["summary"], "Loja Exemplo & Filhos")
    assert (e.published, e.updated) == (full["published_at"], full["updated_at"])
    assert e.link == f"https://parceria.dns.pt/v1/news/{plain['id']}"
    assert sorted(t.term for t in e.tags) == ["site", "social"]
    linked = next(x for x in feed.entries if x.id == f"urn:uuid:{items['published']['id']}")
    assert linked.link == items["published"]["link"]
    assert sorted(t.term for t in linked.tags) == ["newsletter", "site"]


def test_the_feed_is_newest_first_and_its_ids_are_stable(api, db, rid):
    first = create_item(api, rid, "published")
    before = {e.id: e for e in parse_feed(api).entries}
    # an item asked for changes, edited by its registrar and by staff, resubmitted, then published
    second = create_item(api, rid, "changes_requested")
    ok(patch_item(as_registrar(api, rid), second["id"], {"body": "Corpo corrigido."}))
    ok(act(api, second["id"], "resubmit", caller=as_registrar(api, rid)))
    ok(patch_item(staff(api), second["id"], {"title": "Título do .PT"}))
    ok(act(api, second["id"], "publish"))
    entries = parse_feed(api).entries
    published = [e.published for e in entries]
    assert published == sorted(published, reverse=True)
    assert entries[0].id == f"urn:uuid:{second['id']}" and entries[0].title == "Título do .PT"
    again = next(e for e in entries if e.id == f"urn:uuid:{first['id']}")
    assert (again.id, again.published, again.title) == \
        (before[f"urn:uuid:{first['id']}"].id, before[f"urn:uuid:{first['id']}"].published, first["title"])


def test_the_feed_holds_the_newest_50(api, db):
    rid = make_registrar(db)
    for _ in range(3):
        create_item(api, rid, "published")
    db.execute("UPDATE news_items SET published_at = now() - interval '2 days' WHERE status = 'published'")
    fresh = [create_item(api, rid, "published")["id"] for _ in range(50)]
    entries = parse_feed(api).entries
    assert len(entries) == 50
    assert sorted(e.id for e in entries) == sorted(f"urn:uuid:{i}" for i in fresh)


# --- what a change tells ---------------------------------------------------------------------

def changes(client, after=None):
    """Every change-feed event after the cursor: (events, the last cursor)."""
    events = []
    while True:
        body = ok(client.get("/v1/changes", params={"limit": "200", **({"after": after} if after else {})}))
        if not body["items"]:
            return events, body["next_cursor"]
        events += body["items"]
        after = body["next_cursor"]


def test_every_change_is_an_event_of_the_change_feed(api, db, rid):
    s = staff(api)
    _, start = changes(s)
    _, mine_start = changes(as_registrar(api, rid))
    other = make_registrar(db)
    _, other_start = changes(as_registrar(api, other))
    item = create_item(api, rid, "changes_requested")
    ok(patch_item(as_registrar(api, rid), item["id"], {"title": "Título novo"}))
    ok(act(api, item["id"], "resubmit", caller=as_registrar(api, rid)))
    ok(act(api, item["id"], "publish"))
    ok(act(api, item["id"], "archive"))
    rejected = create_item(api, rid, "rejected")
    want = [(item["id"], t) for t in ("news_item.submitted", "news_item.changes_requested", "news_item.updated",
                                      "news_item.resubmitted", "news_item.published", "news_item.archived")]
    want += [(rejected["id"], "news_item.submitted"), (rejected["id"], "news_item.rejected")]
    seen, _ = changes(s, start)
    ours = [(e["resource_id"], e["type"]) for e in seen if e["resource_type"] == "news_item"]
    assert ours == want
    assert all(e["registrar_id"] == rid for e in seen if e["resource_type"] == "news_item")
    mine, _ = changes(as_registrar(api, rid), mine_start)
    assert [(e["resource_id"], e["type"]) for e in mine if e["resource_type"] == "news_item"] == want
    theirs, _ = changes(as_registrar(api, other), other_start)
    assert not [e for e in theirs if e["resource_type"] == "news_item"]


# --- two processes, one database --------------------------------------------------------------

@pytest.fixture()
def two_servers(template_db):
    name = clone_database(template_db)
    servers = [Server(name, name=f"news-cache-{n}").start() for n in ("a", "b")]
    yield servers
    codes_ = [s.stop() for s in servers]
    logs = [s.log_text() for s in servers]
    drop_database(name)
    assert codes_ == [0, 0], logs
    for text in logs:
        assert "ERROR: AddressSanitizer" not in text and "runtime error:" not in text, text[-4000:]


def test_a_change_through_one_process_reaches_the_others_cached_reads(two_servers):
    a, b = (Client(s.base) for s in two_servers)
    with psycopg.connect(_db_url(two_servers[0].db_name, "postgres"), autocommit=True) as db:
        rid = make_registrar(db, trade_name="Réplica")
    item = ok(as_registrar(a, rid).post(NWS, news_body()), 201)
    assert ok(b.get(PUB))["items"] == [] and "<entry>" not in b.get(FEED).text  # b keeps both
    list_etag, feed_etag = b.get(PUB).headers["ETag"], b.get(FEED).headers["ETag"]
    assert b.get(FEED, headers={"If-None-Match": feed_etag}).status_code == 304
    ok(staff(a).post(f"{NWS}/{item['id']}/publish"))
    after = b.get(PUB, headers={"If-None-Match": list_etag})
    assert after.status_code == 200 and [i["id"] for i in after.json()["items"]] == [item["id"]]
    feed = b.get(FEED, headers={"If-None-Match": feed_etag})
    assert feed.status_code == 200
    assert [e.id for e in feedparser.parse(feed.content).entries] == [f"urn:uuid:{item['id']}"]
    ok(staff(a).post(f"{NWS}/{item['id']}/archive"))
    assert ok(b.get(PUB))["items"] == [] and "<entry>" not in b.get(FEED).text
    problem(b.get(f"{PUB}/{item['id']}"), 404, "not-found")
