"""Text hygiene: human-readable fields refuse control, bidi and zero-width
characters and blank values, and are stored trimmed and in NFC; email
domains may not hide invisible characters; `q` searches take `%`, `_` and
`\\` literally."""
import unicodedata

import pytest

from accreditation import application, applicant_token, submit
from identity import make_registrar, mint

APPS = "/v1/accreditation-applications"

REFUSED = [
    ("bell\a", "control_character"),
    ("esc\x1b[31mred", "control_character"),
    ("two\nlines", "control_character"),
    ("del\x7f", "control_character"),
    ("nel\u0085", "control_character"),
    ("line\u2028separator", "control_character"),
    ("gnp\u202eexe", "bidi_control"),
    ("iso\u2066late\u2069", "bidi_control"),
    ("mark\u200f", "bidi_control"),
    ("zero\u200bwidth", "zero_width"),
    ("joiner\u200d", "zero_width"),
    ("\ufeffbom", "zero_width"),
    ("   ", "blank"),
    ("\u00a0\u3000", "blank"),
]


def staff(api):
    return api.with_token(mint("staff", sub="joana@dns.pt"))


def errors_of(r):
    return sorted((e["pointer"], e["code"]) for e in r.json()["errors"])


@pytest.mark.parametrize("value, code", REFUSED)
def test_each_refused_character_class_is_422_with_its_pointer(api, db, value, code):
    doc = application(trade_name=value)
    doc["address"]["street"] = value
    doc["contacts"][1]["name"] = value
    r = api.post(APPS, doc)
    assert r.status_code == 422, r.text
    assert errors_of(r) == sorted([("/trade_name", code), ("/address/street", code),
                                   ("/contacts/1/name", code)]), r.text
    assert db.execute("SELECT count(*) FROM accreditation_applications WHERE tax_id = %s",
                      (doc["nif"],)).fetchone()[0] == 0


def test_refusals_on_patch_client_names_and_reasons(api, db):
    rid = make_registrar(db)
    s = staff(api)
    etag = s.get(f"/v1/registrars/{rid}").headers["ETag"]
    r = s.patch(f"/v1/registrars/{rid}", {"legal_name": "Evil\u202e, Lda.", "address": {"city": " "}},
                headers={"If-Match": etag})
    assert r.status_code == 422 and errors_of(r) == [("/address/city", "blank"),
                                                     ("/legal_name", "bidi_control")], r.text
    r = s.post(f"/v1/registrars/{rid}/suspend", {"reason": "Falta\x07 de pagamento"})
    assert r.status_code == 422 and errors_of(r) == [("/reason", "control_character")], r.text
    admin = api.with_token(mint("admin", sub="root@dns.pt"))
    r = admin.post("/v1/clients", {"name": "ci\u200b", "role": "staff"})
    assert r.status_code == 422 and errors_of(r) == [("/name", "zero_width")], r.text
    assert db.execute("SELECT status, version FROM registrars WHERE id = %s", (rid,)).fetchone() == ("accredited", 1)


def test_messages_name_the_reason_in_both_languages(api):
    r = api.post(APPS, application(trade_name="a\u202eb"), headers={"Accept-Language": "pt-PT"})
    assert r.status_code == 422 and "bidirecional" in r.json()["errors"][0]["message"], r.text


def test_values_are_stored_trimmed_and_in_nfc(api, db):
    decomposed = "  Jose\u0301 Dom\u00ednios\u00a0 "  # e + combining acute, edged with spaces
    doc = application(trade_name=decomposed, legal_name="\u2003A\u030angstr\u00f6m, Lda.")
    doc["address"]["city"] = " Lisboa "
    created = submit(api, doc)
    assert created["trade_name"] == "Jos\u00e9 Dom\u00ednios"
    assert created["legal_name"] == "\u00c5ngstr\u00f6m, Lda."
    assert created["address"]["city"] == "Lisboa"
    stored = db.execute("SELECT document->>'trade_name', document->'address'->>'city' FROM"
                        " accreditation_applications WHERE id = %s", (created["id"],)).fetchone()
    assert stored == ("Jos\u00e9 Dom\u00ednios", "Lisboa")
    assert unicodedata.is_normalized("NFC", stored[0])
    # The applicant's edit is normalized too, and what staff approve is what the directory shows.
    me = api.with_token(applicant_token(api, created))
    current = me.get(f"{APPS}/{created['id']}")
    r = me.patch(f"{APPS}/{created['id']}", {"trade_name": " Cafe\u0301 Net "},
                 headers={"If-Match": current.headers["ETag"]})
    assert r.status_code == 200 and r.json()["trade_name"] == "Caf\u00e9 Net", r.text
    s = staff(api)
    step = s.post(f"{APPS}/{created['id']}/start-review")
    assert step.status_code == 200, step.text
    rid = s.post(f"{APPS}/{created['id']}/approve").json()["registrar_id"]
    assert api.get(f"/v1/registrars/{rid}").json()["trade_name"] == "Caf\u00e9 Net"
    assert db.execute("SELECT trade_name FROM registrars WHERE id = %s", (rid,)).fetchone()[0] == "Caf\u00e9 Net"
    # Length counts the normalized value: 100 decomposed "é" are 100 characters once composed.
    etag = s.get(f"/v1/registrars/{rid}").headers["ETag"]
    r = s.patch(f"/v1/registrars/{rid}", {"trade_name": "e\u0301" * 100}, headers={"If-Match": etag})
    assert r.status_code == 200 and r.json()["trade_name"] == "\u00e9" * 100, r.text


