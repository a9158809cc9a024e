"""The vote race the issue names (issue 15, area D), with two `parceria
serve` processes on one database and the votes released together by a
barrier, half through each: (a) 30 registrars vote at once for one
proposal: the count is exactly 30 and the table holds 30 rows; (b) one
registrar votes 10 times at once: one row, a count of 1, and every answer
says so; (c) votes cast and withdrawn at once: the count is the rows.
Every wait is bounded; nothing is timed."""
import pytest

import race as race_kit
from identity import make_registrar, registrar_token
from openapi_check import Client
from race import outcome, race
from siga import PRP, proposal_body, votes_in_sql


@pytest.fixture(scope="module")
def two_servers(template_db):
    yield from race_kit.two_servers(template_db, "siga-race")


@pytest.fixture()
def race_db(two_servers):
    yield from race_kit.database(two_servers)


def new_proposal(client, db):
    author = make_registrar(db)
    r = client.with_token(registrar_token(author)).post(PRP, proposal_body())
    assert r.status_code == 201, r.text
    return r.json()["id"]


def vote_call(rid, pid, method="PUT"):
    token = registrar_token(rid)

    def call(client):
        return client.with_token(token).request(method, f"{PRP}/{pid}/vote")
    return call


def counts(clients, db, pid):
    """The count as each process reads it, and the database's rows and counter."""
    seen = [c.with_token(registrar_token(make_registrar(db))).get(f"{PRP}/{pid}").json()["votes"]
            for c in clients]
    row = db.execute("SELECT votes FROM siga_proposals WHERE id = %s", (pid,)).fetchone()[0]
    return seen, row, votes_in_sql(db, pid)


def test_thirty_registrars_vote_at_once(two_servers, race_db):
    clients = [Client(s.base) for s in two_servers]
    pid = new_proposal(clients[0], race_db)
    rids = [make_registrar(race_db) for _ in range(30)]
    responses = race(two_servers, [vote_call(rid, pid) for rid in rids])
    assert outcome(responses) == {(200, ""): 30}, outcome(responses)
    assert all(r.json()["voted"] is True for r in responses)
    # each answer's count is one the count went through: 1..30, each once
    assert sorted(r.json()["votes"] for r in responses) == list(range(1, 31))
    assert counts(clients, race_db, pid) == ([30, 30], 30, 30)
    voters = race_db.execute("SELECT registrar_id::text FROM siga_votes WHERE proposal_id = %s",
                             (pid,)).fetchall()
    assert sorted(v[0] for v in voters) == sorted(rids)
    audited = race_db.execute("SELECT count(*) FROM audit_events WHERE resource_id = %s AND action = 'vote'",
                              (pid,)).fetchone()[0]
    assert audited == 30


def test_one_registrar_votes_ten_times_at_once(two_servers, race_db):
    clients = [Client(s.base) for s in two_servers]
    pid = new_proposal(clients[0], race_db)
    rid = make_registrar(race_db)
    responses = race(two_servers, [vote_call(rid, pid) for _ in range(10)])
    assert outcome(responses) == {(200, ""): 10}, outcome(responses)
    assert {(r.json()["voted"], r.json()["votes"]) for r in responses} == {(True, 1)}
    assert counts(clients, race_db, pid) == ([1, 1], 1, 1)
    audited = race_db.execute("SELECT count(*) FROM audit_events WHERE resource_id = %s AND action = 'vote'",
                              (pid,)).fetchone()[0]
    assert audited == 1


def test_votes_cast_and_withdrawn_at_once_keep_the_count(two_servers, race_db):
    clients = [Client(s.base) for s in two_servers]
    pid = new_proposal(clients[0], race_db)
    staying = [make_registrar(race_db) for _ in range(10)]
    leaving = [make_registrar(race_db) for _ in range(10)]
    for i, rid in enumerate(leaving):  # one by one, before the race
        assert vote_call(rid, pid)(clients[i % 2]).status_code == 200
    calls = [vote_call(rid, pid) for rid in staying] + [vote_call(rid, pid, "DELETE") for rid in leaving]
    responses = race(two_servers, calls)
    assert outcome(responses) == {(200, ""): 20}, outcome(responses)
    assert counts(clients, race_db, pid) == ([10, 10], 10, 10)
    voters = race_db.execute("SELECT registrar_id::text FROM siga_votes WHERE proposal_id = %s",
                             (pid,)).fetchall()
    assert sorted(v[0] for v in voters) == sorted(staying)
