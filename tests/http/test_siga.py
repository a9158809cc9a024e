"""SIGA improvement proposals (issue 15, area D): proposing and its rules,
the open → under_consideration → planned → done | declined machine with its
public note, edits by the author only while open, the list's filters and
sorts (votes ties by recency), votes cast and withdrawn idempotently while
the proposal takes them, comments with their 15-minute edit window and the
stub staff leave when they hide one, history, audit and roles. Every
refusal changes nothing in the database."""
import uuid

import pytest

from accreditation import ok
from identity import make_registrar, mint
from programs import admin, as_registrar, audit, codes, problem, staff
from siga import (AREAS, CMT, PRP, age_comment, comment, comment_row, count_comments, count_proposals,
                  create_proposal, patch, proposal_body, proposal_row, put, unvote, vote, votes_in_sql)


@pytest.fixture()
def rid(db):
    return make_registrar(db)


@pytest.fixture()
def other(db):
    return make_registrar(db)


# --- proposing ------------------------------------------------------------------------------

def test_a_registrar_proposes(api, db, rid):
    body = proposal_body(area="api")
    r = as_registrar(api, rid).post(PRP, body)
    p = ok(r, 201)
    assert r.headers["Location"] == f"{PRP}/{p['id']}" and r.headers["ETag"]
    for k, v in body.items():
        assert p[k] == v, k
    assert p["author"] == {"registrar_id": rid}
    assert (p["status"], p["status_note"], p["votes"], p["comments"], p["voted_by_me"]) == \
        ("open", None, 0, 0, False)
    assert p["allowed_actions"] == ["vote", "unvote", "edit"]
    assert proposal_row(db, p["id"])[:5] == ("open", body["title"], 0, 0, None)
    assert audit(db, p["id"]) == [("create", None, "open", None)]
    assert ok(as_registrar(api, rid).get(f"{PRP}/{p['id']}")) == p


def test_staff_propose_as_staff_never_as_a_person(api, db):
    p = ok(staff(api).post(PRP, proposal_body()), 201)
    assert p["author"] == {"staff": True}
    assert "joana" not in str(p)
    assert p["allowed_actions"] == ["consider", "decline", "edit"]
    assert db.execute("SELECT author_registrar_id FROM siga_proposals WHERE id = %s",
                      (p["id"],)).fetchone() == (None,)
    # an admin is staff too: the same author
    q = ok(admin(api).post(PRP, proposal_body()), 201)
    assert q["author"] == {"staff": True}


@pytest.mark.parametrize("area", AREAS)
def test_every_area_is_accepted(api, rid, area):
    assert ok(as_registrar(api, rid).post(PRP, proposal_body(area=area)), 201)["area"] == area


@pytest.mark.parametrize("body, expected", [
    ({}, [("/area", "required"), ("/description", "required"), ("/title", "required")]),
    (proposal_body(area="sales"), [("/area", "enum")]),
    (proposal_body(title=""), [("/title", "too_short")]),
    (proposal_body(title="x" * 201), [("/title", "too_long")]),
    (proposal_body(description="y" * 10001), [("/description", "too_long")]),
    (proposal_body(title="Duas\nlinhas"), [("/title", "control_character")]),
    (proposal_body(description="Texto\u202eao contrário"), [("/description", "bidi_control")]),
    (proposal_body(status="planned"), [("/status", "unknown_field")]),
    (proposal_body(author={"staff": True}), [("/author", "unknown_field")]),
    (proposal_body(votes=100), [("/votes", "unknown_field")]),
    (proposal_body(title=5), [("/title", "type")]),
])
def test_bad_proposals_are_refused_and_nothing_is_stored(api, db, rid, body, expected):
    before = count_proposals(db)
    r = as_registrar(api, rid).post(PRP, body)
    problem(r, 422, "validation-failed")
    assert codes(r) == sorted(expected)
    assert count_proposals(db) == before