def test_codes_and_addresses_are_not_trimmed_into_validity(api):
    doc = application()
    doc["address"]["postal_code"] = " 4000-443"
    r = api.post(APPS, doc)
    assert r.status_code == 422 and errors_of(r) == [("/address/postal_code", "postal_code")], r.text


@pytest.mark.parametrize("email", ["geral@exa\u200bmple.pt", "geral@\u00e1guas\u200d.pt",
                                   "geral@\u00e1guas\ufeff.pt", "geral@\u00e1gu\u202eas.pt"])
def test_email_domains_with_invisible_characters_are_refused(api, email):
    doc = application()
    doc["contacts"][1]["email"] = email
    r = api.post(APPS, doc)
    assert r.status_code == 422 and errors_of(r) == [("/contacts/1/email", "email")], r.text


def test_idn_email_domains_are_still_accepted(api):
    doc = application()
    doc["contacts"][1]["email"] = "geral@\u00e1guas.pt"
    submit(api, doc)


def test_q_takes_like_wildcards_literally(api, db):
    plain = make_registrar(db, trade_name="Plain Hosting")
    percent = make_registrar(db, trade_name="100% Hosting")
    under = make_registrar(db, trade_name="Under_score Net")
    back = make_registrar(db, trade_name="Back\\slash Net")

    def found(q, client=api):
        r = client.get("/v1/registrars", params={"q": q, "limit": "200"})
        assert r.status_code == 200, r.text
        return {i["id"] for i in r.json()["items"]}

    assert found("%") == {percent}
    assert found("_") == {under}
    assert found("0%_H") == set()
    assert found("\\") == {back}
    assert found("%%") == set()
    assert plain in found("plain")
    s = staff(api)
    assert found("%", s) == {percent}
    submit(api, application(trade_name="Cem Por Cento"))
    wild = submit(api, application(trade_name="50% Digital"))
    items = s.get(APPS, params={"q": "%", "limit": "200"}).json()["items"]
    assert [i["id"] for i in items] == [wild["id"]]
    assert s.get(APPS, params={"q": "_", "limit": "200"}).json()["items"] == []


def test_fields_of_several_lines_take_newlines(api, db):
    """A program's description takes newlines inside (trimmed at the ends); CR and other
    controls are still refused, and a one-line field still refuses a newline."""
    s = staff(api)
    body = {"code": "co-branding-2031", "kind": "call", "year": 2031,
            "name": {"pt": "Co-branding 2031", "en": "Co-branding 2031"},
            "description": {"pt": "Primeira linha.\nSegunda linha.\n", "en": "One.\n\nTwo."},
            "terms_version": "2031-01"}
    r = s.post("/v1/programs", body)
    assert r.status_code == 201, r.text
    assert r.json()["description"] == {"pt": "Primeira linha.\nSegunda linha.", "en": "One.\n\nTwo."}
    bad = dict(body, code="co-branding-2032", year=2032, description={"pt": "a\r\nb", "en": "x"})
    r = s.post("/v1/programs", bad)
    assert r.status_code == 422 and errors_of(r) == [("/description/pt", "control_character")]
    bad = dict(body, code="co-branding-2033", year=2033, name={"pt": "a\nb", "en": "x"})
    r = s.post("/v1/programs", bad)
    assert r.status_code == 422 and errors_of(r) == [("/name/pt", "control_character")]
    assert db.execute("SELECT count(*) FROM programs WHERE code IN ('co-branding-2032', 'co-branding-2033')"
                      ).fetchone()[0] == 0
