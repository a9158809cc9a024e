"""PostgreSQL goes away and comes back while the server runs.

The suite's shared cluster must stay up for the other modules, so this module
starts a second private cluster of its own (initdb into a temporary folder,
run as the postgres user when we are root, on its own socket folder), migrates
it with the real binary, serves from it, and stops and starts it at will.
"""
import os
import pwd
import shutil
import subprocess
import tempfile
import threading

import pytest
import requests

from conftest import BIN, JWT_SECRET, Server
from openapi_check import check, check_problem

PG_BIN = os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin")
PROBLEMS = "https://parceria.dns.pt/problems/"
POOL_SIZE = 2
WAIT_MS = 1000
# A request must be answered by then: the pool's wait bound plus libpq's
# connect_timeout (3 s), with room for a slow sanitizer build. A hang fails.
DEADLINE_S = WAIT_MS / 1000 + 3 + 6


class Cluster:
    """A throw-away PostgreSQL 15 cluster listening on a Unix socket only."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="parceria-pg-")
        self.data = os.path.join(self.dir, "data")
        self.url = f"postgresql://postgres@/postgres?host={self.dir}&port=5432"
        self.as_pg = []
        if os.geteuid() == 0:
            pg = pwd.getpwnam("postgres")
            os.chown(self.dir, pg.pw_uid, pg.pw_gid)
            self.as_pg = ["runuser", "-u", "postgres", "--"]

    def _pg(self, *args):
        out = subprocess.run(self.as_pg + list(args), capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, f"{args[0]}: {out.stdout}{out.stderr}"

    def init(self):
        self._pg(f"{PG_BIN}/initdb", "-D", self.data, "-U", "postgres", "--auth=trust",
                 "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")

    def start(self):
        opts = (f"-c listen_addresses='' -c unix_socket_directories='{self.dir}' -p 5432 "
                "-c fsync=off -c max_connections=20")
        self._pg(f"{PG_BIN}/pg_ctl", "-D", self.data, "-w", "-l",
                 os.path.join(self.data, "server.log"), "-o", opts, "start")

    def stop(self, mode="fast"):
        self._pg(f"{PG_BIN}/pg_ctl", "-D", self.data, "-m", mode, "-w", "stop")

    def running(self):
        return subprocess.run(self.as_pg + [f"{PG_BIN}/pg_ctl", "-D", self.data, "status"],
                              capture_output=True).returncode == 0

    def remove(self):
        if os.path.exists(os.path.join(self.data, "PG_VERSION")) and self.running():
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def cluster():
    c = Cluster()
    try:
        c.init()
        c.start()
        env = {"PATH": os.environ.get("PATH", ""), "PARCERIA_DATABASE_URL": c.url,
               "PARCERIA_JWT_SECRET": JWT_SECRET}
        env.update({k: v for k, v in os.environ.items() if k in ("ASAN_OPTIONS", "UBSAN_OPTIONS")})
        out = subprocess.run([BIN, "migrate"], env=env, capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        yield c
    finally:
        c.remove()


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
