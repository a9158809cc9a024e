"""The Conselho Consultivo (issue 16, part I): terms and their machine,
nominations with eligibility, secret ballots with receipts, and the
published results. The three tests the issue names: no SQL links a ballot to
a registrar, each receipt appears in the results, and the tally recomputes
from the published ballots. Concurrency is test_council_race.py's."""
import hashlib

from accreditation import ok
from council import NOMS, TERMS, act, count, create_term, nominate, problem, veteran, vote, voting_term
from identity import make_registrar
from programs import as_registrar, staff


# --- terms ------------------------------------------------------------------------------------

def test_term_machine_and_visibility(api, db):
    t = create_term(api)
    assert t["status"] == "draft" and t["allowed_actions"] == ["open-nominations", "edit"]
    # drafts are staff's
    assert api.get(f"{TERMS}/{t['id']}").status_code == 404
    assert t["id"] not in [x["id"] for x in ok(api.get(TERMS))["items"]]
    # PATCH while draft
    s = staff(api)
    etag = s.get(f"{TERMS}/{t['id']}").headers["ETag"]
    t2 = ok(s.patch(f"{TERMS}/{t['id']}", {"registrar_seats": 4}, headers={"If-Match": etag}))
    assert t2["registrar_seats"] == 4
    # wrong state
    problem(act(api, t["id"], "close", 409), 409, "invalid-state")
    act(api, t["id"], "open-nominations")
    pub = api.get(f"{TERMS}/{t['id']}")
    assert pub.status_code == 200 and "public" in pub.headers["Cache-Control"]
    assert t["id"] in [x["id"] for x in ok(api.get(TERMS))["items"]]
    etag = s.get(f"{TERMS}/{t['id']}").headers["ETag"]
    problem(s.patch(f"{TERMS}/{t['id']}", {"registrar_seats": 2}, headers={"If-Match": etag}), 409,
            "invalid-state")
    hist = ok(s.get(f"{TERMS}/{t['id']}/history"))["items"]
    assert [h["action"] for h in hist] == ["create", "edit", "open-nominations"]


def test_term_bad_input_changes_nothing(api, db):
    before = count(db, "SELECT count(*) FROM council_terms")
    s = staff(api)
    for body, pointer, code in [
        ({"title": "x", "starts_on": "2027-02-30", "ends_on": "2028-01-01", "registrar_seats": 2}, "/starts_on", "date"),
        ({"title": "x", "starts_on": "2027-01-01", "ends_on": "2026-01-01", "registrar_seats": 2}, "/ends_on",
         "before_starts_on"),
        ({"title": "x", "starts_on": "2027-01-01", "ends_on": "2028-01-01", "registrar_seats": 11},
         "/registrar_seats", "too_large"),
        ({"title": "x", "starts_on": "2027-01-01", "ends_on": "2028-01-01", "registrar_seats": 2, "x": 1}, "/x",
         "unknown_field"),
    ]:
        p = problem(s.post(TERMS, body), 422, "validation-failed")
        assert [(e["pointer"], e["code"]) for e in p["errors"]] == [(pointer, code)], p
    assert count(db, "SELECT count(*) FROM council_terms") == before


def test_term_roles(api, db):
    rid = veteran(db)
    body = {"title": "x", "starts_on": "2027-01-01", "ends_on": "2028-01-01", "registrar_seats": 2}
    assert api.post(TERMS, body).status_code == 401
    problem(as_registrar(api, rid).post(TERMS, body), 403, "forbidden")
    t = create_term(api)
    act(api, t["id"], "open-nominations")
    problem(as_registrar(api, rid).post(f"{TERMS}/{t['id']}/open-voting"), 403, "forbidden")
    assert count(db, "SELECT status FROM council_terms WHERE id = %s", t["id"]) == "nominating"


# --- nominations --------------------------------------------------------------------------------

