"""Backups that restore (issue 17, item 7). docs/operations.md's "Backups"
procedure, run as it is written there: this module reads the section's
`# backup: …` shell blocks and runs each with bash, so the document cannot
drift from what is tested.

A private cluster (cluster.py) is served and given data through the API in
several areas: an application approved into a registrar with its API client,
an edit of the registrar, a published event and a registration, a second
application left open, their audit records and a checkpoint. It is dumped
with the service's role, restored into a second, fresh cluster; there
`parceria migrate` applies nothing, `parceria audit verify` says intact, a
server on the copy is ready and answers every read as the original did, and
the registrar's client secret still gets a token. The copy keeps working:
new records sort after the restored ones (the procedure's epoch step; before
it, `audit verify` refuses the copy), so a new checkpoint verifies. A copy with one audit record altered fails
verification."""
import os
import re
import subprocess
import tempfile
import threading

import psycopg
import pytest

from accreditation import application, ok, submit
from cluster import Cluster, PG_BIN, migrate_env, run_command
from conftest import BIN, ROOT, Server
from events import create_event, registered
from openapi_check import Client
from programs import staff

APPS = "/v1/accreditation-applications"
CPS = "/v1/audit-checkpoints"


def procedure():
    """The `# backup: NAME` blocks of docs/operations.md's Backups section, by NAME."""
    text = (ROOT / "docs" / "operations.md").read_text()
    section = text[text.index("\n## Backups\n"):]
    section = section[:section.index("\n## ", 1)]
    blocks = re.findall(r"```sh\n# backup: (\w+)\n(.*?)```", section, re.S)
    return {name: body for name, body in blocks}


STEPS = procedure()


def run_step(name, env, as_pg=(), cwd=None):
    """Runs the procedure's block NAME with bash (as the cluster's owner when
    as_pg is given); PostgreSQL's tools and ours are on PATH."""
    path = f"{PG_BIN}:{os.path.dirname(os.path.abspath(BIN))}:/usr/sbin:/usr/bin:/sbin:/bin"
    env = {**{k: v for k, v in os.environ.items() if k in ("ASAN_OPTIONS", "UBSAN_OPTIONS")},
           **env, "PATH": path}
    cmd = ["bash", "-euo", "pipefail", "-c", STEPS[name]]
    if as_pg:
        cmd = list(as_pg) + ["env", *[f"{k}={v}" for k, v in env.items()]] + cmd
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120, cwd=cwd)
    assert out.returncode == 0, f"step {name}:\n{out.stdout}{out.stderr}"
    return out


def serve(url, name):
    return Server("unused", name=name, env_extra={"PARCERIA_DATABASE_URL": url}).start()


def stop(srv):
    rc = srv.stop()
    text = srv.log_text()
    assert rc == 0, f"server exited with {rc}:\n{text[-4000:]}"
    assert "ERROR: AddressSanitizer" not in text and "runtime error:" not in text, text[-4000:]


def create_data(api):
    """Data through the API in several areas; returns what to read back."""
    s = staff(api)
    created = submit(api, application(trade_name="Cópia Segura", legal_name="Cópia Segura, Lda."))
    app_id = created["id"]
    ok(s.post(f"{APPS}/{app_id}/start-review"))
    rid = ok(s.post(f"{APPS}/{app_id}/approve"))["registrar_id"]
    me = api.with_token(ok(api.post("/v1/auth/token", data={
        "grant_type": "client_credentials", "client_id": app_id,
        "client_secret": created["access_key"]}))["access_token"])
    client = ok(me.post(f"{APPS}/{app_id}/credentials"), 201)
    reg = s.get(f"/v1/registrars/{rid}")
    ok(s.patch(f"/v1/registrars/{rid}", {"website": "https://www.copia-segura.example.pt"},
               headers={"If-Match": reg.headers["ETag"]}))
    event = create_event(api)
    registration = registered(api, rid, event["id"])
    ok(s.post(CPS), 201)
    open_app = submit(api)  # after the checkpoint: records not yet checkpointed
    paths = [f"/v1/registrars/{rid}", f"/v1/registrars/{rid}/history",
             f"/v1/registrars/{rid}/activity", f"{APPS}/{app_id}", f"{APPS}/{app_id}/history",
             f"{APPS}/{open_app['id']}", f"/v1/events/{event['id']}",
             f"/v1/registrations/{registration['id']}", f"{CPS}?sort=id", "/v1/registrars",
             f"/v1/events/{event['id']}/registrations"]
    return {"paths": paths, "client": client, "rid": rid}


def read_back(api, paths):
    """What staff read at each path: status, ETag and body."""
    s = staff(api)
    out = {}
    for p in paths:
        r = s.get(p)
        out[p] = (r.status_code, r.headers.get("ETag"), r.json())
    return out


def newest_txid(url):
    with psycopg.connect(url) as c:
        return int(c.execute("SELECT max(txid)::text FROM audit_events").fetchone()[0])


