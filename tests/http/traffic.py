"""Traffic that keeps flowing while a test does something to the service
(restarts PostgreSQL, stops a replica, migrates, rotates a key), and the
ledger of every answer it got.

    with Traffic(call, clients=16) as t:
        ...                      # the fault, the deploy, the rotation
    t.outcomes                   # every call's Outcome, in no particular order

`call(session, client, seq)` makes one request (client is 0..clients-1, seq
counts that client's calls from 0) and returns an Outcome; an exception it
raises is kept as the outcome's `error` (its class name) and the client goes
on. Every loop is bounded by `max_calls` per client and by the time the block
lasts; `stop()` waits for calls in flight, each bounded by its own timeout
(requests applies TIMEOUT_S to the connect and again to each read, so one
request may take up to CALL_BOUND_S before it raises); a client still in its
call past that fails the test, naming the call, how long it has run and where
its thread is.

`Request` is one call kept byte for byte (method, path, body, headers such
as its Idempotency-Key), so a test can send it again exactly as it went and
compare; `sort(outcome)` names what a call's end was: "answered", "lost" (the
connection dropped or was refused: the request may or may not have reached
the service) or "hang" (no answer within the timeout, which fails a test).

`failover(bases, ...)` is what a proxy does in front of several replicas
(nginx's `proxy_next_upstream error`): a request whose connection is refused
goes to the next replica; one that reached a replica is never sent twice.

`Balancer(bases)` is the proxy's list of replicas when it changes under
traffic (a rolling deploy): pass it to `failover` instead of a list.
`add(base)` puts a replica in rotation; `remove(base)` drains one, as a load
balancer does: no new request goes to it, and it returns once the requests
it already has are answered (bounded), so stopping that replica next loses
nothing. `sent` counts the requests each replica was sent.
"""
import contextlib
import dataclasses
import itertools
import json
import sys
import threading
import time
import traceback
import uuid

import requests

# A request must be answered within this; a hang fails the test.
TIMEOUT_S = 30
# The longest one call may take before requests raises: a connect that takes
# up to TIMEOUT_S, then a read that waits up to TIMEOUT_S (and a few seconds
# for the client's own work around it).
CALL_BOUND_S = 2 * TIMEOUT_S + 5


@dataclasses.dataclass
class Outcome:
    client: int
    seq: int
    status: int | None = None  # None: no answer (see error)
    error: str | None = None  # the exception's class name when there was no answer
    key: str | None = None  # the Idempotency-Key sent, to replay the request
    replay: object = None  # whatever the test needs to make the call again
    body: object = None  # the parsed answer, when the test keeps it
    elapsed: float = 0.0  # seconds, for reports (never asserted)


