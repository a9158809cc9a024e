"""Vouchers (issue 12, without Sitestar): issuing one or up to 1000 all or
nothing, defaults from the program, codes read as typed and mistyped ones
refused before any lookup, redeeming (eligibility before the voucher's
state, each refusal, IDN names, the same registrar again), exact expiry,
revoking, reading by role (another registrar never learns who redeemed a
voucher, for which name, nor the beneficiary), lists, statistics, the audit
log, Idempotency-Key replays, the miss limit, and each role's refusals.
Every bad input is checked to change nothing in the database."""
import datetime
import subprocess
import uuid

import psycopg
import pytest

from accreditation import ok
from conftest import BIN, Server, _db_url, clone_database, drop_database
from identity import make_registrar, mint, registrar_token
from openapi_check import Client
from programs import PRG, as_registrar, codes, create_program, patch_program, problem, staff
from vouchers import (ALPHABET, VOU, beneficiary, builder, canonical, check_symbol, count_voucher_events,
                      count_vouchers, expire, issue, mistyped, random_code, redeem, row, voucher_audit,
                      well_formed, written)


def parse(t):
    return datetime.datetime.strptime(t, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)


# --- our own check symbol agrees with the server's codes ------------------------------------

def test_the_check_symbol_of_this_test_matches_the_servers_codes(api):
    issued = issue(api, body={"vouchers": [{"beneficiary": beneficiary(i)} for i in range(20)]})
    for v in issued["vouchers"]:
        assert well_formed(v["code"]), v["code"]
        assert v["code"][4] == v["code"][9] == v["code"][14] == "-"
        assert all(s in ALPHABET for s in canonical(v["code"]))
    # the documented example: 13 symbols and their check symbol
    assert check_symbol("7KQ4M9TXC3HR2") == "6"


# --- issuing --------------------------------------------------------------------------------

def test_staff_issue_one_voucher(api, db):
    before = count_voucher_events(db, "issue")
    r = staff(api).post(f"{PRG}/3em1-comercio/vouchers",
                        {"beneficiary": beneficiary(1, nif="509442013", type="business")})
    v = ok(r, 201)
    assert r.headers["Location"] == f"{VOU}/{canonical(v['code'])}"
    assert r.headers["ETag"] == '"1"'
    assert (v["program"], v["status"], v["redemption"], v["reason"], v["allowed_actions"]) == \
        ("3em1-comercio", "issued", None, None, ["revoke"])
    assert v["beneficiary"] == {"type": "business", "name": "Loja 1 do Bairro, Lda.", "nif": "509442013",
                                "email": "loja1@exemplo.pt"}
    # the program has no voucher_validity_days: 365 days from the issue
    assert parse(v["expires_at"]) - parse(v["issued_at"]) == datetime.timedelta(days=365)
    stored = row(db, v["code"])
    assert (stored["status"], stored["program_code"], stored["registrar_id"], stored["version"]) == \
        ("issued", "3em1-comercio", None, 1)
    assert stored["expires_at"] - stored["created_at"] == datetime.timedelta(days=365)
    assert voucher_audit(db, v["code"]) == [("issue", None, "issued", None, {})]
    assert count_voucher_events(db, "issue") == before + 1
    # the Location reads it back, whole, for staff
    again = ok(staff(api).get(r.headers["Location"]))
    assert again == v


def test_a_beneficiary_without_nif_and_each_type(api, db):
    for kind in ("business", "school_team", "person"):
        v = issue(api, body={"beneficiary": {"type": kind, "name": "Maria Costa", "email": "maria@exemplo.pt"}})
        assert v["beneficiary"] == {"type": kind, "name": "Maria Costa", "email": "maria@exemplo.pt"}


def test_expires_at_given_or_from_the_programs_voucher_validity_days(api, db):
    p = create_program(api, status="open", voucher_validity_days=30)
    assert p["voucher_validity_days"] == 30
    v = issue(api, p["code"])
    assert parse(v["expires_at"]) - parse(v["issued_at"]) == datetime.timedelta(days=30)
    given = issue(api, p["code"], body={"beneficiary": beneficiary(), "expires_at": "2031-06-30T23:59:59Z"})
    assert given["expires_at"] == "2031-06-30T23:59:59Z"
    # an edit of the program changes the default of later issues
    assert patch_program(api, p["code"], {"voucher_validity_days": 7})["voucher_validity_days"] == 7
    v = issue(api, p["code"])
    assert parse(v["expires_at"]) - parse(v["issued_at"]) == datetime.timedelta(days=7)
    assert patch_program(api, p["code"], {"voucher_validity_days": None})["voucher_validity_days"] is None
    v = issue(api, p["code"])
    assert parse(v["expires_at"]) - parse(v["issued_at"]) == datetime.timedelta(days=365)
    r = staff(api).post(PRG, {"code": f"prog-{uuid.uuid4().hex[:8]}", "kind": "standing",
                              "name": {"pt": "x", "en": "x"}, "terms_version": "1",
                              "voucher_validity_days": 0})
    problem(r, 422, "validation-failed")
    assert codes(r) == [("/voucher_validity_days", "too_small")]


def test_a_batch_is_issued_in_the_order_of_the_request(api, db):
    items = [{"beneficiary": beneficiary(i)} for i in range(5)]
    items[2]["expires_at"] = "2031-01-31T12:00:00Z"
    before = count_vouchers(db, "3em1-comercio")
    r = staff(api).post(f"{PRG}/3em1-comercio/vouchers", {"vouchers": items})
    body = ok(r, 201)
    assert "Location" not in r.headers
    assert body["count"] == 5 and len(body["vouchers"]) == 5
    assert [v["beneficiary"]["name"] for v in body["vouchers"]] == [i["beneficiary"]["name"] for i in items]
    assert body["vouchers"][2]["expires_at"] == "2031-01-31T12:00:00Z"
    assert len({v["code"] for v in body["vouchers"]}) == 5
    assert count_vouchers(db, "3em1-comercio") == before + 5
    batches = {row(db, v["code"])["batch_id"] for v in body["vouchers"]}
    assert len(batches) == 1
    for v in body["vouchers"]:
        assert v["status"] == "issued" and v["allowed_actions"] == ["revoke"]
        assert voucher_audit(db, v["code"]) == [("issue", None, "issued", None, {})]


def test_a_thousand_are_issued_at_once(api, db):
    before, events = count_vouchers(db), count_voucher_events(db, "issue")
    body = issue(api, body={"vouchers": [{"beneficiary": beneficiary(i)} for i in range(1000)]})
    assert body["count"] == 1000 and len({v["code"] for v in body["vouchers"]}) == 1000
    assert [v["beneficiary"]["email"] for v in body["vouchers"]] == [f"loja{i}@exemplo.pt" for i in range(1000)]
    assert count_vouchers(db) == before + 1000
    assert count_voucher_events(db, "issue") == events + 1000


