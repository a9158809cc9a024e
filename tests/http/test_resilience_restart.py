"""PostgreSQL restarts (fast, then immediate) while 16 clients keep writing.

Each client submits accreditation applications (public POST, a fresh valid
NIF each) and has staff start the review of each one it saw created (an
action): every POST carries its own Idempotency-Key. While they run, the
private cluster (cluster.py) is stopped and started twice, a few seconds
down each time. The test proves that during the outage every answer is a 503
problem with Retry-After (never a 500, never a hang past the pool's bound),
that afterwards every request succeeds again from the same process, and that
every write is accounted for: each acknowledged one is in the database
exactly once, and each that got a 503 or lost its connection is absent or
present once, then replayed with its key until each intended write is
present exactly once, the replay answering as the API documents (the stored
answer with `Idempotent-Replayed: true` when the first attempt committed).
"""
import hashlib
import threading
import time

import psycopg
import pytest
import requests

from accreditation import application, submit
from cluster import migrated_cluster
from conftest import Server
from identity import mint
from openapi_check import Client, check, check_problem
from traffic import Outcome, Request, Traffic, sort

PROBLEMS = "https://parceria.dns.pt/problems/"
APPS = "/v1/accreditation-applications"
CLIENTS = 16
POOL_SIZE = 8
WAIT_MS = 1000
DOWN_S = 3
BACKOFF_S = 0.5
# The bound on any answer: the pool's wait plus libpq's connect_timeout (3 s),
# with room for a slow sanitizer build. A request past it is a hang.
DEADLINE_S = WAIT_MS / 1000 + 3 + 6


@pytest.fixture(scope="module")
def cluster():
    with migrated_cluster(max_connections=POOL_SIZE + 20) as c:
        yield c


@pytest.fixture(scope="module")
def srv(cluster):
    # PARCERIA_THREADS=0 is the service's default: a thread per connection.
    s = Server("unused", name="restart", env_extra={
        "PARCERIA_DATABASE_URL": cluster.url, "PARCERIA_DB_POOL_SIZE": str(POOL_SIZE),
        "PARCERIA_THREADS": "0", "PARCERIA_DB_WAIT_MS": str(WAIT_MS),
        "PARCERIA_CLIENT_RATE_LIMIT": "1000000"}).start()
    yield s
    rc = s.stop()
    text = s.log_text()
    assert rc == 0, f"server exited with {rc}:\n{text[-4000:]}"
    assert "ERROR: AddressSanitizer" not in text and "runtime error:" not in text, text[-4000:]


class Writers:
    """The clients' calls: a creation, then the review of what it created."""

    def __init__(self, base):
        self.base = base
        self.staff = [mint("staff", sub=f"restart-{c}@dns.pt") for c in range(CLIENTS)]
        self.to_review = [None] * CLIENTS  # an acknowledged creation's id, per client
        self.wrong = []  # answers that break the contract, with their text

    def call(self, session, client, seq):
        app_id = self.to_review[client]
        if app_id is None:
            doc = application()
            req = Request.post(APPS, doc)
            intent = ("create", doc["nif"])
        else:
            self.to_review[client] = None
            req = Request.post(f"{APPS}/{app_id}/start-review", token=self.staff[client])
            intent = ("review", app_id)
        out = Outcome(client, seq, key=req.key, replay=(req, intent))
        try:
            r = req.send(session, self.base, timeout=DEADLINE_S)
        except requests.RequestException as e:
            out.error = type(e).__name__
            return out
        out.status = r.status_code
        self.judge(req, r)
        if r.status_code == 503:
            time.sleep(BACKOFF_S)  # as a client that backs off would (Retry-After is longer)
        if r.status_code in (200, 201):
            out.body = r.json()
            if intent[0] == "create":
                self.to_review[client] = out.body["id"]
        return out

    def judge(self, req, r):
        """Every answer is documented; an outage's is a 503 with Retry-After."""
        try:
            check(req.method, req.path, r)
            assert r.status_code in (200, 201, 503), f"{r.status_code}: {r.text[:500]}"
            if r.status_code == 503:
                body = check_problem(r)
                assert body["type"] == PROBLEMS + "service-unavailable", body
                assert int(r.headers["Retry-After"]) > 0
        except (AssertionError, KeyError, ValueError) as e:
            self.wrong.append(f"{req.method} {req.path}: {e}")


def restart(cluster, mode):
    cluster.stop(mode)
    time.sleep(DOWN_S)
    cluster.start(max_connections=POOL_SIZE + 20)


def present(db, intent):
    """How many times the intended write is in the database."""
    kind, what = intent
    if kind == "create":
        sql = "SELECT count(*) FROM accreditation_applications WHERE tax_id = 'PT' || %s"
    else:
        sql = ("SELECT count(*) FROM audit_events WHERE resource_type = 'accreditation_application'"
               " AND resource_id = %s AND action = 'start-review'")
    return db.execute(sql, (what,)).fetchone()[0]


