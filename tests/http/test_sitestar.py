"""The Sitestar.pt contest (issue 12, part 6): editions and their program
sitestar-YYYY (a contest nobody enrolls in), the phase read from the clock,
public entries inside the submission window with the teacher's access key
and token, no student names, jurors' scores once submissions close, the
teacher's withdrawal before any score, staff's disqualification with a
reason, the selection (ranked by the mean score, ties by the earlier
submission, the best approved_quota approved with a voucher each, the rest
not_selected; run twice, the same answer and no more vouchers), an edition
of 130 entries selecting exactly 100, the teacher's voucher and site URL
once a 3em1 registrar redeemed it, and every role's refusals. Every refused
request is checked to change nothing in the database."""
import uuid

import pytest

from accreditation import ok
from conftest import Server, clone_database, drop_database
from identity import make_registrar, mint
from openapi_check import Client
from programs import PRG, as_registrar, at, audit, codes, create_program, enroll, problem, staff
from sitestar import (ED, EN, as_teacher, close_submissions, create_edition, edition_body, entry_audit,
                      entry_body, entry_status, juror, next_year, not_yet_open, score, set_window, sitestar_tables,
                      snapshot, statuses, submit, teacher_token, vouchers_of)
from vouchers import VOU, builder, canonical, redeem


def etag_of(client, path):
    return client.get(path).headers["ETag"]


# --- editions -------------------------------------------------------------------------------

def test_staff_create_an_edition_with_its_contest_program(api, db):
    year = next_year()
    body = edition_body(year)
    r = staff(api).post(ED, body)
    e = ok(r, 201)
    assert r.headers["Location"] == f"{ED}/{year}"
    assert r.headers["ETag"] == '"1"'
    assert e == {"year": year, "program": f"sitestar-{year}",
                 "submissions_open_at": body["submissions_open_at"],
                 "submissions_close_at": body["submissions_close_at"],
                 "approved_quota": 100, "benefit_months": 12, "phase": "submissions", "selected_at": None,
                 "created_at": e["created_at"], "updated_at": e["updated_at"]}
    # the program, created in the same step: a contest, open, named after the edition
    p = ok(api.get(f"{PRG}/sitestar-{year}"))
    assert (p["kind"], p["status"], p["year"], p["benefit_months"], p["terms_version"]) == \
        ("contest", "open", year, 12, "1")
    assert p["name"] == {"pt": f"Sitestar.pt {year}", "en": f"Sitestar.pt {year}"}
    # anyone reads it, and the list
    assert ok(api.get(f"{ED}/{year}")) == e
    r = api.get(f"{ED}/{year}", headers={"If-None-Match": '"1"'})
    assert r.status_code == 304
    listed = ok(api.get(ED, params={"limit": "200"}))["items"]
    assert e in listed
    assert audit(db, year) == [("create", None, "open", None)]
    assert audit(db, f"sitestar-{year}") == [("create", None, "open", None)]
    history = ok(staff(api).get(f"{PRG}/sitestar-{year}/history"))["items"]
    assert [(h["action"], h["to_status"], h["actor"]["sub"]) for h in history] == [("create", "open", "joana@dns.pt")]
    # public answers may be cached a minute
    assert api.get(f"{ED}/{year}").headers["Cache-Control"] == "public, max-age=60"
    assert api.get(ED).headers["Cache-Control"] == "public, max-age=60"


def test_an_editions_quota_and_benefit_are_taken_and_given_to_its_program(api, db):
    year = next_year()
    e = create_edition(api, year, approved_quota=3, benefit_months=24)
    assert (e["approved_quota"], e["benefit_months"]) == (3, 24)
    assert ok(api.get(f"{PRG}/sitestar-{year}"))["benefit_months"] == 24


def test_editions_list_sorts(api, db):
    years = [create_edition(api)["year"] for _ in range(3)]
    by_year = [e["year"] for e in ok(api.get(ED, params={"sort": "year", "limit": "200"}))["items"]]
    assert by_year == sorted(by_year) and set(years) <= set(by_year)
    desc = [e["year"] for e in ok(api.get(ED, params={"sort": "-year", "limit": "200"}))["items"]]
    assert desc == sorted(desc, reverse=True)
    newest = [e["year"] for e in ok(api.get(ED, params={"limit": "200"}))["items"]]
    assert newest.index(years[2]) < newest.index(years[1]) < newest.index(years[0])
    page = ok(api.get(ED, params={"limit": "1", "include_total": "true"}))
    assert page["total"] >= 3 and len(page["items"]) == 1 and page["next_cursor"]
    assert ok(api.get(ED, params={"updated_since": "2999-01-01T00:00:00Z"}))["items"] == []
    assert len(ok(api.get(ED, params={"updated_since": "2000-01-01T00:00:00Z", "limit": "200"}))["items"]) \
        == len(newest)
    problem(api.get(ED, params={"status": "open"}), 400, "invalid-request")
    problem(api.get(ED, params={"sort": "phase"}), 400, "invalid-request")


def test_the_phase_follows_the_clock(api, db):
    year = create_edition(api)["year"]
    assert ok(api.get(f"{ED}/{year}"))["phase"] == "submissions"
    not_yet_open(db, year)
    assert ok(api.get(f"{ED}/{year}"))["phase"] == "upcoming"
    close_submissions(db, year)
    assert ok(api.get(f"{ED}/{year}"))["phase"] == "scoring"
    sel = ok(staff(api).post(f"{ED}/{year}/select"))
    e = ok(api.get(f"{ED}/{year}"))
    assert e["phase"] == "selected" and e["selected_at"] == sel["selected_at"]


