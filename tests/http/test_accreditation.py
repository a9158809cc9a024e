"""Accreditation: the whole path as one story, then each rule on its own."""
import threading
import uuid

import pytest

from accreditation import application, applicant_token, nif, submit, ok
from conftest import Server, clone_database, drop_database
from identity import make_registrar, mint, registrar_token
from openapi_check import Client

PROBLEMS = "https://parceria.dns.pt/problems/"
APPS = "/v1/accreditation-applications"


def staff(api):
    return api.with_token(mint("staff", sub="joana@dns.pt"))


def test_the_whole_path(api, db):
    # A company applies and follows its case with the access key.
    created = submit(api, application(trade_name="Lisboa Domínios", legal_name="Lisboa Domínios, Lda."))
    assert created["status"] == "submitted" and len(created["access_key"]) == 43
    assert created["allowed_actions"] == []  # the public answer carries no caller actions
    me = api.with_token(applicant_token(api, created))
    app_id = created["id"]
    got = me.get(f"{APPS}/{app_id}")
    assert got.json()["allowed_actions"] == ["withdraw", "edit"]
    # Staff review and ask for changes.
    s = staff(api)
    assert ok(s.post(f"{APPS}/{app_id}/start-review"))["status"] == "under_review"
    r = s.post(f"{APPS}/{app_id}/request-changes", {"reason": "Falta o contacto de abuso."})
    assert r.json()["status"] == "changes_requested" and r.json()["reason"] == "Falta o contacto de abuso."
    # The applicant edits with If-Match, then resubmits.
    current = me.get(f"{APPS}/{app_id}")
    contacts = current.json()["contacts"] + [{"type": "abuse", "name": "Equipa Abuso",
                                             "email": "abuse@lisboa.example.pt", "phone": "+351210000000"}]
    r = me.patch(f"{APPS}/{app_id}", {"contacts": contacts}, headers={"If-Match": current.headers["ETag"]})
    assert r.status_code == 200, r.text
    assert len(r.json()["contacts"]) == 4
    assert ok(me.post(f"{APPS}/{app_id}/resubmit"))["status"] == "submitted"
    # Staff approve: the registrar exists at once.
    step = s.post(f"{APPS}/{app_id}/start-review")
    assert step.status_code == 200, step.text
    approved = ok(s.post(f"{APPS}/{app_id}/approve"))
    assert approved["status"] == "approved" and approved["registrar_id"]
    rid = approved["registrar_id"]
    reg = ok(s.get(f"/v1/registrars/{rid}"))
    assert reg["status"] == "accredited" and reg["handle"] == "lisboa-dominios"
    assert len(reg["contacts"]) == 4 and reg["application_id"] == app_id
    # The applicant collects the credentials once.
    creds = me.post(f"{APPS}/{app_id}/credentials")
    assert creds.status_code == 201, creds.text
    client = creds.json()
    assert client["registrar_id"] == rid and len(client["client_secret"]) == 43
    again = me.post(f"{APPS}/{app_id}/credentials")
    assert again.status_code == 409 and again.json()["current_status"] == "approved"
    assert api.post("/v1/auth/token", data={"grant_type": "client_credentials", "client_id": app_id,
                                            "client_secret": created["access_key"]}).status_code == 401
    # The registrar gets a token with them, reads and edits its own record.
    tok = api.post("/v1/auth/token", data={"grant_type": "client_credentials",
                                           "client_id": client["client_id"],
                                           "client_secret": client["client_secret"]}).json()["access_token"]
    mine = api.with_token(tok)
    record = mine.get(f"/v1/registrars/{rid}")
    assert record.json()["legal_name"] == "Lisboa Domínios, Lda."
    r = mine.patch(f"/v1/registrars/{rid}", {"website": "https://www.lisboa-dominios.example.pt"},
                   headers={"If-Match": record.headers["ETag"]})
    assert r.status_code == 200 and r.json()["website"] == "https://www.lisboa-dominios.example.pt"
    # Suspended: blocked; reinstated: free again.
    assert ok(s.post(f"/v1/registrars/{rid}/suspend", {"reason": "Faturas em atraso."}))["status"] == "suspended"
    blocked = mine.post(f"/v1/registrars/{rid}/clients", {"name": "Another"})
    assert blocked.status_code == 403 and blocked.json()["type"] == PROBLEMS + "registrar-suspended"
    assert mine.get("/v1/me").json()["registrar"]["status"] == "suspended"
    assert ok(s.post(f"/v1/registrars/{rid}/reinstate", {"reason": "Regularizado."}))["status"] == "accredited"
    assert mine.post(f"/v1/registrars/{rid}/clients", {"name": "Another"}).status_code == 201
    # Every step is in the histories.
    hist = [(h["action"], h["to_status"]) for h in ok(s.get(f"{APPS}/{app_id}/history"))["items"]]
    assert hist == [("create", "submitted"), ("start-review", "under_review"),
                    ("request-changes", "changes_requested"), ("edit", None), ("resubmit", "submitted"),
                    ("start-review", "under_review"), ("approve", "approved"),
                    ("collect-credentials", None)]
    reg_hist = [h["action"] for h in mine.get(f"/v1/registrars/{rid}/history").json()["items"]]
    assert reg_hist == ["create", "edit", "suspend", "reinstate"]