@pytest.fixture(scope="module")
def backup():
    """The original, served and given data, then dumped: (cluster, its
    service URL, what it answered, the dump, a fresh cluster made meanwhile)."""
    original, work = Cluster(), tempfile.mkdtemp(prefix="parceria-backup-")
    # the fresh cluster's initdb runs meanwhile (the module's longest step)
    fresh = Cluster()
    initdb = threading.Thread(target=fresh.init)
    initdb.start()
    try:
        original.init()
        original.start()
        url = original.service_database()
        out = run_command(url, "migrate")
        assert out.returncode == 0, out.stderr
        srv = serve(url, "backup-original")
        try:
            api = Client(srv.base)
            data = create_data(api)
            data["answers"] = read_back(api, data["paths"])
        finally:
            stop(srv)
        dump = os.path.join(work, "parceria.dump")
        run_step("dump", {"BACKUP": dump, "DATABASE_URL": url})
        initdb.join(timeout=120)
        yield original, url, data, dump, fresh
    finally:
        initdb.join(timeout=120)
        fresh.remove()
        original.remove()
        subprocess.run(["rm", "-rf", work])


@pytest.fixture(scope="module")
def copy(backup):
    """A fresh cluster with the dump restored by the procedure: (cluster, URL)."""
    _, _, _, dump, c = backup
    assert os.path.exists(os.path.join(c.data, "PG_VERSION")), "initdb of the fresh cluster"
    try:
        c.start()
        url = c.database_url("parceria", "parceria")
        run_step("restore", {"BACKUP": dump, "DATABASE_URL": url, "ADMIN_URL": c.url})
        # Without the epoch step the fresh cluster's transaction ids are behind
        # the log's (the copy would hide the restored records from the feeds
        # and sort new ones before them), and `audit verify` says so.
        out = run_command(url, "audit", "verify")
        assert out.returncode == 1 and out.stdout.startswith("broken: the log's newest record"), \
            out.stdout + out.stderr
        run_step("epoch", {"DATABASE_URL": url, "PGDATA": c.data}, as_pg=c.as_pg, cwd=c.dir)
        yield c, url
    finally:
        c.remove()


def test_the_copy_migrates_nothing_verifies_and_serves_the_same_data(backup, copy):
    _, original_url, data, _, _ = backup
    _, url = copy
    out = run_step("check", {"DATABASE_URL": url, **migrate_env(url)})
    lines = out.stdout.splitlines()
    assert not [line for line in lines if line.startswith("applied ")], out.stdout
    assert re.fullmatch(r"ok [1-9][0-9]* checkpoints", lines[-1]), out.stdout
    with psycopg.connect(original_url) as a, psycopg.connect(url) as b:
        q = "SELECT name, checksum FROM schema_migrations ORDER BY name"
        assert a.execute(q).fetchall() == b.execute(q).fetchall()
        # the privileges came along: the audit log is append-only for the service
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            b.execute("UPDATE audit_events SET reason = reason")
    srv = serve(url, "backup-copy")
    try:
        api = Client(srv.base)
        r = api.get("/readyz")
        assert r.status_code == 200, r.text
        assert r.json()["checks"] == {"database": "ok", "migrations": "current"}
        again = read_back(api, data["paths"])
        for p in data["paths"]:
            assert again[p] == data["answers"][p], p
        # the registrar's client secret (stored hashed) still gets a token
        client = data["client"]
        ok(api.post("/v1/auth/token", data={"grant_type": "client_credentials",
                                            "client_id": client["client_id"],
                                            "client_secret": client["client_secret"]}))
        # and the copy keeps counting after the original: new records sort
        # after the restored ones, and the next checkpoint verifies
        before = newest_txid(url)
        submit(api)
        assert newest_txid(url) > before
        cp = ok(staff(api).post(CPS), 201)
        assert cp["last"]["txid"] > before
    finally:
        stop(srv)
    out = run_command(url, "audit", "verify")
    assert out.returncode == 0 and out.stdout.startswith("ok "), out.stdout + out.stderr


def test_a_copy_with_one_audit_record_altered_fails_verification(backup, copy):
    dump = backup[3]
    c, _ = copy
    with psycopg.connect(c.url, autocommit=True) as admin:
        admin.execute("CREATE DATABASE altered OWNER parceria")
    url = c.database_url("altered", "parceria")
    out = subprocess.run([f"{PG_BIN}/pg_restore", "--no-owner", "--exit-on-error",
                          "--single-transaction", f"--dbname={url}", dump],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert run_command(url, "audit", "verify").returncode == 0
    with psycopg.connect(c.database_url("altered"), autocommit=True) as db:
        victim = db.execute("SELECT a.id FROM audit_events a, audit_checkpoints c"
                            " WHERE c.id = 1 AND (a.txid, a.seq) <= (c.last_txid, c.last_seq)"
                            " ORDER BY a.txid, a.seq LIMIT 1").fetchone()[0]
        db.execute("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update")
        db.execute("UPDATE audit_events SET reason = 'alterado' WHERE id = %s", (victim,))
    out = run_command(url, "audit", "verify")
    assert out.returncode == 1, out.stdout + out.stderr
    assert out.stdout.startswith("broken: checkpoint 1:"), out.stdout