@pytest.mark.parametrize("over,expected", [
    ({"year": 1999}, [("/year", "too_small")]),
    ({"year": 2101}, [("/year", "too_large")]),
    ({"year": "2040"}, [("/year", "type")]),
    ({"approved_quota": 0}, [("/approved_quota", "too_small")]),
    ({"approved_quota": 1001}, [("/approved_quota", "too_large")]),
    ({"benefit_months": 0}, [("/benefit_months", "too_small")]),
    ({"benefit_months": 121}, [("/benefit_months", "too_large")]),
    ({"submissions_open_at": "amanhã"}, [("/submissions_open_at", "format")]),
    ({"submissions_close_at": "2031-01-01T00:00:00Z", "submissions_open_at": "2031-01-01T00:00:00Z"},
     [("/submissions_close_at", "before_opening")]),
    ({"submissions_close_at": "2030-01-01T00:00:00Z", "submissions_open_at": "2031-01-01T00:00:00Z"},
     [("/submissions_close_at", "before_opening")]),
    ({"program": "sitestar-2040"}, [("/program", "unknown_field")]),
    ({"phase": "scoring"}, [("/phase", "unknown_field")]),
], ids=lambda v: str(v)[:40])
def test_creating_an_edition_refuses_bad_input_and_changes_nothing(api, db, over, expected):
    body = edition_body(2040)
    body.update(over)
    before = snapshot(db)
    r = staff(api).post(ED, body)
    problem(r, 422, "validation-failed")
    assert codes(r) == expected
    assert snapshot(db) == before


def test_an_edition_needs_its_year_and_window(api, db):
    before = snapshot(db)
    r = staff(api).post(ED, {})
    problem(r, 422, "validation-failed")
    assert codes(r) == [("/submissions_close_at", "required"), ("/submissions_open_at", "required"),
                        ("/year", "required")]
    problem(staff(api).post(ED, data="{", headers={"Content-Type": "application/json"}), 400, "invalid-request")
    problem(staff(api).post(ED, data="year=2040", headers={"Content-Type": "application/x-www-form-urlencoded"}),
            415, "unsupported-media-type")
    assert snapshot(db) == before


def test_a_year_has_one_edition_and_its_program_code_must_be_free(api, db):
    year = create_edition(api)["year"]
    before = snapshot(db)
    problem(staff(api).post(ED, edition_body(year)), 409, "duplicate")
    assert snapshot(db) == before
    # a program sitestar-YYYY made by hand takes the code: the edition cannot be created
    taken = next_year()
    create_program(api, kind="contest", year=taken, code=f"sitestar-{taken}")
    before = snapshot(db)
    problem(staff(api).post(ED, edition_body(taken)), 409, "duplicate")
    assert snapshot(db) == before
    problem(api.get(f"{ED}/{taken}"), 404, "not-found")


@pytest.mark.parametrize("year", ["99", "abcd", "20270", "2o27", "0000", "2099"])
def test_a_malformed_or_unknown_year_is_404(api, db, year):
    problem(api.get(f"{ED}/{year}"), 404, "not-found")
    if len(year) == 4 and year.isdigit():
        # the entries of a year with no edition: none
        assert ok(staff(api).get(f"{ED}/{year}/entries")) == {"items": [], "next_cursor": None}
    else:
        problem(staff(api).get(f"{ED}/{year}/entries"), 404, "not-found")
    problem(api.post(f"{ED}/{year}/entries", entry_body()), 404, "not-found")
    problem(staff(api).post(f"{ED}/{year}/select"), 404, "not-found")


def test_staff_edit_an_edition_until_the_selection(api, db):
    year = create_edition(api)["year"]
    s = staff(api)
    path = f"{ED}/{year}"
    problem(s.patch(path, {"approved_quota": 50}), 428, "precondition-required")
    problem(s.patch(path, {"approved_quota": 50}, headers={"If-Match": '"7"'}), 412, "precondition-failed")
    r = s.patch(path, {"approved_quota": 50, "benefit_months": 6}, headers={"If-Match": '"1"'})
    e = ok(r)
    assert (e["approved_quota"], e["benefit_months"]) == (50, 6)
    assert r.headers["ETag"] == '"2"'
    new_close = at(60)
    e = ok(s.patch(path, {"submissions_close_at": new_close}, headers={"If-Match": '"2"',
                                                                       "Content-Type": "application/merge-patch+json"}))
    assert e["submissions_close_at"] == new_close and e["approved_quota"] == 50
    before = snapshot(db)
    for body, expected in [
        ({"year": 2050}, [("/year", "unknown_field")]),
        ({"program": "x"}, [("/program", "unknown_field")]),
        ({"approved_quota": 0}, [("/approved_quota", "too_small")]),
        ({"submissions_close_at": at(-30)}, [("/submissions_close_at", "before_opening")]),
        ({"submissions_open_at": at(90)}, [("/submissions_close_at", "before_opening")]),
    ]:
        r = s.patch(path, body, headers={"If-Match": '"3"'})
        problem(r, 422, "validation-failed")
        assert codes(r)[0][0] in (expected[0][0], "/submissions_open_at"), r.text
        if expected[0][1] != "before_opening":
            assert codes(r) == expected
    assert snapshot(db) == before
    close_submissions(db, year)
    ok(s.post(f"{path}/select"))
    etag = etag_of(s, path)
    before = snapshot(db)
    body = problem(s.patch(path, {"approved_quota": 10}, headers={"If-Match": etag}), 409, "invalid-state")
    assert body["current_status"] == "selected"
    assert snapshot(db) == before


def test_only_staff_write_editions(api, db):
    year = create_edition(api)["year"]
    rid = make_registrar(db)
    t = as_teacher(api, submit(api, year))
    before = snapshot(db)
    for client, status, kind in [(api, 401, "unauthenticated"), (as_registrar(api, rid), 403, "forbidden"),
                                 (t, 403, "forbidden")]:
        problem(client.post(ED, edition_body(next_year())), status, kind)
        problem(client.patch(f"{ED}/{year}", {"approved_quota": 1}, headers={"If-Match": '"1"'}), status, kind)
        problem(client.post(f"{ED}/{year}/select"), status, kind)
        # anyone reads
        ok(client.get(f"{ED}/{year}"))
        ok(client.get(ED))
    assert snapshot(db) == before
    # admin is staff
    ok(api.with_token(mint("admin", sub="root@dns.pt")).post(ED, edition_body(next_year())), 201)