def test_nomination_eligibility_and_duplicate(api, db):
    t = create_term(api)
    tid = t["id"]
    old = veteran(db)
    assert nominate(api, tid, old, status=404).status_code == 404  # a draft is staff's only
    act(api, tid, "open-nominations")
    young = make_registrar(db)  # accredited now: under 12 months
    assert problem(nominate(api, tid, young, status=403), 403, "not-eligible")["check"] == "tenure"
    suspended = veteran(db, status="suspended")
    assert problem(nominate(api, tid, suspended, status=403), 403, "not-eligible")["check"] == "accredited"
    n = nominate(api, tid, old)
    assert n["status"] == "submitted" and n["registrar"]["id"] == old
    problem(nominate(api, tid, old, name="Outra", status=409), 409, "duplicate")
    assert count(db, "SELECT count(*) FROM council_nominations WHERE term_id = %s", tid) == 1
    # bad input
    p = problem(as_registrar(api, old).post(f"{TERMS}/{tid}/nominations", {"nominee_name": ""}), 422,
                "validation-failed")
    assert {e["pointer"] for e in p["errors"]} == {"/nominee_name", "/statement"}
    # roles: staff and the public may not nominate
    problem(staff(api).post(f"{TERMS}/{tid}/nominations", {"nominee_name": "A", "statement": "B"}), 403,
            "forbidden")
    assert api.post(f"{TERMS}/{tid}/nominations", {"nominee_name": "A", "statement": "B"}).status_code == 401


def test_nomination_visibility_and_review(api, db):
    t = create_term(api)
    tid = t["id"]
    act(api, tid, "open-nominations")
    a, b = veteran(db), veteran(db)
    na, nb = nominate(api, tid, a), nominate(api, tid, b, name="Bruno Costa")
    # before acceptance: public sees none; a registrar its own; another registrar's reads as absent
    assert ok(api.get(f"{TERMS}/{tid}/nominations"))["items"] == []
    assert [x["id"] for x in ok(as_registrar(api, a).get(f"{TERMS}/{tid}/nominations"))["items"]] == [na["id"]]
    assert as_registrar(api, b).get(f"{NOMS}/{na['id']}").status_code == 404
    assert api.get(f"{NOMS}/{na['id']}").status_code == 404
    assert len(ok(staff(api).get(f"{TERMS}/{tid}/nominations"))["items"]) == 2
    # review: staff only; reject needs a reason
    problem(as_registrar(api, a).post(f"{NOMS}/{na['id']}/accept"), 403, "forbidden")
    problem(staff(api).post(f"{NOMS}/{nb['id']}/reject", {}), 422, "validation-failed")
    ok(staff(api).post(f"{NOMS}/{na['id']}/accept"))
    rej = ok(staff(api).post(f"{NOMS}/{nb['id']}/reject", {"reason": "Não aceitou."}))
    assert rej["status"] == "rejected" and rej["reason"] == "Não aceitou."
    problem(staff(api).post(f"{NOMS}/{na['id']}/reject", {"reason": "x"}), 409, "invalid-state")
    assert [x["id"] for x in ok(api.get(f"{TERMS}/{tid}/nominations"))["items"]] == [na["id"]]
    assert ok(api.get(f"{NOMS}/{na['id']}"))["nominee_name"] == "Ana Martins"
    mine = ok(as_registrar(api, b).get(f"{TERMS}/{tid}/nominations"))["items"]
    assert {x["id"] for x in mine} == {na["id"], nb["id"]}
    hist = ok(staff(api).get(f"{NOMS}/{nb['id']}/history"))["items"]
    assert [(h["action"], h["to_status"], h["reason"]) for h in hist] == [
        ("create", "submitted", None), ("reject", "rejected", "Não aceitou.")]
    assert as_registrar(api, b).get(f"{NOMS}/{nb['id']}/history").status_code == 403
    # the audit keeps the person's values only hashed
    changes = db.execute("SELECT changes::text FROM audit_events WHERE resource_id = %s", (na["id"],)).fetchall()
    assert changes and all("Ana Martins" not in (c[0] or "") for c in changes)
    # once voting, no more review
    nc = nominate(api, tid, veteran(db))
    act(api, tid, "open-voting")
    problem(staff(api).post(f"{NOMS}/{nc['id']}/accept"), 409, "invalid-state")
    problem(nominate(api, tid, veteran(db), status=409), 409, "invalid-state")