def test_personal_values_are_hashed_in_the_audit_log(api):
    doc = application()
    created = submit(api, doc)
    h = ok(staff(api).get(f"{APPS}/{created['id']}/history"))["items"][0]
    contact = h["changes"]["contacts"][0]
    assert contact["type"] == "admin"
    for field in ("name", "email", "phone"):
        assert contact[field].startswith("hmac-sha256:") and doc["contacts"][0][field] not in str(h)


def count_apps(db):
    return db.execute("SELECT count(*) FROM accreditation_applications").fetchone()[0]


def pointer_codes(r):
    return sorted((e["pointer"], e["code"]) for e in r.json()["errors"])


BAD = [
    ({"nif": "503504565"}, [("/nif", "nif")]),
    ({"nif": "12345"}, [("/nif", "nif")]),
    ({"nif": None, "vat_number": "123"}, [("/country", "required")]),
    ({"vat_number": "DE123456789", "country": "DE"}, [("/vat_number", "exclusive")]),
    ({"nif": None, "vat_number": "12345", "country": "DE"}, [("/vat_number", "vat_number")]),
    ({"nif": None, "vat_number": "503504564", "country": "PT"}, [("/vat_number", "use_nif")]),
    ({"country": "XX"}, [("/country", "country")]),
    ({"country": "pt"}, [("/country", "country")]),
    ({"address": {"street": "R. A", "postal_code": "4000443", "city": "Porto", "country": "PT"}},
     [("/address/postal_code", "postal_code")]),
    ({"address": {"street": "R. A", "postal_code": "4000-443", "city": "Porto"}},
     [("/address/country", "required")]),
    ({"website": "http://porto.example.pt"}, [("/website", "url")]),
    ({"website": "https://user@porto.example.pt"}, [("/website", "url")]),
    ({"contacts": []}, [("/contacts", "too_few")]),
    ({"contacts": [{"type": "admin", "name": "A", "email": "no-at-sign", "phone": "+351213456789"},
                   {"type": "technical", "name": "B", "email": "b@x.pt", "phone": "213456789"},
                   {"type": "security", "name": "C", "email": "c@x.pt", "phone": "+351213456789"}]},
     [("/contacts/0/email", "email"), ("/contacts/1/phone", "phone")]),
    ({"contacts": [{"type": "admin", "name": "A", "email": "a@x.pt", "phone": "+351213456789"}]},
     [("/contacts", "security_contact_required"), ("/contacts", "technical_contact_required")]),
    ({"contacts": [{"type": "boss", "name": "A", "email": "a@x.pt", "phone": "+351213456789"}]},
     [("/contacts/0/type", "enum")]),
    ({"legal_name": ""}, [("/legal_name", "too_short")]),
    ({"trade_name": "x" * 101}, [("/trade_name", "too_long")]),
    ({"requested_programs": ["3em1", "Not A Code"]}, [("/requested_programs/1", "program_code")]),
    ({"registrar_id": str(uuid.uuid4())}, [("/registrar_id", "unknown_field")]),
    ({"status": "approved"}, [("/status", "unknown_field")]),
    ({"accepted_terms_version": 2026}, [("/accepted_terms_version", "type")]),
]