@pytest.mark.parametrize("bad", [998, 999], ids=["item-999", "item-1000"])
def test_a_batch_of_a_thousand_failing_near_its_end_issues_nothing(api, db, bad):
    items = [{"beneficiary": beneficiary(i)} for i in range(1000)]
    items[bad]["beneficiary"]["email"] = "not-an-email"
    before, events = count_vouchers(db), count_voucher_events(db)
    r = staff(api).post(f"{PRG}/3em1-comercio/vouchers", {"vouchers": items})
    problem(r, 422, "validation-failed")
    assert codes(r) == [(f"/vouchers/{bad}/beneficiary/email", "email")]
    assert count_vouchers(db) == before and count_voucher_events(db) == events


def test_over_a_thousand_is_refused_and_issues_nothing(api, db):
    before, events = count_vouchers(db), count_voucher_events(db)
    r = staff(api).post(f"{PRG}/3em1-comercio/vouchers",
                        {"vouchers": [{"beneficiary": beneficiary(i)} for i in range(1001)]})
    problem(r, 422, "validation-failed")
    assert codes(r) == [("/vouchers", "too_many")]
    assert count_vouchers(db) == before and count_voucher_events(db) == events


B = beneficiary()
BAD_ISSUES = [
    ({}, [("/beneficiary", "required")]),
    ({"beneficiary": B, "vouchers": [{"beneficiary": B}]}, [("/beneficiary", "not_allowed")]),
    ({"vouchers": [{"beneficiary": B}], "expires_at": "2031-01-01T00:00:00Z"}, [("/expires_at", "not_allowed")]),
    ({"beneficiary": B, "expires_at": "2020-01-01T00:00:00Z"}, [("/expires_at", "past")]),
    ({"vouchers": [{"beneficiary": B}, {"beneficiary": B, "expires_at": "2020-01-01T00:00:00Z"}]},
     [("/vouchers/1/expires_at", "past")]),
    ({"beneficiary": B, "expires_at": "tomorrow"}, [("/expires_at", "format")]),
    ({"beneficiary": B, "expires_at": None}, [("/expires_at", "not_null")]),
    ({"vouchers": []}, [("/vouchers", "too_few")]),
    ({"vouchers": {}}, [("/vouchers", "type")]),
    ({"beneficiary": "Loja"}, [("/beneficiary", "type")]),
    ({"beneficiary": dict(B, type="school")}, [("/beneficiary/type", "enum")]),
    ({"beneficiary": {k: v for k, v in B.items() if k != "email"}}, [("/beneficiary/email", "required")]),
    ({"beneficiary": {k: v for k, v in B.items() if k != "name"}}, [("/beneficiary/name", "required")]),
    ({"beneficiary": {k: v for k, v in B.items() if k != "type"}}, [("/beneficiary/type", "required")]),
    ({"beneficiary": dict(B, email="loja@")}, [("/beneficiary/email", "email")]),
    ({"beneficiary": dict(B, nif="123456780")}, [("/beneficiary/nif", "nif")]),
    ({"beneficiary": dict(B, nif=None)}, [("/beneficiary/nif", "not_null")]),
    ({"beneficiary": dict(B, name="")}, [("/beneficiary/name", "too_short")]),
    ({"beneficiary": dict(B, name="x" * 201)}, [("/beneficiary/name", "too_long")]),
    ({"beneficiary": dict(B, name="Lo\u200bja")}, [("/beneficiary/name", "zero_width")]),
    ({"beneficiary": dict(B, phone="+351213456789")}, [("/beneficiary/phone", "unknown_field")]),
    ({"beneficiary": B, "status": "redeemed"}, [("/status", "unknown_field")]),
    ({"beneficiary": B, "code": "7KQ4-M9TX-C3HR-26"}, [("/code", "unknown_field")]),
    ({"vouchers": [{"beneficiary": B, "code": "7KQ4-M9TX-C3HR-26"}]}, [("/vouchers/0/code", "unknown_field")]),
]


@pytest.mark.parametrize("body, expected", BAD_ISSUES, ids=lambda v: "" if isinstance(v, list) else None)
def test_issuing_refuses_bad_input_and_issues_nothing(api, db, body, expected):
    before, events = count_vouchers(db), count_voucher_events(db)
    r = staff(api).post(f"{PRG}/3em1-comercio/vouchers", body)
    problem(r, 422, "validation-failed")
    assert codes(r) == expected
    assert count_vouchers(db) == before and count_voucher_events(db) == events


def test_issuing_refuses_malformed_bodies(api, db):
    before = count_vouchers(db)
    s = staff(api)
    problem(s.request("POST", f"{PRG}/3em1-comercio/vouchers", data=b'{"beneficiary":',
                      headers={"Content-Type": "application/json"}), 400, "invalid-request")
    problem(s.request("POST", f"{PRG}/3em1-comercio/vouchers", data=b"x", headers={"Content-Type": "text/plain"}),
            415, "unsupported-media-type")
    problem(s.request("POST", f"{PRG}/3em1-comercio/vouchers", data=b"[]",
                      headers={"Content-Type": "application/json"}), 400, "invalid-request")
    assert count_vouchers(db) == before


def test_issuing_needs_an_open_or_closed_program(api, db):
    before = count_vouchers(db)
    for status in ("draft", "archived"):
        p = create_program(api, status=status)
        body = problem(staff(api).post(f"{PRG}/{p['code']}/vouchers", {"beneficiary": B}), 409, "invalid-state")
        assert body["current_status"] == status
        body = problem(staff(api).post(f"{PRG}/{p['code']}/vouchers", {"vouchers": [{"beneficiary": B}]}),
                       409, "invalid-state")
        assert body["current_status"] == status
    assert count_vouchers(db) == before
    closed = create_program(api, status="closed")
    assert issue(api, closed["code"])["status"] == "issued"
    problem(staff(api).post(f"{PRG}/no-such-program/vouchers", {"beneficiary": B}), 404, "not-found")
    problem(staff(api).post(f"{PRG}/NOT_A_CODE/vouchers", {"beneficiary": B}), 404, "not-found")
    assert count_vouchers(db) == before + 1