def test_nobody_enrolls_in_an_editions_program(api, db):
    year = create_edition(api)["year"]
    rid = make_registrar(db)
    before = snapshot(db)
    body = problem(enroll(api, rid, f"sitestar-{year}"), 409, "not-eligible")
    assert body["check"] == "enrollable"
    body = problem(staff(api).post(f"{PRG}/sitestar-{year}/enrollments",
                                   {"registrar_id": rid, "accepted_terms_version": "1"}), 409, "not-eligible")
    assert snapshot(db) == before


# --- entries --------------------------------------------------------------------------------

def test_a_teacher_submits_an_entry_without_a_token(api, db):
    year = create_edition(api)["year"]
    body = entry_body(7)
    r = api.post(f"{ED}/{year}/entries", body)
    e = ok(r, 201)
    assert r.headers["Location"] == f"{EN}/{e['id']}"
    assert r.headers["ETag"] == '"1"'
    assert r.headers["RateLimit"].startswith('"public";')
    key = e.pop("access_key")
    assert len(key) == 43
    assert (e["year"], e["status"], e["school"], e["teacher"], e["team_size"], e["title"], e["description"],
            e["proposed_domain"]) == (year, "submitted", body["school"], body["teacher"], 4, body["title"],
                                      body["description"], body["proposed_domain"])
    assert (e["score"], e["scores_count"], e["voucher_code"], e["voucher_status"], e["site_url"], e["reason"]) == \
        (None, 0, None, None, None, None)
    assert e["submitted_at"] == e["created_at"]
    assert entry_status(db, e["id"]) == "submitted"
    # the key is stored hashed, for a teacher
    kr = db.execute("SELECT role, key_hash FROM access_keys WHERE subject_id = %s", (e["id"],)).fetchone()
    assert kr[0] == "teacher" and key not in kr[1]
    # it lasts as long as the edition: benefit_months (of 31 days) after submissions close
    lasts = db.execute("SELECT extract(epoch from k.expires_at - x.submissions_close_at) FROM access_keys k,"
                       " sitestar_editions x WHERE k.subject_id = %s AND x.year = %s", (e["id"], year)).fetchone()[0]
    assert abs(float(lasts) - 12 * 31 * 86400) < 60
    # the teacher's token: that one entry, never the key again
    t = api.with_token(teacher_token(api, {"id": e["id"], "access_key": key}))
    me = ok(t.get("/v1/me"))
    assert (me["role"], me["entry_id"], me["registrar"]) == ("teacher", e["id"], None)
    mine = ok(t.get(f"{EN}/{e['id']}"))
    assert "access_key" not in mine
    assert {k: v for k, v in mine.items() if k != "allowed_actions"} == \
        {k: v for k, v in e.items() if k != "allowed_actions"}
    assert "withdraw" in mine["allowed_actions"] and "disqualify" not in mine["allowed_actions"]
    seen = ok(staff(api).get(f"{EN}/{e['id']}"))
    assert "disqualify" in seen["allowed_actions"] and "withdraw" not in seen["allowed_actions"]
    # a wrong key gives no token
    r = api.post("/v1/auth/token", data={"grant_type": "client_credentials", "client_id": e["id"],
                                         "client_secret": key[:-1] + ("A" if key[-1] != "A" else "B")})
    assert r.status_code == 401
    assert [a[0] for a in entry_audit(db, e["id"])][:1] == ["submit"]


def test_no_student_names_anywhere(api, db):
    year = create_edition(api)["year"]
    before = snapshot(db)
    for member in ({"students": ["Ana", "Rui"]}, {"student_names": "Ana, Rui"}, {"team": [{"name": "Ana"}]}):
        r = api.post(f"{ED}/{year}/entries", entry_body(**member))
        problem(r, 422, "validation-failed")
        assert codes(r) == [("/" + next(iter(member)), "unknown_field")]
    r = api.post(f"{ED}/{year}/entries", entry_body(school={"name": "Escola", "municipality": "Lisboa",
                                                              "students": ["Ana"]}))
    problem(r, 422, "validation-failed")
    assert codes(r) == [("/school/students", "unknown_field")]
    assert snapshot(db) == before
    # nothing in the schema could hold them
    cols = db.execute("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'"
                      " AND table_name LIKE 'sitestar%%' AND column_name ILIKE '%%student%%'").fetchall()
    assert cols == []
    assert sitestar_tables(db), "the Sitestar tables exist"


@pytest.mark.parametrize("over,expected", [
    ({"school": {"name": "", "municipality": "Lisboa"}}, [("/school/name", "too_short")]),
    ({"school": {"name": "x" * 201, "municipality": "Lisboa"}}, [("/school/name", "too_long")]),
    ({"school": {"name": "Escola", "municipality": "x" * 101}}, [("/school/municipality", "too_long")]),
    ({"school": {"name": "Escola"}}, [("/school/municipality", "required")]),
    ({"school": "Escola"}, [("/school", "type")]),
    ({"teacher": {"name": "Maria", "email": "maria-at-escola.pt"}}, [("/teacher/email", "email")]),
    ({"teacher": {"name": "x" * 201, "email": "m@escola.pt"}}, [("/teacher/name", "too_long")]),
    ({"teacher": {"email": "m@escola.pt"}}, [("/teacher/name", "required")]),
    ({"team_size": 0}, [("/team_size", "too_small")]),
    ({"team_size": 31}, [("/team_size", "too_large")]),
    ({"team_size": 2.5}, [("/team_size", "type")]),
    ({"title": ""}, [("/title", "too_short")]),
    ({"title": "x" * 201}, [("/title", "too_long")]),
    ({"description": "x" * 5001}, [("/description", "too_long")]),
    ({"title": "Ciência\u202eem Camões"}, [("/title", "bidi_control")]),
    ({"proposed_domain": "camoes.com"}, [("/proposed_domain", "pt_domain")]),
    ({"proposed_domain": "www.camoes.pt"}, [("/proposed_domain", "pt_domain")]),
    ({"proposed_domain": "-camoes.pt"}, [("/proposed_domain", "domain_name")]),
    ({"proposed_domain": "camoes ciencia.pt"}, [("/proposed_domain", "domain_name")]),
    ({"proposed_domain": 7}, [("/proposed_domain", "type")]),
    ({"status": "approved"}, [("/status", "unknown_field")]),
    ({"score": 100}, [("/score", "unknown_field")]),
], ids=lambda v: str(v)[:40])
def test_an_entry_refuses_bad_input_and_changes_nothing(api, db, over, expected):
    year = create_edition(api)["year"]
    before = snapshot(db)
    r = api.post(f"{ED}/{year}/entries", entry_body(**over))
    problem(r, 422, "validation-failed")
    assert codes(r) == expected
    assert snapshot(db) == before


