"""The satisfaction survey (issue 15, area A): creation and the rules of its
questions, the draft → open → closed → published machine (opening needs a
question; questions frozen once open), who sees which survey, a registrar's
one response (every answer checked against its question, only inside the
window), the results (mean, distribution, NPS, texts without authors, groups
under 5 suppressed once public), the pseudonymous export and the panel for
Marktest, and the anonymity test: nothing in the results or the export names
a registrar. Every refusal changes nothing."""
import csv
import hashlib
import hmac
import io
import re
import uuid

import pytest

import race as race_kit
from accreditation import ok
from identity import make_registrar, mint, registrar_token
from openapi_check import Client
from programs import as_registrar, at, audit, codes, problem, staff
from surveys import (SRV, answer, create_survey, good, move, patch_survey, questions, stored_answers,
                     survey_body, survey_key, survey_row)


def count_surveys(db):
    return db.execute("SELECT count(*) FROM surveys").fetchone()[0]


def rows_of(text):
    return list(csv.reader(io.StringIO(text)))


# --- creation -------------------------------------------------------------------------------

def test_create_a_survey_in_draft(api, db):
    body = survey_body()
    r = staff(api).post(SRV, body)
    sv = ok(r, 201)
    assert r.headers["Location"] == f"{SRV}/{sv['id']}"
    assert r.headers["ETag"] == '"1"'
    for k in ("year", "title", "opens_at", "closes_at"):
        assert sv[k] == body[k], k
    assert (sv["status"], sv["response_count"]) == ("draft", 0)
    assert set(sv["allowed_actions"]) == {"open", "edit"}
    # the defaults are filled in, the rest as sent
    q = {x["id"]: x for x in sv["questions"]}
    assert q["geral"] == dict(questions()[0])
    assert q["canais"]["required"] is False and q["canais"]["multiple"] is True
    assert q["preferido"]["multiple"] is False
    assert q["sugestoes"]["max_length"] == 50 and q["sugestoes"]["required"] is False
    assert "pseudonym_key" not in sv and "key" not in r.text
    assert survey_row(db, sv["id"]) == ("draft", body["title"], 1, 5)
    assert len(survey_key(db, sv["id"])) == 32
    assert audit(db, sv["id"]) == [("create", None, "draft", None)]
    changes = db.execute("SELECT changes FROM audit_events WHERE resource_id = %s", (sv["id"],)).fetchone()[0]
    assert not changes
    assert ok(staff(api).get(f"{SRV}/{sv['id']}")) == sv


def test_a_text_question_defaults_to_2000(api):
    qs = [{"id": "livre", "text": {"pt": "Comentários", "en": "Comments"}, "kind": "text"}]
    sv = ok(staff(api).post(SRV, survey_body(questions=qs)), 201)
    assert sv["questions"] == [dict(qs[0], required=False, max_length=2000)]


def test_questions_are_optional_in_a_draft(api):
    sv = ok(staff(api).post(SRV, survey_body(questions=...)), 201)
    assert sv["questions"] == []
    assert sv["allowed_actions"] == ["edit"]  # nothing to open yet


def q_with(i, **over):
    qs = questions()
    qs[i].update(over)
    for k, v in over.items():
        if v is ...:
            del qs[i][k]
    return qs


BAD_CREATE = [
    ({"year": ...}, [("/year", "required")]),
    ({"year": 1999}, [("/year", "too_small")]),
    ({"year": 2101}, [("/year", "too_large")]),
    ({"title": ""}, [("/title", "too_short")]),
    ({"title": "t" * 201}, [("/title", "too_long")]),
    ({"opens_at": "amanhã"}, [("/opens_at", "format")]),
    ({"closes_at": at(-2)}, [("/closes_at", "before_opening")]),
    ({"colour": "azul"}, [("/colour", "unknown_field")]),
    ({"questions": [{}] * 51}, [("/questions", "too_many")]),
    ({"questions": q_with(1, id="geral")}, [("/questions/1/id", "not_unique")]),
    ({"questions": q_with(0, id="Geral-1")}, [("/questions/0/id", "format")]),
    ({"questions": q_with(4, id="respondent")}, [("/questions/4/id", "not_allowed")]),
    ({"questions": q_with(0, id="x" * 41)}, [("/questions/0/id", "too_long")]),
    ({"questions": q_with(0, kind="stars")}, [("/questions/0/kind", "enum")]),
    ({"questions": q_with(0, text={"pt": "Só português"})}, [("/questions/0/text/en", "required")]),
    ({"questions": q_with(0, text={"pt": "p" * 501, "en": "e"})}, [("/questions/0/text/pt", "too_long")]),
    ({"questions": q_with(0, min=2)}, [("/questions/0/min", "scale_range")]),
    ({"questions": q_with(0, min=0, max=5)}, [("/questions/0/min", "scale_range")]),
    ({"questions": q_with(0, max=11)}, [("/questions/0/max", "too_large")]),
    ({"questions": q_with(0, max=...)}, [("/questions/0/max", "required")]),
    ({"questions": q_with(0, options=[])}, [("/questions/0/options", "too_few")]),  # the shape first
    ({"questions": q_with(0, options=q_with(2)[2]["options"])}, [("/questions/0/options", "not_allowed")]),
    ({"questions": q_with(2, min=1)}, [("/questions/2/min", "not_allowed")]),
    ({"questions": q_with(4, multiple=True)}, [("/questions/4/multiple", "not_allowed")]),
    ({"questions": q_with(0, max_length=10)}, [("/questions/0/max_length", "not_allowed")]),
    ({"questions": q_with(2, options=...)}, [("/questions/2/options", "required")]),
    ({"questions": q_with(3, options=[{"id": "email", "text": {"pt": "Email", "en": "Email"}}])},
     [("/questions/3/options", "too_few")]),
    ({"questions": q_with(3, options=[{"id": "a", "text": {"pt": "A", "en": "A"}}] * 2)},
     [("/questions/3/options/1/id", "not_unique")]),
    ({"questions": q_with(4, max_length=2001)}, [("/questions/4/max_length", "too_large")]),
    ({"questions": q_with(4, required="sim")}, [("/questions/4/required", "type")]),
    ({"questions": q_with(4, help="x")}, [("/questions/4/help", "unknown_field")]),
]