def test_idempotency_key_replays_an_issue_with_the_same_codes(api, db):
    s = staff(api)
    key = f"issue-{uuid.uuid4()}"
    before = count_vouchers(db)
    first = s.post(f"{PRG}/3em1-comercio/vouchers", {"beneficiary": B}, headers={"Idempotency-Key": key})
    assert first.status_code == 201, first.text
    again = s.post(f"{PRG}/3em1-comercio/vouchers", {"beneficiary": B}, headers={"Idempotency-Key": key})
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json() and again.headers["Location"] == first.headers["Location"]
    assert count_vouchers(db) == before + 1
    problem(s.post(f"{PRG}/3em1-comercio/vouchers", {"beneficiary": beneficiary(2)},
                   headers={"Idempotency-Key": key}), 422, "idempotency-key-reused")
    # a batch too
    key = f"batch-{uuid.uuid4()}"
    batch = {"vouchers": [{"beneficiary": beneficiary(i)} for i in range(3)]}
    first = s.post(f"{PRG}/3em1-comercio/vouchers", batch, headers={"Idempotency-Key": key})
    again = s.post(f"{PRG}/3em1-comercio/vouchers", batch, headers={"Idempotency-Key": key})
    assert first.status_code == again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert [v["code"] for v in again.json()["vouchers"]] == [v["code"] for v in first.json()["vouchers"]]
    assert count_vouchers(db) == before + 4
    # without the key, the same body issues new vouchers
    other = issue(api, body={"beneficiary": B})
    assert other["code"] != first.json()["vouchers"][0]["code"]
    assert count_vouchers(db) == before + 5


# --- reading by code ------------------------------------------------------------------------

def test_a_code_is_read_in_any_case_with_or_without_dashes_and_spaces(api, db):
    v = issue(api)
    c = canonical(v["code"])
    rid = builder(api, db)
    mine = as_registrar(api, rid)
    for typed in (v["code"], v["code"].lower(), c, c.lower(), " ".join([c[:4], c[4:8], c[8:12], c[12:]]),
                  c[:7].lower() + " " + c[7:] + " ", "-" + v["code"].lower().replace("-", "--"),
                  "%20" + c[:4] + "%20-%20" + c[4:]):
        path = f"{VOU}/{typed.replace(' ', '%20')}"
        assert ok(staff(api).get(path))["code"] == v["code"], typed
        assert ok(mine.get(path))["code"] == v["code"], typed
    # a redemption too, typed loosely
    done = ok(redeem(api, rid, c.lower(), "loja-normalizada.pt"))
    assert done["code"] == v["code"] and done["status"] == "redeemed"
    assert row(db, c)["domain"] == "loja-normalizada.pt"
    assert voucher_audit(db, c)[-1][0] == "redeem"


MALFORMED = [
    ("wrong-check", lambda c: mistyped(c)),
    ("swapped-neighbours", lambda c: None),  # filled in the test: a transposition Luhn catches
    ("too-short", lambda c: canonical(c)[:13]),
    ("too-long", lambda c: canonical(c) + "2"),
    ("zero", lambda c: "0" + canonical(c)[1:]),
    ("letter-o", lambda c: "O" + canonical(c)[1:]),
    ("one", lambda c: "1" + canonical(c)[1:]),
    ("letter-i", lambda c: "I" + canonical(c)[1:]),
    ("letter-l", lambda c: "L" + canonical(c)[1:]),
    ("letter-u", lambda c: "U" + canonical(c)[1:]),
    ("underscore", lambda c: canonical(c)[:4] + "_" + canonical(c)[4:]),
    ("uuid", lambda c: str(uuid.uuid4())),
    ("long", lambda c: "2" * 65),
]


def _swap(code):
    c = canonical(code)
    for i in range(12):
        t = c[:i] + c[i + 1] + c[i] + c[i + 2:]
        if t != c and not {c[i], c[i + 1]} == {"2", "Z"}:
            return t
    return mistyped(code)


