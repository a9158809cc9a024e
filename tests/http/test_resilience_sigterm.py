"""SIGTERM under load, for `parceria serve` and `parceria worker`.

serve: writes wait behind a row lock this test holds (slow requests), while
ordinary clients keep creating applications; then SIGTERM. New connections
are refused at once, while the slow requests are still running; the lock is
released shortly after; every request in flight gets its whole answer, its
transaction committed (each 2xx is in the database) or never run (each
request left without an answer is absent); the process exits 0 within 10 s.

worker: SIGTERM while the SMTP server holds a message's data (a slow sink):
the worker finishes that message, marks it sent and exits 0; a later worker
delivers the rest, and no message goes out twice.
"""
import signal
import socket
import subprocess
import threading
import time
import uuid

import psycopg
import pytest
import requests

from accreditation import application, submit
from conftest import Server, _db_url, clone_database, drop_database
from identity import mint
from mailsink import Sink, Worker, outbox, stopped_cleanly, wait_rows
from openapi_check import Client, check
from traffic import Outcome, Request, Traffic, sort

APPS = "/v1/accreditation-applications"
SLOW = 6  # requests held behind the row lock
CLIENTS = 8
EXIT_BOUND_S = 10  # the documented bound on a stop (docs/operations.md)


@pytest.fixture()
def database(template_db):
    name = clone_database(template_db)
    yield name
    drop_database(name)


def exited(proc, log_text, bound):
    """The exit code, waiting at most bound seconds; kills and fails past it."""
    try:
        rc = proc.wait(timeout=bound)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise AssertionError(f"still running {bound} s after SIGTERM:\n{log_text()[-3000:]}")
    text = log_text()
    assert "ERROR: AddressSanitizer" not in text and "runtime error:" not in text, text[-4000:]
    return rc


def refused(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        return False
    except (ConnectionRefusedError, ConnectionResetError):
        # reset: the handshake reached the backlog of a listener that then
        # closed, so the server never took the connection either
        return True


def locked_waiters(db, name):
    return db.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s"
                      " AND wait_event_type = 'Lock'", (name,)).fetchone()[0]


def wait_until(pred, timeout, what):
    deadline = time.monotonic() + timeout
    while not pred():
        assert time.monotonic() < deadline, what
        time.sleep(0.02)


def test_sigterm_serve_finishes_what_is_in_flight(database):
    srv = Server(database, name="sigterm", env_extra={
        "PARCERIA_THREADS": "0", "PARCERIA_DB_POOL_SIZE": str(SLOW + CLIENTS),
        "PARCERIA_DB_WAIT_MS": "3000", "PARCERIA_CLIENT_RATE_LIMIT": "1000000"}).start()
    try:
        api = Client(srv.base)
        held = [submit(api)["id"] for _ in range(SLOW)]
        staff = mint("staff", sub="sigterm@dns.pt")
        admin = psycopg.connect(_db_url(database, "postgres"), autocommit=True)
        locker = psycopg.connect(_db_url(database, "postgres"))
        locker.execute("SELECT id FROM accreditation_applications WHERE id = ANY(%s::uuid[])"
                       " FOR UPDATE", (held,))

        slow = {}  # application id -> the answer (or the exception's name)

        def review(app_id):
            req = Request.post(f"{APPS}/{app_id}/start-review", token=staff)
            try:
                r = req.send(requests, srv.base, timeout=30)
                check(req.method, req.path, r)
                slow[app_id] = r
            except Exception as e:  # kept: the assertions below name it
                slow[app_id] = type(e).__name__

        def create(session, client, seq):
            doc = application()
            req = Request.post(APPS, doc)
            out = Outcome(client, seq, key=req.key, replay=doc["nif"])
            try:
                r = req.send(session, srv.base, timeout=30)
            except requests.RequestException as e:
                out.error = type(e).__name__
                time.sleep(0.05)  # refused after the signal: no point in a tight loop
                return out
            check(req.method, req.path, r)
            out.status = r.status_code
            out.body = time.monotonic()  # when the answer came
            return out

        reviewers = [threading.Thread(target=review, args=(a,)) for a in held]
        with Traffic(create, clients=CLIENTS) as t:
            [th.start() for th in reviewers]
            wait_until(lambda: locked_waiters(admin, database) == SLOW, 20,
                       "the slow requests never reached the lock")
            t.wait_for(len(t.outcomes) + 2 * CLIENTS)
            srv.proc.send_signal(signal.SIGTERM)
            signalled = time.monotonic()
            wait_until(lambda: refused(srv.port), 5, "new connections still accepted after SIGTERM")
            assert slow == {}, "the slow requests were still in flight when connections were refused"
            time.sleep(0.5)
            locker.rollback()  # the slow requests go on
            rc = exited(srv.proc, srv.log_text, EXIT_BOUND_S - (time.monotonic() - signalled))
            took = time.monotonic() - signalled
        srv.proc = None
        srv.log.close()
        [th.join(30) for th in reviewers]
        assert rc == 0, srv.log_text()[-3000:]

        # Every slow request got its whole answer, and its change is there once.
        assert all(isinstance(r, requests.Response) and r.status_code == 200 for r in slow.values()), \
            {a: (r if isinstance(r, str) else (r.status_code, r.text[:200])) for a, r in slow.items()}
        for app_id in held:
            assert admin.execute("SELECT count(*) FROM audit_events WHERE resource_id = %s"
                                 " AND action = 'start-review'", (app_id,)).fetchone()[0] == 1
            assert admin.execute("SELECT status FROM accreditation_applications WHERE id = %s",
                                 (app_id,)).fetchone()[0] == "under_review"
        # Ordinary traffic: each 2xx is there once, each call left unanswered is absent.
        answered = [o for o in t.outcomes if o.status is not None]
        unanswered = [o for o in t.outcomes if o.status is None]
        assert {o.status for o in answered} <= {201}, t.statuses()
        assert not [o for o in t.outcomes if sort(o) == "hang"], t.statuses()
        count = "SELECT count(*) FROM accreditation_applications WHERE tax_id = 'PT' || %s"
        for o in answered:
            assert admin.execute(count, (o.replay,)).fetchone()[0] == 1, o
        for o in unanswered:
            assert admin.execute(count, (o.replay,)).fetchone()[0] == 0, o
        admin.close()
        locker.close()
        print(f"\nSIGTERM under load: {len(held)} slow requests answered 200 after the signal, "
              f"{len(answered)} ordinary requests answered "
              f"({sum(o.body > signalled for o in answered)} after the signal), "
              f"{len(unanswered)} refused or cut "
              f"before reaching the service ({t.statuses()}); exited {rc} in {took:.2f} s")
    finally:
        if srv.proc is not None:
            srv.stop()


