"""API clients: admin's clients, registrars' own clients (five at most, even
under concurrency), strict input, pagination, and path parameters that a
query string cannot shadow."""
import threading
import uuid

import pytest

from identity import make_registrar, mint, registrar_token
from openapi_check import check_problem

PROBLEMS = "https://parceria.dns.pt/problems/"


def count_clients(db):
    return db.execute("SELECT count(*) FROM api_clients").fetchone()[0]


def test_admin_creates_lists_and_revokes_clients(api, db):
    a = api.with_token(mint("admin"))
    r = a.post("/v1/clients", {"name": "SIGA back office", "role": "staff"})
    assert r.status_code == 201, r.text
    c = r.json()
    assert c["role"] == "staff" and c["status"] == "active" and c["allowed_actions"] == ["revoke"]
    assert len(c["client_secret"]) == 43
    row = db.execute("SELECT secret_hash, status FROM api_clients WHERE client_id = %s",
                     (c["client_id"],)).fetchone()
    import hashlib
    assert row == (hashlib.sha256(c["client_secret"].encode()).hexdigest(), "active")
    listed = a.get("/v1/clients", params={"status": "active", "role": "staff"}).json()["items"]
    assert any(i["client_id"] == c["client_id"] for i in listed)
    assert all("client_secret" not in i for i in listed)
    assert a.delete(f"/v1/clients/{c['client_id']}").status_code == 204
    assert a.delete(f"/v1/clients/{c['client_id']}").status_code == 204  # repeat: same result
    assert db.execute("SELECT status FROM api_clients WHERE client_id = %s",
                      (c["client_id"],)).fetchone()[0] == "revoked"
    assert a.delete("/v1/clients/pc_doesnotexist0000000").status_code == 404


@pytest.mark.parametrize("role", ["staff", "registrar", "applicant"])
def test_only_admin_manages_clients(api, db, role):
    claims = {"registrar_id": str(uuid.uuid4())} if role == "registrar" else {}
    claims.update({"application_id": str(uuid.uuid4())} if role == "applicant" else {})
    claims.update({"entry_id": str(uuid.uuid4())} if role == "teacher" else {})
    c = api.with_token(mint(role, **claims))
    before = count_clients(db)
    assert c.get("/v1/clients").status_code == 403
    r = c.post("/v1/clients", {"name": "x", "role": "admin"})
    assert r.status_code == 403 and r.json()["type"] == PROBLEMS + "forbidden"
    assert c.delete("/v1/clients/pc_x").status_code == 403
    assert count_clients(db) == before


BAD_BODIES = [
    ({"name": "x", "role": "registrar"}, [("/role", "enum")]),
    ({"name": "", "role": "staff"}, [("/name", "too_short")]),
    ({"name": "x" * 101, "role": "staff"}, [("/name", "too_long")]),
    ({"name": 7, "role": "staff"}, [("/name", "type")]),
    ({"role": "staff"}, [("/name", "required")]),
    ({"name": "x", "role": "staff", "registrar_id": str(uuid.uuid4())},
     [("/registrar_id", "unknown_field")]),
    ({"name": None, "role": None, "extra": 1},
     [("/extra", "unknown_field"), ("/name", "not_null"), ("/role", "not_null")]),
]


@pytest.mark.parametrize("body,errors", BAD_BODIES)
def test_client_body_is_validated_strictly(api, db, body, errors):
    before = count_clients(db)
    r = api.with_token(mint("admin")).post("/v1/clients", body)
    assert r.status_code == 422, r.text
    got = sorted((e["pointer"], e["code"]) for e in r.json()["errors"])
    assert got == sorted(errors)
    assert count_clients(db) == before


@pytest.mark.parametrize("data,ctype,status", [
    ('{"name":"x","role":"staff"}', "text/plain", 415),
    ('{"name":"x","role":"staff"}', None, 415),
    ('{"name":"x",', "application/json", 400),
    ('{"name":"x","name":"y","role":"staff"}', "application/json", 400),
    ('["name"]', "application/json", 400),
    ('{"name":"x\\u0000","role":"staff"}', "application/json", 400),
    (b'{"name":"\xff","role":"staff"}', "application/json", 400),
])
def test_client_body_media_type_and_syntax(api, db, data, ctype, status):
    before = count_clients(db)
    headers = {"Content-Type": ctype} if ctype else {}
    r = api.with_token(mint("admin")).request("POST", "/v1/clients", data=data, headers=headers)
    assert r.status_code == status, r.text
    assert count_clients(db) == before


def test_registrar_manages_its_own_clients(api, db):
    rid = make_registrar(db)
    me = api.with_token(registrar_token(rid))
    r = me.post(f"/v1/registrars/{rid}/clients", {"name": "Provisioning"})
    assert r.status_code == 201, r.text
    c = r.json()
    assert c["role"] == "registrar" and c["registrar_id"] == rid
    page = me.get(f"/v1/registrars/{rid}/clients").json()
    assert [i["client_id"] for i in page["items"]] == [c["client_id"]]
    token = api.post("/v1/auth/token", data={"grant_type": "client_credentials",
                                             "client_id": c["client_id"],
                                             "client_secret": c["client_secret"]}).json()
    who = api.with_token(token["access_token"]).get("/v1/me").json()
    assert who["role"] == "registrar" and who["registrar"]["id"] == rid
    assert me.delete(f"/v1/registrars/{rid}/clients/{c['client_id']}").status_code == 204


