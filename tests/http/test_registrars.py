"""Registrars: the public directory, the full record for staff and the
registrar itself, edits under If-Match, and suspend / reinstate / terminate."""

from accreditation import application, submit
from identity import make_registrar, mint, registrar_token

APPS = "/v1/accreditation-applications"


def staff(api):
    return api.with_token(mint("staff", sub="joana@dns.pt"))


def pointer_codes(r):
    return sorted((e["pointer"], e["code"]) for e in r.json()["errors"])


def test_registrar_patch_writable_fields(api, db):
    rid = make_registrar(db)
    mine = api.with_token(registrar_token(rid))
    etag = mine.get(f"/v1/registrars/{rid}").headers["ETag"]
    r = mine.patch(f"/v1/registrars/{rid}", {"legal_name": "Outro, S.A."}, headers={"If-Match": etag})
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "not_writable"
    for body in ({"contacts": []}, {"website": "ftp://x.pt"}, {"contacts": [{"type": "admin"}]}):
        r = mine.patch(f"/v1/registrars/{rid}", body, headers={"If-Match": etag})
        assert r.status_code == 422, (body, r.text)
    assert mine.patch(f"/v1/registrars/{rid}", {"website": None}).status_code == 428
    assert mine.patch(f"/v1/registrars/{rid}", {"website": None}, headers={"If-Match": '"9"'}).status_code == 412
    assert db.execute("SELECT version, legal_name FROM registrars WHERE id = %s", (rid,)).fetchone()[0] == 1
    s = staff(api)
    r = s.patch(f"/v1/registrars/{rid}", {"legal_name": "Outro, S.A."}, headers={"If-Match": etag})
    assert r.status_code == 200 and r.json()["legal_name"] == "Outro, S.A."


def test_directory_is_public_and_private_records_are_not(api, db):
    live, gone = make_registrar(db), make_registrar(db, status="suspended")
    public = api.get("/v1/registrars", params={"limit": "200"}).json()["items"]
    ids = {i["id"] for i in public}
    assert live in ids and gone not in ids
    assert set(public[0]) == {"id", "handle", "trade_name", "website", "programs", "accredited_at"}
    assert api.get(f"/v1/registrars/{gone}").status_code == 404
    other = api.with_token(registrar_token(make_registrar(db)))
    assert "contacts" not in other.get(f"/v1/registrars/{live}").json()
    assert other.get(f"/v1/registrars/{live}/history").status_code == 404
    assert other.patch(f"/v1/registrars/{live}", {"website": None}, headers={"If-Match": '"1"'}).status_code == 404
    assert api.get("/v1/registrars", params={"status": "suspended"}).status_code == 403
    everyone = staff(api).get("/v1/registrars", params={"status": "suspended", "limit": "200"}).json()["items"]
    assert gone in {i["id"] for i in everyone}
    assert api.get("/v1/registrars", params={"program": "3em1"}).json()["items"] == []


def test_terminate_revokes_clients_and_is_final(api, db):
    rid = make_registrar(db)
    mine = api.with_token(registrar_token(rid))
    c = mine.post(f"/v1/registrars/{rid}/clients", {"name": "Live"}).json()
    s = staff(api)
    r = s.post(f"/v1/registrars/{rid}/terminate", {"reason": "Contrato terminado."})
    assert r.status_code == 200 and r.json()["status"] == "terminated"
    assert db.execute("SELECT status FROM api_clients WHERE client_id = %s", (c["client_id"],)).fetchone()[0] == "revoked"
    again = s.post(f"/v1/registrars/{rid}/reinstate", {"reason": "x"})
    assert again.status_code == 409 and again.json()["current_status"] == "terminated"
    assert mine.post(f"/v1/registrars/{rid}/suspend", {"reason": "x"}).status_code == 403
    assert s.post(f"/v1/registrars/{rid}/suspend").status_code == 422


def test_registrar_patch_keeps_the_record_whole(api, db):
    rid = make_registrar(db)
    s = staff(api)
    etag = s.get(f"/v1/registrars/{rid}").headers["ETag"]
    r = s.patch(f"/v1/registrars/{rid}", {"address": {"postal_code": "SW1A 1AA"}}, headers={"If-Match": etag})
    assert r.status_code == 422 and pointer_codes(r) == [("/address/postal_code", "postal_code")]
    r = s.patch(f"/v1/registrars/{rid}", {"address": {"postal_code": "SW1A 1AA", "country": "GB"}},
                headers={"If-Match": etag})
    assert r.status_code == 200 and r.json()["address"]["city"] == "Lisboa"


def test_directory_search_uses_public_fields_for_the_public(api, db):
    doc = application(trade_name="Alcântara Net", legal_name="Sociedade Secreta de Redes, Lda.")
    created = submit(api, doc)
    s = staff(api)
    step = s.post(f"{APPS}/{created['id']}/start-review")
    assert step.status_code == 200, step.text
    rid = s.post(f"{APPS}/{created['id']}/approve").json()["registrar_id"]
    assert [i["id"] for i in api.get("/v1/registrars", params={"q": "Alcântara"}).json()["items"]] == [rid]
    assert api.get("/v1/registrars", params={"q": "Sociedade Secreta"}).json()["items"] == []
    assert rid in [i["id"] for i in s.get("/v1/registrars", params={"q": doc["nif"]}).json()["items"]]