def test_restarts_under_write_load_lose_and_double_nothing(cluster, srv):
    w = Writers(srv.base)
    with Traffic(w.call, clients=CLIENTS) as t:
        t.wait_for(4 * CLIENTS)
        restart(cluster, "fast")
        t.wait_for(len(t.outcomes) + 4 * CLIENTS)
        restart(cluster, "immediate")
        t.wait_for(len(t.outcomes) + 4 * CLIENTS)
    # Afterwards, from the same process: every request succeeds.
    assert srv.proc.poll() is None, "the service kept running"
    after = Writers(srv.base)
    quiet = Traffic(after.call, clients=CLIENTS, max_calls=4).start()
    quiet.wait_for(4 * CLIENTS)
    quiet.stop()
    assert w.wrong == [] and after.wrong == [], (w.wrong + after.wrong)[:10]
    assert {o.status for o in quiet.outcomes} <= {200, 201}, quiet.statuses()
    assert not [o for o in t.outcomes if sort(o) == "hang"], t.statuses()

    acked = [o for o in t.outcomes if o.status in (200, 201)]
    unsure = [o for o in t.outcomes if o.status == 503 or sort(o) == "lost"]
    assert len(acked) + len(unsure) == len(t.outcomes), t.statuses()
    replayed = fresh = 0
    with psycopg.connect(cluster.url, autocommit=True) as db:
        for o in acked:
            assert present(db, o.replay[1]) == 1, (o, o.replay[1])
        before = {id(o): present(db, o.replay[1]) for o in unsure}
        assert set(before.values()) <= {0, 1}, "a write that failed is there at most once"
        with requests.Session() as s:
            for o in unsure:
                req, intent = o.replay
                r = req.send(s, srv.base, timeout=DEADLINE_S)
                check(req.method, req.path, r)
                assert r.status_code in (200, 201), (intent, before[id(o)], r.status_code, r.text[:500])
                if before[id(o)] == 1:  # it committed: the stored answer comes back
                    assert r.headers.get("Idempotent-Replayed") == "true", (intent, r.headers)
                    replayed += 1
                else:
                    assert "Idempotent-Replayed" not in r.headers, (intent, r.headers)
                    fresh += 1
                if intent[0] == "review":
                    assert r.json()["id"] == intent[1] and r.json()["status"] == "under_review"
        for o in unsure:
            assert present(db, o.replay[1]) == 1, o.replay[1]
        # Nothing else was written: one application per creation the clients made.
        creates = {o.replay[1][1] for o in t.outcomes if o.replay[1][0] == "create"}
        total = db.execute("SELECT count(*) FROM accreditation_applications"
                           " WHERE tax_id = ANY(%s)", (["PT" + n for n in creates],)).fetchone()[0]
        assert total == len(creates)
    tally = t.statuses()
    print(f"\nrestart under load: {len(t.outcomes)} calls by {CLIENTS} clients, "
          f"{len(acked)} acknowledged, {tally.get(503, 0)} answered 503, "
          f"{sum(sort(o) == 'lost' for o in t.outcomes)} lost their connection; "
          f"{len(unsure)} replayed: {replayed} had committed (stored answer), {fresh} had not; "
          f"slowest answer {max(o.elapsed for o in t.outcomes):.2f} s; {tally}")


def test_a_retry_runs_at_once_when_the_first_attempt_lost_its_backend(cluster, srv):
    """The restart's case made exact: a change holds its Idempotency-Key's
    claim when its PostgreSQL backend dies (terminated here, behind a row
    lock this test holds). Its answer is a 503 and its claim stays behind,
    unended; the retry with the same key must run at once (it used to wait
    10 s, then answer 503, for a minute) and do the change once."""
    app_id = submit(Client(srv.base))["id"]
    req = Request.post(f"{APPS}/{app_id}/start-review", token=mint("staff", sub="orphan@dns.pt"))
    answers = []
    with psycopg.connect(cluster.url, autocommit=True) as admin, psycopg.connect(cluster.url) as locker:
        locker.execute("SELECT 1 FROM accreditation_applications WHERE id = %s FOR UPDATE", (app_id,))
        first = threading.Thread(target=lambda: answers.append(req.send(requests, srv.base, DEADLINE_S)))
        first.start()
        deadline = time.monotonic() + 20
        pids = []
        while not pids and time.monotonic() < deadline:
            pids = [p for (p,) in admin.execute("SELECT pid FROM pg_stat_activity"
                                                " WHERE wait_event_type = 'Lock'").fetchall()]
            time.sleep(0.02)
        assert len(pids) == 1, pids
        admin.execute("SELECT pg_terminate_backend(%s)", (pids[0],))
        first.join(DEADLINE_S + 5)
        locker.rollback()
        assert answers and answers[0].status_code == 503, answers and answers[0].text
        check(req.method, req.path, answers[0])
        orphans = admin.execute("SELECT count(*) FROM idempotency_keys WHERE status IS NULL"
                                " AND key_hash = %s", (hashlib.sha256(req.key.encode()).hexdigest(),)
                                ).fetchone()[0]
        assert orphans == 1, "the first attempt left its claim behind"
        again = req.send(requests, srv.base, DEADLINE_S)
        check(req.method, req.path, again)
        assert again.status_code == 200 and "Idempotent-Replayed" not in again.headers, again.text
        assert present(admin, ("review", app_id)) == 1
        replay = req.send(requests, srv.base, DEADLINE_S)
        assert replay.status_code == 200 and replay.headers.get("Idempotent-Replayed") == "true"
        assert present(admin, ("review", app_id)) == 1