def test_every_member_of_an_entry_is_required(api, db):
    year = create_edition(api)["year"]
    before = snapshot(db)
    r = api.post(f"{ED}/{year}/entries", {})
    problem(r, 422, "validation-failed")
    assert codes(r) == sorted((f"/{m}", "required") for m in
                              ("school", "teacher", "team_size", "title", "description", "proposed_domain"))
    problem(api.post(f"{ED}/{year}/entries", data="[", headers={"Content-Type": "application/json"}),
            400, "invalid-request")
    assert snapshot(db) == before


def test_entries_only_inside_the_submission_window(api, db):
    year = create_edition(api)["year"]
    not_yet_open(db, year)
    before = snapshot(db)
    problem(api.post(f"{ED}/{year}/entries", entry_body()), 409, "window-closed")
    assert snapshot(db) == before
    set_window(db, year, "-1 second", "1 hour")
    submit(api, year)
    close_submissions(db, year)
    before = snapshot(db)
    problem(api.post(f"{ED}/{year}/entries", entry_body(1)), 409, "window-closed")
    problem(staff(api).post(f"{ED}/{year}/entries", entry_body(2)), 409, "window-closed")
    assert snapshot(db) == before


def test_idempotency_key_replays_an_entry(api, db):
    year = create_edition(api)["year"]
    key = f"entry-{uuid.uuid4()}"
    first = api.post(f"{ED}/{year}/entries", entry_body(3), headers={"Idempotency-Key": key})
    assert first.status_code == 201, first.text
    again = api.post(f"{ED}/{year}/entries", entry_body(3), headers={"Idempotency-Key": key})
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert len(statuses(db, year)) == 1
    problem(api.post(f"{ED}/{year}/entries", entry_body(4), headers={"Idempotency-Key": key}),
            422, "idempotency-key-reused")
    assert len(statuses(db, year)) == 1


def test_staff_list_an_editions_entries(api, db):
    year = create_edition(api)["year"]
    made = [submit(api, year, i=i) for i in range(4)]
    other = create_edition(api)["year"]
    submit(api, other)
    ok(staff(api).post(f"{EN}/{made[1]['id']}/disqualify", {"reason": "Spam."}))
    s = staff(api)
    page = ok(s.get(f"{ED}/{year}/entries", params={"include_total": "true"}))
    assert page["total"] == 4
    assert [e["id"] for e in page["items"]] == [m["id"] for m in reversed(made)]
    assert all("access_key" not in e for e in page["items"])
    oldest = ok(s.get(f"{ED}/{year}/entries", params={"sort": "created_at"}))["items"]
    assert [e["id"] for e in oldest] == [m["id"] for m in made]
    sub = ok(s.get(f"{ED}/{year}/entries", params={"status": "submitted"}))["items"]
    assert {e["id"] for e in sub} == {made[0]["id"], made[2]["id"], made[3]["id"]}
    dq = ok(s.get(f"{ED}/{year}/entries", params={"status": "disqualified,withdrawn"}))["items"]
    assert [e["id"] for e in dq] == [made[1]["id"]]
    first = ok(s.get(f"{ED}/{year}/entries", params={"limit": "3"}))
    rest = ok(s.get(f"{ED}/{year}/entries", params={"limit": "3", "cursor": first["next_cursor"]}))
    assert [e["id"] for e in first["items"] + rest["items"]] == [m["id"] for m in reversed(made)]
    assert rest["next_cursor"] is None
    assert ok(s.get(f"{ED}/{year}/entries", params={"updated_since": "2999-01-01T00:00:00Z"}))["items"] == []
    first_page = s.get(f"{ED}/{year}/entries")
    assert s.get(f"{ED}/{year}/entries", headers={"If-None-Match": first_page.headers["ETag"]}).status_code == 304
    problem(s.get(f"{ED}/{year}/entries", params={"status": "winning"}), 400, "invalid-request")
    problem(s.get(f"{ED}/{year}/entries", params={"sort": "title"}), 400, "invalid-request")


# --- roles ----------------------------------------------------------------------------------