def test_another_registrars_clients_are_404(api, db):
    mine, theirs = make_registrar(db), make_registrar(db)
    c = api.with_token(registrar_token(theirs)).post(f"/v1/registrars/{theirs}/clients",
                                                      {"name": "Theirs"}).json()
    me = api.with_token(registrar_token(mine))
    before = count_clients(db)
    for r in (me.get(f"/v1/registrars/{theirs}/clients"),
              me.post(f"/v1/registrars/{theirs}/clients", {"name": "Sneaky"}),
              me.delete(f"/v1/registrars/{theirs}/clients/{c['client_id']}"),
              me.delete(f"/v1/registrars/{mine}/clients/{c['client_id']}")):
        assert r.status_code == 404, r.text
        assert check_problem(r)["type"] == PROBLEMS + "not-found"
    assert count_clients(db) == before
    assert db.execute("SELECT status FROM api_clients WHERE client_id = %s",
                      (c["client_id"],)).fetchone()[0] == "active"


def test_staff_never_sees_registrar_credentials(api, db):
    rid = make_registrar(db)
    s = api.with_token(mint("staff"))
    assert s.get(f"/v1/registrars/{rid}/clients").status_code == 403
    assert s.post(f"/v1/registrars/{rid}/clients", {"name": "x"}).status_code == 403


def test_unknown_or_terminated_registrar_is_404(api, db):
    a = api.with_token(mint("admin"))
    assert a.get(f"/v1/registrars/{uuid.uuid4()}/clients").status_code == 404
    assert a.post(f"/v1/registrars/{uuid.uuid4()}/clients", {"name": "x"}).status_code == 404
    dead = make_registrar(db, status="terminated")
    assert a.post(f"/v1/registrars/{dead}/clients", {"name": "x"}).status_code == 404
    assert a.get("/v1/registrars/not-a-uuid/clients").status_code == 404


def test_sixth_active_client_is_refused_and_a_revocation_frees_a_slot(api, db):
    rid = make_registrar(db)
    me = api.with_token(registrar_token(rid))
    made = [me.post(f"/v1/registrars/{rid}/clients", {"name": f"c{i}"}) for i in range(5)]
    assert [r.status_code for r in made] == [201] * 5
    r = me.post(f"/v1/registrars/{rid}/clients", {"name": "sixth"})
    assert r.status_code == 409 and r.json()["type"] == PROBLEMS + "limit-reached"
    assert me.delete(f"/v1/registrars/{rid}/clients/{made[0].json()['client_id']}").status_code == 204
    assert me.post(f"/v1/registrars/{rid}/clients", {"name": "sixth"}).status_code == 201


def test_concurrent_creations_never_exceed_five(api, db):
    rid = make_registrar(db)
    me = api.with_token(registrar_token(rid))
    results = []

    def create(i):
        results.append(me.post(f"/v1/registrars/{rid}/clients", {"name": f"race{i}"}).status_code)

    threads = [threading.Thread(target=create, args=(i,)) for i in range(12)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(results) == [201] * 5 + [409] * 7
    active = db.execute("SELECT count(*) FROM api_clients WHERE registrar_id = %s AND status = 'active'",
                        (rid,)).fetchone()[0]
    assert active == 5


def test_query_parameter_cannot_shadow_a_path_parameter(api, db):
    mine, theirs = make_registrar(db), make_registrar(db)
    r = api.with_token(registrar_token(mine)).get(f"/v1/registrars/{mine}/clients?id={theirs}")
    assert r.status_code == 400
    assert r.json()["errors"][0] == {"parameter": "id", "code": "shadows_path",
                                     "message": "has the name of a path parameter"}


def test_pagination_cursor_sort_and_total(api, db):
    rid = make_registrar(db)
    me = api.with_token(registrar_token(rid))
    ids = [me.post(f"/v1/registrars/{rid}/clients", {"name": f"p{i}"}).json()["client_id"]
           for i in range(5)]
    first = me.get(f"/v1/registrars/{rid}/clients", params={"limit": "2", "include_total": "true"}).json()
    assert first["total"] == 5 and len(first["items"]) == 2 and first["next_cursor"]
    seen = [i["client_id"] for i in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = me.get(f"/v1/registrars/{rid}/clients", params={"limit": "2", "cursor": cursor}).json()
        seen += [i["client_id"] for i in page["items"]]
        cursor = page["next_cursor"]
    assert seen == list(reversed(ids))
    asc = me.get(f"/v1/registrars/{rid}/clients", params={"sort": "created_at"}).json()
    assert [i["client_id"] for i in asc["items"]] == ids
    since = me.get(f"/v1/registrars/{rid}/clients", params={"updated_since": "2999-01-01T00:00:00Z"})
    assert since.json()["items"] == []


@pytest.mark.parametrize("params", [
    {"limit": "0"}, {"limit": "201"}, {"limit": "ten"}, {"limit": "1e2"}, {"sort": "name"},
    {"include_total": "yes"}, {"updated_since": "yesterday"}, {"cursor": "%%%"},
    {"cursor": "WzAsIm5vdC1hLXRpbWUiLCJ4Il0"}, {"status": "active,zombie"}, {"status": ""},
    {"colour": "blue"},
])
def test_bad_list_parameters_are_400(api, db, params):
    rid = make_registrar(db)
    r = api.with_token(registrar_token(rid)).get(f"/v1/registrars/{rid}/clients", params=params)
    assert r.status_code == 400, (params, r.text)
    assert r.json()["type"] == PROBLEMS + "invalid-request"