def test_limits_are_inclusive(api, rid):
    p = ok(as_registrar(api, rid).post(PRP, proposal_body(title="t" * 200, description="d" * 10000)), 201)
    assert len(p["title"]) == 200 and len(p["description"]) == 10000


def test_who_may_call(api, db, rid):
    p = create_proposal(api, rid)
    before = count_proposals(db)
    for path in (PRP, f"{PRP}/{p['id']}", f"{PRP}/{p['id']}/comments"):
        problem(api.get(path), 401, "unauthenticated")
    problem(api.post(PRP, proposal_body()), 401, "unauthenticated")
    applicant = api.with_token(mint("applicant", application_id=str(uuid.uuid4())))
    teacher = api.with_token(mint("teacher", entry_id=str(uuid.uuid4())))
    for caller in (applicant, teacher):
        problem(caller.get(PRP), 403, "forbidden")
        problem(caller.post(PRP, proposal_body()), 403, "forbidden")
        problem(caller.get(f"{PRP}/{p['id']}"), 403, "forbidden")
    assert count_proposals(db) == before


def test_every_registrar_sees_every_proposal(api, rid, other):
    p = create_proposal(api, rid)
    seen = ok(as_registrar(api, other).get(f"{PRP}/{p['id']}"))
    assert seen["author"] == {"registrar_id": rid}
    assert seen["allowed_actions"] == ["vote", "unvote"]  # not its author: no edit
    problem(as_registrar(api, other).get(f"{PRP}/{uuid.uuid4()}"), 404, "not-found")
    problem(staff(api).get(f"{PRP}/not-a-uuid"), 404, "not-found")


def test_a_read_answers_304_until_a_vote_moves_it(api, rid, other):
    p = create_proposal(api, rid)
    r = as_registrar(api, rid).get(f"{PRP}/{p['id']}")
    etag = r.headers["ETag"]
    r = as_registrar(api, rid).get(f"{PRP}/{p['id']}", headers={"If-None-Match": etag})
    assert r.status_code == 304
    ok(vote(api, other, p["id"]))
    r = as_registrar(api, rid).get(f"{PRP}/{p['id']}", headers={"If-None-Match": etag})
    assert ok(r)["votes"] == 1 and r.headers["ETag"] != etag
    assert r.headers.get("Cache-Control", "").find("public") < 0


# --- editing --------------------------------------------------------------------------------

def test_the_author_edits_while_open(api, db, rid):
    p = create_proposal(api, rid)
    path = f"{PRP}/{p['id']}"
    client = as_registrar(api, rid)
    e = ok(patch(client, path, {"title": "Novo título", "area": "billing"}))
    assert (e["title"], e["area"], e["description"]) == ("Novo título", "billing", p["description"])
    assert e["voted_by_me"] is False
    ok(vote(api, rid, p["id"]))
    e = ok(patch(client, path, {"description": "Linha 1\nLinha 2"}))
    assert e["description"] == "Linha 1\nLinha 2" and e["voted_by_me"] is True  # as the author sees it
    assert [a[0] for a in audit(db, p["id"])] == ["create", "edit", "vote", "edit"]


def test_staff_edit_staff_proposals(api):
    p = create_proposal(api)
    e = ok(patch(staff(api), f"{PRP}/{p['id']}", {"title": "Título revisto"}))
    assert e["title"] == "Título revisto" and e["author"] == {"staff": True}


def test_only_the_author_edits(api, db, rid, other):
    p = create_proposal(api, rid)
    path = f"{PRP}/{p['id']}"
    before = proposal_row(db, p["id"])
    problem(patch(as_registrar(api, other), path, {"title": "Alheio"}), 403, "forbidden")
    problem(patch(staff(api), path, {"title": "Pelo staff"}), 403, "forbidden")
    s = create_proposal(api)
    problem(patch(as_registrar(api, rid), f"{PRP}/{s['id']}", {"title": "Do registrar"}), 403, "forbidden")
    assert proposal_row(db, p["id"]) == before
    assert audit(db, p["id"]) == [("create", None, "open", None)]


