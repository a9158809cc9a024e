"""PostgreSQL goes away and comes back while the server runs.

The suite's shared cluster must stay up for the other modules, so this module
serves from a private cluster of its own (cluster.py) and stops and starts it
at will.
"""
import threading

import pytest
import requests

from cluster import migrated_cluster
from conftest import Server
from openapi_check import check, check_problem

PROBLEMS = "https://parceria.dns.pt/problems/"
POOL_SIZE = 2
WAIT_MS = 1000
# A request must be answered by then: the pool's wait bound plus libpq's
# connect_timeout (3 s), with room for a slow sanitizer build. A hang fails.
DEADLINE_S = WAIT_MS / 1000 + 3 + 6


@pytest.fixture(scope="module")
def cluster():
    with migrated_cluster() as c:
        yield c


@pytest.fixture(scope="module")
def outage_server(cluster):
    srv = Server("unused", name="outage", env_extra={
        "PARCERIA_DATABASE_URL": cluster.url, "PARCERIA_DB_POOL_SIZE": str(POOL_SIZE),
        "PARCERIA_THREADS": "4", "PARCERIA_DB_WAIT_MS": str(WAIT_MS)}).start()
    yield srv
    rc = srv.stop()
    text = srv.log_text()
    assert rc == 0, f"server exited with {rc}:\n{text[-4000:]}"
    assert "ERROR: AddressSanitizer" not in text and "runtime error:" not in text, text[-4000:]


def get(server, path):
    """GET with a deadline: a request that hangs fails the test."""
    r = requests.get(server.base + path, timeout=DEADLINE_S)
    check("GET", path, r)
    return r


def assert_ready(server):
    r = get(server, "/readyz")
    assert r.status_code == 200, r.text
    assert r.json()["checks"] == {"database": "ok", "migrations": "current"}


def assert_unavailable(r):
    assert r.status_code == 503, r.text
    body = check_problem(r)
    assert body["type"] == PROBLEMS + "service-unavailable"
    assert body["checks"]["database"] == "unavailable"
    assert int(r.headers["Retry-After"]) > 0


def use_every_connection(server):
    """Enough concurrent reads that the pool opens all its connections."""
    results = []
    threads = [threading.Thread(target=lambda: results.append(get(server, "/readyz").status_code))
               for _ in range(4 * POOL_SIZE)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    return results


def test_restart_between_requests_is_invisible(cluster, outage_server):
    assert set(use_every_connection(outage_server)) == {200}
    for mode in ("fast", "immediate"):
        # Every pooled connection is now closed by the server; none was used
        # while it was down. The first request after must not see that.
        cluster.stop(mode)
        cluster.start()
        assert_ready(outage_server)
        assert set(use_every_connection(outage_server)) == {200}


def test_outage_answers_503_then_recovers_without_a_restart(cluster, outage_server):
    assert_ready(outage_server)
    cluster.stop()
    try:
        assert get(outage_server, "/healthz").status_code == 200
        for _ in range(3):
            assert_unavailable(get(outage_server, "/readyz"))
        # More callers than connections: each still gets its 503, none hangs.
        answers = []
        threads = [threading.Thread(target=lambda: answers.append(get(outage_server, "/readyz")))
                   for _ in range(4 * POOL_SIZE)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        assert len(answers) == 4 * POOL_SIZE
        for r in answers:
            assert_unavailable(r)
        assert get(outage_server, "/healthz").status_code == 200
    finally:
        cluster.start()
    assert_ready(outage_server)
    assert set(use_every_connection(outage_server)) == {200}
    assert outage_server.proc.poll() is None, "the server kept running throughout"
    metrics = get(outage_server, "/metrics").text
    assert 'parceria_http_requests_total{method="GET",route="/readyz",status="503"}' in metrics
    errors = [l for l in metrics.splitlines() if l.startswith("parceria_db_errors_total ")]
    assert errors and float(errors[0].split()[1]) >= 3
