"""Chores (service_chores.h): the steps that come due by the clock, run by the
worker every minute and by `parceria tick --at TIME` once, as of a time the
test chooses (no sleeping). The first chore scrubs delivered emails' values."""
import datetime as dt
import json
import subprocess
import time
import uuid

import psycopg

from conftest import BIN, Server, _db_url, clone_database, drop_database


def tick(server, *args):
    return subprocess.run([BIN, "tick", *args], env=server.env, capture_output=True, text=True,
                          timeout=60)


def sent_mail(db, status="sent", vars_=None, template="voucher-issued"):
    """An email row as the worker leaves it, with its values."""
    vars_ = vars_ or {"name": "Ana Sousa", "code": "ABCD-EFGH-JKLM-NP"}
    row = db.execute(
        "INSERT INTO outbox (event_id, event, channel, recipient, resource_type, resource_id,"
        " payload, status) VALUES (%s, 'voucher.issued', 'email', %s, 'voucher', 'X', %s, %s)"
        " RETURNING id", (str(uuid.uuid4()), f"{uuid.uuid4().hex[:8]}@example.pt",
                          json.dumps({"template": template, "lang": "pt", "vars": vars_}),
                          status)).fetchone()
    return row[0]


def payload(db, id_):
    return db.execute("SELECT payload FROM outbox WHERE id = %s", (id_,)).fetchone()[0]


def last_update(db, id_):
    return db.execute("SELECT updated_at FROM outbox WHERE id = %s", (id_,)).fetchone()[0]


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_tick_scrubs_emails_a_week_after_they_ended(server, db):
    sent, failed, pending = sent_mail(db), sent_mail(db, "failed"), sent_mail(db, "pending")
    ended = last_update(db, sent)
    # Six days on, nothing is due.
    out = tick(server, "--at", iso(ended + dt.timedelta(days=6)))
    assert out.returncode == 0, out.stderr
    assert "outbox-scrub: 0" in out.stdout.splitlines()
    assert "vars" in payload(db, sent)
    # Eight days on, the sent and the failed email lose their values, the pending one keeps them.
    out = tick(server, "--at", iso(ended + dt.timedelta(days=8)))
    assert out.returncode == 0, out.stderr
    assert "outbox-scrub: 2" in out.stdout.splitlines()
    for id_ in (sent, failed):
        p = payload(db, id_)
        assert "vars" not in p and p["template"] == "voucher-issued" and "scrubbed_at" in p
        assert "Ana Sousa" not in json.dumps(p)
    assert payload(db, pending)["vars"]["name"] == "Ana Sousa"
    # Idempotent: the same time again changes nothing.
    out = tick(server, "--at", iso(ended + dt.timedelta(days=8)))
    assert "outbox-scrub: 0" in out.stdout.splitlines()


def test_tick_refuses_a_malformed_time_and_changes_nothing(server, db):
    id_ = sent_mail(db)
    for bad in (["--at"], ["--at", "tomorrow"], ["--at", "2027-13-01T00:00:00Z"], ["--when", "x"]):
        out = tick(server, *bad)
        assert out.returncode == 2, (bad, out.stdout, out.stderr)
        assert "usage:" in out.stderr
        assert out.stdout == ""
    assert "vars" in payload(db, id_)


def test_a_chore_another_process_runs_is_skipped(server, db):
    """Two workers never run one chore at once: with its lock held, tick skips it."""
    with db.transaction():
        db.execute("SELECT pg_advisory_xact_lock(hashtext('parceria:chore'), hashtext('outbox-scrub'))")
        out = tick(server)
    assert out.returncode == 0, out.stderr
    assert "outbox-scrub: skipped (another process is running it)" in out.stdout


def test_tick_without_the_database_fails_clearly(template_db, server):
    env = dict(server.env, PARCERIA_DATABASE_URL="postgresql://parceria@127.0.0.1:1/none",
               PARCERIA_DB_WAIT_MS="200")
    out = subprocess.run([BIN, "tick"], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 1
    assert out.stdout == ""


def test_the_worker_runs_the_chores_on_start(template_db):
    name = clone_database(template_db)
    try:
        with psycopg.connect(_db_url(name, "postgres"), autocommit=True) as db:
            id_ = sent_mail(db)
            db.execute("ALTER TABLE outbox DISABLE TRIGGER USER")
            db.execute("UPDATE outbox SET updated_at = now() - interval '8 days' WHERE id = %s", (id_,))
            db.execute("ALTER TABLE outbox ENABLE TRIGGER USER")
            w = Server(name, name="chores-worker", command="worker").start()
            try:
                deadline = time.time() + 20
                while "vars" in payload(db, id_) and time.time() < deadline:
                    time.sleep(0.1)
                assert "vars" not in payload(db, id_)
            finally:
                assert w.stop() == 0
            assert "chore outbox-scrub: 1" in w.log_text()
    finally:
        drop_database(name)
