"""A rolling deploy across a migration (issue 17, item 3): release N and N+1
serve one database at once, and no request fails.

Release N is build/parceria; release N+1 is build/parceria-next, the same
objects with two more migrations (meson.build): tests/migrations/
9000_next_expand.sql, marked `-- parceria: expand`, and 9001_next_contract.sql,
marked `-- parceria: contract`. The deploy follows docs/operations.md,
"Migrations in a deployment": N+1's `migrate` applies the expand one and stops
before the contract one while N serves, N+1 starts (contract-pending), N's
replicas are drained and stopped one by one, then N+1's `migrate --contract`
runs. Numbers are printed (-s), never asserted.
"""
import pathlib
import re
import time
import uuid

import psycopg
import pytest
import requests

import accreditation
import identity
from cluster import run_command
from conftest import BIN, ROOT, Server, _db_url, clone_database, drop_database, free_port
from openapi_check import SECRETS, check, check_problem
from traffic import Balancer, Outcome, Traffic, failover

NEXT_BIN = str(pathlib.Path(BIN).parent / "parceria-next")
APP = "/v1/accreditation-applications"
NEXT = "9000_next_expand.sql"
CONTRACT = "9001_next_contract.sql"
NEWER = "newer migrations this binary does not know"
PENDING_CONTRACT = "which wait for `migrate --contract`"
ENV = {"PARCERIA_THREADS": "8", "PARCERIA_DB_POOL_SIZE": "8", "PARCERIA_DB_WAIT_MS": "20000",
       "PARCERIA_STATEMENT_TIMEOUT_MS": "20000", "PARCERIA_CONNECTIONS_PER_ADDRESS": "256"}
CLIENTS = 6
STEP = 20  # calls that end between two steps of the deploy
MARK = re.compile(r"^-- parceria: (expand|contract)[ \t\r]*$", re.M)


def unique_nif():
    """A NIF this process has not used: the database refuses a second open
    application per tax id, and nif() never gives one twice."""
    return accreditation.nif()


def stopped_cleanly(server):
    rc = server.stop()
    text = server.log_text()
    assert rc == 0, f"{server.log_path.name} exited with {rc}:\n{text[-3000:]}"
    assert "ERROR: AddressSanitizer" not in text and "runtime error:" not in text, text[-4000:]


def readiness(server):
    r = requests.get(server.base + "/readyz", timeout=30)
    check("GET", "/readyz", r)
    return r


def assert_ready(server, migrations):
    r = readiness(server)
    assert r.status_code == 200, r.text
    assert r.json() == {"status": "ready", "checks": {"database": "ok", "migrations": migrations}}


def assert_mismatch(server):
    r = readiness(server)
    assert r.status_code == 503, r.text
    assert check_problem(r)["checks"] == {"database": "ok", "migrations": "mismatch"}


def migrate(db_name, binary, *args):
    out = run_command(_db_url(db_name), "migrate", *args, binary=binary)
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


def applied(db):
    return {r[0] for r in db.execute("SELECT name FROM schema_migrations WHERE name LIKE '9%'")}


def assert_stopped_before_contract(out):
    """N+1's plain migrate: 9001 left for `migrate --contract`, and said so."""
    assert f"stopped before {CONTRACT}" in out and "migrate --contract" in out, out
    assert f"applied {CONTRACT}" not in out, out


def probes_table(db):
    return db.execute("SELECT to_regclass('public.next_release_probes') IS NOT NULL").fetchone()[0]


def serve_refuses(db_name, binary, reason):
    """`serve` exits 1 at once, naming the reason (a hang past 20 s fails)."""
    out = run_command(_db_url(db_name), "serve", binary=binary, timeout=20,
                      extra={"PARCERIA_PORT": str(free_port())})
    assert out.returncode == 1 and reason in out.stderr, out.stderr


@pytest.fixture()
def database(template_db):
    name = clone_database(template_db)
    with psycopg.connect(_db_url(name, "postgres"), autocommit=True) as c:
        yield name, c
    drop_database(name)