@pytest.mark.parametrize("over,expected", BAD_CREATE, ids=[str(e) for _, e in BAD_CREATE])
def test_bad_creations_are_422_and_store_nothing(api, db, over, expected):
    before = count_surveys(db)
    r = staff(api).post(SRV, survey_body(**over))
    problem(r, 422, "validation-failed")
    assert codes(r) == sorted(expected)
    assert count_surveys(db) == before


def test_only_staff_create(api, db):
    rid = make_registrar(db)
    before = count_surveys(db)
    problem(as_registrar(api, rid).post(SRV, survey_body()), 403, "forbidden")
    problem(api.post(SRV, survey_body()), 401, "unauthenticated")
    assert count_surveys(db) == before


# --- the machine --------------------------------------------------------------------------------

def test_open_close_publish(api, db):
    sv = create_survey(api)
    s = staff(api)
    sv = ok(s.post(f"{SRV}/{sv['id']}/open"))
    assert (sv["status"], set(sv["allowed_actions"])) == ("open", {"close", "edit"})
    sv = ok(s.post(f"{SRV}/{sv['id']}/close", {"reason": "Prazo terminado."}))
    assert (sv["status"], sv["allowed_actions"]) == ("closed", ["publish"])
    sv = ok(s.post(f"{SRV}/{sv['id']}/publish"))
    assert (sv["status"], sv["allowed_actions"]) == ("published", [])
    assert [a[:3] for a in audit(db, sv["id"])] == [("create", None, "draft"), ("open", "draft", "open"),
                                                     ("close", "open", "closed"),
                                                     ("publish", "closed", "published")]
    history = ok(s.get(f"{SRV}/{sv['id']}/history"))["items"]
    assert [h["action"] for h in history] == ["create", "open", "close", "publish"]


def test_opening_needs_a_question(api, db):
    sv = create_survey(api, questions=[])
    body = problem(staff(api).post(f"{SRV}/{sv['id']}/open"), 409, "invalid-state")
    assert (body["current_status"], body["rule"]) == ("draft", "no_questions")
    assert survey_row(db, sv["id"])[0] == "draft"
    assert [a[0] for a in audit(db, sv["id"])] == ["create"]


@pytest.mark.parametrize("status,action", [("draft", "close"), ("draft", "publish"), ("open", "open"),
                                          ("open", "publish"), ("closed", "open"), ("published", "close")])
def test_wrong_state_is_409(api, db, status, action):
    sv = create_survey(api, status)
    body = problem(staff(api).post(f"{SRV}/{sv['id']}/{action}"), 409, "invalid-state")
    assert body["current_status"] == status
    assert "rule" not in body
    assert survey_row(db, sv["id"])[0] == status


def test_actions_are_staff_only(api, db):
    rid = make_registrar(db)
    sv = create_survey(api)
    problem(as_registrar(api, rid).post(f"{SRV}/{sv['id']}/open"), 403, "forbidden")
    problem(api.post(f"{SRV}/{sv['id']}/open"), 401, "unauthenticated")
    problem(as_registrar(api, rid).get(f"{SRV}/{sv['id']}/history"), 403, "forbidden")
    assert survey_row(db, sv["id"])[0] == "draft"


def test_unknown_survey_is_404(api):
    problem(staff(api).post(f"{SRV}/{uuid.uuid4()}/open"), 404, "not-found")
    problem(staff(api).get(f"{SRV}/{uuid.uuid4()}"), 404, "not-found")


# --- edits --------------------------------------------------------------------------------------

