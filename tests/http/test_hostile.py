"""Hostile clients at scale (issue 17, item 5): every pattern the front door
refuses alone, all at once, against two replicas behind nginx (Debian's
package, run with docker/nginx.conf itself) and directly against one of
them, while a well-behaved client keeps working.

The replicas run as compose runs them (PARCERIA_TRUSTED_PROXIES is nginx's
address, PARCERIA_CONNECTIONS_PER_ADDRESS 512, PARCERIA_REPLICAS 2, the
default thread per connection and pool). nginx runs docker/nginx.conf with
only its addresses changed (the upstream servers and the listen port),
inside a wrapper that gives it what the nginx image's main nginx.conf gives
it in compose (workers, worker connections) and this test's own folder for
its pid, logs and temporary files.

Attackers (hostile.py, one process per target, niced: in production their
CPU is their own) bind 127.0.0.2-127.0.0.120; the well-behaved client binds
127.0.0.200. It measures its quiet p50/p99 on each path (half before the
attack, half after it) and the same under attack, on the connection it keeps
and on new connections, and must get every answer right. Its p99 under
attack must stay within 3x its quiet p99 on its kept connection (both paths)
and on new connections through nginx (not asserted under the sanitizers,
whose timing is not the product's; the attack is also shorter there). Run with -s for the report: latencies, attack answers, the
replicas' peak RSS and open descriptors.
"""
import json
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import psycopg
import pytest
import requests
from requests.adapters import HTTPAdapter

import openapi_check
from accreditation import application
from conftest import ROOT, Server, _db_url, clone_database, drop_database, free_port
from identity import make_registrar, registrar_token

SANITIZED = "ASAN_OPTIONS" in os.environ
ATTACK_S = int(os.environ.get("HOSTILE_ATTACK_S", 30 if SANITIZED else 120))  # the variable: for a quick look
QUIET_S = int(os.environ.get("HOSTILE_QUIET_S", 30))
RATIO = 3.0
GOOD_SOURCE = "127.0.0.200"
CYCLE_S = 0.25  # a cycle (four requests) every quarter second on each path
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

# As docker/compose.yaml runs the replicas (the rest are the defaults).
REPLICA_ENV = {
    "PARCERIA_TRUSTED_PROXIES": "127.0.0.1",
    "PARCERIA_CONNECTIONS_PER_ADDRESS": "512",
    "PARCERIA_REPLICAS": "2",
    "PARCERIA_THREADS": "0",
    "PARCERIA_DB_POOL_SIZE": "8",
    "PARCERIA_DB_WAIT_MS": "2000",
    "PARCERIA_LOG_FORMAT": "json",
}

# Per target: how hard each pattern pushes (see hostile.py).
ATTACK = {"idle": 400, "slow": 40, "churn_rate": 100, "huge_rate": 2, "brute_rate": 40, "nice": 10}


