"""Fixtures for the black-box HTTP tests.

A session-wide template database is migrated once with the real binary; each
test module gets its own clone (CREATE DATABASE … TEMPLATE, well under a
second) and its own server process on a free port. Every response is checked
against openapi/openapi.yaml, and the session fails if an operation of the
document was never exercised.
"""
import os
import pathlib
import shlex
import signal
import socket
import subprocess
import time
import uuid

import psycopg
import pytest
import requests

import openapi_check

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("PARCERIA_BIN", str(ROOT / "build" / "parceria"))
ADMIN_URL = os.environ.get("PG_ADMIN_URL", "postgresql://postgres@/postgres")
JWT_SECRET = "test-secret-0123456789abcdef0123456789abcdef"
LOG_DIR = pathlib.Path(BIN).parent / "http-logs"
# A command every Server runs the binary under (scripts/valgrind sets it to
# valgrind and its options), split like a shell would; start-up and shutdown
# then get minutes instead of seconds.
WRAPPER = shlex.split(os.environ.get("PARCERIA_SERVER_WRAPPER", ""))
START_S, STOP_S = (300, 300) if WRAPPER else (20, 30)


def _db_url(name, user="parceria"):
    base, _, query = ADMIN_URL.partition("?")
    return f"postgresql://{user}@/{name}" + (f"?{query}" if query else "")


def _admin():
    return psycopg.connect(ADMIN_URL, autocommit=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """The real binary, started against one database: `parceria serve` (ready
    when /healthz answers), or another command such as `worker` (ready when it
    is still running a moment later). binary: another build of it (the rolling
    deploy's build/parceria-next), BIN by default."""

    def __init__(self, db_name, env_extra=None, name="server", command="serve", binary=None):
        self.command = command
        self.binary = binary or BIN
        self.db_name = db_name
        self.db_url = _db_url(db_name)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        LOG_DIR.mkdir(exist_ok=True)
        self.log_path = LOG_DIR / f"{name}-{self.port}.log"
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PARCERIA_DATABASE_URL": self.db_url,
            "PARCERIA_PORT": str(self.port),
            "PARCERIA_JWT_SECRET": JWT_SECRET,
            "PARCERIA_DB_POOL_SIZE": "4",
            "PARCERIA_THREADS": "4",
            "PARCERIA_DB_WAIT_MS": "1000",
            "PARCERIA_CORS_ORIGINS": "https://app.example.pt",
            "PARCERIA_LOG_LEVEL": "info",
            # Tests submit many applications from 127.0.0.1; the limit has its own test.
            "PARCERIA_PUBLIC_RATE_LIMIT": "100000",
        }
        for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
            if k in os.environ:
                self.env[k] = os.environ[k]
        self.env.update(env_extra or {})
        self.proc = None

    def start(self):
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(WRAPPER + [self.binary, self.command], env=self.env, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        if self.command != "serve":
            time.sleep(5 if WRAPPER else 0.2)
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.command} exited with {self.proc.returncode}:\n{self.log_text()}")
            return self
        deadline = time.time() + START_S
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log_text()}")
            try:
                requests.get(self.base + "/healthz", timeout=30 if WRAPPER else 1)
                return self
            except (requests.ConnectionError, requests.Timeout):  # a loaded machine: ask again
                time.sleep(0.05)
        self.proc.kill()  # no fixture will stop it
        self.proc.wait()
        raise RuntimeError("server did not start:\n" + self.log_text())

    def stop(self):
        """SIGTERM, and the process must exit 0 (sanitizers make it fail on leaks)."""
        if self.proc is None:
            return 0
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=STOP_S)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.log.close()
        self.proc = None
        return rc

    def log_text(self):
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""


@pytest.fixture(scope="session")
def template_db():
    name = f"parceria_tpl_{uuid.uuid4().hex[:10]}"
    with _admin() as c:
        if c.execute("SELECT 1 FROM pg_roles WHERE rolname = 'parceria'").fetchone() is None:
            c.execute("CREATE ROLE parceria LOGIN")
        c.execute(f'CREATE DATABASE "{name}" OWNER parceria')
    env = {"PATH": os.environ.get("PATH", ""), "PARCERIA_DATABASE_URL": _db_url(name),
           "PARCERIA_JWT_SECRET": JWT_SECRET}
    for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS"):
        if k in os.environ:
            env[k] = os.environ[k]
    out = subprocess.run([BIN, "migrate", "--contract"], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    yield name
    with _admin() as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def clone_database(template):
    name = f"parceria_t_{uuid.uuid4().hex[:12]}"
    with _admin() as c:
        c.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" OWNER parceria')
    return name


def drop_database(name):
    with _admin() as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def server(template_db, request):
    name = clone_database(template_db)
    srv = Server(name, name=request.module.__name__).start()
    yield srv
    rc = srv.stop()
    text = srv.log_text()
    drop_database(name)
    assert rc == 0, f"server exited with {rc}:\n{text[-4000:]}"
    assert "ERROR: AddressSanitizer" not in text and "runtime error:" not in text, text[-4000:]


@pytest.fixture(scope="module")
def api(server):
    return openapi_check.Client(server.base)


@pytest.fixture()
def db(server):
    """A connection to the module's database, to check what a request changed."""
    with psycopg.connect(_db_url(server.db_name, "postgres"), autocommit=True) as c:
        yield c


@pytest.fixture(scope="module")
def sink():
    """The test SMTP server (mailsink.Sink), one per module."""
    from mailsink import Sink
    s = Sink().start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def worker(server, sink, request):
    """A `parceria worker` sending the module server's outbox to the sink; a
    module's WORKER_ENV adds to its environment."""
    from mailsink import Worker, stopped_cleanly
    w = Worker(server.db_name, sink.url, name=f"{request.module.__name__}-worker",
               env_extra=getattr(request.module, "WORKER_ENV", None)).start()
    yield w
    stopped_cleanly(w)


def pytest_sessionstart(session):
    if LOG_DIR.exists():
        for old in LOG_DIR.glob("*.log"):
            old.unlink()


def _leaked_secrets():
    """Secrets and tokens of this run found in any server log of this run."""
    logs = "".join(p.read_text(errors="replace") for p in LOG_DIR.glob("*.log")) if LOG_DIR.exists() else ""
    return [s[:12] + "…" for s in openapi_check.SECRETS if len(s) >= 16 and s in logs]


def pytest_sessionfinish(session, exitstatus):
    leaked = _leaked_secrets()
    if leaked:
        print("\nSecrets or tokens found in server logs:", leaked)
        session.exitstatus = 1
    missing = openapi_check.unexercised()
    if missing and not session.config.option.keyword and not session.config.args_specified_subset:
        print("\nOperations in openapi.yaml never exercised by a test:")
        for m in missing:
            print("  ", m)
        session.exitstatus = 1


def pytest_configure(config):
    # Coverage is only meaningful when the whole suite runs.
    args = [a for a in config.args if not a.startswith("-")]
    config.args_specified_subset = any("::" in a or a.endswith(".py") for a in args)