@pytest.mark.parametrize("status", ["under_consideration", "planned", "done", "declined"])
def test_no_edit_once_it_left_open(api, db, rid, status):
    p = create_proposal(api, rid, status)
    before = proposal_row(db, p["id"])
    r = patch(as_registrar(api, rid), f"{PRP}/{p['id']}", {"title": "Tarde demais"})
    assert problem(r, 409, "invalid-state")["current_status"] == status
    assert proposal_row(db, p["id"]) == before
    assert "edit" not in ok(as_registrar(api, rid).get(f"{PRP}/{p['id']}"))["allowed_actions"]


def test_edit_preconditions_and_bad_patches(api, db, rid):
    p = create_proposal(api, rid)
    path = f"{PRP}/{p['id']}"
    client = as_registrar(api, rid)
    before = proposal_row(db, p["id"])
    problem(client.patch(path, {"title": "Sem If-Match"}), 428, "precondition-required")
    problem(client.patch(path, {"title": "Velho"}, headers={"If-Match": '"999"'}), 412, "precondition-failed")
    for body, expected in [({"status": "done"}, [("/status", "unknown_field")]),
                           ({"area": "x"}, [("/area", "enum")]),
                           ({"title": None}, [("/title", "not_null")]),
                           ({"votes": 3}, [("/votes", "unknown_field")])]:
        r = patch(client, path, body)
        problem(r, 422, "validation-failed")
        assert codes(r) == expected, body
    assert proposal_row(db, p["id"]) == before


# --- the machine ----------------------------------------------------------------------------

def test_the_whole_way_with_public_notes(api, db, rid):
    p = create_proposal(api, rid)
    s = staff(api)
    steps = [("consider", "under_consideration", ["plan", "decline"]),
             ("plan", "planned", ["complete", "decline"]),
             ("complete", "done", [])]
    for action, to, allowed in steps:
        note = f"Nota pública: {action}.\nSegunda linha."
        q = ok(s.post(f"{PRP}/{p['id']}/{action}", {"note": note}))
        assert (q["status"], q["status_note"], q["allowed_actions"]) == (to, note, allowed)
        # the note is public: the registrar reads it
        seen = ok(as_registrar(api, rid).get(f"{PRP}/{p['id']}"))
        assert (seen["status"], seen["status_note"]) == (to, note)
    assert proposal_row(db, p["id"])[0] == "done"
    assert audit(db, p["id"]) == [("create", None, "open", None),
                                  ("consider", "open", "under_consideration", None),
                                  ("plan", "under_consideration", "planned", None),
                                  ("complete", "planned", "done", None)]
    history = ok(s.get(f"{PRP}/{p['id']}/history"))["items"]
    assert [h["action"] for h in history] == ["create", "consider", "plan", "complete"]


@pytest.mark.parametrize("status", ["open", "under_consideration", "planned"])
def test_decline_from_the_first_three(api, rid, status):
    p = create_proposal(api, rid, status)
    q = ok(staff(api).post(f"{PRP}/{p['id']}/decline", {"note": "Fora do âmbito do SIGA."}))
    assert (q["status"], q["status_note"], q["allowed_actions"]) == ("declined", "Fora do âmbito do SIGA.", [])


@pytest.mark.parametrize("status, action", [("open", "plan"), ("open", "complete"),
                                            ("under_consideration", "consider"),
                                            ("planned", "consider"), ("done", "decline"),
                                            ("declined", "consider"), ("declined", "decline")])
def test_wrong_state_is_409_and_changes_nothing(api, db, rid, status, action):
    p = create_proposal(api, rid, status)
    before = proposal_row(db, p["id"])
    r = staff(api).post(f"{PRP}/{p['id']}/{action}", {"note": "Não."})
    assert problem(r, 409, "invalid-state")["current_status"] == status
    assert proposal_row(db, p["id"]) == before