class Calls:
    """The traffic: each client submits applications (a public write) and
    reads back the ones it made with a staff token (an authenticated read),
    through the balancer. Every answer must be the call's own success."""

    def __init__(self, balancer):
        self.balancer = balancer
        self.staff = {"Authorization": "Bearer " + identity.mint("staff", ttl=600)}
        SECRETS.add(self.staff["Authorization"][7:])
        self.mine = [[] for _ in range(CLIENTS)]

    def __call__(self, session, client, seq):
        if seq % 2 == 0 or not self.mine[client]:
            key = str(uuid.uuid4())
            r = failover(self.balancer, session, "POST", APP,
                         json=accreditation.application(nif=unique_nif()),
                         headers={"Idempotency-Key": key})
            check("POST", APP, r)
            if r.status_code == 201:
                self.mine[client].append(r.json()["id"])
            return Outcome(client, seq, status=r.status_code, key=key, replay="create",
                           body=r.json())
        app_id = self.mine[client][seq % len(self.mine[client])]
        r = failover(self.balancer, session, "GET", f"{APP}/{app_id}", headers=self.staff)
        check("GET", f"{APP}/{{id}}", r)
        return Outcome(client, seq, status=r.status_code, replay="read")


def test_release_n_and_n1_serve_one_database_through_the_migration(database):
    db_name, db = database
    started = time.monotonic()
    phases = []

    def phase(name):
        phases.append((name, time.monotonic() - started - sum(v for _, v in phases)))
    olds = [Server(db_name, env_extra=ENV, name=f"deploy-n-{x}").start() for x in "ab"]
    new = None
    try:
        for s in olds:
            assert_ready(s, "current")
        balancer = Balancer([s.base for s in olds])
        calls = Calls(balancer)
        traffic = Traffic(calls, clients=CLIENTS)
        with traffic:
            traffic.wait_for(STEP)
            phase("N serving")
            # 1. Expand: N+1's expand migration lands while N serves; its
            # contract one waits.
            out = migrate(db_name, NEXT_BIN)
            assert f"applied {NEXT}" in out, out
            assert_stopped_before_contract(out)
            assert applied(db) == {NEXT}
            phase("migrate")
            traffic.wait_for(len(traffic.outcomes) + STEP)
            for s in olds:
                assert_ready(s, "newer-compatible")
            # N's own migrate is a no-op success.
            out = migrate(db_name, BIN)
            assert "nothing to apply" in out and "applied" not in out, out
            phase("N on the newer schema")
            # 2. Deploy: an N+1 replica joins, ready with its contract
            # migration pending; N's leave one by one, never seeing it.
            new = Server(db_name, env_extra=ENV, name="deploy-n1", binary=NEXT_BIN).start()
            assert_ready(new, "contract-pending")
            balancer.add(new.base)
            # N+1's migrate again (a deploy reruns it): still stops there.
            out = migrate(db_name, NEXT_BIN)
            assert_stopped_before_contract(out)
            assert "applied" not in out, out
            traffic.wait_for(len(traffic.outcomes) + STEP)
            phase("N+1 joins")
            logs = []
            while olds:
                s = olds.pop(0)
                assert_ready(s, "newer-compatible")
                balancer.remove(s.base)
                stopped_cleanly(s)
                logs.append(s.log_text())
                phase("an N replica drained and stopped")
                traffic.wait_for(len(traffic.outcomes) + STEP)
            # 3. Contract: no N runs any more (each said newer-compatible
            # just before it stopped, and 9001 was not applied until now).
            assert applied(db) == {NEXT} and probes_table(db)
            assert_ready(new, "contract-pending")
            out = migrate(db_name, NEXT_BIN, "--contract")
            assert f"applied {CONTRACT}" in out and "stopped before" not in out, out
            assert applied(db) == {NEXT, CONTRACT} and not probes_table(db)
            assert_ready(new, "current")
            phase("migrate --contract")
            traffic.wait_for(len(traffic.outcomes) + STEP)
        tally = traffic.statuses()
        wanted = {"create": 201, "read": 200}
        # An exception kept as an outcome has no replay and no status: failed.
        failed = [o for o in traffic.outcomes
                  if o.replay not in wanted or o.status != wanted[o.replay]]
        print(f"\nrolling deploy: {len(traffic.outcomes)} calls in {time.monotonic() - started:.1f} s,"
              f" {tally}; sent per replica {list(balancer.sent.values())}; phases (s):"
              f" {', '.join(f'{k} {v:.1f}' for k, v in phases)}")
        assert not failed, failed[:5]
        assert balancer.sent[new.base] > 0
        # Every acknowledged write is there once; N's left the new column empty.
        made = [o.body["id"] for o in traffic.outcomes if o.status == 201]
        rows = db.execute("SELECT count(*), count(next_reviewer_note) FROM accreditation_applications"
                          " WHERE id = ANY(%s::uuid[])", (made,)).fetchone()
        assert rows == (len(made), 0)
        # Each N replica said once that it served a newer schema; N+1 said
        # once that its contract migration was pending.
        for log in logs:
            assert log.count(NEWER) == 1, log[-2000:]
        assert NEWER not in new.log_text()
        assert new.log_text().count(PENDING_CONTRACT) == 1, new.log_text()[-2000:]
        assert_ready(new, "current")
        stopped_cleanly(new)
        new = None
    finally:
        for s in olds + ([new] if new else []):
            s.stop()