# --- ballots ------------------------------------------------------------------------------------

def test_ballot_rules(api, db):
    t, noms = voting_term(api, db, candidates=3, seats=2)
    tid, ids = t["id"], [n["id"] for n in noms]
    rid = make_registrar(db)  # voting needs no tenure
    bad = [
        ([ids[0], ids[1], ids[2]], "/choices", "too_many"),
        ([ids[0], ids[0]], "/choices/1", "repeated"),
        (["00000000-0000-4000-8000-000000000000"], "/choices", "unknown_nomination"),
        (["nope"], "/choices/0", "format"),
        ([], "/choices", "too_few"),
    ]
    for choices, pointer, code in bad:
        p = problem(vote(api, tid, rid, choices, status=422), 422, "validation-failed")
        assert (p["errors"][0]["pointer"], p["errors"][0]["code"]) == (pointer, code), p
    problem(vote(api, tid, veteran(db, status="suspended"), [ids[0]], status=403), 403, "not-eligible")
    problem(staff(api).post(f"{TERMS}/{tid}/ballots", {"choices": [ids[0]]}), 403, "forbidden")
    assert api.post(f"{TERMS}/{tid}/ballots", {"choices": [ids[0]]}).status_code == 401
    assert count(db, "SELECT count(*) FROM council_ballots WHERE term_id = %s", tid) == 0
    assert count(db, "SELECT count(*) FROM council_voters WHERE term_id = %s", tid) == 0
    receipt = vote(api, tid, rid, [ids[1], ids[0]])["receipt"]
    assert len(receipt) == 64
    problem(vote(api, tid, rid, [ids[2]], status=409), 409, "duplicate")
    assert count(db, "SELECT count(*) FROM council_ballots WHERE term_id = %s", tid) == 1
    # results only once closed; no ballots after
    problem(api.get(f"{TERMS}/{tid}/results"), 409, "invalid-state")
    act(api, tid, "close")
    problem(vote(api, tid, make_registrar(db), [ids[0]], status=409), 409, "invalid-state")