def test_a_note_is_required_and_checked(api, db, rid):
    p = create_proposal(api, rid)
    before = proposal_row(db, p["id"])
    s = staff(api)
    for body, expected in [(None, [("/note", "required")]), ({}, [("/note", "required")]),
                           ({"note": ""}, [("/note", "too_short")]),
                           ({"note": "n" * 2001}, [("/note", "too_long")]),
                           ({"note": "ok", "reason": "x"}, [("/reason", "unknown_field")])]:
        r = s.post(f"{PRP}/{p['id']}/consider", body)
        problem(r, 422, "validation-failed")
        assert codes(r) == expected, body
    assert proposal_row(db, p["id"]) == before


def test_status_actions_are_staff_s(api, db, rid):
    p = create_proposal(api, rid)
    before = proposal_row(db, p["id"])
    for action in ("consider", "plan", "complete", "decline"):
        problem(as_registrar(api, rid).post(f"{PRP}/{p['id']}/{action}", {"note": "Eu decido."}), 403, "forbidden")
    problem(as_registrar(api, rid).get(f"{PRP}/{p['id']}/history"), 403, "forbidden")
    problem(staff(api).post(f"{PRP}/{uuid.uuid4()}/consider", {"note": "?"}), 404, "not-found")
    assert proposal_row(db, p["id"]) == before


# --- the list -------------------------------------------------------------------------------

def listed(client, **params):
    items, cursor = [], None
    while True:
        q = dict(params)
        if cursor:
            q["cursor"] = cursor
        body = ok(client.get(PRP, params=q))
        items += body["items"]
        cursor = body["next_cursor"]
        if not cursor:
            return items


def test_filters_and_sorts(api, db):
    tag = uuid.uuid4().hex[:6]
    voters = [make_registrar(db) for _ in range(3)]
    made = []
    for i, (area, n) in enumerate([("dns", 1), ("dns", 3), ("transfers", 1), ("dns", 0)]):
        p = create_proposal(api, voters[0], title=f"{tag} {i}", area=area)
        for v in voters[:n]:
            ok(vote(api, v, p["id"]))
        made.append(p["id"])
    ok(staff(api).post(f"{PRP}/{made[3]}/decline", {"note": "Não."}))
    mine = set(made)
    client = as_registrar(api, voters[1])

    def ids(**params):
        return [p["id"] for p in listed(client, limit="2", **params) if p["id"] in mine]
    # newest first by default
    assert ids() == made[::-1]
    assert ids(sort="created_at") == made
    # most voted first; equal votes: the newest first
    assert ids(sort="-votes") == [made[1], made[2], made[0], made[3]]
    assert ids(sort="votes") == [made[3], made[0], made[2], made[1]]
    assert ids(area="dns") == [made[3], made[1], made[0]]
    assert ids(area="dns,transfers", status="open") == [made[2], made[1], made[0]]
    assert ids(status="declined") == [made[3]]
    assert ids(sort="-updated_at")[0] == made[3]
    # each row says whether this registrar voted
    voted = {p["id"]: p["voted_by_me"] for p in listed(client) if p["id"] in mine}
    assert voted == {made[0]: False, made[1]: True, made[2]: False, made[3]: False}
    assert not any(p["voted_by_me"] for p in listed(staff(api)) if p["id"] in mine)
    body = ok(client.get(PRP, params={"include_total": "true", "status": "declined", "area": "dns"}))
    assert body["total"] >= 1


@pytest.mark.parametrize("params, parameter", [({"sort": "title"}, "sort"), ({"area": "sales"}, "area"),
                                               ({"status": "closed"}, "status"), ({"voter": str(uuid.uuid4())}, "voter"),
                                               ({"limit": "0"}, "limit"), ({"cursor": "nonsense"}, "cursor")])
def test_bad_list_queries(api, rid, params, parameter):
    r = as_registrar(api, rid).get(PRP, params=params)
    assert r.status_code == 400, r.text
    assert [e.get("parameter") for e in r.json()["errors"]] == [parameter]