def test_each_wrong_caller_is_refused_and_changes_nothing(api, db):
    year = create_edition(api)["year"]
    mine, theirs = submit(api, year, i=1), submit(api, year, i=2)
    t = as_teacher(api, mine)
    reg = as_registrar(api, make_registrar(db))
    applicant = api.with_token(mint("applicant", application_id=str(uuid.uuid4())))
    before = snapshot(db)
    staff_only = [("GET", f"{ED}/{year}/entries", None), ("GET", f"{EN}/{theirs['id']}/scores", None),
                  ("PUT", f"{EN}/{theirs['id']}/scores/me", {"score": 50}),
                  ("POST", f"{EN}/{theirs['id']}/disqualify", {"reason": "Spam."}),
                  ("POST", f"{ED}/{year}/select", None)]
    staff_or_teacher = [("GET", f"{EN}/{theirs['id']}", None), ("GET", f"{EN}/{theirs['id']}/history", None),
                        ("PATCH", f"{EN}/{theirs['id']}", {"site_url": "https://intruso.pt"})]
    teacher_only = [("POST", f"{EN}/{theirs['id']}/withdraw", None)]
    every = staff_only + staff_or_teacher + teacher_only
    for method, path, body in every:
        r = api.request(method, path, json_body=body, headers={"If-Match": '"1"'} if method == "PATCH" else None)
        problem(r, 401, "unauthenticated")
        assert r.headers["WWW-Authenticate"].startswith("Bearer")
        for client in (reg, applicant):
            r = client.request(method, path, json_body=body,
                               headers={"If-Match": '"1"'} if method == "PATCH" else None)
            problem(r, 403, "forbidden")
    # the teacher: staff's routes are forbidden, another entry is not found
    for method, path, body in staff_only:
        problem(t.request(method, path, json_body=body), 403, "forbidden")
    for method, path, body in staff_or_teacher + teacher_only:
        problem(t.request(method, path, json_body=body, headers={"If-Match": '"1"'} if method == "PATCH" else None),
                404, "not-found")
    # staff may not withdraw for the teacher
    problem(staff(api).post(f"{EN}/{theirs['id']}/withdraw"), 403, "forbidden")
    assert snapshot(db) == before
    # an unknown or malformed entry id
    problem(staff(api).get(f"{EN}/{uuid.uuid4()}"), 404, "not-found")
    problem(staff(api).get(f"{EN}/not-a-uuid"), 404, "not-found")
    problem(t.get(f"{EN}/{uuid.uuid4()}"), 404, "not-found")
    # and the teacher does read its own
    assert ok(t.get(f"{EN}/{mine['id']}"))["id"] == mine["id"]
    assert ok(t.get(f"{EN}/{mine['id']}/history"))["items"][0]["action"] == "submit"


# --- withdraw and disqualify ----------------------------------------------------------------

def test_the_teacher_withdraws_before_any_score(api, db):
    year = create_edition(api)["year"]
    e = submit(api, year)
    t = as_teacher(api, e)
    r = t.post(f"{EN}/{e['id']}/withdraw", {"reason": "A equipa desistiu."})
    w = ok(r)
    assert (w["status"], w["allowed_actions"]) == ("withdrawn", [])
    assert r.headers["ETag"] == '"2"'
    assert entry_status(db, e["id"]) == "withdrawn"
    assert [a[:3] for a in entry_audit(db, e["id"])][-1] == ("withdraw", "submitted", "withdrawn")
    before = snapshot(db)
    body = problem(as_teacher(api, e).post(f"{EN}/{e['id']}/withdraw"), 409, "invalid-state") \
        if _token_ok(api, e) else None
    if body is not None:
        assert body["current_status"] == "withdrawn"
    problem(staff(api).post(f"{EN}/{e['id']}/disqualify", {"reason": "Spam."}), 409, "invalid-state")
    assert snapshot(db) == before


def _token_ok(api, created):
    """Whether the entry's key still gives a token (a withdrawn entry's may be revoked)."""
    r = api.post("/v1/auth/token", data={"grant_type": "client_credentials", "client_id": created["id"],
                                         "client_secret": created["access_key"]})
    return r.status_code == 200


def test_once_scored_the_teacher_can_no_longer_withdraw(api, db):
    year = create_edition(api)["year"]
    e = submit(api, year)
    t = as_teacher(api, e)
    close_submissions(db, year)
    ok(score(api, e["id"], 70))
    assert "withdraw" not in ok(t.get(f"{EN}/{e['id']}"))["allowed_actions"]
    before = snapshot(db)
    body = problem(t.post(f"{EN}/{e['id']}/withdraw"), 409, "invalid-state")
    assert body["current_status"] == "submitted"
    assert snapshot(db) == before


def test_staff_disqualify_with_a_reason(api, db):
    year = create_edition(api)["year"]
    e = submit(api, year)
    s = staff(api)
    before = snapshot(db)
    r = s.post(f"{EN}/{e['id']}/disqualify")
    problem(r, 422, "validation-failed")
    assert codes(r) == [("/reason", "required")]
    r = s.post(f"{EN}/{e['id']}/disqualify", {"reason": ""})
    problem(r, 422, "validation-failed")
    problem(s.post(f"{EN}/{e['id']}/disqualify", {"reason": "Spam.", "extra": 1}), 422, "validation-failed")
    assert snapshot(db) == before
    d = ok(s.post(f"{EN}/{e['id']}/disqualify", {"reason": "Proposta de um site comercial, fora do regulamento."}))
    assert (d["status"], d["reason"], d["allowed_actions"]) == \
        ("disqualified", "Proposta de um site comercial, fora do regulamento.", [])
    assert entry_status(db, e["id"]) == "disqualified"
    assert [a[:4] for a in entry_audit(db, e["id"])][-1] == \
        ("disqualify", "submitted", "disqualified", "Proposta de um site comercial, fora do regulamento.")
    # the teacher sees it, with the reason, and may no longer withdraw
    t = as_teacher(api, e)
    seen = ok(t.get(f"{EN}/{e['id']}"))
    assert (seen["status"], seen["reason"]) == ("disqualified", d["reason"])
    before = snapshot(db)
    problem(t.post(f"{EN}/{e['id']}/withdraw"), 409, "invalid-state")
    problem(s.post(f"{EN}/{e['id']}/disqualify", {"reason": "Outra vez."}), 409, "invalid-state")
    assert snapshot(db) == before
    history = ok(s.get(f"{EN}/{e['id']}/history"))["items"]
    assert [(h["action"], h["to_status"]) for h in history] == [("submit", "submitted"),
                                                                ("disqualify", "disqualified")]
    assert history[1]["reason"] == d["reason"]


# --- scores ---------------------------------------------------------------------------------

def test_scores_only_once_submissions_have_closed(api, db):
    year = create_edition(api)["year"]
    e = submit(api, year)
    before = snapshot(db)
    problem(score(api, e["id"], 80), 409, "window-closed")
    assert snapshot(db) == before
    not_yet_open(db, year)
    before = snapshot(db)
    problem(score(api, e["id"], 80), 409, "window-closed")
    assert snapshot(db) == before