def test_ballot_secrecy_receipts_and_tally(api, db, server):
    t, noms = voting_term(api, db, candidates=4, seats=2)
    tid, ids = t["id"], [n["id"] for n in noms]
    voters = [make_registrar(db) for _ in range(7)]
    picks = [[ids[0], ids[1]], [ids[0]], [ids[2], ids[0]], [ids[1]], [ids[3], ids[2]], [ids[0], ids[3]], [ids[2]]]
    receipts = [vote(api, tid, rid, choices)["receipt"] for rid, choices in zip(voters, picks)]

    # 1. No query can link a ballot to a registrar: the ballot table's columns and indexes hold no
    #    registrar, time or sequence; every ballot has the same xmin (the box is rewritten whole) and
    #    rows sit in hash order, so neither physical order nor the writing transaction tells who.
    cols = db.execute("SELECT column_name, data_type, column_default FROM information_schema.columns"
                      " WHERE table_name = 'council_ballots' ORDER BY ordinal_position").fetchall()
    assert [(c[0], c[1]) for c in cols] == [("id", "uuid"), ("term_id", "uuid"), ("hash", "text"),
                                            ("choices", "ARRAY")]
    assert not any("nextval" in (c[2] or "") for c in cols)
    idx = [r[0] for r in db.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'council_ballots'")]
    assert all("registrar" not in i and "created" not in i for i in idx), idx
    for table in ("council_ballots",):
        fks = db.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass",
                         (table,)).fetchall()
        assert all("registrars" not in f[0] for f in fks), fks
    rows = db.execute("SELECT hash, xmin::text, id::text FROM council_ballots WHERE term_id = %s ORDER BY ctid",
                      (tid,)).fetchall()
    assert [r[0] for r in rows] == sorted(r[0] for r in rows), "physical order is hash order"
    assert len({r[1] for r in rows}) == 1, "one writing transaction for all ballots"
    ids_in_db = set(r[2] for r in rows)
    for rid in voters:
        assert all(rid not in i for i in ids_in_db)
    # no audit event carries a ballot's hash or choices
    audit = db.execute("SELECT coalesce(changes::text, '') || coalesce(reason, '') FROM audit_events"
                       " WHERE resource_id = %s AND action = 'vote'", (tid,)).fetchall()
    assert len(audit) == 7 and all(r[0] in ("", "{}") for r in audit)
    assert not any(h in str(db.execute("SELECT array_agg(changes::text) FROM audit_events").fetchone()[0])
                   for h in receipts)
    # and the idempotency store never holds a receipt
    stored = db.execute("SELECT coalesce(string_agg(t::text, ''), '') FROM idempotency_keys t").fetchone()[0]
    assert not any(h in stored for h in receipts)

    # nor the server's log
    log = server.log_text()
    assert not any(h in log for h in receipts)

    act(api, tid, "close")
    r = api.get(f"{TERMS}/{tid}/results")
    res = ok(r)
    assert "public" in r.headers["Cache-Control"]
    assert api.get(f"{TERMS}/{tid}/results", headers={"If-None-Match": r.headers["ETag"]}).status_code == 304
    # 2. each receipt appears in the published list
    hashes = [b["hash"] for b in res["ballots"]]
    assert hashes == sorted(hashes) and set(receipts) == set(hashes) and len(hashes) == 7
    assert res["ballots_hash"] == hashlib.sha256("".join(hashes).encode()).hexdigest()
    # 3. the tally recomputes from the published ballots
    votes = {i: sum(i in b["choices"] for b in res["ballots"]) for i in ids}
    lot = {i: hashlib.sha256((res["ballots_hash"] + i).encode()).hexdigest() for i in ids}
    order = sorted(ids, key=lambda i: (-votes[i], lot[i]))
    assert [x["nomination_id"] for x in res["tally"]] == order
    assert all(x["votes"] == votes[x["nomination_id"]] and x["lot"] == lot[x["nomination_id"]] for x in res["tally"])
    assert [x["nomination_id"] for x in res["elected"]] == order[:2]
    assert votes[ids[0]] == 4
    assert res["voters"] == 7


def test_results_of_a_draft_are_absent_and_of_an_empty_election_empty(api, db):
    t = create_term(api)
    assert api.get(f"{TERMS}/{t['id']}/results").status_code == 404
    t, noms = voting_term(api, db, candidates=2, seats=1)
    rid = make_registrar(db)
    problem(api.get(f"{TERMS}/{t['id']}/results"), 409, "invalid-state")
    act(api, t["id"], "close")
    res = ok(api.get(f"{TERMS}/{t['id']}/results"))
    assert res["ballots"] == [] and res["elected"] == [] and res["voters"] == 0
    assert res["ballots_hash"] == hashlib.sha256(b"").hexdigest()
    assert sorted(x["nomination_id"] for x in res["tally"]) == sorted(n["id"] for n in noms)
    assert all(x["votes"] == 0 and not x["elected"] for x in res["tally"])
    problem(vote(api, t["id"], rid, [noms[0]["id"]], status=409), 409, "invalid-state")


def test_ballot_ids_are_lowercase_uuids(api, db):
    t, noms = voting_term(api, db, candidates=1, seats=1)
    p = problem(vote(api, t["id"], make_registrar(db), [noms[0]["id"].upper()], status=422), 422,
                "validation-failed")
    assert (p["errors"][0]["pointer"], p["errors"][0]["code"]) == ("/choices/0", "format")
    assert count(db, "SELECT count(*) FROM council_voters WHERE term_id = %s", t["id"]) == 0