@dataclasses.dataclass
class Request:
    """One request as sent, to send again identically (the Idempotency-Key
    covers the exact body bytes, so a replay must not re-serialise)."""
    method: str
    path: str
    body: bytes | None = None
    headers: dict = dataclasses.field(default_factory=dict)

    @classmethod
    def post(cls, path, doc=None, token=None, key=None):
        """A POST of a JSON document with a fresh Idempotency-Key (or key)."""
        headers = {"Idempotency-Key": key or f"traffic-{uuid.uuid4().hex}"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        body = None
        if doc is not None:
            body = json.dumps(doc).encode()
            headers["Content-Type"] = "application/json"
        return cls("POST", path, body, headers)

    @property
    def key(self):
        return self.headers.get("Idempotency-Key")

    def send(self, session, base, timeout=TIMEOUT_S):
        return session.request(self.method, base + self.path, data=self.body,
                               headers=self.headers, timeout=timeout)


def sort(outcome):
    """"answered", "lost" or "hang" (see the module's text)."""
    if outcome.status is not None:
        return "answered"
    return "hang" if outcome.error in ("ReadTimeout", "ConnectTimeout", "Timeout") else "lost"


class Traffic:
    def __init__(self, call, clients=16, max_calls=100000, pause=0.0):
        self.call = call
        self.clients = clients
        self.max_calls = max_calls
        self.pause = pause
        self.outcomes = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = []
        self._current = {}  # client: (seq, monotonic start) of its call in flight

    def _run(self, client):
        with requests.Session() as session:
            for seq in range(self.max_calls):
                if self._stop.is_set():
                    return
                start = time.monotonic()
                self._current[client] = (seq, start)
                try:
                    out = self.call(session, client, seq)
                except Exception as e:  # kept as the outcome; the client goes on
                    out = Outcome(client, seq, error=type(e).__name__)
                out.elapsed = time.monotonic() - start
                with self._lock:
                    self.outcomes.append(out)
                    self._current.pop(client, None)
                if self.pause:
                    self._stop.wait(self.pause)

    def start(self):
        self._threads = [threading.Thread(target=self._run, args=(c,), daemon=True)
                         for c in range(self.clients)]
        for t in self._threads:
            t.start()
        return self

    def stop(self):
        self._stop.set()
        deadline = time.monotonic() + CALL_BOUND_S
        for t in self._threads:
            t.join(max(0.0, deadline - time.monotonic()))
        hung = [(c, t) for c, t in enumerate(self._threads) if t.is_alive()]
        assert not hung, "a client hung past its timeout:\n" + "\n".join(
            self._describe(c, t) for c, t in hung)

    def _describe(self, client, thread):
        """One hung client: its call, how long it has run, its thread's stack."""
        seq, start = self._current.get(client, (None, time.monotonic()))
        frame = sys._current_frames().get(thread.ident)
        stack = "".join(traceback.format_stack(frame)[-8:]) if frame else "(no frame)\n"
        return (f"client {client}, call {seq}, running for {time.monotonic() - start:.1f} s,"
                f" {len(self.outcomes)} calls ended; its stack:\n{stack}")

    def wait_for(self, count, timeout=60):
        """Blocks until at least count calls have ended (bounded)."""
        deadline = time.monotonic() + timeout
        while len(self.outcomes) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.outcomes) >= count, f"only {len(self.outcomes)} calls in {timeout} s"

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def statuses(self):
        """{status or error name: count}."""
        tally = {}
        for o in self.outcomes:
            k = o.status if o.status is not None else o.error
            tally[k] = tally.get(k, 0) + 1
        return tally


class Balancer:
    def __init__(self, bases):
        self._bases = list(bases)
        self._inflight = {b: 0 for b in self._bases}
        self.sent = {b: 0 for b in self._bases}
        self._cond = threading.Condition()

    def rotation(self):
        with self._cond:
            return list(self._bases)

    def add(self, base):
        with self._cond:
            self._bases.append(base)
            self._inflight.setdefault(base, 0)
            self.sent.setdefault(base, 0)

    def remove(self, base, timeout=CALL_BOUND_S):
        """Takes base out of rotation, then waits until its requests in flight
        are answered."""
        with self._cond:
            self._bases.remove(base)
            drained = self._cond.wait_for(lambda: self._inflight[base] == 0, timeout)
        assert drained, f"{base}: requests still in flight after {timeout} s"

    @contextlib.contextmanager
    def sending(self, base):
        """Counts one request in flight to base; yields False (send nothing)
        when base has left the rotation since it was picked."""
        with self._cond:
            present = base in self._bases
            if present:
                self._inflight[base] += 1
                self.sent[base] += 1
        try:
            yield present
        finally:
            if present:
                with self._cond:
                    self._inflight[base] -= 1
                    self._cond.notify_all()


_turn = itertools.count()


@contextlib.contextmanager
def _always(base):
    yield True


def failover(bases, session, method, path, first=None, **kw):
    """Sends one request to the next replica in turn (or to the replica at
    index first first, as a proxy with affinity would); a refused connection
    moves on to the next one, as a proxy would. bases: a list of base URLs
    or a Balancer. Returns the response."""
    start = next(_turn) if first is None else first
    sending = bases.sending if isinstance(bases, Balancer) else _always
    order = bases.rotation() if isinstance(bases, Balancer) else bases
    kw.setdefault("timeout", TIMEOUT_S)
    last = None
    for i in range(len(order)):
        base = order[(start + i) % len(order)]
        with sending(base) as present:
            if not present:
                continue
            try:
                return session.request(method, base + path, **kw)
            except requests.ConnectionError as e:
                # Only a connection that was never made is safe to send elsewhere.
                if not _refused(e):
                    raise
                last = e
    if last is None:
        raise requests.ConnectionError(f"no replica in rotation for {method} {path}")
    raise last


def _refused(e):
    text = repr(e)
    return "ConnectionRefusedError" in text or "Connection refused" in text