@pytest.mark.parametrize("kind, make", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_a_mistyped_code_is_refused_before_any_lookup(api, db, kind, make):
    v = issue(api)
    typed = _swap(v["code"]) if kind == "swapped-neighbours" else make(v["code"])
    assert not well_formed(typed)
    rid = builder(api, db)
    events = count_voucher_events(db)
    for client in (staff(api), as_registrar(api, rid)):
        r = client.get(f"{VOU}/{typed}")
        problem(r, 422, "validation-failed")
        assert [(e.get("parameter"), e["code"]) for e in r.json()["errors"]] == [("code", "voucher_code")]
    r = redeem(api, rid, typed, "loja.pt")
    problem(r, 422, "validation-failed")
    assert [(e.get("parameter"), e["code"]) for e in r.json()["errors"]] == [("code", "voucher_code")]
    r = staff(api).post(f"{VOU}/{typed}/revoke", {"reason": "Engano."})
    problem(r, 422, "validation-failed")
    assert row(db, v["code"])["status"] == "issued" and row(db, v["code"])["version"] == 1
    assert count_voucher_events(db) == events


def test_a_path_that_cannot_hold_a_code_is_no_route(api, db):
    """Non-ASCII and control characters never reach the voucher resource: the
    router refuses such a path parameter on every route (404)."""
    v = issue(api)
    rid = builder(api, db)
    for typed in ("%C3%A9" + canonical(v["code"])[1:], canonical(v["code"])[:7] + "%09" + canonical(v["code"])[7:]):
        problem(staff(api).get(f"{VOU}/{typed}"), 404, "not-found")
        problem(redeem(api, rid, typed, "loja.pt"), 404, "not-found")
    assert row(db, v["code"])["status"] == "issued" and len(voucher_audit(db, v["code"])) == 1


def test_mistyped_codes_are_not_misses(api, db):
    """The default limit is 30 misses an hour: 40 typos leave the caller free to read."""
    v = issue(api)
    rid = builder(api, db)
    mine = api.with_token(registrar_token(rid, sub=f"client-{rid}"))
    for _ in range(40):
        problem(mine.get(f"{VOU}/{mistyped(random_code())}"), 422, "validation-failed")
    assert ok(mine.get(f"{VOU}/{v['code']}"))["status"] == "issued"


def test_an_unknown_code_is_404(api, db):
    rid = builder(api, db)
    problem(staff(api).get(f"{VOU}/{random_code()}"), 404, "not-found")
    problem(as_registrar(api, rid).get(f"{VOU}/{random_code()}"), 404, "not-found")
    problem(redeem(api, rid, random_code(), "loja.pt"), 404, "not-found")
    problem(staff(api).post(f"{VOU}/{random_code()}/revoke", {"reason": "x"}), 404, "not-found")


def test_a_registrar_sees_status_program_expiry_and_whether_it_may_redeem_never_the_beneficiary(api, db):
    v = issue(api, body={"beneficiary": beneficiary(7, nif="509442013")})
    enrolled, outsider, only_3em1 = builder(api, db), make_registrar(db), builder(api, db, ("3em1",))
    r = as_registrar(api, enrolled).get(f"{VOU}/{v['code']}")
    seen = ok(r)
    assert r.headers["ETag"] == '"1"'
    assert seen == {"code": v["code"], "program": "3em1-comercio", "status": "issued",
                    "expires_at": v["expires_at"], "redeemable_by_me": True, "redemption": None}
    for rid in (outsider, only_3em1):
        r = as_registrar(api, rid).get(f"{VOU}/{v['code']}")
        assert ok(r)["redeemable_by_me"] is False
        assert "Loja 7" not in r.text and "loja7@" not in r.text and "509442013" not in r.text


# --- redeeming ------------------------------------------------------------------------------

def test_a_registrar_redeems_a_voucher(api, db):
    v = issue(api)
    rid = builder(api, db)
    r = redeem(api, rid, v["code"], "pastelaria-aurora.pt")
    done = ok(r)
    assert r.headers["ETag"] == '"2"'
    assert set(done) == {"code", "program", "status", "expires_at", "redeemable_by_me", "redemption"}
    assert (done["code"], done["status"], done["redeemable_by_me"]) == (v["code"], "redeemed", False)
    red = done["redemption"]
    assert (red["registrar_id"], red["domain"], red["domain_unicode"]) == \
        (rid, "pastelaria-aurora.pt", "pastelaria-aurora.pt")
    stored = row(db, v["code"])
    assert (stored["status"], stored["registrar_id"], stored["domain"], stored["version"]) == \
        ("redeemed", rid, "pastelaria-aurora.pt", 2)
    # 3em1-comercio's benefit is 12 months
    assert db.execute("SELECT redeemed_at + interval '12 months' = service_ends_at FROM vouchers"
                      " WHERE code = %s", (canonical(v["code"]),)).fetchone()[0] is True
    assert parse(red["redeemed_at"]).replace(year=parse(red["redeemed_at"]).year + 1) == \
        parse(red["service_ends_at"])
    assert voucher_audit(db, v["code"]) == [
        ("issue", None, "issued", None, {}),
        ("redeem", "issued", "redeemed", None, {"domain": "pastelaria-aurora.pt", "registrar_id": rid})]
    # it reads the same afterwards; staff see the whole redemption
    assert ok(as_registrar(api, rid).get(f"{VOU}/{v['code']}")) == done
    whole = ok(staff(api).get(f"{VOU}/{v['code']}"))
    assert whole["redemption"] == red and whole["status"] == "redeemed" and whole["allowed_actions"] == []
    assert whole["beneficiary"] == v["beneficiary"]


def test_service_ends_after_the_programs_benefit_months_or_twelve(api, db):
    six = create_program(api, status="open", benefit_months=6)
    none = create_program(api, status="open")
    assert none["benefit_months"] is None
    for p, months in ((six, 6), (none, 12)):
        rid = builder(api, db, ("3em1", p["code"]))
        v = issue(api, p["code"])
        red = ok(redeem(api, rid, v["code"], f"beneficio-{months}.pt"))["redemption"]
        assert db.execute("SELECT redeemed_at + make_interval(months => %s) = service_ends_at FROM vouchers"
                          " WHERE code = %s", (months, canonical(v["code"]))).fetchone()[0] is True
        assert parse(red["service_ends_at"]) > parse(red["redeemed_at"])


@pytest.mark.parametrize("typed, ascii_, unicode_", [
    ("pão-quente.com.pt", "xn--po-quente-l2a.com.pt", "pão-quente.com.pt"),
    ("Pão-Quente.COM.pt", "xn--po-quente-l2a.com.pt", "pão-quente.com.pt"),
    ("xn--po-quente-l2a.com.pt", "xn--po-quente-l2a.com.pt", "pão-quente.com.pt"),
    ("ESCOLA-DA-LUZ.edu.pt", "escola-da-luz.edu.pt", "escola-da-luz.edu.pt"),
    ("café.pt.", "xn--caf-dma.pt", "café.pt"),
    ("123.org.pt", "123.org.pt", "123.org.pt"),
])
def test_redeeming_keeps_both_forms_of_the_name(api, db, typed, ascii_, unicode_):
    v = issue(api)
    rid = builder(api, db)
    red = ok(redeem(api, rid, v["code"], typed))["redemption"]
    assert (red["domain"], red["domain_unicode"]) == (ascii_, unicode_)
    stored = row(db, v["code"])
    assert (stored["domain"], stored["domain_unicode"]) == (ascii_, unicode_)
    # the same name in another form is the same name: 200, nothing changes
    again = ok(redeem(api, rid, v["code"], unicode_.upper() if unicode_.isascii() else ascii_))
    assert again["redemption"] == red and row(db, v["code"])["version"] == 2


BAD_DOMAINS = [
    ("loja", "pt_domain"), ("loja.com", "pt_domain"), ("com.pt", "pt_domain"), ("pt", "pt_domain"),
    ("www.loja.pt", "pt_domain"), ("a.b.com.pt", "pt_domain"), ("192.168.0.1", "pt_domain"),
    ("-loja.pt", "domain_name"), ("loja-.pt", "domain_name"), ("lo ja.pt", "domain_name"),
    ("ab--cd.pt", "domain_name"), ("loja..pt", "domain_name"), (".pt", "domain_name"), ("", "domain_name"),
    ("lo_ja.pt", "domain_name"), ("xn--zz.pt", "domain_name"), ("a" * 64 + ".pt", "too_long"),
    ("lo\u200bja.pt", "zero_width"), ("lo\u202eja.pt", "bidi_control"),
]


@pytest.mark.parametrize("domain, code", BAD_DOMAINS, ids=[d[0][:20] or "empty" for d in BAD_DOMAINS])
def test_redeeming_refuses_a_name_not_registrable_under_pt_and_changes_nothing(api, db, domain, code):
    v = issue(api)
    rid = builder(api, db)
    r = redeem(api, rid, v["code"], domain)
    problem(r, 422, "validation-failed")
    assert codes(r) == [("/domain", code)]
    assert row(db, v["code"])["status"] == "issued" and len(voucher_audit(db, v["code"])) == 1


@pytest.mark.parametrize("body, expected", [
    ({}, [("/domain", "required")]),
    ({"domain": 5}, [("/domain", "type")]),
    ({"domain": None}, [("/domain", "not_null")]),
    ({"domain": "loja.pt", "registrar_id": str(uuid.uuid4())}, [("/registrar_id", "unknown_field")]),
], ids=["missing", "type", "null", "registrar_id"])
def test_redeeming_refuses_bad_bodies_and_changes_nothing(api, db, body, expected):
    v = issue(api)
    rid = builder(api, db)
    r = as_registrar(api, rid).post(f"{VOU}/{v['code']}/redeem", body)
    problem(r, 422, "validation-failed")
    assert codes(r) == expected
    mine = as_registrar(api, rid)
    problem(mine.request("POST", f"{VOU}/{v['code']}/redeem", data=b'{"domain"',
                         headers={"Content-Type": "application/json"}), 400, "invalid-request")
    problem(mine.request("POST", f"{VOU}/{v['code']}/redeem", data=b"loja.pt",
                         headers={"Content-Type": "text/plain"}), 415, "unsupported-media-type")
    assert row(db, v["code"])["status"] == "issued" and len(voucher_audit(db, v["code"])) == 1


def test_the_same_registrar_again_for_the_same_domain_changes_nothing(api, db):
    v = issue(api)
    rid = builder(api, db)
    first = ok(redeem(api, rid, v["code"], "loja-do-bairro.pt"))
    before = row(db, v["code"])
    again = redeem(api, rid, v["code"], "LOJA-DO-BAIRRO.pt")
    assert ok(again) == first and again.headers["ETag"] == '"2"'
    assert "Idempotent-Replayed" not in again.headers
    assert row(db, v["code"]) == before
    assert [e[0] for e in voucher_audit(db, v["code"])] == ["issue", "redeem"]
    # another domain, even by the same registrar, is a conflict
    problem(redeem(api, rid, v["code"], "outra-loja.pt"), 409, "voucher-redeemed")
    assert row(db, v["code"]) == before


def test_another_registrar_never_learns_who_redeemed_it_nor_for_which_name(api, db):
    v = issue(api, body={"beneficiary": beneficiary(9, nif="509442013")})
    winner, other = builder(api, db), builder(api, db)
    ok(redeem(api, winner, v["code"], "segredo-do-vencedor.pt"))
    before = row(db, v["code"])
    leaks = ("segredo-do-vencedor", winner, "Loja 9", "loja9@", "509442013")
    responses = [
        redeem(api, other, v["code"], "segredo-do-vencedor.pt"),
        redeem(api, other, v["code"], "outro.pt"),
        as_registrar(api, other).get(f"{VOU}/{v['code']}"),
        as_registrar(api, other).get(VOU),
        as_registrar(api, other).get(VOU, params={"program": "3em1-comercio", "status": "redeemed"}),
    ]
    problem(responses[0], 409, "voucher-redeemed")
    problem(responses[1], 409, "voucher-redeemed")
    seen = ok(responses[2])
    assert seen == {"code": v["code"], "program": "3em1-comercio", "status": "redeemed",
                    "expires_at": v["expires_at"], "redeemable_by_me": False, "redemption": None}
    assert ok(responses[3])["items"] == [] and ok(responses[4])["items"] == []
    for r in responses:
        for leak in leaks:
            assert leak not in r.text, (leak, r.text)
    problem(as_registrar(api, other).get(VOU, params={"registrar_id": winner}), 403, "forbidden")
    assert row(db, v["code"]) == before
    # a registrar that may not redeem it learns nothing either: eligibility comes first
    outsider = make_registrar(db)
    r = redeem(api, outsider, v["code"], "outro.pt")
    problem(r, 403, "not-eligible")
    r2 = as_registrar(api, outsider).get(f"{VOU}/{v['code']}")
    for leak in leaks:
        assert leak not in r.text and leak not in r2.text


def test_eligibility_is_judged_before_the_vouchers_state(api, db):
    issued, redeemed, revoked, expired = (issue(api) for _ in range(4))
    ok(redeem(api, builder(api, db), redeemed["code"], "ja-usado.pt"))
    ok(staff(api).post(f"{VOU}/{revoked['code']}/revoke", {"reason": "Loja fechou."}))
    expire(db, expired["code"])
    pending = make_registrar(db)
    ok(as_registrar(api, pending).post(f"{PRG}/3em1/enrollments", {"accepted_terms_version": "1"}), 201)
    refusals = {
        "no enrollment": (make_registrar(db), "not-eligible"),
        "only 3em1": (builder(api, db, ("3em1",)), "not-eligible"),
        "pending": (pending, "not-eligible"),
        "suspended": (builder(api, db), "registrar-suspended"),
        "terminated": (builder(api, db), "forbidden"),
    }
    db.execute("UPDATE registrars SET status = 'suspended' WHERE id = %s", (refusals["suspended"][0],))
    db.execute("UPDATE registrars SET status = 'terminated' WHERE id = %s", (refusals["terminated"][0],))
    events = count_voucher_events(db)
    for name, (rid, kind) in refusals.items():
        for v in (issued, redeemed, revoked, expired):
            before = row(db, v["code"])
            problem(redeem(api, rid, v["code"], "loja.pt"), 403, kind)
            assert row(db, v["code"]) == before, name
    assert count_voucher_events(db) == events
    assert row(db, issued["code"])["status"] == "issued"


def test_an_enrollment_lost_means_no_more_redemptions(api, db):
    v = issue(api)
    rid = builder(api, db)
    assert ok(as_registrar(api, rid).get(f"{VOU}/{v['code']}"))["redeemable_by_me"] is True
    enrollment = db.execute("SELECT id FROM enrollments WHERE registrar_id = %s AND program_code = '3em1'",
                            (rid,)).fetchone()[0]
    ok(as_registrar(api, rid).post(f"/v1/enrollments/{enrollment}/withdraw"))
    assert ok(as_registrar(api, rid).get(f"{VOU}/{v['code']}"))["redeemable_by_me"] is False
    problem(redeem(api, rid, v["code"], "loja.pt"), 403, "not-eligible")
    assert row(db, v["code"])["status"] == "issued"


def test_a_contests_voucher_is_redeemed_by_a_3em1_registrar(api, db):
    contest = create_program(api, kind="contest", year=2033, status="open")
    v = issue(api, contest["code"], body={"beneficiary": {"type": "school_team", "name": "Escola Básica da Luz",
                                                          "email": "professora@escola-luz.edu.pt"}})
    builder3em1, outsider = builder(api, db, ("3em1",)), make_registrar(db)
    assert ok(as_registrar(api, builder3em1).get(f"{VOU}/{v['code']}"))["redeemable_by_me"] is True
    assert ok(as_registrar(api, outsider).get(f"{VOU}/{v['code']}"))["redeemable_by_me"] is False
    problem(redeem(api, outsider, v["code"], "escola-da-luz.edu.pt"), 403, "not-eligible")
    done = ok(redeem(api, builder3em1, v["code"], "escola-da-luz.edu.pt"))
    assert done["program"] == contest["code"] and done["redemption"]["domain"] == "escola-da-luz.edu.pt"
    # a contest without benefit_months: 12
    assert db.execute("SELECT redeemed_at + interval '12 months' = service_ends_at FROM vouchers"
                      " WHERE code = %s", (canonical(v["code"]),)).fetchone()[0] is True


def test_idempotency_key_replays_a_redemption(api, db):
    v = issue(api)
    rid = builder(api, db)
    mine = api.with_token(registrar_token(rid, sub=f"client-{rid}"))
    key = f"redeem-{uuid.uuid4()}"
    first = mine.post(f"{VOU}/{v['code']}/redeem", {"domain": "loja-chave.pt"}, headers={"Idempotency-Key": key})
    assert first.status_code == 200, first.text
    again = mine.post(f"{VOU}/{v['code']}/redeem", {"domain": "loja-chave.pt"}, headers={"Idempotency-Key": key})
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    problem(mine.post(f"{VOU}/{v['code']}/redeem", {"domain": "outra.pt"}, headers={"Idempotency-Key": key}),
            422, "idempotency-key-reused")
    assert [e[0] for e in voucher_audit(db, v["code"])] == ["issue", "redeem"]
    assert row(db, v["code"])["domain"] == "loja-chave.pt"
    # a refusal is replayed too: another registrar's 409 stays its answer
    other = api.with_token(registrar_token(builder(api, db), sub=f"other-{uuid.uuid4()}"))
    key = f"late-{uuid.uuid4()}"
    r1 = other.post(f"{VOU}/{v['code']}/redeem", {"domain": "tarde.pt"}, headers={"Idempotency-Key": key})
    r2 = other.post(f"{VOU}/{v['code']}/redeem", {"domain": "tarde.pt"}, headers={"Idempotency-Key": key})
    problem(r1, 409, "voucher-redeemed")
    problem(r2, 409, "voucher-redeemed")
    assert r2.headers["Idempotent-Replayed"] == "true" and r2.json() == r1.json()


# --- expiry ---------------------------------------------------------------------------------

def test_expiry_is_exact_and_needs_no_sweep(api, db):
    p = create_program(api, status="open")
    v, fresh = issue(api, p["code"]), issue(api, p["code"])
    rid = builder(api, db, ("3em1", p["code"]))
    expire(db, v["code"])
    whole = ok(staff(api).get(f"{VOU}/{v['code']}"))
    assert whole["status"] == "expired" and whole["allowed_actions"] == []
    seen = ok(as_registrar(api, rid).get(f"{VOU}/{v['code']}"))
    assert seen["status"] == "expired" and seen["redeemable_by_me"] is False
    problem(redeem(api, rid, v["code"], "tarde-demais.pt"), 409, "voucher-expired")
    body = problem(staff(api).post(f"{VOU}/{v['code']}/revoke", {"reason": "Já expirou."}), 409, "invalid-state")
    assert body["current_status"] == "expired"
    stored = row(db, v["code"])
    assert stored["status"] == "issued" and stored["version"] == 1 and stored["registrar_id"] is None
    assert [e[0] for e in voucher_audit(db, v["code"])] == ["issue"]
    listed = ok(staff(api).get(VOU, params={"program": p["code"], "status": "expired"}))["items"]
    assert [i["code"] for i in listed] == [v["code"]]
    listed = ok(staff(api).get(VOU, params={"program": p["code"], "status": "issued"}))["items"]
    assert [i["code"] for i in listed] == [fresh["code"]]
    stats = ok(staff(api).get(f"{PRG}/{p['code']}/voucher-stats"))
    assert (stats["issued"], stats["outstanding"], stats["expired"]) == (2, 1, 1)
    # at the very instant of expires_at it has expired
    db.execute("UPDATE vouchers SET expires_at = now() WHERE code = %s", (canonical(fresh["code"]),))
    assert ok(staff(api).get(f"{VOU}/{fresh['code']}"))["status"] == "expired"
    # and back in the future it is issued again: nothing was swept
    db.execute("UPDATE vouchers SET expires_at = now() + interval '1 day' WHERE code = %s",
               (canonical(v["code"]),))
    assert ok(redeem(api, rid, v["code"], "a-tempo.pt"))["status"] == "redeemed"


# --- revoking -------------------------------------------------------------------------------

def test_staff_revoke_with_a_reason(api, db):
    v = issue(api)
    rid = builder(api, db)
    s = staff(api)
    r = s.post(f"{VOU}/{v['code']}/revoke", {})
    problem(r, 422, "validation-failed")
    assert codes(r) == [("/reason", "required")]
    r = s.post(f"{VOU}/{v['code']}/revoke", {"reason": ""})
    problem(r, 422, "validation-failed")
    assert row(db, v["code"])["status"] == "issued" and len(voucher_audit(db, v["code"])) == 1
    r = s.post(f"{VOU}/{v['code'].lower()}/revoke", {"reason": "A loja encerrou."})
    done = ok(r)
    assert r.headers["ETag"] == '"2"'
    assert (done["status"], done["reason"], done["allowed_actions"]) == ("revoked", "A loja encerrou.", [])
    assert row(db, v["code"])["status"] == "revoked" and row(db, v["code"])["reason"] == "A loja encerrou."
    assert voucher_audit(db, v["code"])[-1][:4] == ("revoke", "issued", "revoked", "A loja encerrou.")
    body = problem(s.post(f"{VOU}/{v['code']}/revoke", {"reason": "Outra vez."}), 409, "invalid-state")
    assert body["current_status"] == "revoked"
    problem(redeem(api, rid, v["code"], "loja.pt"), 409, "voucher-revoked")
    seen = ok(as_registrar(api, rid).get(f"{VOU}/{v['code']}"))
    assert seen["status"] == "revoked" and seen["redeemable_by_me"] is False
    assert len(voucher_audit(db, v["code"])) == 2
    # a redeemed voucher is not revoked
    w = issue(api)
    ok(redeem(api, rid, w["code"], "ja-tem-site.pt"))
    body = problem(s.post(f"{VOU}/{w['code']}/revoke", {"reason": "Tarde."}), 409, "invalid-state")
    assert body["current_status"] == "redeemed"
    assert row(db, w["code"])["status"] == "redeemed"


def test_idempotency_key_replays_a_revocation(api, db):
    v = issue(api)
    s = staff(api)
    key = f"revoke-{uuid.uuid4()}"
    first = s.post(f"{VOU}/{v['code']}/revoke", {"reason": "Duplicado."}, headers={"Idempotency-Key": key})
    again = s.post(f"{VOU}/{v['code']}/revoke", {"reason": "Duplicado."}, headers={"Idempotency-Key": key})
    assert first.status_code == again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert [e[0] for e in voucher_audit(db, v["code"])] == ["issue", "revoke"]


# --- lists ----------------------------------------------------------------------------------

def test_staff_list_every_voucher_with_filters_and_sorts(api, db):
    p = create_program(api, status="open")
    late = issue(api, p["code"], body={"beneficiary": B, "expires_at": "2035-01-01T00:00:00Z"})
    early = issue(api, p["code"], body={"beneficiary": B, "expires_at": "2030-01-01T00:00:00Z"})
    middle = issue(api, p["code"], body={"beneficiary": B, "expires_at": "2032-01-01T00:00:00Z"})
    rid = builder(api, db, ("3em1", p["code"]))
    ok(redeem(api, rid, middle["code"], "lista.pt"))
    s = staff(api)
    items = ok(s.get(VOU, params={"program": p["code"]}))["items"]
    assert [i["code"] for i in items] == [middle["code"], early["code"], late["code"]]  # newest first
    assert all("beneficiary" in i for i in items)
    items = ok(s.get(VOU, params={"program": p["code"], "sort": "expires_at"}))["items"]
    assert [i["code"] for i in items] == [early["code"], middle["code"], late["code"]]
    items = ok(s.get(VOU, params={"program": p["code"], "sort": "-expires_at"}))["items"]
    assert [i["code"] for i in items] == [late["code"], middle["code"], early["code"]]
    items = ok(s.get(VOU, params={"program": p["code"], "sort": "created_at"}))["items"]
    assert [i["code"] for i in items] == [late["code"], early["code"], middle["code"]]
    items = ok(s.get(VOU, params={"program": p["code"], "status": "redeemed"}))["items"]
    assert [i["code"] for i in items] == [middle["code"]]
    items = ok(s.get(VOU, params={"program": p["code"], "status": "issued,redeemed"}))["items"]
    assert len(items) == 3
    items = ok(s.get(VOU, params={"registrar_id": rid}))["items"]
    assert [i["code"] for i in items] == [middle["code"]]
    page = ok(s.get(VOU, params={"program": p["code"], "limit": 2, "include_total": "true"}))
    assert page["total"] == 3 and len(page["items"]) == 2 and page["next_cursor"]
    rest = ok(s.get(VOU, params={"program": p["code"], "limit": 2, "cursor": page["next_cursor"]}))
    assert [i["code"] for i in rest["items"]] == [late["code"]] and rest["next_cursor"] is None
    r = s.get(VOU, params={"program": p["code"]})
    assert s.get(VOU, params={"program": p["code"]}, headers={"If-None-Match": r.headers["ETag"]}).status_code == 304
    for q in ({"status": "bogus"}, {"sort": "code"}, {"program": "NOT A CODE"}, {"registrar_id": "x"},
              {"limit": "0"}, {"beneficiary": "x"}):
        problem(s.get(VOU, params=q), 400, "invalid-request")


def test_a_registrar_lists_the_vouchers_it_redeemed(api, db):
    mine_v, theirs_v, open_v = issue(api), issue(api), issue(api)
    me, them = builder(api, db), builder(api, db)
    ok(redeem(api, me, mine_v["code"], "meu.pt"))
    ok(redeem(api, them, theirs_v["code"], "deles.pt"))
    page = ok(as_registrar(api, me).get(VOU))
    assert [i["code"] for i in page["items"]] == [mine_v["code"]]
    item = page["items"][0]
    assert "beneficiary" not in item and item["redemption"]["domain"] == "meu.pt"
    assert ok(as_registrar(api, me).get(VOU, params={"registrar_id": me}))["items"] == page["items"]
    problem(as_registrar(api, me).get(VOU, params={"registrar_id": them}), 403, "forbidden")
    assert open_v["code"] not in as_registrar(api, me).get(VOU, params={"status": "issued"}).text


# --- statistics -----------------------------------------------------------------------------

def test_voucher_stats_count_every_status_and_each_registrars_redemptions(api, db):
    p = create_program(api, status="open")
    s = staff(api)
    empty = ok(s.get(f"{PRG}/{p['code']}/voucher-stats"))
    assert empty == {"program": p["code"], "issued": 0, "outstanding": 0, "redeemed": 0, "expired": 0,
                     "revoked": 0, "redemptions_by_registrar": {}}
    vs = issue(api, p["code"], body={"vouchers": [{"beneficiary": beneficiary(i)} for i in range(7)]})["vouchers"]
    a, b = builder(api, db, ("3em1", p["code"])), builder(api, db, ("3em1", p["code"]))
    ok(redeem(api, a, vs[0]["code"], "a1.pt"))
    ok(redeem(api, a, vs[1]["code"], "a2.pt"))
    ok(redeem(api, b, vs[2]["code"], "b1.pt"))
    ok(s.post(f"{VOU}/{vs[3]['code']}/revoke", {"reason": "Engano."}))
    expire(db, vs[4]["code"])
    stats = ok(s.get(f"{PRG}/{p['code']}/voucher-stats"))
    assert stats == {"program": p["code"], "issued": 7, "outstanding": 2, "redeemed": 3, "expired": 1,
                     "revoked": 1, "redemptions_by_registrar": {a: 2, b: 1}}
    problem(s.get(f"{PRG}/no-such-program/voucher-stats"), 404, "not-found")
    # 3em1's own count is apart
    assert ok(s.get(f"{PRG}/3em1/voucher-stats"))["issued"] == 0


# --- the audit log --------------------------------------------------------------------------

def test_issue_redeem_and_revoke_are_in_the_audit_log(api, db):
    v, w = issue(api), issue(api)
    rid = builder(api, db)
    ok(redeem(api, rid, v["code"], "auditado.pt"))
    ok(staff(api).post(f"{VOU}/{w['code']}/revoke", {"reason": "Pedido do beneficiário."}))
    events = ok(staff(api).get("/v1/audit-events", params={"resource_type": "voucher",
                                                            "resource_id": canonical(v["code"]), "sort": "created_at"}))
    assert [(e["action"], e["from_status"], e["to_status"], e["actor"]["role"]) for e in events["items"]] == [
        ("issue", None, "issued", "staff"), ("redeem", "issued", "redeemed", "registrar")]
    assert events["items"][1]["actor"]["registrar_id"] == rid
    assert events["items"][1]["changes"] == {"domain": "auditado.pt", "registrar_id": rid}
    events = ok(staff(api).get("/v1/audit-events", params={"resource_id": canonical(w["code"]),
                                                            "sort": "created_at"}))["items"]
    assert [(e["action"], e["reason"]) for e in events] == [("issue", None), ("revoke", "Pedido do beneficiário.")]
    # the beneficiary's personal data is not in the log
    text = str(db.execute("SELECT array_agg(changes::text) FROM audit_events WHERE resource_type = 'voucher'")
               .fetchone()[0])
    assert "loja0@exemplo.pt" not in text and "Loja 0 do Bairro" not in text


# --- roles ----------------------------------------------------------------------------------

def _served_roles():
    """The roles some route serves (`parceria routes`); any other role's token is refused as 401."""
    out = subprocess.run([BIN, "routes"], check=True, capture_output=True, text=True).stdout
    return set(out.splitlines()[0].removeprefix("# served: ").split(","))


def _others():
    return {"public": None, "applicant": mint("applicant", application_id=str(uuid.uuid4())),
            "teacher": mint("teacher", entry_id=str(uuid.uuid4()))}


def test_each_wrong_role_is_refused_and_changes_nothing(api, db):
    v = issue(api)
    rid = builder(api, db)
    code = v["code"]
    reg = as_registrar(api, rid)
    before, events = count_vouchers(db), count_voucher_events(db)
    calls = [
        ("POST", f"{PRG}/3em1-comercio/vouchers", {"beneficiary": B}),
        ("GET", f"{PRG}/3em1-comercio/voucher-stats", None),
        ("GET", VOU, None),
        ("GET", f"{VOU}/{code}", None),
        ("POST", f"{VOU}/{code}/redeem", {"domain": "intruso.pt"}),
        ("POST", f"{VOU}/{code}/revoke", {"reason": "Intruso."}),
    ]
    served = _served_roles()
    for name, token in _others().items():
        client = api.with_token(token) if token else api
        for method, path, body in calls:
            r = client.request(method, path, json_body=body)
            if token is None or name not in served:
                problem(r, 401, "unauthenticated")
                assert r.headers["WWW-Authenticate"].startswith("Bearer")
            else:
                problem(r, 403, "forbidden")
    # a registrar on staff's routes; staff on the registrar's
    problem(reg.post(f"{PRG}/3em1-comercio/vouchers", {"beneficiary": B}), 403, "forbidden")
    problem(reg.get(f"{PRG}/3em1-comercio/voucher-stats"), 403, "forbidden")
    problem(reg.post(f"{VOU}/{code}/revoke", {"reason": "Não é meu."}), 403, "forbidden")
    for caller in (staff(api), api.with_token(mint("admin", sub="root@dns.pt"))):
        problem(caller.post(f"{VOU}/{code}/redeem", {"domain": "staff.pt"}), 403, "forbidden")
    assert count_vouchers(db) == before and count_voucher_events(db) == events
    assert row(db, code)["status"] == "issued" and row(db, code)["version"] == 1
    # admin is staff
    assert ok(api.with_token(mint("admin", sub="root@dns.pt")).get(f"{VOU}/{code}"))["beneficiary"] == B


# --- the miss limit -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def low_limit(template_db):
    """A server of its own whose callers may miss 5 codes an hour."""
    name = clone_database(template_db)
    srv = Server(name, env_extra={"PARCERIA_VOUCHER_MISS_LIMIT": "5"}, name="vouchers-misses").start()
    yield srv
    rc = srv.stop()
    text = srv.log_text()
    drop_database(name)
    assert rc == 0, text[-4000:]
    assert "ERROR: AddressSanitizer" not in text and "runtime error:" not in text, text[-4000:]


@pytest.fixture()
def low_db(low_limit):
    with psycopg.connect(_db_url(low_limit.db_name, "postgres"), autocommit=True) as c:
        yield c


def test_guessing_codes_does_not_pay(low_limit, low_db):
    api = Client(low_limit.base)
    real = issue(api)
    rid = builder(api, low_db)
    guesser = api.with_token(registrar_token(rid, sub=f"guesser-{rid}"))
    # five misses, by lookups and redemptions alike
    for i in range(5):
        code = random_code()
        r = guesser.get(f"{VOU}/{code}") if i % 2 == 0 else guesser.post(f"{VOU}/{code}/redeem", {"domain": "x.pt"})
        problem(r, 404, "not-found")
    # then even a real code is refused, for lookups and redemptions
    for r in (guesser.get(f"{VOU}/{random_code()}"), guesser.get(f"{VOU}/{real['code']}"),
              guesser.post(f"{VOU}/{real['code']}/redeem", {"domain": "adivinha.pt"})):
        problem(r, 429, "rate-limited")
        assert 0 < int(r.headers["Retry-After"]) <= 3600
    assert row(low_db, real["code"])["status"] == "issued"
    # the limit is the registrar's (API.md: missed lookups per registrar): its other clients are
    # refused too; another registrar goes on
    problem(api.with_token(registrar_token(rid, sub=f"second-{rid}")).get(f"{VOU}/{real['code']}"),
            429, "rate-limited")
    other = builder(api, low_db)
    assert ok(redeem(api, other, real["code"], "honesto.pt"))["status"] == "redeemed"
    # lists are not limited
    assert ok(guesser.get(VOU))["items"] == []
    # staff are exempt
    s = staff(api)
    for _ in range(8):
        problem(s.get(f"{VOU}/{random_code()}"), 404, "not-found")
    assert ok(s.get(f"{VOU}/{real['code']}"))["status"] == "redeemed"


def test_hits_do_not_count_as_misses(low_limit, low_db):
    api = Client(low_limit.base)
    real = issue(api)
    rid = builder(api, low_db)
    reader = api.with_token(registrar_token(rid, sub=f"reader-{rid}"))
    for _ in range(12):
        ok(reader.get(f"{VOU}/{real['code']}"))
    for _ in range(4):
        problem(reader.get(f"{VOU}/{random_code()}"), 404, "not-found")
    assert ok(reader.get(f"{VOU}/{real['code']}"))["redeemable_by_me"] is True


# --- codes stay out of the logs -------------------------------------------------------------

def test_codes_never_appear_in_the_server_log(api, db, server):
    """Runs last in this module: every code this module issued, in either form."""
    ok(staff(api).get(VOU, params={"limit": 1}))
    log = server.log_text()
    for (code,) in db.execute("SELECT code FROM vouchers").fetchall():
        assert code not in log and written(code) not in log and code.lower() not in log