class SourceAdapter(HTTPAdapter):
    """Connections from one source address."""

    def __init__(self, source):
        self.source = source
        super().__init__()

    def init_poolmanager(self, *args, **kw):
        kw["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kw)


def session_from(source):
    """A requests.Session whose connections come from source."""
    session = requests.Session()
    session.mount("http://", SourceAdapter(source))
    return session


def nginx_conf(folder, replicas):
    """docker/nginx.conf with its addresses pointed at the replicas and a free
    port, and the wrapper that runs it; returns (wrapper path, port)."""
    text = (ROOT / "docker" / "nginx.conf").read_text()
    port = free_port()
    subs = [(r"server api1:8080\b", f"server 127.0.0.1:{replicas[0].port}"),
            (r"server api2:8080\b", f"server 127.0.0.1:{replicas[1].port}"),
            (r"listen 8080;", f"listen 127.0.0.1:{port};")]
    for pattern, repl in subs:
        text, n = re.subn(pattern, repl, text)
        assert n == 1, f"docker/nginx.conf: {pattern} found {n} times"
    (folder / "parceria.conf").write_text(text)
    user = "user root;\n" if os.geteuid() == 0 else ""
    # What the nginx image's /etc/nginx/nginx.conf gives docker/nginx.conf in compose.
    (folder / "nginx.conf").write_text(f"""{user}worker_processes auto;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
daemon off;
events {{ worker_connections 1024; }}
http {{
    access_log {folder}/access.log;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/parceria.conf;
}}
""")
    return folder / "nginx.conf", port


def wait_answering(base, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if requests.get(base + "/healthz", timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{base} never answered")


@pytest.fixture(scope="module")
def stack(template_db):
    db_name = clone_database(template_db)
    replicas = [Server(db_name, env_extra=REPLICA_ENV, name=f"hostile-{n}").start() for n in ("a", "b")]
    folder = pathlib.Path(tempfile.mkdtemp(prefix="parceria-nginx-"))
    conf, port = nginx_conf(folder, replicas)
    log = open(folder / "nginx.out", "wb")
    nginx = subprocess.Popen([NGINX, "-p", str(folder), "-e", str(folder / "error.log"), "-c", str(conf)],
                             stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_answering(f"http://127.0.0.1:{port}")
        with psycopg.connect(_db_url(db_name, "postgres"), autocommit=True) as db:
            registrar = make_registrar(db)
        yield {"replicas": replicas, "nginx": nginx, "nginx_base": f"http://127.0.0.1:{port}",
               "nginx_port": port, "registrar": registrar, "folder": folder}
    finally:
        nginx.send_signal(signal.SIGQUIT)
        try:
            nginx.wait(timeout=15)
        except subprocess.TimeoutExpired:
            nginx.kill()
            nginx.wait()
        log.close()
        codes = [r.stop() for r in replicas]
        logs = [r.log_text() for r in replicas]
        drop_database(db_name)
        shutil.rmtree(folder, ignore_errors=True)
    assert codes == [0, 0], [text[-3000:] for text in logs]
    for text in logs:
        assert "ERROR: AddressSanitizer" not in text and "runtime error:" not in text, text[-4000:]


class GoodClient:
    """A well-behaved client on two paths (nginx, and one replica directly),
    from GOOD_SOURCE, a cycle every CYCLE_S on each: on the connection it
    keeps open (HTTP/1.1 keep-alive, as a well-behaved client does), an
    authenticated GET /v1/me, the public directory's first page and a POST of
    an accreditation application; and the directory's first page once more
    on a new connection ("fresh"), which must be accepted among the floods.
    Every answer is checked against the document and must be the expected
    status."""

    KINDS = ("me", "list", "post", "fresh")

    def __init__(self, paths, registrar):
        self.paths = paths  # {name: base}
        self.tokens = {name: registrar_token(registrar) for name in paths}
        for t in self.tokens.values():
            openapi_check.SECRETS.add(t)
        self.samples = []  # (phase, path, kind, seconds)
        self.failures = []  # (phase, path, kind, what)
        self.phase = None
        self._stop = threading.Event()
        self._lock = threading.Lock()

    def one(self, session, path, base, kind):
        if kind == "me":
            method, p, kw, want = "GET", "/v1/me", {"headers": {"Authorization": f"Bearer {self.tokens[path]}"}}, 200
        elif kind in ("list", "fresh"):
            method, p, kw, want = "GET", "/v1/registrars", {}, 200
        else:
            method, p, kw, want = "POST", "/v1/accreditation-applications", {"json": application()}, 201
        start = time.monotonic()
        try:
            resp = session.request(method, base + p, timeout=30, **kw)
        except requests.RequestException as e:
            return None, type(e).__name__
        took = time.monotonic() - start
        try:
            openapi_check.check(method, p, resp)
        except AssertionError as e:
            return took, f"{resp.status_code} off the document: {str(e)[:200]}"
        return took, None if resp.status_code == want else f"{resp.status_code}: {resp.text[:200]}"

    def _record(self, path, kind, took, failure):
        with self._lock:
            if took is not None:
                self.samples.append((self.phase, path, kind, took))
            if failure is not None:
                self.failures.append((self.phase, path, kind, failure))

    def cycle(self, sessions, path, base):
        for kind in self.KINDS[:-1]:
            self._record(path, kind, *self.one(sessions[path], path, base, kind))
        with session_from(GOOD_SOURCE) as fresh:
            self._record(path, "fresh", *self.one(fresh, path, base, "fresh"))

    def run(self):
        start, n = time.monotonic(), 0
        sessions = {path: session_from(GOOD_SOURCE) for path in self.paths}
        try:
            while not self._stop.is_set():
                for path, base in self.paths.items():
                    self.cycle(sessions, path, base)
                n += 1
                self._stop.wait(max(0, start + n * CYCLE_S - time.monotonic()))
        finally:
            for session in sessions.values():
                session.close()

    def latencies(self, phase, path, kinds):
        return sorted(s for ph, p, k, s in self.samples if ph == phase and p == path and k in kinds)

    def measure(self, phase, seconds):
        self.phase = phase
        self._stop.clear()
        t = threading.Thread(target=self.run, daemon=True)
        t.start()
        self._stop.wait(seconds)
        self._stop.set()
        t.join(60)
        assert not t.is_alive(), "the well-behaved client hung"



def percentile(values, q):
    assert values, "no samples"
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


class Sampler:
    """Peak RSS (VmHWM) and peak open descriptors of processes, every second."""

    def __init__(self, pids):
        self.pids = pids  # {name: pid}
        self.peak_fds = {n: 0 for n in pids}
        self.hwm_kib = {n: 0 for n in pids}
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def sample(self):
        for name, pid in self.pids.items():
            try:
                self.peak_fds[name] = max(self.peak_fds[name], len(os.listdir(f"/proc/{pid}/fd")))
                status = pathlib.Path(f"/proc/{pid}/status").read_text()
                self.hwm_kib[name] = int(re.search(r"VmHWM:\s+(\d+)", status).group(1))
            except (OSError, AttributeError):
                pass

    def _run(self):
        while not self._stop.wait(1.0):
            self.sample()

    def __enter__(self):
        self._t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join(5)
        self.sample()


def attacker(port, first, last, registrar):
    cfg = dict(ATTACK, port=port, seconds=ATTACK_S, first=first, last=last, registrar=registrar,
               client_id="hostile-" + uuid.uuid4().hex[:8])
    return subprocess.Popen([sys.executable, str(pathlib.Path(__file__).with_name("hostile.py")), json.dumps(cfg)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


# The statuses each pattern may be answered, on either path (never a 2xx,
# never a 5xx: a 502/504 would be nginx finding no replica to answer), and
# the answers of which at least one must show the defence at work. Besides
# statuses, an attacker counts what happened to its connection (closed,
# reset, refused, timeout, held): it runs niced and may starve on a busy
# machine, so those are not asserted.
STATUSES = {  # 429: nginx's limit_conn, on any request through it
    "idle": {"400", "408"},
    "churn": set(),
    "slow_headers": {"400", "408"},
    "slow_body": {"408", "413", "429"},
    "huge_length": {"413", "429"},
    "huge_chunked": {"413", "429"},
    "bearer": {"401", "429"},
    "secret": {"401", "429"},
}
DEFENCE = {
    "idle": {"closed", "408"},
    "churn": {"opened-closed"},
    "slow_headers": {"closed", "400", "408"},
    "slow_body": {"closed", "held", "408"},  # nginx holds a trickled body (docs/operations.md)
    "huge_length": {"413"},
    "huge_chunked": {"413", "reset"},
    "bearer": {"401"},
    "secret": {"401", "429"},  # 429 once an address has failed 10 times for one client id
}
CONNECTION = {"closed", "reset", "refused", "timeout", "held", "opened-closed"}


def test_hostile_clients_all_at_once(stack):
    replicas = stack["replicas"]
    direct = replicas[0]
    good = GoodClient({"nginx": stack["nginx_base"], "direct": direct.base}, stack["registrar"])
    pids = {"replica-a": replicas[0].proc.pid, "replica-b": replicas[1].proc.pid}

    good.measure("quiet", QUIET_S / 2)
    with Sampler(pids) as sampler:
        attackers = {"nginx": attacker(stack["nginx_port"], 2, 60, stack["registrar"]),
                     "direct": attacker(direct.port, 61, 120, stack["registrar"])}
        time.sleep(2)  # the floods build up
        good.measure("attack", ATTACK_S - 4)
        answers = {}
        for name, proc in attackers.items():
            out, err = proc.communicate(timeout=ATTACK_S + 60)
            assert proc.returncode == 0, err[-3000:]
            answers[name] = json.loads(out)

    # The quiet baseline is taken before and after the attack: the machine's
    # other load changes over minutes, and one window alone may miss it.
    time.sleep(2)
    good.measure("quiet", QUIET_S / 2)

    # Afterwards: both replicas answer, directly and through nginx.
    for r in replicas:
        assert requests.get(r.base + "/readyz", timeout=5).status_code == 200
    for _ in range(4):
        assert requests.get(stack["nginx_base"] + "/readyz", timeout=5).status_code == 200

    lines = [f"\nhostile clients: {ATTACK_S} s of attack, {QUIET_S} s quiet"
             f"{' (sanitizer build: ratio not asserted)' if SANITIZED else ''}",
             "path    conn.  phase   requests  p50 ms  p99 ms"]
    # Two measures per path: the requests on the client's kept connection,
    # and the requests on a new connection each.
    measures = {"kept": GoodClient.KINDS[:-1], "fresh": ("fresh",)}
    ratios = {}
    for path in good.paths:
        for measure, kinds in measures.items():
            p99 = {}
            for phase in ("quiet", "attack"):
                lat = good.latencies(phase, path, kinds)
                p99[phase] = percentile(lat, 99)
                lines.append(f"{path:7} {measure:6} {phase:7} {len(lat):8} "
                             f"{percentile(lat, 50) * 1000:7.1f} {p99[phase] * 1000:7.1f}")
            ratios[path, measure] = p99["attack"] / p99["quiet"]
            lines.append(f"{path:7} {measure:6} p99 under attack / quiet p99: {ratios[path, measure]:.2f}")
        for kind in good.KINDS:
            by = {ph: good.latencies(ph, path, (kind,)) for ph in ("quiet", "attack")}
            lines.append(f"{path:7} {kind:6} p99 quiet {percentile(by['quiet'], 99) * 1000:.1f} ms, "
                         f"under attack {percentile(by['attack'], 99) * 1000:.1f} ms")
    for target, by_pattern in answers.items():
        for pattern, tally in sorted(by_pattern.items()):
            lines.append(f"attack on {target:6} {pattern:13} {json.dumps(tally, sort_keys=True)}")
    for name in pids:
        lines.append(f"{name}: peak RSS {sampler.hwm_kib[name] / 1024:.1f} MiB, "
                     f"peak open descriptors {sampler.peak_fds[name]}")
    print("\n".join(lines))

    assert not good.failures, good.failures[:10]
    for target, by_pattern in answers.items():
        assert set(by_pattern) == set(STATUSES), f"{target}: patterns that never ran"
        for pattern, tally in by_pattern.items():
            odd = set(tally) - STATUSES[pattern] - CONNECTION
            assert not odd, f"{target} {pattern}: {tally}"
            assert set(tally) & DEFENCE[pattern], f"{target} {pattern}: no defence seen: {tally}"
    # The well-behaved client's p99 within RATIO x its quiet p99: on its kept
    # connection on both paths, and on new connections through nginx, the
    # way the replicas are deployed. A new connection straight to a replica
    # queues behind a reconnecting flood's accepts (a thread each): reported,
    # not asserted (docs/operations.md, "Hostile clients").
    asserted = [("nginx", "kept"), ("direct", "kept"), ("nginx", "fresh")]
    if not SANITIZED:
        for key in asserted:
            assert ratios[key] <= RATIO, f"{key}: p99 under attack is {ratios[key]:.2f}x the quiet p99"
