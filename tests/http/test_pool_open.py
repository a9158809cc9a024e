"""`parceria serve` opens its whole database pool, and has each backend read
the schema's catalogue, before it takes its first request (issue 9: a cold
pool doubled the POST's p99 in bench/run). A database that refuses some of
the connections at start-up does not stop the start: those open on first use.
"""
import concurrent.futures

import psycopg

from conftest import Server, _db_url, clone_database, drop_database
from openapi_check import Client


def backends(db_name):
    with psycopg.connect(_db_url(db_name, "postgres"), autocommit=True) as c:
        return c.execute(
            "SELECT pid, state, query FROM pg_stat_activity"
            " WHERE datname = %s AND application_name = 'parceria' ORDER BY pid", (db_name,)).fetchall()


def set_connection_limit(db_name, limit):
    with psycopg.connect(_db_url(db_name, "postgres"), autocommit=True) as c:
        c.execute(f'ALTER DATABASE "{db_name}" CONNECTION LIMIT {int(limit)}')


def run(template_db, pool_size, before, check):
    """Starts a server with pool_size connections on a clone (before(name)
    runs first), then check(srv); the server must stop cleanly."""
    name = clone_database(template_db)
    srv = None
    try:
        before(name)
        srv = Server(name, name=f"pool-open-{pool_size}",
                     env_extra={"PARCERIA_DB_POOL_SIZE": str(pool_size)}).start()
        check(srv)
    finally:
        rc = srv.stop() if srv else 0
        text = srv.log_text() if srv else ""
        drop_database(name)
    assert rc == 0, text[-4000:]
    assert "ERROR: AddressSanitizer" not in text and "runtime error:" not in text, text[-4000:]


def test_the_whole_pool_is_open_and_warm_before_the_first_request(template_db):
    def check(srv):
        opened = backends(srv.db_name)
        assert len(opened) == 3, opened
        # each backend's last statement was the warm-up, and none is busy
        assert all(state == "idle" and query.startswith("DO $$") for _, state, query in opened), opened
        assert "database pool: 3 of 3 connections open" in srv.log_text()
        api = Client(srv.base)
        assert api.get("/v1/registrars").status_code == 200
        # the request ran on a connection opened at start: no new backend
        assert [pid for pid, _, _ in backends(srv.db_name)] == [pid for pid, _, _ in opened]

    run(template_db, 3, lambda name: None, check)


def test_a_database_refusing_connections_at_start_leaves_the_rest_for_first_use(template_db):
    def check(srv):
        assert "database pool: 2 of 4 connections open" in srv.log_text()
        assert len(backends(srv.db_name)) == 2
        api = Client(srv.base)
        assert api.get("/v1/registrars").status_code == 200
        set_connection_limit(srv.db_name, -1)
        # many at once: the slots left closed open when they are needed
        with concurrent.futures.ThreadPoolExecutor(8) as ex:
            codes = list(ex.map(lambda _: Client(srv.base).get("/v1/registrars").status_code, range(32)))
        assert codes == [200] * 32, codes
        assert 2 <= len(backends(srv.db_name)) <= 4

    run(template_db, 4, lambda name: set_connection_limit(name, 2), check)