def test_a_draft_takes_any_member(api, db):
    sv = create_survey(api)
    qs = questions()[:2]
    out = ok(patch_survey(api, sv["id"], {"title": "Estudo 2027 (revisto)", "year": 2028, "questions": qs}))
    assert (out["title"], out["year"], [q["id"] for q in out["questions"]]) == ("Estudo 2027 (revisto)", 2028,
                                                                                ["geral", "nps"])
    assert survey_row(db, sv["id"]) == ("draft", "Estudo 2027 (revisto)", 2, 2)
    assert [a[0] for a in audit(db, sv["id"])] == ["create", "edit"]


def test_an_open_survey_takes_title_and_closes_at(api, db):
    sv = create_survey(api, "open")
    later = at(40)  # once: two calls can straddle a second
    out = ok(patch_survey(api, sv["id"], {"title": "Prolongado", "closes_at": later}))
    assert (out["title"], out["closes_at"], out["status"]) == ("Prolongado", later, "open")
    # the same questions again are no change
    ok(patch_survey(api, sv["id"], {"questions": sv["questions"]}))


@pytest.mark.parametrize("body", [{"questions": questions()[:1]}, {"year": 2030}, {"opens_at": at(-3)},
                                  {"title": "Novo", "questions": questions()[1:]}])
def test_frozen_members_of_an_open_survey_are_409(api, db, body):
    sv = create_survey(api, "open")
    before = survey_row(db, sv["id"])
    r = patch_survey(api, sv["id"], body)
    out = problem(r, 409, "invalid-state")
    assert (out["current_status"], out["rule"]) == ("open", "questions_frozen")
    assert survey_row(db, sv["id"]) == before


@pytest.mark.parametrize("status", ["closed", "published"])
def test_a_closed_survey_takes_no_edit(api, db, status):
    sv = create_survey(api, status)
    body = problem(patch_survey(api, sv["id"], {"title": "Tarde demais"}), 409, "invalid-state")
    assert body["current_status"] == status and "rule" not in body
    assert survey_row(db, sv["id"])[1] == sv["title"]


def test_edit_preconditions_and_rules(api, db):
    sv = create_survey(api)
    s = staff(api)
    problem(s.patch(f"{SRV}/{sv['id']}", {"title": "x"}), 428, "precondition-required")
    problem(s.patch(f"{SRV}/{sv['id']}", {"title": "x"}, headers={"If-Match": '"99"'}), 412,
            "precondition-failed")
    r = patch_survey(api, sv["id"], {"closes_at": at(-5)})
    problem(r, 422, "validation-failed")
    assert codes(r) == [("/closes_at", "before_opening")]
    r = patch_survey(api, sv["id"], {"questions": q_with(2, min=1), "colour": "azul"})
    assert codes(r) == [("/colour", "unknown_field")]  # the shape first, before any row is read
    r = patch_survey(api, sv["id"], {"questions": q_with(2, min=1)})
    assert codes(r) == [("/questions/2/min", "not_allowed")]
    r = patch_survey(api, sv["id"], {"questions": [{"id": "a", "kind": "text"}]})
    assert codes(r) == [("/questions/0/text", "required")]  # a list replaced: each question whole
    assert survey_row(db, sv["id"]) == ("draft", sv["title"], 1, 5)
    rid = make_registrar(db)
    problem(as_registrar(api, rid).patch(f"{SRV}/{sv['id']}", {"title": "x"}, headers={"If-Match": '"1"'}),
            403, "forbidden")


# --- who sees which -----------------------------------------------------------------------------

def test_visibility_by_role(api, db):
    rid = make_registrar(db)
    reg = as_registrar(api, rid)
    drafts, opened, published = create_survey(api), create_survey(api, "open"), create_survey(api, "published")
    problem(reg.get(f"{SRV}/{drafts['id']}"), 404, "not-found")
    problem(api.get(f"{SRV}/{drafts['id']}"), 404, "not-found")
    assert ok(reg.get(f"{SRV}/{opened['id']}"))["allowed_actions"] == []
    problem(api.get(f"{SRV}/{opened['id']}"), 404, "not-found")
    r = api.get(f"{SRV}/{published['id']}")
    assert ok(r)["status"] == "published"
    assert r.headers["Cache-Control"] == "public, max-age=60"
    assert api.get(f"{SRV}/{published['id']}", headers={"If-None-Match": r.headers["ETag"]}).status_code == 304
    assert "no-store" in ok_headers(reg.get(f"{SRV}/{published['id']}"))


def ok_headers(r):
    assert r.status_code == 200, r.text
    return r.headers["Cache-Control"]


def ids(page):
    return {x["id"] for x in page["items"]}