def test_each_juror_gives_one_score_and_the_entry_has_their_mean(api, db):
    year = create_edition(api)["year"]
    e = submit(api, year)
    close_submissions(db, year)
    r = score(api, e["id"], 90, n=1)
    one = ok(r)
    assert (one["score"], one["scores_count"], one["status"]) == (90, 1, "submitted")
    two = ok(score(api, e["id"], 85, n=2))
    assert (two["score"], two["scores_count"]) == (87.5, 2)
    # a juror changes its score: still one per juror
    again = ok(score(api, e["id"], 80, n=1))
    assert (again["score"], again["scores_count"]) == (82.5, 2)
    ok(score(api, e["id"], 0, n=3))
    ok(score(api, e["id"], 100, n=4))
    seen = ok(staff(api).get(f"{EN}/{e['id']}"))
    assert (seen["score"], seen["scores_count"]) == (66.25, 4)
    listed = ok(staff(api).get(f"{EN}/{e['id']}/scores"))
    assert listed["next_cursor"] is None
    assert sorted((s["juror"], s["score"]) for s in listed["items"]) == [
        ("juri1@dns.pt", 80), ("juri2@dns.pt", 85), ("juri3@dns.pt", 0), ("juri4@dns.pt", 100)]
    # the teacher sees the mean, not who gave what
    mine = ok(as_teacher(api, e).get(f"{EN}/{e['id']}"))
    assert (mine["score"], mine["scores_count"]) == (66.25, 4)
    scores = [a for a in entry_audit(db, e["id"]) if a[0] == "score"]
    assert len(scores) == 5 and [a[4].get("score") for a in scores] == [90, 85, 80, 0, 100]


@pytest.mark.parametrize("body,expected", [
    ({"score": -1}, [("/score", "too_small")]),
    ({"score": 101}, [("/score", "too_large")]),
    ({"score": 50.5}, [("/score", "type")]),
    ({"score": "90"}, [("/score", "type")]),
    ({"score": None}, [("/score", "not_null")]),
    ({}, [("/score", "required")]),
    ({"score": 50, "juror": "outro@dns.pt"}, [("/juror", "unknown_field")]),
], ids=lambda v: str(v)[:30])
def test_a_bad_score_is_refused_and_changes_nothing(api, db, body, expected):
    year = create_edition(api)["year"]
    e = submit(api, year)
    close_submissions(db, year)
    ok(score(api, e["id"], 60))
    before = snapshot(db)
    r = juror(api).request("PUT", f"{EN}/{e['id']}/scores/me", json_body=body)
    problem(r, 422, "validation-failed")
    assert codes(r) == expected
    assert snapshot(db) == before


def test_no_score_for_an_entry_that_is_not_submitted_nor_after_the_selection(api, db):
    year = create_edition(api)["year"]
    out, withdrawn, kept = submit(api, year, i=1), submit(api, year, i=2), submit(api, year, i=3)
    ok(staff(api).post(f"{EN}/{out['id']}/disqualify", {"reason": "Spam."}))
    ok(as_teacher(api, withdrawn).post(f"{EN}/{withdrawn['id']}/withdraw"))
    close_submissions(db, year)
    ok(score(api, kept["id"], 75))
    before = snapshot(db)
    assert problem(score(api, out["id"], 80), 409, "invalid-state")["current_status"] == "disqualified"
    assert problem(score(api, withdrawn["id"], 80), 409, "invalid-state")["current_status"] == "withdrawn"
    assert snapshot(db) == before
    ok(staff(api).post(f"{ED}/{year}/select"))
    before = snapshot(db)
    problem(score(api, kept["id"], 10), 409, "invalid-state")
    problem(score(api, kept["id"], 10, n=2), 409, "invalid-state")
    assert snapshot(db) == before


# --- selection ------------------------------------------------------------------------------

def test_select_before_submissions_close_is_refused(api, db):
    year = create_edition(api)["year"]
    submit(api, year)
    before = snapshot(db)
    problem(staff(api).post(f"{ED}/{year}/select"), 409, "window-closed")
    assert snapshot(db) == before
    not_yet_open(db, year)
    before = snapshot(db)
    problem(staff(api).post(f"{ED}/{year}/select", {}), 409, "window-closed")
    assert snapshot(db) == before
    r = staff(api).post(f"{ED}/{year}/select", {"approved_quota": 5})
    problem(r, 422, "validation-failed")
    assert snapshot(db) == before


def test_select_approves_the_best_and_issues_each_a_voucher(api, db):
    year = create_edition(api, approved_quota=2)["year"]
    a, b, c, d = (submit(api, year, i=i) for i in range(4))
    gone, out = submit(api, year, i=8), submit(api, year, i=9)
    ok(as_teacher(api, gone).post(f"{EN}/{gone['id']}/withdraw"))
    close_submissions(db, year)
    for entry, value in ((a, 40), (b, 90), (c, 70), (d, 60), (out, 100)):
        ok(score(api, entry["id"], value))
    ok(staff(api).post(f"{EN}/{out['id']}/disqualify", {"reason": "Plágio."}))
    r = staff(api).post(f"{ED}/{year}/select")
    sel = ok(r)
    assert (sel["year"], sel["approved"], sel["not_selected"]) == (year, 2, 2)
    assert statuses(db, year) == {a["id"]: "not_selected", b["id"]: "approved", c["id"]: "approved",
                                  d["id"]: "not_selected", gone["id"]: "withdrawn", out["id"]: "disqualified"}
    assert vouchers_of(db, year) == 2
    s = staff(api)
    for entry in (b, c):
        seen = ok(s.get(f"{EN}/{entry['id']}"))
        assert seen["status"] == "approved" and seen["voucher_status"] == "issued"
        v = ok(s.get(f"{VOU}/{seen['voucher_code']}"))
        assert v["program"] == f"sitestar-{year}" and v["status"] == "issued"
        assert v["beneficiary"] == {"type": "school_team", "name": entry["school"]["name"],
                                    "email": entry["teacher"]["email"]}
    for entry in (a, d):
        seen = ok(s.get(f"{EN}/{entry['id']}"))
        assert (seen["status"], seen["voucher_code"], seen["voucher_status"]) == ("not_selected", None, None)
    # the teacher of an approved entry sees its voucher code
    mine = ok(as_teacher(api, b).get(f"{EN}/{b['id']}"))
    assert mine["voucher_code"] == ok(s.get(f"{EN}/{b['id']}"))["voucher_code"]
    # again: the same answer, nothing more
    before = snapshot(db)
    assert ok(staff(api).post(f"{ED}/{year}/select")) == sel
    assert ok(api.with_token(mint("admin", sub="root@dns.pt")).post(f"{ED}/{year}/select", {})) == sel
    assert snapshot(db) == before
    e = ok(api.get(f"{ED}/{year}"))
    assert (e["phase"], e["selected_at"]) == ("selected", sel["selected_at"])
    assert audit(db, year) == [("create", None, "open", None), ("select", "open", "selected", None)]
    # each entry's history shows its outcome, once
    assert [e[:3] for e in entry_audit(db, b["id"]) if e[0] == "select"] == [("select", "submitted", "approved")]
    assert [e[:3] for e in entry_audit(db, a["id"]) if e[0] == "select"] == [("select", "submitted", "not_selected")]