def test_staff_export_the_list_as_csv(api, rid):
    p = create_proposal(api, rid)
    r = staff(api).get(PRP, headers={"Accept": "text/csv"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    assert p["id"] in r.text
    # a registrar's list stays JSON
    assert as_registrar(api, rid).get(PRP, headers={"Accept": "text/csv"}).headers["Content-Type"].startswith(
        "application/json")


# --- votes ----------------------------------------------------------------------------------

def test_a_vote_is_cast_and_withdrawn_idempotently(api, db, rid, other):
    p = create_proposal(api, rid)
    pid = p["id"]
    for _ in range(2):
        assert ok(vote(api, other, pid)) == {"proposal_id": pid, "voted": True, "votes": 1}
    assert votes_in_sql(db, pid) == 1 and proposal_row(db, pid)[2] == 1
    assert ok(vote(api, rid, pid)) == {"proposal_id": pid, "voted": True, "votes": 2}
    seen = ok(as_registrar(api, other).get(f"{PRP}/{pid}"))
    assert (seen["votes"], seen["voted_by_me"]) == (2, True)
    for _ in range(2):
        assert ok(unvote(api, other, pid)) == {"proposal_id": pid, "voted": False, "votes": 1}
    assert votes_in_sql(db, pid) == 1 and proposal_row(db, pid)[2] == 1
    assert ok(as_registrar(api, other).get(f"{PRP}/{pid}"))["voted_by_me"] is False
    # each change once in the audit log; the repeats wrote nothing
    assert [a[0] for a in audit(db, pid)] == ["create", "vote", "vote", "unvote"]
    # an empty object is a body too
    assert ok(put(as_registrar(api, other), f"{PRP}/{pid}/vote", {}))["voted"] is True


def test_votes_are_counted_while_under_consideration(api, db, rid):
    p = create_proposal(api, rid, "under_consideration")
    assert ok(vote(api, rid, p["id"]))["votes"] == 1
    assert ok(unvote(api, rid, p["id"]))["votes"] == 0


@pytest.mark.parametrize("status", ["planned", "done", "declined"])
def test_no_votes_once_decided(api, db, rid, other, status):
    p = create_proposal(api, rid, "under_consideration")
    ok(vote(api, other, p["id"]))
    for action in {"planned": ["plan"], "done": ["plan", "complete"], "declined": ["decline"]}[status]:
        ok(staff(api).post(f"{PRP}/{p['id']}/{action}", {"note": "Decidido."}))
    before = proposal_row(db, p["id"])
    assert problem(vote(api, rid, p["id"]), 409, "invalid-state")["current_status"] == status
    assert problem(unvote(api, other, p["id"]), 409, "invalid-state")["current_status"] == status
    assert proposal_row(db, p["id"]) == before and votes_in_sql(db, p["id"]) == 1
    assert ok(as_registrar(api, other).get(f"{PRP}/{p['id']}"))["allowed_actions"] == []


def test_votes_are_registrars_only(api, db, rid):
    p = create_proposal(api, rid)
    s = staff(api)
    problem(put(s, f"{PRP}/{p['id']}/vote"), 403, "forbidden")
    problem(s.delete(f"{PRP}/{p['id']}/vote"), 403, "forbidden")
    problem(put(api, f"{PRP}/{p['id']}/vote"), 401, "unauthenticated")
    problem(vote(api, rid, str(uuid.uuid4())), 404, "not-found")
    r = put(as_registrar(api, rid), f"{PRP}/{p['id']}/vote", {"votes": 10})
    problem(r, 422, "validation-failed")
    assert codes(r) == [("/votes", "unknown_field")]
    assert votes_in_sql(db, p["id"]) == 0 and proposal_row(db, p["id"])[2] == 0


# --- comments -------------------------------------------------------------------------------

def test_registrars_and_staff_comment(api, db, rid, other):
    p = create_proposal(api, rid)
    text = "Concordo.\nE acrescentava os contactos técnicos."
    r = as_registrar(api, other).post(f"{PRP}/{p['id']}/comments", {"body": text})
    c = ok(r, 201)
    assert r.headers["Location"] == f"{CMT}/{c['id']}" and r.headers["ETag"]
    assert (c["proposal_id"], c["author"], c["body"], c["hidden"], c["hidden_reason"], c["edited_at"]) == \
        (p["id"], {"registrar_id": other}, text, False, None, None)
    assert c["allowed_actions"] == ["edit"]
    s = comment(staff(api), p["id"], "A equipa do SIGA agradece.")
    assert s["author"] == {"staff": True} and s["allowed_actions"] == ["hide", "edit"]
    assert ok(staff(api).get(f"{CMT}/{c['id']}"))["allowed_actions"] == ["hide"]
    assert ok(as_registrar(api, rid).get(f"{CMT}/{c['id']}"))["allowed_actions"] == []
    assert ok(as_registrar(api, rid).get(f"{PRP}/{p['id']}"))["comments"] == 2
    assert audit(db, c["id"]) == [("create", None, "visible", None)]
    # comments on a decided proposal go on
    d = create_proposal(api, rid, "declined")
    comment(as_registrar(api, rid), d["id"], "Pena.")


def test_comments_list_oldest_first_in_pages(api, db, rid):
    p = create_proposal(api, rid)
    made = [comment(as_registrar(api, rid), p["id"], f"Comentário {i}")["id"] for i in range(5)]
    other_p = create_proposal(api, rid)
    comment(as_registrar(api, rid), other_p["id"], "Noutra proposta.")
    items, cursor = [], None
    while True:
        params = {"limit": "2"}
        if cursor:
            params["cursor"] = cursor
        body = ok(staff(api).get(f"{PRP}/{p['id']}/comments", params=params))
        assert len(body["items"]) <= 2
        items += body["items"]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert [c["id"] for c in items] == made
    newest = ok(as_registrar(api, rid).get(f"{PRP}/{p['id']}/comments", params={"sort": "-created_at"}))
    assert [c["id"] for c in newest["items"]] == made[::-1]
    total = ok(as_registrar(api, rid).get(f"{PRP}/{p['id']}/comments", params={"include_total": "true"}))
    assert total["total"] == 5
    problem(staff(api).get(f"{PRP}/{uuid.uuid4()}/comments"), 404, "not-found")
    r = staff(api).get(f"{PRP}/{p['id']}/comments", params={"sort": "-votes"})
    assert r.status_code == 400


@pytest.mark.parametrize("body, expected", [
    ({}, [("/body", "required")]),
    ({"body": ""}, [("/body", "too_short")]),
    ({"body": "c" * 5001}, [("/body", "too_long")]),
    ({"body": "ok", "hidden": True}, [("/hidden", "unknown_field")]),
    ({"body": "sino\u0007"}, [("/body", "control_character")]),
])
def test_bad_comments_are_refused(api, db, rid, body, expected):
    p = create_proposal(api, rid)
    r = as_registrar(api, rid).post(f"{PRP}/{p['id']}/comments", body)
    problem(r, 422, "validation-failed")
    assert codes(r) == expected
    assert count_comments(db, p["id"]) == 0 and proposal_row(db, p["id"])[3] == 0


def test_comment_roles(api, db, rid):
    p = create_proposal(api, rid)
    before = count_comments(db)
    problem(api.post(f"{PRP}/{p['id']}/comments", {"body": "anónimo"}), 401, "unauthenticated")
    applicant = api.with_token(mint("applicant", application_id=str(uuid.uuid4())))
    problem(applicant.post(f"{PRP}/{p['id']}/comments", {"body": "eu"}), 403, "forbidden")
    problem(as_registrar(api, rid).post(f"{PRP}/{uuid.uuid4()}/comments", {"body": "?"}), 404, "not-found")
    assert count_comments(db) == before


def test_the_author_edits_within_15_minutes(api, db, rid, other):
    p = create_proposal(api, rid)
    c = comment(as_registrar(api, other), p["id"], "Primeira versão.")
    path = f"{CMT}/{c['id']}"
    assert ok(patch(as_registrar(api, other), path, {}))["edited_at"] is None  # nothing changed
    e = ok(patch(as_registrar(api, other), path, {"body": "Segunda versão.\nCom mais detalhe."}))
    assert e["body"] == "Segunda versão.\nCom mais detalhe." and e["edited_at"]
    assert comment_row(db, c["id"])[1] == "Segunda versão.\nCom mais detalhe."
    # the audit log keeps a person's message only as a keyed hash
    changes = db.execute("SELECT changes::text FROM audit_events WHERE resource_id = %s AND action = 'edit'"
                         " ORDER BY seq DESC LIMIT 1", (c["id"],)).fetchone()[0]
    assert "Segunda" not in changes and "body" in changes
    # 14 minutes old: still its author's to edit
    age_comment(db, c["id"], 14)
    ok(patch(as_registrar(api, other), path, {"body": "Terceira versão."}))
    # 16 minutes old: the window closed
    age_comment(db, c["id"], 2)
    before = comment_row(db, c["id"])
    r = patch(as_registrar(api, other), path, {"body": "Tarde."})
    assert problem(r, 409, "window-closed")["conflict"] == "edit-window-closed"
    assert comment_row(db, c["id"]) == before
    assert ok(as_registrar(api, other).get(path))["allowed_actions"] == []


def test_only_the_author_edits_a_comment(api, db, rid, other):
    p = create_proposal(api, rid)
    c = comment(as_registrar(api, other), p["id"], "Do outro registrar.")
    s = comment(staff(api), p["id"], "Do staff.")
    before = (comment_row(db, c["id"]), comment_row(db, s["id"]))
    problem(patch(as_registrar(api, rid), f"{CMT}/{c['id']}", {"body": "Não é meu."}), 403, "forbidden")
    problem(patch(staff(api), f"{CMT}/{c['id']}", {"body": "Editado pelo staff."}), 403, "forbidden")
    problem(patch(as_registrar(api, other), f"{CMT}/{s['id']}", {"body": "Do staff?"}), 403, "forbidden")
    # staff, as one author, edit staff's comments
    ok(patch(admin(api), f"{CMT}/{s['id']}", {"body": "Do staff, revisto."}))
    assert comment_row(db, c["id"]) == before[0]
    path = f"{CMT}/{c['id']}"
    client = as_registrar(api, other)
    problem(client.patch(path, {"body": "x"}), 428, "precondition-required")
    problem(client.patch(path, {"body": "x"}, headers={"If-Match": '"77"'}), 412, "precondition-failed")
    r = patch(client, path, {"body": None})
    assert r.status_code == 422 and codes(r) == [("/body", "not_null")]
    assert comment_row(db, c["id"]) == before[0]
    problem(client.get(f"{CMT}/{uuid.uuid4()}"), 404, "not-found")


def test_staff_hide_a_comment_leaving_a_stub(api, db, rid, other):
    p = create_proposal(api, rid)
    c = comment(as_registrar(api, other), p["id"], "Ligue para o 912345678, Sr. Silva.")
    reason = "Dados pessoais de um cliente."
    h = ok(staff(api).post(f"{CMT}/{c['id']}/hide", {"reason": reason}))
    assert (h["body"], h["hidden"], h["hidden_reason"], h["allowed_actions"]) == (None, True, reason, [])
    for caller in (as_registrar(api, other), as_registrar(api, rid), staff(api)):
        seen = ok(caller.get(f"{CMT}/{c['id']}"))
        assert seen["body"] is None and seen["hidden"] is True
        listed_ = ok(caller.get(f"{PRP}/{p['id']}/comments"))["items"]
        assert [x["body"] for x in listed_] == [None]
    assert "912345678" not in staff(api).get(f"{PRP}/{p['id']}/comments", headers={"Accept": "text/csv"}).text
    assert comment_row(db, c["id"])[0] == "hidden"
    assert audit(db, c["id"])[-1] == ("hide", "visible", "hidden", reason)
    # the stub still counts, and cannot be edited nor hidden again
    assert ok(staff(api).get(f"{PRP}/{p['id']}"))["comments"] == 1
    before = comment_row(db, c["id"])
    r = patch(as_registrar(api, other), f"{CMT}/{c['id']}", {"body": "Editado."})
    assert problem(r, 409, "invalid-state")["current_status"] == "hidden"
    assert problem(staff(api).post(f"{CMT}/{c['id']}/hide", {"reason": "De novo."}), 409,
                   "invalid-state")["current_status"] == "hidden"
    assert comment_row(db, c["id"]) == before


def test_hiding_needs_staff_and_a_reason(api, db, rid):
    p = create_proposal(api, rid)
    c = comment(as_registrar(api, rid), p["id"], "Visível.")
    before = comment_row(db, c["id"])
    problem(as_registrar(api, rid).post(f"{CMT}/{c['id']}/hide", {"reason": "Eu escondo."}), 403, "forbidden")
    for body, expected in [(None, [("/reason", "required")]), ({"reason": ""}, [("/reason", "too_short")]),
                           ({"reason": "r" * 1001}, [("/reason", "too_long")])]:
        r = staff(api).post(f"{CMT}/{c['id']}/hide", body)
        problem(r, 422, "validation-failed")
        assert codes(r) == expected
    problem(staff(api).post(f"{CMT}/{uuid.uuid4()}/hide", {"reason": "?"}), 404, "not-found")
    assert comment_row(db, c["id"]) == before


def test_changes_tell_the_change_feed(api, db, rid):
    p = create_proposal(api, rid)
    ok(vote(api, rid, p["id"]))
    c = comment(as_registrar(api, rid), p["id"])
    ok(staff(api).post(f"{CMT}/{c['id']}/hide", {"reason": "Fora do tema."}))
    ok(staff(api).post(f"{PRP}/{p['id']}/consider", {"note": "Em análise."}))
    events, after = [], None
    while True:  # the change feed, to its end
        body = ok(staff(api).get("/v1/changes", params={"limit": "200", **({"after": after} if after else {})}))
        if not body["items"]:
            break
        events += [e["type"] for e in body["items"] if e["resource_id"] in (p["id"], c["id"])]
        after = body["next_cursor"]
    assert events == ["siga_proposal.created", "siga_proposal.voted", "siga_comment.created",
                      "siga_comment.hidden", "siga_proposal.considered"]


def test_webhooks_may_subscribe_to_siga_events(api, rid):
    events = ["siga_proposal.created", "siga_proposal.voted", "siga_proposal.vote_withdrawn",
              "siga_proposal.considered", "siga_comment.hidden"]
    w = ok(as_registrar(api, rid).post("/v1/webhooks", {"url": "https://hooks.example.pt/siga", "events": events}),
           201)
    assert w["events"] == events
    r = staff(api).post("/v1/webhooks", {"url": "https://hooks.example.pt/", "events": ["siga_proposal.eaten"]})
    problem(r, 422, "validation-failed")
    assert codes(r) == [("/events/0", "event_type")]


def test_a_comment_replays_under_its_idempotency_key(api, db, rid):
    p = create_proposal(api, rid)
    key = str(uuid.uuid4())
    client = as_registrar(api, rid)
    first = client.post(f"{PRP}/{p['id']}/comments", {"body": "Uma vez."}, headers={"Idempotency-Key": key})
    again = client.post(f"{PRP}/{p['id']}/comments", {"body": "Uma vez."}, headers={"Idempotency-Key": key})
    assert ok(first, 201) == ok(again, 201) and again.headers["Idempotent-Replayed"] == "true"
    assert count_comments(db, p["id"]) == 1 and proposal_row(db, p["id"])[3] == 1