def test_lists_by_role(api, db):
    rid = make_registrar(db)
    made = {st: create_survey(api, st, year=2099)["id"] for st in ["draft", "open", "closed", "published"]}
    mine = set(made.values())
    q = {"year": "2099", "limit": "200"}
    assert ids(ok(staff(api).get(SRV, params=q))) & mine == mine
    assert ids(ok(as_registrar(api, rid).get(SRV, params=q))) & mine == mine - {made["draft"]}
    r = api.get(SRV, params=q)
    assert ids(ok(r)) & mine == {made["published"]}
    assert r.headers["Cache-Control"] == "public, max-age=60"
    # a filter never widens what a caller sees
    assert ids(ok(api.get(SRV, params=dict(q, status="draft,open")))) & mine == set()
    assert ids(ok(staff(api).get(SRV, params=dict(q, status="open")))) & mine == {made["open"]}
    page = ok(staff(api).get(SRV, params=dict(q, sort="-year", include_total="true")))
    assert page["total"] >= 4
    problem(api.get(SRV, params={"shown": '["draft"]'}), 400, "invalid-request")
    problem(api.get(SRV, params={"status": "archived"}), 400, "invalid-request")
    problem(api.get(SRV, params={"year": "vinte"}), 400, "invalid-request")


def test_staff_export_the_list_as_csv(api):
    sv = create_survey(api, year=2098)
    r = staff(api).get(SRV, params={"year": "2098"}, headers={"Accept": "text/csv"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    assert sv["id"] in r.text


# --- responses ----------------------------------------------------------------------------------

def test_answer_then_change(api, db):
    rid = make_registrar(db)
    sv = create_survey(api, "open")
    r = answer(api, rid, sv["id"], good(sugestoes="  Mais formação.\nE DNSSEC.  "))
    first = ok(r, 201)
    assert first["survey_id"] == sv["id"]
    assert first["answers"] == good(sugestoes="Mais formação.\nE DNSSEC.")
    assert first["updated_at"]
    assert stored_answers(db, sv["id"], rid) == first["answers"]
    again = ok(answer(api, rid, sv["id"], good(geral=2, canais=...)), 200)
    assert again["answers"] == good(geral=2, canais=..., sugestoes="Mais formação.")
    assert stored_answers(db, sv["id"], rid) == again["answers"]
    assert stored_answers(db, sv["id"]) == 1
    mine = ok(as_registrar(api, rid).get(f"{SRV}/{sv['id']}/responses/mine"))
    assert mine == again
    assert ok(staff(api).get(f"{SRV}/{sv['id']}"))["response_count"] == 1
    # audited as an answer, with nothing of what was answered
    rows = db.execute("SELECT action, resource_type, actor_registrar_id::text, changes, reason FROM audit_events"
                      " WHERE resource_type = 'survey_response' AND resource_id = %s ORDER BY seq",
                      (sv["id"],)).fetchall()
    assert [(a, t, who) for a, t, who, _, _ in rows] == [("respond", "survey_response", rid)] * 2
    assert all(not changes and reason is None for _, _, _, changes, reason in rows)
    text = str(db.execute("SELECT array_agg(audit_events::text) FROM audit_events WHERE resource_id = %s",
                          (sv["id"],)).fetchone()[0])
    assert "DNSSEC" not in text and "formação" not in text


def test_a_response_moves_the_surveys_etag(api, db):
    rid = make_registrar(db)
    sv = create_survey(api, "open")
    s = staff(api)
    before = s.get(f"{SRV}/{sv['id']}")
    ok(answer(api, rid, sv["id"], good()), 201)
    after = s.get(f"{SRV}/{sv['id']}", headers={"If-None-Match": before.headers["ETag"]})
    assert ok(after)["response_count"] == 1 and after.headers["ETag"] != before.headers["ETag"]
    r = s.patch(f"{SRV}/{sv['id']}", {"title": "Tarde"}, headers={"If-Match": before.headers["ETag"]})
    problem(r, 412, "precondition-failed")
    ok(s.patch(f"{SRV}/{sv['id']}", {"title": "A tempo"}, headers={"If-Match": after.headers["ETag"]}))
    # an answer changed again is no new response: the count and the ETag stay
    etag = s.get(f"{SRV}/{sv['id']}").headers["ETag"]
    ok(answer(api, rid, sv["id"], good(geral=1)), 200)
    assert s.get(f"{SRV}/{sv['id']}", headers={"If-None-Match": etag}).status_code == 304


def test_mine_is_404_until_answered_and_only_ones_own(api, db):
    a, b = make_registrar(db), make_registrar(db)
    sv = create_survey(api, "open")
    problem(as_registrar(api, a).get(f"{SRV}/{sv['id']}/responses/mine"), 404, "not-found")
    ok(answer(api, a, sv["id"], good()), 201)
    problem(as_registrar(api, b).get(f"{SRV}/{sv['id']}/responses/mine"), 404, "not-found")
    ok(answer(api, b, sv["id"], good(geral=1)), 201)
    assert ok(as_registrar(api, a).get(f"{SRV}/{sv['id']}/responses/mine"))["answers"]["geral"] == 4
    problem(staff(api).get(f"{SRV}/{sv['id']}/responses/mine"), 403, "forbidden")
    problem(api.get(f"{SRV}/{sv['id']}/responses/mine"), 401, "unauthenticated")


BAD_ANSWERS = [
    (good(geral=...), [("/answers/geral", "required")]),
    (good(nps=...), [("/answers/nps", "required")]),
    (good(geral=6), [("/answers/geral", "out_of_range")]),
    (good(geral=0), [("/answers/geral", "out_of_range")]),
    (good(nps=11), [("/answers/nps", "out_of_range")]),
    (good(nps=-1), [("/answers/nps", "out_of_range")]),
    (good(geral="4"), [("/answers/geral", "type")]),
    (good(geral=4.5), [("/answers/geral", "type")]),
    (good(preferido="fax"), [("/answers/preferido", "unknown_option")]),
    (good(preferido=["siga"]), [("/answers/preferido", "multiple")]),
    (good(canais="email"), [("/answers/canais", "multiple")]),
    (good(canais=["email", "email"]), [("/answers/canais", "multiple")]),
    (good(canais=["email", "fax"]), [("/answers/canais", "unknown_option")]),
    (good(canais=[]), [("/answers/canais", "too_few")]),
    (good(canais=3), [("/answers/canais", "type")]),
    (good(preferido=None), [("/answers/preferido", "type")]),
    (good(sugestoes="s" * 51), [("/answers/sugestoes", "too_long")]),
    (good(sugestoes=""), [("/answers/sugestoes", "too_short")]),
    (good(sugestoes="linha\u0007"), [("/answers/sugestoes", "control_character")]),
    (good(sugestoes=7), [("/answers/sugestoes", "type")]),
    (good(extra=1), [("/answers/extra", "unknown_field")]),
    (good(geral=9, nps=...), [("/answers/geral", "out_of_range"), ("/answers/nps", "required")]),
]


@pytest.mark.parametrize("answers,expected", BAD_ANSWERS, ids=[str(e) for _, e in BAD_ANSWERS])
def test_bad_answers_are_422_and_store_nothing(api, db, answers, expected):
    rid = make_registrar(db)
    sv = create_survey(api, "open")
    r = answer(api, rid, sv["id"], answers)
    problem(r, 422, "validation-failed")
    assert codes(r) == sorted(expected)
    assert stored_answers(db, sv["id"]) == 0


def test_a_bad_answer_leaves_the_stored_one(api, db):
    rid = make_registrar(db)
    sv = create_survey(api, "open")
    ok(answer(api, rid, sv["id"], good()), 201)
    problem(answer(api, rid, sv["id"], good(geral=9)), 422, "validation-failed")
    assert stored_answers(db, sv["id"], rid) == good()


def test_bad_bodies(api, db):
    rid = make_registrar(db)
    sv = create_survey(api, "open")
    reg = as_registrar(api, rid)
    path = f"{SRV}/{sv['id']}/responses/mine"
    r = reg.request("PUT", path, json_body={})
    assert codes(r) == [("/answers", "required")]
    r = reg.request("PUT", path, json_body={"answers": [1], "more": 1})
    assert codes(r) == [("/answers", "type"), ("/more", "unknown_field")]
    problem(reg.request("PUT", path, data="answers", headers={"Content-Type": "text/plain"}), 415,
            "unsupported-media-type")
    assert stored_answers(db, sv["id"]) == 0


@pytest.mark.parametrize("status", ["closed", "published"])
def test_no_answer_once_closed(api, db, status):
    rid = make_registrar(db)
    sv = create_survey(api, status)
    problem(answer(api, rid, sv["id"], good()), 409, "window-closed")
    assert stored_answers(db, sv["id"]) == 0


@pytest.mark.parametrize("window", [(2, 30), (-30, -1)])
def test_no_answer_outside_the_window(api, db, window):
    rid = make_registrar(db)
    sv = create_survey(api, "open", opens_at=at(window[0]), closes_at=at(window[1]))
    problem(answer(api, rid, sv["id"], good()), 409, "window-closed")
    assert stored_answers(db, sv["id"]) == 0


def test_changing_an_answer_after_closing_is_refused(api, db):
    rid = make_registrar(db)
    sv = create_survey(api, "open")
    ok(answer(api, rid, sv["id"], good()), 201)
    move(api, sv["id"], "close")
    problem(answer(api, rid, sv["id"], good(geral=1)), 409, "window-closed")
    assert stored_answers(db, sv["id"], rid) == good()


def test_who_may_answer(api, db):
    rid = make_registrar(db)
    draft = create_survey(api)
    problem(answer(api, rid, draft["id"], good()), 404, "not-found")
    opened = create_survey(api, "open")
    problem(staff(api).request("PUT", f"{SRV}/{opened['id']}/responses/mine", json_body={"answers": good()}),
            403, "forbidden")
    problem(api.request("PUT", f"{SRV}/{opened['id']}/responses/mine", json_body={"answers": good()}), 401,
            "unauthenticated")
    problem(answer(api, rid, str(uuid.uuid4()), good()), 404, "not-found")
    assert stored_answers(db, opened["id"]) == 0


# --- results ------------------------------------------------------------------------------------

def answered(api, db, sv, many):
    """Each answers dict of many from a new registrar; their ids."""
    rids = []
    for a in many:
        rid = make_registrar(db)
        ok(answer(api, rid, sv["id"], a), 201)
        rids.append(rid)
    return rids


def by_id(results):
    return {q["id"]: q for q in results["questions"]}


def test_staff_results(api, db):
    sv = create_survey(api, "open")
    answered(api, db, sv, [
        good(geral=5, nps=10, canais=["email", "siga"], preferido="siga", sugestoes="Zeta"),
        good(geral=4, nps=9, canais=["email"], preferido="email", sugestoes="Alfa"),
        good(geral=4, nps=8, canais=..., preferido="siga", sugestoes=...),
        good(geral=1, nps=0, canais=["telefone"], preferido=..., sugestoes="Meio\nduas linhas"),
    ])
    res = ok(staff(api).get(f"{SRV}/{sv['id']}/results"))
    assert (res["survey_id"], res["responses"]) == (sv["id"], 4)
    q = by_id(res)
    assert q["geral"] == {"id": "geral", "kind": "scale", "suppressed": False, "answers": 4, "mean": 3.5,
                          "distribution": {"1": 1, "2": 0, "3": 0, "4": 2, "5": 1}}
    assert q["nps"]["distribution"] == {str(i): (1 if i in (0, 8, 9, 10) else 0) for i in range(11)}
    assert (q["nps"]["mean"], q["nps"]["nps"]) == (6.75, 25.0)  # (2 - 1) of 4
    assert q["canais"] == {"id": "canais", "kind": "choice", "suppressed": False, "answers": 3,
                           "options": {"email": 2, "telefone": 1, "siga": 1}}
    assert q["preferido"]["options"] == {"email": 1, "siga": 2}
    assert q["sugestoes"] == {"id": "sugestoes", "kind": "text", "suppressed": False, "answers": 3,
                              "texts": ["Alfa", "Meio\nduas linhas", "Zeta"]}
    assert "nps" not in q["geral"]


def test_results_of_no_answers(api):
    sv = create_survey(api, "open")
    q = by_id(ok(staff(api).get(f"{SRV}/{sv['id']}/results")))
    assert (q["geral"]["answers"], q["geral"]["mean"], q["nps"]["nps"]) == (0, None, None)
    assert q["sugestoes"]["texts"] == []


def test_who_reads_results(api, db):
    rid = make_registrar(db)
    draft, opened, closed = create_survey(api), create_survey(api, "open"), create_survey(api, "closed")
    body = problem(staff(api).get(f"{SRV}/{draft['id']}/results"), 409, "invalid-state")
    assert body["current_status"] == "draft"
    for sv in (opened, closed):
        ok(staff(api).get(f"{SRV}/{sv['id']}/results"))
        problem(as_registrar(api, rid).get(f"{SRV}/{sv['id']}/results"), 404, "not-found")
        problem(api.get(f"{SRV}/{sv['id']}/results"), 404, "not-found")
    problem(api.get(f"{SRV}/{draft['id']}/results"), 404, "not-found")


def test_published_results_suppress_groups_under_five(api, db):
    sv = create_survey(api, "open")
    many = [good(geral=g, nps=n, canais=..., sugestoes=...) for g, n in [(5, 10), (4, 9), (4, 7), (3, 6), (2, 0)]]
    many[0]["sugestoes"] = "Única sugestão"
    answered(api, db, sv, many)
    move(api, sv["id"], "close", "publish")
    r = api.get(f"{SRV}/{sv['id']}/results")
    pub = ok(r)
    assert r.headers["Cache-Control"] == "public, max-age=60"
    assert api.get(f"{SRV}/{sv['id']}/results", headers={"If-None-Match": r.headers["ETag"]}).status_code == 304
    q = by_id(pub)
    assert pub["responses"] == 5
    assert q["geral"]["suppressed"] is False and q["geral"]["answers"] == 5 and q["geral"]["mean"] == 3.6
    assert q["nps"]["nps"] == 0.0  # 2 promoters, 2 detractors of 5
    assert q["preferido"]["options"] == {"email": 0, "siga": 5}
    for small in ("canais", "sugestoes"):  # nobody, and one registrar, answered these
        assert q[small] == {"id": small, "kind": q[small]["kind"], "suppressed": True}
    assert "Única" not in r.text
    rid = make_registrar(db)
    assert ok(as_registrar(api, rid).get(f"{SRV}/{sv['id']}/results")) == pub
    # staff's view is whole
    assert by_id(ok(staff(api).get(f"{SRV}/{sv['id']}/results")))["sugestoes"]["texts"] == ["Única sugestão"]


def test_a_survey_under_five_responses_is_all_suppressed(api, db):
    sv = create_survey(api, "open")
    answered(api, db, sv, [good() for _ in range(4)])
    move(api, sv["id"], "close", "publish")
    pub = ok(api.get(f"{SRV}/{sv['id']}/results"))
    assert pub["responses"] == 4
    assert all(q == {"id": q["id"], "kind": q["kind"], "suppressed": True} for q in pub["questions"])


# --- Marktest: the export, the panel and anonymity ---------------------------------------------

def export(api, sid):
    r = staff(api).get(f"{SRV}/{sid}/export.csv")
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert r.headers["Content-Disposition"] == 'attachment; filename="export.csv"'
    return r.text


def pseudonym(key, rid):
    return hmac.new(key, rid.encode(), hashlib.sha256).hexdigest()


def test_the_export(api, db):
    sv = create_survey(api, "open")
    rids = answered(api, db, sv, [good(sugestoes="=HYPERLINK(\"http://x\")"),
                                  good(geral=2, canais=["siga", "telefone"], sugestoes=...)])
    rows = rows_of(export(api, sv["id"]))
    assert rows[0] == ["respondent", "geral", "nps", "canais", "preferido", "sugestoes"]
    key = survey_key(db, sv["id"])
    expected = sorted([[pseudonym(key, rids[0]), "4", "9", "email;siga", "siga", "'=HYPERLINK(\"http://x\")"],
                       [pseudonym(key, rids[1]), "2", "9", "siga;telefone", "siga", ""]])
    assert rows[1:] == expected


def test_an_empty_export_has_its_header(api):
    sv = create_survey(api)
    assert export(api, sv["id"]) == "respondent,geral,nps,canais,preferido,sugestoes\r\n"


def test_exports_are_staff_only(api, db):
    rid = make_registrar(db)
    sv = create_survey(api, "published")
    for what in ("export.csv", "panel.csv"):
        problem(as_registrar(api, rid).get(f"{SRV}/{sv['id']}/{what}"), 403, "forbidden")
        problem(api.get(f"{SRV}/{sv['id']}/{what}"), 401, "unauthenticated")
        problem(staff(api).get(f"{SRV}/{uuid.uuid4()}/{what}"), 404, "not-found")


def test_anonymity(api, db):
    """A registrar's identity cannot be recovered from the results or the
    export: no id, name, NIF or timestamp in either; the pseudonym differs
    per survey and is no hash of public values."""
    first, second = create_survey(api, "open"), create_survey(api, "open")
    rids = [make_registrar(db, trade_name=f"Anónimo {uuid.uuid4().hex[:6]}") for _ in range(6)]
    nifs = [f"5{i:08d}" for i in range(11, 17)]
    for rid, nif in zip(rids, nifs):
        db.execute("UPDATE registrars SET nif = %s WHERE id = %s", (nif, rid))
    for i, rid in enumerate(rids):
        for sv in (first, second):
            ok(answer(api, rid, sv["id"], good(geral=1 + i % 5, sugestoes=f"Texto {i}")), 201)
    move(api, first["id"], "close", "publish")
    people = db.execute("SELECT id::text, legal_name, trade_name, nif, handle, contacts::text FROM registrars"
                        " WHERE id = ANY(%s::uuid[])", (rids,)).fetchall()
    outputs = [export(api, first["id"]), export(api, second["id"]),
               staff(api).get(f"{SRV}/{first['id']}/results").text,
               api.get(f"{SRV}/{first['id']}/results").text]
    for text in outputs:
        for rid, legal, trade, nif, handle, contacts in people:
            for secret in (rid, rid.replace("-", ""), legal, trade, nif, handle, "Ana Silva", "ana@example.pt"):
                assert secret not in text, secret
        assert not re.search(r"\d{4}-\d\d-\d\d", text), text[:500]
        assert not re.search(r"\d\d:\d\d", text)
    pseudo = {sv["id"]: [r[0] for r in rows_of(export(api, sv["id"]))[1:]] for sv in (first, second)}
    assert len(set(pseudo[first["id"]])) == 6 and not set(pseudo[first["id"]]) & set(pseudo[second["id"]])
    assert pseudo[first["id"]] == sorted(pseudo[first["id"]])
    public = set()
    for rid, legal, trade, nif, handle, _ in people:
        for value in (rid, rid.replace("-", ""), nif, handle, trade, first["id"] + rid, rid + first["id"]):
            public.add(hashlib.sha256(value.encode()).hexdigest())
            public.add(hmac.new(first["id"].encode(), value.encode(), hashlib.sha256).hexdigest())
    assert not public & set(pseudo[first["id"]])
    key = survey_key(db, first["id"])
    assert sorted(pseudonym(key, rid) for rid in rids) == pseudo[first["id"]]
    # the key is never shown, nor recorded
    hexkey = key.hex()
    for text in outputs + [staff(api).get(f"{SRV}/{first['id']}").text,
                           str(db.execute("SELECT array_agg(changes::text) FROM audit_events").fetchone()[0])]:
        assert hexkey not in text


def test_the_panel(api, db):
    sv = create_survey(api, "open")
    live = make_registrar(db, trade_name=f"Painel A {uuid.uuid4().hex[:6]}")
    suspended = make_registrar(db, "suspended", trade_name=f"Painel B {uuid.uuid4().hex[:6]}")
    gone = make_registrar(db, "terminated", trade_name=f"Painel C {uuid.uuid4().hex[:6]}")
    ok(answer(api, live, sv["id"], good()), 201)
    r = staff(api).get(f"{SRV}/{sv['id']}/panel.csv")
    assert r.status_code == 200 and r.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert r.headers["Content-Disposition"] == 'attachment; filename="panel.csv"'
    rows = rows_of(r.text)
    assert rows[0] == ["trade_name", "name", "email", "phone"]
    names = [row[0] for row in rows[1:]]
    assert names == sorted(names)
    trades = dict(db.execute("SELECT id::text, trade_name FROM registrars WHERE id = ANY(%s::uuid[])",
                             ([live, suspended, gone],)).fetchall())
    mine = [row for row in rows[1:] if row[0] in trades.values()]
    assert sorted(mine) == sorted([[trades[live], "Ana Silva", "ana@example.pt", "'+351213456789"],
                                   [trades[suspended], "Ana Silva", "ana@example.pt", "'+351213456789"]])
    assert live not in r.text and "respond" not in r.text


# --- what a change tells ------------------------------------------------------------------------

def test_changes_are_events_of_the_feed(api, db):
    s = staff(api)
    sv = create_survey(api, "open")
    ok(patch_survey(api, sv["id"], {"title": "Título novo"}))
    move(api, sv["id"], "close", "publish")
    events, cursor = [], None
    while True:
        body = ok(s.get("/v1/changes" + (f"?after={cursor}" if cursor else "")))
        if not body["items"]:
            break
        events += body["items"]
        cursor = body["next_cursor"]
    ours = [e["type"] for e in events if e["resource_id"] == sv["id"] and e["resource_type"] == "survey"]
    assert ours[1:] == ["survey.opened", "survey.updated", "survey.closed", "survey.published"]


def test_a_creation_replays_under_its_idempotency_key(api, db):
    s = staff(api)
    body, key = survey_body(), {"Idempotency-Key": f"inquerito-{uuid.uuid4()}"}
    first = s.post(SRV, body, headers=key)
    again = s.post(SRV, body, headers=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert db.execute("SELECT count(*) FROM surveys WHERE title = %s", (body["title"],)).fetchone()[0] == 1
    problem(s.post(SRV, dict(body, year=2030), headers=key), 422, "idempotency-key-reused")


def test_head_answers_as_get(api):
    sv = create_survey(api, "published")
    for path in (f"{SRV}/{sv['id']}", f"{SRV}/{sv['id']}/results"):
        r = api.request("HEAD", path)
        assert r.status_code == 200 and r.content == b""
    r = staff(api).request("HEAD", f"{SRV}/{sv['id']}/export.csv")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")


# --- concurrency: two server processes on one database -----------------------------------------

@pytest.fixture(scope="module")
def pair(template_db):
    yield from race_kit.two_servers(template_db, "survey-race")


@pytest.fixture()
def pair_db(pair):
    yield from race_kit.database(pair)


def put_call(rid, sid, answers):
    tok = registrar_token(rid)
    return lambda c: c.with_token(tok).request("PUT", f"{SRV}/{sid}/responses/mine", json_body={"answers": answers})


def test_one_registrar_answering_at_once_has_one_response(pair, pair_db):
    api = Client(pair[0].base)
    rid = make_registrar(pair_db)
    sv = create_survey(api, "open")
    responses = race_kit.race(pair, [put_call(rid, sv["id"], good(geral=1 + i % 5)) for i in range(10)])
    assert race_kit.outcome(responses) == {(201, ""): 1, (200, ""): 9}
    assert stored_answers(pair_db, sv["id"]) == 1
    assert ok(staff(api).get(f"{SRV}/{sv['id']}"))["response_count"] == 1


def test_answers_racing_the_close_are_stored_exactly_when_accepted(pair, pair_db):
    api = Client(pair[0].base)
    sv = create_survey(api, "open")
    rids = [make_registrar(pair_db) for _ in range(12)]
    close = lambda c: c.with_token(mint("staff", sub="joana@dns.pt")).post(f"{SRV}/{sv['id']}/close")  # noqa: E731
    calls = [put_call(rid, sv["id"], good()) for rid in rids]
    responses = race_kit.race(pair, calls[:6] + [close] + calls[6:])
    closed = responses.pop(6)
    assert closed.status_code == 200, closed.text
    accepted = [rid for rid, r in zip(rids, responses) if r.status_code == 201]
    assert all(r.status_code in (201, 409) for r in responses), [r.text for r in responses]
    assert all(r.json()["type"].endswith("/window-closed") for r in responses if r.status_code == 409)
    stored = {row[0] for row in pair_db.execute(
        "SELECT registrar_id::text FROM survey_responses WHERE survey_id = %s", (sv["id"],)).fetchall()}
    assert stored == set(accepted)