def test_an_edition_with_no_entries_selects_nothing(api, db):
    year = create_edition(api)["year"]
    close_submissions(db, year)
    sel = ok(staff(api).post(f"{ED}/{year}/select"))
    assert (sel["approved"], sel["not_selected"]) == (0, 0)
    assert vouchers_of(db, year) == 0


def test_130_entries_select_exactly_100_twice_with_the_same_result(api, db):
    """130 entries, quota 100. By submission order: 27 never scored (ranked last, though
    submitted first), B and A tied at a mean of 10 (B first: B wins the last place), Z
    scored 0, D scored 100 then disqualified, and 99 scored above 10."""
    year = create_edition(api)["year"]
    assert ok(api.get(f"{ED}/{year}"))["approved_quota"] == 100
    made = [submit(api, year, i=i) for i in range(130)]
    ids = [m["id"] for m in made]
    unscored, B_, A_, Z_, D_, high = ids[:27], ids[27], ids[28], ids[29], ids[30], ids[31:]
    close_submissions(db, year)
    means = {}
    # B: (0 + 20) / 2; A: (10 + 10) / 2 -- the same mean, by other scores
    for eid, (s1, s2) in ((B_, (0, 20)), (A_, (10, 10)), (Z_, (0, 0)), (D_, (100, 100))):
        ok(score(api, eid, s1, n=1))
        ok(score(api, eid, s2, n=2))
        means[eid] = (s1 + s2) / 2
    for k, eid in enumerate(high):
        s1, s2 = 11 + (k * 37) % 90, 12 + (k * 53) % 89   # ties among them too, all above 10
        ok(score(api, eid, s1, n=1))
        ok(score(api, eid, s2, n=2))
        if k % 3 == 0:
            ok(score(api, eid, s1, n=3))  # a third juror on some
            means[eid] = (s1 + s2 + s1) / 3
        else:
            means[eid] = (s1 + s2) / 2
    ok(staff(api).post(f"{EN}/{D_}/disqualify", {"reason": "Plágio."}))
    # the staff ranking (-score) is the selection's order: best first, ties by submission, no score last
    order = {eid: n for n, eid in enumerate(ids)}
    ranked = sorted(ids, key=lambda i: (i not in means, -means.get(i, 0), order[i]))
    listed = ok(staff(api).get(f"{ED}/{year}/entries", params={"sort": "-score", "limit": "200"}))["items"]
    assert [e["id"] for e in listed] == ranked
    for e in listed:
        assert e["score"] == (round(means[e["id"]], 3) if e["id"] in means else None)
    vouchers_before = db.execute("SELECT count(*) FROM vouchers").fetchone()[0]

    sel = ok(staff(api).post(f"{ED}/{year}/select"))
    assert (sel["approved"], sel["not_selected"]) == (100, 29)
    st = statuses(db, year)
    approved = {i for i, s in st.items() if s == "approved"}
    assert approved == set(high) | {B_}
    assert {i for i, s in st.items() if s == "not_selected"} == set(unscored) | {A_, Z_}
    assert st[D_] == "disqualified"
    assert vouchers_of(db, year) == 100
    assert db.execute("SELECT count(*) FROM vouchers").fetchone()[0] == vouchers_before + 100
    codes_ = {e["id"]: e["voucher_code"] for e in
              ok(staff(api).get(f"{ED}/{year}/entries", params={"status": "approved", "limit": "200"}))["items"]}
    assert set(codes_) == approved and len(set(codes_.values())) == 100 and None not in codes_.values()
    assert ok(staff(api).get(f"{ED}/{year}/entries", params={"status": "approved", "include_total": "true",
                                                              "limit": "1"}))["total"] == 100

    # twice in a row: the same result, no more vouchers, nothing changed
    before = snapshot(db)
    assert ok(staff(api).post(f"{ED}/{year}/select")) == sel
    assert snapshot(db) == before
    assert statuses(db, year) == st
    again = {e["id"]: e["voucher_code"] for e in
             ok(staff(api).get(f"{ED}/{year}/entries", params={"status": "approved", "limit": "200"}))["items"]}
    assert again == codes_
    stats = ok(staff(api).get(f"{PRG}/sitestar-{year}/voucher-stats"))
    assert (stats["issued"], stats["outstanding"]) == (100, 100)


# --- after the selection: the voucher and the site ------------------------------------------

