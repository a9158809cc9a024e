"""A voucher is redeemed exactly once under concurrency (issue 12): 50
simultaneous redemptions of one code by 10 registrars (each with an active
enrollment in 3em1 and 3em1-comercio), every request for another domain,
split across two `parceria serve` processes on one database and released
together by a barrier. Exactly one 200; 49 times 409 voucher-redeemed; the
database holds one redemption and one redeem audit event. The same again for
a contest's voucher, redeemed through 3em1 enrollments. Every wait is
bounded; nothing is timed."""
import pytest

import race as race_kit
from accreditation import ok
from identity import registrar_token
from openapi_check import Client
from programs import create_program, staff
from race import outcome, race
from vouchers import VOU, builder, canonical, issue, row, voucher_audit

N = 50
REGISTRARS = 10


@pytest.fixture(scope="module")
def two_servers(template_db):
    yield from race_kit.two_servers(template_db, "voucher-race")


@pytest.fixture()
def race_db(two_servers):
    yield from race_kit.database(two_servers)


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
