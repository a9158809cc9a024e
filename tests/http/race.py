"""What the concurrency tests share: two `parceria serve` processes on one
database, a barrier that releases calls at once half through each, and the
tally of their answers. Every wait is bounded; nothing is timed."""
import threading

import requests

import psycopg

from conftest import Server, _db_url, clone_database, drop_database
from openapi_check import Client

# Each process may hold every request it gets at once (all from 127.0.0.1,
# so the per-address connection limit is raised), and waits long enough for
# a pool connection that queueing behind a row lock never 503s.
ENV = {"PARCERIA_THREADS": "32", "PARCERIA_DB_POOL_SIZE": "30", "PARCERIA_DB_WAIT_MS": "20000",
       "PARCERIA_STATEMENT_TIMEOUT_MS": "20000", "PARCERIA_CONNECTIONS_PER_ADDRESS": "256"}


def two_servers(template_db, name):
    """A generator for a module fixture: two servers on one fresh database,
    both stopped cleanly (exit 0, no sanitizer report) at the end."""
    db_name = clone_database(template_db)
    servers = [Server(db_name, env_extra=ENV, name=f"{name}-{n}").start() for n in ("a", "b")]
    yield servers
    codes = [s.stop() for s in servers]
    logs = [s.log_text() for s in servers]
    drop_database(db_name)
    assert codes == [0, 0], [log[-3000:] for log in logs]
    for text in logs:
        assert "ERROR: AddressSanitizer" not in text and "runtime error:" not in text, text[-4000:]


def database(servers):
    """A generator for a fixture: a connection to the servers' database."""
    with psycopg.connect(_db_url(servers[0].db_name, "postgres"), autocommit=True) as c:
        yield c


def race(servers, calls, retry_lost=False):
    """Runs calls[i](client) for each i on its own thread, half through each
    server, all released at once; returns the responses. With retry_lost, a
    call whose connection was lost before any answer is made again, as a
    client does: only for calls that carry an Idempotency-Key, so the second
    try replays the first if it was done (counted in race.lost)."""
    clients = [Client(s.base) for s in servers]
    barrier = threading.Barrier(len(calls), timeout=60)
    lost = race.lost = []
    results = [None] * len(calls)

    def run(i):
        try:
            barrier.wait()
            for attempt in range(3):
                try:
                    results[i] = calls[i](clients[i % 2])
                    break
                except requests.ConnectionError:
                    if not retry_lost or attempt == 2:
                        raise
                    lost.append(i)
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
    """{(status, problem type or ""): count} of the answers."""
    out = {}
    for r in responses:
        key = (r.status_code, r.json().get("type", "").rsplit("/", 1)[-1] if r.status_code >= 400 else "")
        out[key] = out.get(key, 0) + 1
    return out
