"""The Conselho Consultivo under concurrency, on two server processes and
one database: one registrar's two ballots at once give exactly one, and many
registrars voting at once keep every ballot (each rewrites the term's box
under the term's row lock), all under one xmin."""
import pytest

import race as race_kit
from identity import make_registrar, registrar_token
from openapi_check import Client
from programs import staff
from race import race
from council import NOMS, TERMS, act, create_term, nominate, veteran

from accreditation import ok


@pytest.fixture(scope="module")
def two_servers(template_db):
    yield from race_kit.two_servers(template_db, "council-race")


@pytest.fixture()
def race_db(two_servers):
    yield from race_kit.database(two_servers)


def voting(api, db, candidates):
    t = create_term(api, seats=2)
    act(api, t["id"], "open-nominations")
    ids = []
    for i in range(candidates):
        n = nominate(api, t["id"], veteran(db), name=f"Pessoa {i}")
        ids.append(ok(staff(api).post(f"{NOMS}/{n['id']}/accept"))["id"])
    act(api, t["id"], "open-voting")
    return t["id"], ids


def ballot(token, tid, choices):
    return lambda c: c.with_token(token).post(f"{TERMS}/{tid}/ballots", {"choices": choices})


def test_one_registrars_two_ballots_at_once_give_one(two_servers, race_db):
    api = Client(two_servers[0].base)
    tid, ids = voting(api, race_db, 2)
    token = registrar_token(make_registrar(race_db))
    responses = race(two_servers, [ballot(token, tid, [ids[0]]), ballot(token, tid, [ids[1]])])
    assert sorted(r.status_code for r in responses) == [201, 409], [r.text for r in responses]
    loser = next(r for r in responses if r.status_code == 409)
    assert loser.json()["type"].endswith("/duplicate")
    assert race_db.execute("SELECT count(*) FROM council_ballots WHERE term_id = %s", (tid,)).fetchone()[0] == 1
    assert race_db.execute("SELECT count(*) FROM council_voters WHERE term_id = %s", (tid,)).fetchone()[0] == 1


def test_many_registrars_at_once_keep_every_ballot(two_servers, race_db):
    api = Client(two_servers[0].base)
    tid, ids = voting(api, race_db, 3)
    tokens = [registrar_token(make_registrar(race_db)) for _ in range(24)]
    responses = race(two_servers, [ballot(t, tid, [ids[i % 3]]) for i, t in enumerate(tokens)])
    assert [r.status_code for r in responses] == [201] * 24, [r.text for r in responses if r.status_code != 201]
    receipts = {r.json()["receipt"] for r in responses}
    rows = race_db.execute("SELECT hash, xmin::text FROM council_ballots WHERE term_id = %s ORDER BY ctid",
                           (tid,)).fetchall()
    assert {h for h, _ in rows} == receipts and len(rows) == 24
    assert len({x for _, x in rows}) == 1
    act(api, tid, "close")
    res = ok(api.get(f"{TERMS}/{tid}/results"))
    assert {b["hash"] for b in res["ballots"]} == receipts
    assert sum(x["votes"] for x in res["tally"]) == 24
