"""Accepting an agreement at once (issue 16, H1): one registrar accepts the
same version 8 times concurrently, split across two `parceria serve`
processes on one database: exactly one 201, the rest 200 with that very
acceptance; one row, one audit event. Every wait is bounded; nothing is
timed."""
import pytest
import race as race_kit
from agreements import AGR, agreement_body
from identity import make_registrar, mint, registrar_token
from openapi_check import Client
from race import outcome, race


@pytest.fixture(scope="module")
def two_servers(template_db):
    yield from race_kit.two_servers(template_db, "agreement-race")


@pytest.fixture()
def race_db(two_servers):
    yield from race_kit.database(two_servers)


def test_one_acceptance_whatever_the_concurrency(two_servers, race_db):
    staff = Client(two_servers[0].base).with_token(mint("staff", sub="joana@dns.pt"))
    r = staff.post(AGR, agreement_body(effective=-1, due=30))
    assert r.status_code == 201, r.text
    a = r.json()
    rid = make_registrar(race_db)
    token = registrar_token(rid)

    def call(client):
        return client.with_token(token).post(f"{AGR}/{a['version']}/accept",
                                             {"document_sha256": a["document_sha256"]})
    responses = race(two_servers, [call for _ in range(8)])
    assert outcome(responses) == {(201, ""): 1, (200, ""): 7}
    bodies = {tuple(sorted(r.json().items())) for r in responses}
    assert len(bodies) == 1  # every answer is the one acceptance
    assert race_db.execute("SELECT count(*) FROM agreement_acceptances WHERE registrar_id = %s",
                           (rid,)).fetchone()[0] == 1
    assert race_db.execute("SELECT count(*) FROM audit_events WHERE resource_type = 'agreement'"
                           " AND action = 'accept' AND registrar_id = %s", (rid,)).fetchone()[0] == 1
