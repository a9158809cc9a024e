"""Incidents under concurrency (issue 16, item 2), split across two server
processes on one database: one acknowledgement wins and the rest are 409
with nothing written twice; edits under one If-Match give one 200 and 412s;
concurrent timeline updates from both sides are all kept, each once."""
import pytest

import race as race_kit
from identity import make_registrar, registrar_token, mint
from openapi_check import Client
from race import outcome, race

INC = "/v1/incidents"
N = 10


@pytest.fixture(scope="module")
def two_servers(template_db):
    yield from race_kit.two_servers(template_db, "incident-race")


@pytest.fixture()
def race_db(two_servers):
    yield from race_kit.database(two_servers)


def staff_token():
    return mint("staff", sub="joana@dns.pt")


def reported(servers, rid):
    c = Client(servers[0].base).with_token(registrar_token(rid))
    r = c.post(INC, {"title": "DDoS", "description": "Tráfego anómalo.", "category": "ddos",
                     "severity": "medium", "tlp": "GREEN", "detected_at": "2026-01-05T10:00:00Z"})
    assert r.status_code == 201, r.text
    return r.json()


def test_one_acknowledgement_wins(two_servers, race_db):
    i = reported(two_servers, make_registrar(race_db))
    token = staff_token()
    calls = [lambda c: c.with_token(token).post(f"{INC}/{i['id']}/acknowledge")] * N
    assert outcome(race(two_servers, calls)) == {(200, ""): 1, (409, "invalid-state"): N - 1}
    assert race_db.execute("SELECT count(*) FROM audit_events WHERE resource_id = %s AND action = 'acknowledge'",
                      (i["id"],)).fetchone()[0] == 1
    assert race_db.execute("SELECT status, version FROM incidents WHERE id = %s", (i["id"],)).fetchone() == \
        ("acknowledged", 2)


def test_one_edit_per_version(two_servers, race_db):
    i = reported(two_servers, make_registrar(race_db))
    token = staff_token()
    calls = [lambda c, n=n: c.with_token(token).patch(f"{INC}/{i['id']}", {"title": f"DDoS {n}"},
                                                      headers={"If-Match": '"1"'}) for n in range(N)]
    assert outcome(race(two_servers, calls)) == {(200, ""): 1, (412, "precondition-failed"): N - 1}
    assert race_db.execute("SELECT version FROM incidents WHERE id = %s", (i["id"],)).fetchone()[0] == 2


def test_every_concurrent_update_is_kept_once(two_servers, race_db):
    rid = make_registrar(race_db)
    i = reported(two_servers, rid)
    tokens = [staff_token(), registrar_token(rid)]
    calls = [lambda c, n=n: c.with_token(tokens[n % 2]).post(f"{INC}/{i['id']}/updates", {"body": f"nota {n}"})
             for n in range(N)]
    assert outcome(race(two_servers, calls)) == {(201, ""): N}
    rows = race_db.execute("SELECT body FROM incident_updates WHERE incident_id = %s ORDER BY arrival",
                      (i["id"],)).fetchall()
    assert sorted(r[0] for r in rows) == sorted(f"nota {n}" for n in range(N))
    assert race_db.execute("SELECT count(*) FROM audit_events WHERE resource_id = %s AND action = 'post-update'",
                      (i["id"],)).fetchone()[0] == N