def test_sigterm_worker_finishes_the_message_in_hand(database):
    sink = Sink(data_delay=2.0).start()
    srv = Server(database, name="sigterm-mail").start()
    workers = []
    try:
        api = Client(srv.base)
        contacts = [f"sigterm-{i}-{uuid.uuid4().hex[:8]}@exemplo.pt" for i in range(4)]
        for c in contacts:
            doc = application()
            doc["contacts"][0]["email"] = c
            submit(api, doc)
        first = Worker(database, sink.url, name="sigterm-worker-1").start()
        workers.append(first)
        assert sink.receiving.wait(20), "no message reached the SMTP server"
        first.proc.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        rc = exited(first.proc, first.log_text, EXIT_BOUND_S)
        took = time.monotonic() - signalled
        first.proc = None
        first.log.close()
        assert rc == 0, first.log_text()[-3000:]
        with psycopg.connect(_db_url(database, "postgres"), autocommit=True) as db:
            rows = outbox(db, channel="email")
            sent = [r for r in rows if r["status"] == "sent"]
            # The message in hand went out whole and is marked; the others wait.
            assert len(sent) == 1 and len(sink.all()) == 1, (rows, sink.all())
            assert sink.all()[0].message_id == f"<{sent[0]['message_id']}@parceria.dns.pt>"
            assert all(r["status"] == "pending" for r in rows if r not in sent), rows
            # A later worker delivers the rest, none twice.
            sink.data_delay = 0
            workers.append(Worker(database, sink.url, name="sigterm-worker-2").start())
            rows = wait_rows(db, lambda rs: all(r["status"] == "sent" for r in rs), channel="email")
            time.sleep(0.5)  # room for a duplicate to show up
            ids = [m.message_id for m in sink.all()]
            assert len(ids) == len(rows) == len(set(ids)), ids
            assert sorted(m.rcpt_tos[0] for m in sink.all() if m.rcpt_tos[0] in contacts) == sorted(contacts)
            attempts = db.execute("SELECT count(*) FROM outbox_attempts WHERE outcome = 'sent'").fetchone()[0]
            assert attempts == len(rows)
        print(f"\nworker SIGTERM with a message in hand: exited {rc} in {took:.2f} s "
              f"(the SMTP server held the data {2.0} s); {len(rows)} messages, each sent once")
    finally:
        for w in workers:
            if w.proc is not None:
                stopped_cleanly(w)
        srv.stop()
        sink.stop()