@pytest.mark.parametrize("over,errors", BAD, ids=[str(sorted(o)) + str(i) for i, (o, _) in enumerate(BAD)])
def test_each_field_rule_is_422_with_its_pointer(api, db, over, errors):
    doc = application()
    doc.update(over)
    doc = {k: v for k, v in doc.items() if v is not None}
    before = count_apps(db)
    r = api.post(APPS, doc)
    assert r.status_code == 422, r.text
    assert r.json()["type"] == PROBLEMS + "validation-failed"
    assert pointer_codes(r) == sorted(errors)
    assert count_apps(db) == before


def test_missing_fields_are_all_reported(api, db):
    r = api.post(APPS, {})
    assert r.status_code == 422
    pointers = {e["pointer"] for e in r.json()["errors"]}
    assert {"/legal_name", "/trade_name", "/address", "/website", "/contacts",
            "/accepted_terms_version"} <= pointers


def test_foreign_company_with_vat_and_portuguese_messages(api):
    doc = application(country="ES", address={"street": "Calle Mayor 1", "postal_code": "28013",
                                             "city": "Madrid", "country": "ES"})
    del doc["nif"]
    doc["vat_number"] = "ESB12345674"
    r = api.post(APPS, doc)
    assert r.status_code == 201, r.text
    assert r.json()["vat_number"] == "B12345674" and r.json()["nif"] is None
    bad = api.post(APPS, application(nif="503504565"), headers={"Accept-Language": "pt-PT"})
    assert bad.json()["title"] == "Validação falhada"
    assert bad.json()["errors"][0]["message"] == "não é um NIF português válido"


def test_one_open_application_per_tax_number(api, db):
    doc = application()
    first = submit(api, doc)
    again = api.post(APPS, application(nif=doc["nif"]))
    assert again.status_code == 409
    assert again.json()["type"] == PROBLEMS + "duplicate" and again.json()["conflict"] == "open_application"
    me = api.with_token(applicant_token(api, first))
    step = me.post(f"{APPS}/{first['id']}/withdraw")
    assert step.status_code == 200, step.text
    assert api.post(APPS, application(nif=doc["nif"])).status_code == 201


def test_no_application_for_a_registrars_tax_number(api, db):
    doc = application()
    created = submit(api, doc)
    s = staff(api)
    step = s.post(f"{APPS}/{created['id']}/start-review")
    assert step.status_code == 200, step.text
    assert s.post(f"{APPS}/{created['id']}/approve").status_code == 200
    r = api.post(APPS, application(nif=doc["nif"]))
    assert r.status_code == 409 and r.json()["conflict"] == "registrar"


