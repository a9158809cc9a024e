"""A voucher is redeemed exactly once under concurrency (issue 12): 50
simultaneous redemptions of one code by 10 registrars (each with an active
enrollment in 3em1 and 3em1-comercio), every request for another domain,
split across two `parceria serve` processes on one database and released
together by a barrier. Exactly one 200; 49 times 409 voucher-redeemed; the
database holds one redemption and one redeem audit event. The same again for
a contest's voucher, redeemed through 3em1 enrollments. Every wait is
bounded; nothing is timed."""
import threading

import psycopg
import pytest

from accreditation import ok
from conftest import Server, _db_url, clone_database, drop_database
from identity import registrar_token
from openapi_check import Client
from programs import create_program, staff
from vouchers import VOU, builder, canonical, issue, row, voucher_audit

N = 50
REGISTRARS = 10
# Each process may hold every request it gets at once, and waits long enough
# for a pool connection that queueing behind the voucher's lock never 503s.
ENV = {"PARCERIA_THREADS": "32", "PARCERIA_DB_POOL_SIZE": "30", "PARCERIA_DB_WAIT_MS": "20000",
       "PARCERIA_STATEMENT_TIMEOUT_MS": "20000"}


@pytest.fixture(scope="module")
def two_servers(template_db):
    name = clone_database(template_db)
    servers = [Server(name, env_extra=ENV, name=f"voucher-race-{n}").start() for n in ("a", "b")]
    yield servers
    codes = [s.stop() for s in servers]
    logs = [s.log_text() for s in servers]
    drop_database(name)
    assert codes == [0, 0], [log[-3000:] for log in logs]
    for text in logs:
        assert "ERROR: AddressSanitizer" not in text and "runtime error:" not in text, text[-4000:]


@pytest.fixture()
def race_db(two_servers):
    with psycopg.connect(_db_url(two_servers[0].db_name, "postgres"), autocommit=True) as c:
        yield c


def race(servers, calls):
    """Runs calls[i](client) for each i on its own thread, half through each
    server, all released at once; returns the responses."""
    clients = [Client(s.base) for s in servers]
    barrier = threading.Barrier(len(calls), timeout=60)
    results = [None] * len(calls)

    def run(i):
        try:
            barrier.wait()
            results[i] = calls[i](clients[i % 2])
        except Exception as e:  # noqa: BLE001 - reported below with the others
            results[i] = e
    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a request never finished"
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors[:3]
    return results


def outcome(responses):
    out = {}
    for r in responses:
        key = (r.status_code, r.json().get("type", "").rsplit("/", 1)[-1] if r.status_code >= 400 else "")
        out[key] = out.get(key, 0) + 1
    return out


def redeem_call(rid, code, domain):
    # one token (one caller) per registrar, as a registrar's API client would hold
    token = registrar_token(rid, sub=f"race-client-{rid}")

    def call(client):
        return client.with_token(token).post(f"{VOU}/{code}/redeem", {"domain": domain})
    return call


def fifty_redeem_one_code(servers, db, code, rids):
    calls = [redeem_call(rids[i % len(rids)], code, f"concorrente-{i:02d}.pt") for i in range(N)]
    responses = race(servers, calls)
    assert outcome(responses) == {(200, ""): 1, (409, "voucher-redeemed"): N - 1}, outcome(responses)
    winner = next(i for i, r in enumerate(responses) if r.status_code == 200)
    won = responses[winner].json()
    domain = f"concorrente-{winner:02d}.pt"
    assert won["status"] == "redeemed"
    assert (won["redemption"]["registrar_id"], won["redemption"]["domain"]) == (rids[winner % len(rids)], domain)
    # no loser learns who won, nor for which name
    for i, r in enumerate(responses):
        if i != winner:
            assert domain not in r.text and won["redemption"]["registrar_id"] not in r.text
    stored = row(db, code)
    assert (stored["status"], stored["registrar_id"], stored["domain"], stored["version"]) == \
        ("redeemed", rids[winner % len(rids)], domain, 2)
    assert db.execute("SELECT count(*) FROM vouchers WHERE code = %s AND registrar_id IS NOT NULL",
                      (canonical(code),)).fetchone()[0] == 1
    events = voucher_audit(db, code)
    assert [e[0] for e in events] == ["issue", "redeem"]
    assert events[1][4] == {"domain": domain, "registrar_id": rids[winner % len(rids)]}
    return won


def test_fifty_redemptions_of_one_code_through_two_processes(two_servers, race_db):
    api = Client(two_servers[0].base)
    rids = [builder(api, race_db) for _ in range(REGISTRARS)]
    v = issue(api)
    won = fifty_redeem_one_code(two_servers, race_db, v["code"], rids)
    # both processes read the same outcome afterwards
    for s in two_servers:
        seen = ok(staff(Client(s.base)).get(f"{VOU}/{v['code']}"))
        assert seen["status"] == "redeemed" and seen["redemption"] == won["redemption"]
    stats = ok(staff(Client(two_servers[1].base)).get("/v1/programs/3em1-comercio/voucher-stats"))
    assert stats["redeemed"] == 1 and stats["redemptions_by_registrar"] == {won["redemption"]["registrar_id"]: 1}


def test_fifty_redemptions_of_a_contests_voucher_through_two_processes(two_servers, race_db):
    api = Client(two_servers[1].base)
    contest = create_program(api, kind="contest", year=2034, status="open")
    rids = [builder(api, race_db, ("3em1",)) for _ in range(REGISTRARS)]
    v = issue(api, contest["code"], body={"beneficiary": {"type": "school_team", "name": "Escola Secundária do Rio",
                                                          "email": "professor@escola-rio.edu.pt"}})
    fifty_redeem_one_code(two_servers, race_db, v["code"], rids)
