"""The public directory is cacheable: every read answers an ETag and
If-None-Match naming it answers 304; anonymous reads say Cache-Control:
public, authenticated ones keep no-store; and each process's cache of public
pages follows changes made through any other process on the same database."""
import uuid

import psycopg
import pytest

from conftest import Server, _db_url, clone_database, drop_database
from identity import make_registrar, mint, registrar_token
from openapi_check import Client

REG = "/v1/registrars"


def staff(api):
    return api.with_token(mint("staff", sub="joana@dns.pt"))


def tagged(name):
    return f"Cache {name} {uuid.uuid4().hex[:8]}"


def test_list_etag_answers_304_until_a_change(api, db):
    name = tagged("lista")
    rid = make_registrar(db, trade_name=name)
    params = {"q": name, "limit": "5"}
    first = api.get(REG, params=params)
    assert first.status_code == 200 and [i["id"] for i in first.json()["items"]] == [rid]
    etag = first.headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    assert first.headers["Cache-Control"] == "public, max-age=60"
    again = api.get(REG, params=params, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["ETag"] == etag
    assert api.get(REG, params=params, headers={"If-None-Match": f'"other", W/{etag}'}).status_code == 304
    assert api.get(REG, params=params, headers={"If-None-Match": '"other"'}).status_code == 200
    r = staff(api).patch(f"{REG}/{rid}", {"trade_name": name + " Novo"}, headers={"If-Match": '"1"'})
    assert r.status_code == 200, r.text
    after = api.get(REG, params=params, headers={"If-None-Match": etag})
    assert after.status_code == 200, after.text
    assert after.headers["ETag"] != etag
    assert after.json()["items"][0]["trade_name"] == name + " Novo"


def test_single_registrar_etag_is_its_version(api, db):
    rid = make_registrar(db)
    first = api.get(f"{REG}/{rid}")
    assert first.status_code == 200 and first.headers["ETag"] == '"1"'
    assert first.headers["Cache-Control"] == "public, max-age=60"
    again = api.get(f"{REG}/{rid}", headers={"If-None-Match": '"1"'})
    assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == '"1"'
    s = staff(api)
    assert s.patch(f"{REG}/{rid}", {"trade_name": "Outro Nome"}, headers={"If-Match": '"1"'}).status_code == 200
    after = api.get(f"{REG}/{rid}", headers={"If-None-Match": '"1"'})
    assert after.status_code == 200 and after.headers["ETag"] == '"2"'
    assert after.json()["trade_name"] == "Outro Nome"


def test_authenticated_reads_stay_private(api, db):
    rid = make_registrar(db)
    s = staff(api)
    one = s.get(f"{REG}/{rid}")
    assert one.status_code == 200 and one.headers["Cache-Control"] == "no-store"
    assert s.get(f"{REG}/{rid}", headers={"If-None-Match": one.headers["ETag"]}).status_code == 304
    page = s.get(REG, params={"limit": "3"})
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert page.headers["ETag"] != api.get(REG, params={"limit": "3"}).headers["ETag"]
    assert s.get(REG, params={"limit": "3"}, headers={"If-None-Match": page.headers["ETag"]}).status_code == 304
    # problems are never cacheable
    missing = api.get(f"{REG}/{uuid.uuid4()}")
    assert missing.status_code == 404 and missing.headers["Cache-Control"] == "no-store"


def test_a_change_in_the_database_reaches_the_next_read(api, db):
    name = tagged("direta")
    rid = make_registrar(db, trade_name=name)
    params = {"q": name}
    assert [i["id"] for i in api.get(REG, params=params).json()["items"]] == [rid]
    assert [i["id"] for i in api.get(REG, params=params).json()["items"]] == [rid]  # from the cache
    db.execute("UPDATE registrars SET status = 'suspended' WHERE id = %s", (rid,))
    assert api.get(REG, params=params).json()["items"] == []


@pytest.fixture()
def two_servers(template_db):
    name = clone_database(template_db)
    servers = [Server(name, name=f"directory-cache-{n}").start() for n in ("a", "b")]
    yield servers
    codes = [s.stop() for s in servers]
    logs = [s.log_text() for s in servers]
    drop_database(name)
    assert codes == [0, 0], logs
    for text in logs:
        assert "ERROR: AddressSanitizer" not in text and "runtime error:" not in text, text[-4000:]


def test_a_change_through_one_process_is_seen_by_the_other(two_servers):
    a, b = (Client(s.base) for s in two_servers)
    s = staff(a)
    with psycopg.connect(_db_url(two_servers[0].db_name, "postgres"), autocommit=True) as db:
        ids = [make_registrar(db, trade_name=f"Replica {n}") for n in range(3)]
    first = b.get(REG, params={"sort": "handle"})
    assert {i["id"] for i in first.json()["items"]} == set(ids)
    etag = first.headers["ETag"]
    assert b.get(REG, params={"sort": "handle"}, headers={"If-None-Match": etag}).status_code == 304
    r = s.patch(f"{REG}/{ids[0]}", {"trade_name": "Replica Renomeada"}, headers={"If-Match": '"1"'})
    assert r.status_code == 200, r.text
    after = b.get(REG, params={"sort": "handle"}, headers={"If-None-Match": etag})
    assert after.status_code == 200 and after.headers["ETag"] != etag
    names = {i["id"]: i["trade_name"] for i in after.json()["items"]}
    assert names[ids[0]] == "Replica Renomeada"
    r = s.post(f"{REG}/{ids[1]}/suspend", {"reason": "Falta de pagamento."})
    assert r.status_code == 200, r.text
    assert {i["id"] for i in b.get(REG, params={"sort": "handle"}).json()["items"]} == {ids[0], ids[2]}
    assert b.get(f"{REG}/{ids[1]}").status_code == 404


def test_a_registrars_own_record_follows_changes_through_the_other_process(two_servers):
    """A single read is kept per view (resource.version): the registrar's own
    record, staff's view and the public face each come from the cache only
    while the directory's version holds, whichever process made the change."""
    a, b = (Client(s.base) for s in two_servers)
    with psycopg.connect(_db_url(two_servers[0].db_name, "postgres"), autocommit=True) as db:
        rid, other = make_registrar(db), make_registrar(db)
        mine_a, mine_b = (c.with_token(registrar_token(rid)) for c in (a, b))
        stranger = b.with_token(registrar_token(other))
        path = f"{REG}/{rid}"
        first = mine_b.get(path)
        assert first.status_code == 200 and first.headers["ETag"] == '"1"', first.text
        assert first.headers["Cache-Control"] == "no-store"
        assert mine_b.get(path).json() == first.json()  # the kept answer
        assert "programs" in first.json() and first.json()["programs"] == []
        # another registrar's view of the same row is the public face, not the owner's kept answer
        seen = stranger.get(path)
        assert seen.status_code == 200 and "legal_name" not in seen.json() and "nif" not in seen.json()
        assert seen.json() == b.get(path).json()
        staff_view = staff(b).get(path)
        assert staff_view.status_code == 200
        assert staff_view.json()["allowed_actions"] != first.json()["allowed_actions"]
        assert b.get(path).json().keys() < first.json().keys()  # the public face
        assert "allowed_actions" not in b.get(path).json()
        # a change through the other process
        r = mine_a.patch(path, {"website": "https://novo.example.pt"}, headers={"If-Match": '"1"'})
        assert r.status_code == 200, r.text
        after = mine_b.get(path, headers={"If-None-Match": '"1"'})
        assert after.status_code == 200 and after.headers["ETag"] == '"2"'
        assert after.json()["website"] == "https://novo.example.pt"
        assert b.get(path).json()["website"] == "https://novo.example.pt"
        assert mine_b.get(path, headers={"If-None-Match": '"2"'}).status_code == 304
        # what the record shows of other rows: an active enrollment's program
        db.execute("INSERT INTO enrollments (program_code, registrar_id, accepted_terms_version, application,"
                   " status) VALUES ('3em1', %s, 'v1', '{}'::jsonb, 'active')", (rid,))
        assert mine_b.get(path).json()["programs"] == ["3em1"]
        # suspended by staff through a: the public face is gone from b at once
        r = staff(a).post(f"{path}/suspend", {"reason": "Falta de pagamento."})
        assert r.status_code == 200, r.text
        assert b.get(path).status_code == 404
        assert mine_b.get(path).json()["status"] == "suspended"