def test_concurrent_duplicate_applications_make_one(api, db):
    number = nif()
    results = []

    def post():
        results.append(api.post(APPS, application(nif=number)).status_code)

    threads = [threading.Thread(target=post) for _ in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(results) == [201] + [409] * 7
    assert db.execute("SELECT count(*) FROM accreditation_applications WHERE tax_id = %s",
                      ("PT" + number,)).fetchone()[0] == 1


def test_wrong_state_is_409_with_current_status(api, db):
    created = submit(api)
    s = staff(api)
    for action in ("approve", "resubmit"):
        tok = s if action == "approve" else api.with_token(applicant_token(api, created))
        r = tok.post(f"{APPS}/{created['id']}/{action}")
        assert r.status_code == 409, (action, r.text)
        assert r.json()["type"] == PROBLEMS + "invalid-state" and r.json()["current_status"] == "submitted"
    assert db.execute("SELECT status FROM accreditation_applications WHERE id = %s",
                      (created["id"],)).fetchone()[0] == "submitted"


def test_reasons_are_required_where_asked(api, db):
    created = submit(api)
    s = staff(api)
    for action in ("request-changes", "reject"):
        r = s.post(f"{APPS}/{created['id']}/{action}")
        assert r.status_code == 422 and r.json()["errors"][0]["pointer"] == "/reason"
        r = s.post(f"{APPS}/{created['id']}/{action}", {"reason": ""})
        assert r.status_code == 422
    r = s.post(f"{APPS}/{created['id']}/start-review", {"reason": "ok", "extra": 1})
    assert r.status_code == 422
    assert db.execute("SELECT status FROM accreditation_applications WHERE id = %s",
                      (created["id"],)).fetchone()[0] == "submitted"


def test_rejection_and_withdrawal_revoke_the_access_key_at_once(api):
    for how in ("reject", "withdraw"):
        created = submit(api)
        tok = applicant_token(api, created)
        me = api.with_token(tok)
        if how == "reject":
            ok(staff(api).post(f"{APPS}/{created['id']}/reject", {"reason": "Não cumpre os requisitos."}))
        else:
            step = me.post(f"{APPS}/{created['id']}/withdraw")
            assert step.status_code == 200, step.text
        assert me.get(f"{APPS}/{created['id']}").status_code == 401
        assert api.post("/v1/auth/token", data={"grant_type": "client_credentials",
                                                "client_id": created["id"],
                                                "client_secret": created["access_key"]}).status_code == 401


def test_patch_needs_if_match_and_refuses_stale_versions(api, db):
    created = submit(api)
    me = api.with_token(applicant_token(api, created))
    url = f"{APPS}/{created['id']}"
    assert me.patch(url, {"trade_name": "X"}).status_code == 428
    assert me.patch(url, {"trade_name": "X"}, headers={"If-Match": '"99"'}).status_code == 412
    ok = me.patch(url, {"trade_name": "Novo Nome"}, headers={"If-Match": '"1"'})
    assert ok.status_code == 200 and ok.headers["ETag"] == '"2"'
    assert me.patch(url, {"trade_name": "Outro"}, headers={"If-Match": '"1"'}).status_code == 412
    merge = me.request("PATCH", url, data='{"website": "https://novo.example.pt"}',
                       headers={"If-Match": '"2"', "Content-Type": "application/merge-patch+json"})
    assert merge.status_code == 200 and merge.json()["trade_name"] == "Novo Nome"
    bad = me.patch(url, {"nif": "123"}, headers={"If-Match": '"3"'})
    assert bad.status_code == 422
    assert db.execute("SELECT version FROM accreditation_applications WHERE id = %s",
                      (created["id"],)).fetchone()[0] == 3


def test_patch_only_while_editable(api):
    created = submit(api)
    s = staff(api)
    step = s.post(f"{APPS}/{created['id']}/start-review")
    assert step.status_code == 200, step.text
    r = s.patch(f"{APPS}/{created['id']}", {"trade_name": "X"}, headers={"If-Match": '"2"'})
    assert r.status_code == 409 and r.json()["current_status"] == "under_review"


def test_another_applicant_and_registrars_see_404_or_403(api, db):
    mine, theirs = submit(api), submit(api)
    me = api.with_token(applicant_token(api, mine))
    for r in (me.get(f"{APPS}/{theirs['id']}"), me.get(f"{APPS}/{theirs['id']}/history"),
              me.post(f"{APPS}/{theirs['id']}/withdraw"),
              me.patch(f"{APPS}/{theirs['id']}", {"trade_name": "x"}, headers={"If-Match": '"1"'})):
        assert r.status_code == 404, r.text
    assert db.execute("SELECT status FROM accreditation_applications WHERE id = %s",
                      (theirs["id"],)).fetchone()[0] == "submitted"
    rid = make_registrar(db)
    reg = api.with_token(registrar_token(rid))
    assert reg.get(f"{APPS}/{theirs['id']}").status_code == 403
    assert reg.post(f"{APPS}/{theirs['id']}/approve").status_code == 403
    assert me.post(f"{APPS}/{mine['id']}/approve").status_code == 403
    assert me.get(APPS).status_code == 403


def test_staff_list_filters(api):
    a, b = submit(api, application(legal_name="Alfama Web, Lda.")), submit(api)
    s = staff(api)
    step = s.post(f"{APPS}/{b['id']}/start-review")
    assert step.status_code == 200, step.text
    items = s.get(APPS, params={"status": "under_review", "limit": "200"}).json()["items"]
    assert b["id"] in [i["id"] for i in items] and a["id"] not in [i["id"] for i in items]
    found = s.get(APPS, params={"q": "Alfama"}).json()["items"]
    assert [i["id"] for i in found] == [a["id"]]
    assert s.get(APPS, params={"submitted_from": "2999-01-01T00:00:00Z"}).json()["items"] == []
    page = s.get(APPS, params={"limit": "1", "sort": "submitted_at", "include_total": "true"}).json()
    assert page["total"] >= 2 and page["next_cursor"]
    assert s.get(APPS, params={"status": "pending"}).status_code == 400
    assert s.get(APPS, params={"submitted_to": "yesterday"}).status_code == 400


def test_public_submissions_are_rate_limited_per_address_and_email(template_db):
    name = clone_database(template_db)
    env = {"PARCERIA_PUBLIC_RATE_LIMIT": "3", "PARCERIA_TRUSTED_PROXIES": "127.0.0.1"}
    srv = Server(name, env_extra=env, name="public-limit").start()
    try:
        c = Client(srv.base)

        def post(address, email):
            d = application()
            d["contacts"][0]["email"] = email
            return c.post(APPS, d, headers={"X-Forwarded-For": address})

        by_address = [post("198.51.100.7", f"a{i}@example.pt").status_code for i in range(4)]
        assert by_address == [201, 201, 201, 429]
        by_email = [post(f"198.51.100.{20 + i}", "same@example.pt") for i in range(4)]
        assert [r.status_code for r in by_email] == [201, 201, 201, 429]
        assert by_email[3].headers["RateLimit-Policy"] == '"public";q=3;w=3600'
        assert int(by_email[3].headers["Retry-After"]) > 0
        staff_ok = Client(srv.base, mint("staff")).post(APPS, application(),
                                                        headers={"X-Forwarded-For": "198.51.100.7"})
        assert staff_ok.status_code == 201
    finally:
        assert srv.stop() == 0
        drop_database(name)


def test_one_idempotency_key_on_two_resources_acts_on_both(api):
    a, b = submit(api), submit(api)
    s = staff(api)
    key = {"Idempotency-Key": "review-" + uuid.uuid4().hex}
    first = s.post(f"{APPS}/{a['id']}/start-review", headers=key)
    second = s.post(f"{APPS}/{b['id']}/start-review", headers=key)
    assert first.status_code == second.status_code == 200
    assert "Idempotent-Replayed" not in second.headers and second.json()["id"] == b["id"]
    again = s.post(f"{APPS}/{a['id']}/start-review", headers=key)
    assert again.headers["Idempotent-Replayed"] == "true" and again.json()["id"] == a["id"]


def test_a_huge_invalid_body_gets_a_bounded_answer(api, db):
    before = count_apps(db)
    r = api.post(APPS, {"contacts": [1] * 20000, **{f"x{i}": i for i in range(5000)}})
    assert r.status_code == 422
    assert len(r.json()["errors"]) <= 100 and len(r.content) < 20000
    assert count_apps(db) == before


def test_null_is_not_a_value_on_create(api, db):
    before = count_apps(db)
    r = api.post(APPS, application(country=None, requested_programs=None))
    assert r.status_code == 422
    assert pointer_codes(r) == [("/country", "not_null"), ("/requested_programs", "not_null")]
    assert count_apps(db) == before


def test_staff_lists_and_an_application_answer_304_to_their_etag(api):
    created = submit(api)
    s = staff(api)
    for path in (APPS, f"{APPS}/{created['id']}", "/v1/audit-events"):
        first = s.get(path)
        assert first.status_code == 200 and first.headers.get("ETag"), (path, first.text)
        again = s.get(path, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.content == b"", (path, again.status_code)
    a = api.with_token(mint("admin"))
    first = a.get("/v1/clients")
    assert a.get("/v1/clients", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