def test_a_contract_migration_unknown_to_n_stops_it(database):
    """Why `migrate --contract` waits for N to be gone: run too early, N stops."""
    db_name, db = database
    assert_stopped_before_contract(migrate(db_name, NEXT_BIN))
    old = Server(db_name, env_extra=ENV, name="deploy-contract").start()
    try:
        assert_ready(old, "newer-compatible")
        assert_ready(old, "newer-compatible")
        # N+1's contract migration, which N does not know: N must not serve it.
        assert f"applied {CONTRACT}" in migrate(db_name, NEXT_BIN, "--contract")
        assert_mismatch(old)
        assert old.log_text().count(NEWER) == 1, old.log_text()[-2000:]
    finally:
        stopped_cleanly(old)
    serve_refuses(db_name, BIN, "does not know")
    out = run_command(_db_url(db_name), "migrate")
    assert out.returncode == 1 and "refusing to migrate" in out.stderr, out.stderr


def test_changed_or_out_of_order_migrations_are_still_refused(database):
    db_name, db = database
    migrate(db_name, NEXT_BIN)
    # N+1's own expand migration edited after it ran: N+1 refuses, N (which
    # cannot know the file) serves on.
    db.execute("UPDATE schema_migrations SET checksum = 'x' WHERE name = %s", (NEXT,))
    serve_refuses(db_name, NEXT_BIN, "applied migration file has changed")
    assert "nothing to apply" in migrate(db_name, BIN)
    # One of N's own edited: both refuse.
    db.execute("UPDATE schema_migrations SET checksum = 'x' WHERE name = '0001_foundation.sql'")
    serve_refuses(db_name, BIN, "applied migration file has changed")
    out = run_command(_db_url(db_name), "migrate")
    assert out.returncode == 1, out.stdout
    # A migration of N missing beneath a newer one: applying it now would
    # be out of order, so that is a mismatch too.
    db.execute("DELETE FROM schema_migrations WHERE name IN ('0001_foundation.sql',"
               " '0023_audit_checkpoints.sql')")
    serve_refuses(db_name, BIN, "does not know")


def test_every_new_migration_says_whether_it_is_expand_or_contract():
    """Migrations after 0023 (which predate the rule) carry exactly one of
    `-- parceria: expand` (the previous release lives with it) and
    `-- parceria: contract` (only once no older release runs)."""
    files = sorted((ROOT / "migrations").glob("*.sql")) + sorted((ROOT / "tests" / "migrations").glob("*.sql"))
    assert files
    bad = []
    for f in files:
        if int(f.name[:4]) <= 23:
            continue
        marks = MARK.findall(f.read_text())
        if len(marks) != 1:
            bad.append((f.name, marks))
    assert not bad, f"each needs exactly one `-- parceria: expand` or `-- parceria: contract` line: {bad}"
    assert MARK.findall((ROOT / "tests" / "migrations" / NEXT).read_text()) == ["expand"]
    assert MARK.findall((ROOT / "tests" / "migrations" / CONTRACT).read_text()) == ["contract"]
