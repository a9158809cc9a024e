"""Every request gets an answer, and a handler waiting on the database does
not stall its neighbours (issue 10, finding 2).

A registrar row locked from outside makes PATCHes wait on the lock until the
statement timeout (a 503 with Retry-After) or the release (200), while
/healthz on the same server keeps answering. A database backend frozen with
SIGSTOP gets its statement cancelled at the service's own deadline: 503.
"""
import concurrent.futures
import os
import signal
import threading
import time

import psycopg
import requests

from conftest import Server, _db_url, clone_database, drop_database
from identity import make_registrar, registrar_token
from openapi_check import Client

STATEMENT_TIMEOUT_MS = 1000
MARGIN_MS = 500
# No request may hang: openapi_check.Client gives up after 30 s and raises.
ANSWER_S = 30
# /healthz needs no database; the brief is that it stays under a second
# (sanitizer builds are several times slower).
HEALTH_S = 3.0 if "ASAN_OPTIONS" in os.environ else 1.0


def start(template_db, name, **env):
    db_name = clone_database(template_db)
    srv = Server(db_name, name=name, env_extra={
        "PARCERIA_STATEMENT_TIMEOUT_MS": str(STATEMENT_TIMEOUT_MS),
        "PARCERIA_DB_DEADLINE_MARGIN_MS": str(MARGIN_MS),
        "PARCERIA_LOG_LEVEL": "warning", **env})
    srv.env.pop("PARCERIA_THREADS")  # the shipped default threading
    return srv.start()


def finish(srv):
    rc = srv.stop()
    text = srv.log_text()
    drop_database(srv.db_name)
    assert rc == 0, text[-4000:]
    assert "ERROR: AddressSanitizer" not in text and "runtime error:" not in text, text[-4000:]


def test_patches_on_a_locked_row_all_get_an_answer_and_healthz_stays_quick(template_db):
    srv = start(template_db, "deadline-lock")
    try:
        with psycopg.connect(_db_url(srv.db_name, "postgres"), autocommit=True) as admin:
            rid = make_registrar(admin)
        token = registrar_token(rid)
        locker = psycopg.connect(_db_url(srv.db_name, "postgres"))
        locker.execute("SELECT 1 FROM registrars WHERE id = %s FOR UPDATE", (rid,))

        def patch(i):
            return Client(srv.base).with_token(token).patch(  # its timeout is ANSWER_S
                f"/v1/registrars/{rid}", {"website": f"https://w{i}.example.pt"}, headers={"If-Match": "*"})

        health, stop = [], threading.Event()

        def probe():
            while not stop.is_set():
                t = time.monotonic()
                try:
                    code = requests.get(srv.base + "/healthz", timeout=HEALTH_S).status_code
                except requests.RequestException as e:
                    code = repr(e)
                health.append((code, time.monotonic() - t))
                time.sleep(0.05)

        prober = threading.Thread(target=probe)
        with concurrent.futures.ThreadPoolExecutor(max_workers=40) as pool:
            futures = [pool.submit(patch, i) for i in range(40)]
            prober.start()
            time.sleep(3 * STATEMENT_TIMEOUT_MS / 1000)  # several timeouts pass under the lock
            locker.rollback()
            locker.close()
            answers = [f.result() for f in futures]
        stop.set()
        prober.join()

        codes = [r.status_code for r in answers]
        assert set(codes) <= {200, 503}, [(r.status_code, r.text) for r in answers]
        assert 503 in codes, codes
        for r in answers:
            if r.status_code == 503:
                assert int(r.headers["Retry-After"]) >= 1
                assert r.json()["type"].endswith("/service-unavailable"), r.text
        assert health and all(code == 200 for code, _ in health), health
        assert max(s for _, s in health) < HEALTH_S, health
    finally:
        finish(srv)


def backend_pids(db_name):
    with psycopg.connect(_db_url(db_name, "postgres"), autocommit=True) as c:
        return [row[0] for row in c.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND application_name = 'parceria'",
            (db_name,))]


def test_a_frozen_backend_gets_a_503_at_the_deadline(template_db):
    srv = start(template_db, "deadline-frozen", PARCERIA_DB_POOL_SIZE="1")
    api = Client(srv.base)
    frozen = []
    try:
        assert api.get("/v1/registrars").status_code == 200  # opens the one pooled connection
        frozen = backend_pids(srv.db_name)
        assert len(frozen) == 1, frozen
        os.kill(frozen[0], signal.SIGSTOP)
        t = time.monotonic()
        r = api.get("/v1/registrars")  # its timeout is ANSWER_S: a hang fails
        took = time.monotonic() - t
        assert r.status_code == 503, r.text
        assert int(r.headers["Retry-After"]) >= 1
        # answered by the service's deadline, not by the backend waking up
        assert took < ANSWER_S, took
        # the silent connection was dropped: a new one serves the next request
        assert api.get("/v1/registrars").status_code == 200
    finally:
        for pid in frozen:
            os.kill(pid, signal.SIGCONT)
        finish(srv)