def test_the_teacher_records_the_site_once_a_3em1_registrar_redeemed_the_voucher(api, db):
    year = create_edition(api, approved_quota=1)["year"]
    e, lost = submit(api, year, i=1), submit(api, year, i=2)
    t = as_teacher(api, e)
    close_submissions(db, year)
    ok(score(api, e["id"], 90))
    ok(score(api, lost["id"], 30))
    # before the selection: no voucher, nothing to record
    before = snapshot(db)
    body = problem(t.patch(f"{EN}/{e['id']}", {"site_url": "https://camoes-ciencia-1.pt"},
                           headers={"If-Match": etag_of(t, f"{EN}/{e['id']}")}), 409, "invalid-state")
    assert body["current_status"] == "submitted"
    assert snapshot(db) == before
    ok(staff(api).post(f"{ED}/{year}/select"))
    mine = ok(t.get(f"{EN}/{e['id']}"))
    assert (mine["status"], mine["voucher_status"]) == ("approved", "issued")
    code = mine["voucher_code"]
    assert code and len(canonical(code)) == 14
    # approved, the voucher not yet redeemed: still no site
    before = snapshot(db)
    problem(t.patch(f"{EN}/{e['id']}", {"site_url": "https://camoes-ciencia-1.pt"},
                    headers={"If-Match": etag_of(t, f"{EN}/{e['id']}")}), 409, "invalid-state")
    assert snapshot(db) == before
    # a registrar without 3em1 may not redeem it; one with an active 3em1 enrollment does
    outsider = make_registrar(db)
    problem(redeem(api, outsider, code, "camoes-ciencia-1.pt"), 403, "not-eligible")
    rid = builder(api, db, ("3em1",))
    done = ok(redeem(api, rid, code, "camoes-ciencia-1.pt"))
    assert done["program"] == f"sitestar-{year}" and done["status"] == "redeemed"
    mine = ok(t.get(f"{EN}/{e['id']}"))
    assert (mine["voucher_code"], mine["voucher_status"], mine["site_url"]) == (code, "redeemed", None)
    assert "edit" in mine["allowed_actions"]
    path = f"{EN}/{e['id']}"
    # PATCH: If-Match, site_url only, https only
    problem(t.patch(path, {"site_url": "https://camoes-ciencia-1.pt"}), 428, "precondition-required")
    problem(t.patch(path, {"site_url": "https://camoes-ciencia-1.pt"}, headers={"If-Match": '"99"'}),
            412, "precondition-failed")
    etag = etag_of(t, path)
    before = snapshot(db)
    for bad in ({"site_url": "http://camoes-ciencia-1.pt"}, {"site_url": "camoes-ciencia-1.pt"},
                {"site_url": 5}, {"title": "Outro título"}, {"status": "approved"},
                {"teacher": {"name": "Outra", "email": "outra@escola.pt"}}):
        r = t.patch(path, bad, headers={"If-Match": etag})
        problem(r, 422, "validation-failed")
        assert codes(r)[0][0] == "/" + next(iter(bad)), r.text
    assert snapshot(db) == before
    r = t.patch(path, {"site_url": "https://camoes-ciencia-1.pt"}, headers={"If-Match": etag})
    done = ok(r)
    assert done["site_url"] == "https://camoes-ciencia-1.pt" and done["status"] == "approved"
    assert r.headers["ETag"] != etag
    # staff may record it too, and remove it
    s = staff(api)
    cleared = ok(s.patch(path, {"site_url": None}, headers={"If-Match": etag_of(s, path),
                                                             "Content-Type": "application/merge-patch+json"}))
    assert cleared["site_url"] is None
    ok(s.patch(path, {"site_url": "https://www.camoes-ciencia-1.pt/"}, headers={"If-Match": etag_of(s, path)}))
    assert ok(t.get(path))["site_url"] == "https://www.camoes-ciencia-1.pt/"
    # the entry that was not selected has no voucher and no site
    lt = as_teacher(api, lost)
    seen = ok(lt.get(f"{EN}/{lost['id']}"))
    assert (seen["status"], seen["voucher_code"]) == ("not_selected", None)
    before = snapshot(db)
    problem(lt.patch(f"{EN}/{lost['id']}", {"site_url": "https://x.pt"},
                     headers={"If-Match": etag_of(lt, f"{EN}/{lost['id']}")}), 409, "invalid-state")
    assert snapshot(db) == before
    history = ok(t.get(path + "/history"))["items"]
    assert [h["action"] for h in history][0] == "submit"
    assert "score" in [h["action"] for h in history]


# --- the public submission's limits ---------------------------------------------------------

def test_public_entries_are_rate_limited_per_address_and_teacher_email(template_db):
    name = clone_database(template_db)
    srv = Server(name, env_extra={"PARCERIA_PUBLIC_RATE_LIMIT": "3", "PARCERIA_TRUSTED_PROXIES": "127.0.0.1"},
                 name="sitestar-public-limit").start()
    try:
        c = Client(srv.base)
        year = 2090
        ok(Client(srv.base, mint("staff")).post(ED, edition_body(year)), 201)

        def post(address, email, i):
            return c.post(f"{ED}/{year}/entries", entry_body(i, teacher={"name": "Maria Santos", "email": email}),
                          headers={"X-Forwarded-For": address})

        by_address = [post("198.51.100.7", f"p{i}@escola.pt", i) for i in range(4)]
        assert [r.status_code for r in by_address] == [201, 201, 201, 429]
        by_email = [post(f"198.51.100.{20 + i}", "mesma@escola.pt", 10 + i) for i in range(4)]
        assert [r.status_code for r in by_email] == [201, 201, 201, 429]
        assert by_email[0].headers["RateLimit-Policy"] == '"public";q=3;w=3600'
        assert int(by_email[3].headers["Retry-After"]) > 0
        staff_ok = Client(srv.base, mint("staff")).post(f"{ED}/{year}/entries", entry_body(99),
                                                        headers={"X-Forwarded-For": "198.51.100.7"})
        assert staff_ok.status_code == 201
        listed = ok(Client(srv.base, mint("staff")).get(f"{ED}/{year}/entries", params={"include_total": "true"}))
        assert listed["total"] == 7
    finally:
        assert srv.stop() == 0
        drop_database(name)
