"""The front door under hostile clients, over raw sockets on 127.0.0.1.

One address (127.0.0.1) floods; a second client (127.0.0.2, which loopback
also accepts) must keep getting /healthz and a directory page within 1 s.
Slow senders are cut off by the header deadline and the minimum body rate;
bodies over the limit are refused before they are read.
"""
import json
import resource
import socket
import subprocess
import threading
import time

import pytest

from conftest import Server, clone_database, drop_database
from rawsock import read_until_closed, trickle

HEADER_TIMEOUT_MS = 1000
MAX_BODY = 65536
PER_ADDRESS = 16
# The single-request tests below connect from a third address. The floods above fill
# 127.0.0.1's PER_ADDRESS slots, and MHD frees a slot only when it cleans the closed
# connection up, a moment after the peer sees the close: a request from 127.0.0.1 right
# after a flood can be refused by the per-address limit (closed unanswered), which is
# not what these tests are about (seen once under ASan in CI).
QUIET = "127.0.0.3"


@pytest.fixture(scope="module")
def door(template_db):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
    name = clone_database(template_db)
    srv = Server(name, name="front_door", env_extra={
        "PARCERIA_HEADER_TIMEOUT_MS": str(HEADER_TIMEOUT_MS),
        "PARCERIA_REQUEST_TIMEOUT_MS": "5000",
        "PARCERIA_BODY_MIN_RATE": "1024",
        "PARCERIA_CONNECTIONS_PER_ADDRESS": str(PER_ADDRESS),
        "PARCERIA_MAX_BODY_BYTES": str(MAX_BODY),
    }).start()
    yield srv
    rc = srv.stop()
    text = srv.log_text()
    drop_database(name)
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert rc == 0, text[-4000:]
    assert "ERROR: AddressSanitizer" not in text and "runtime error:" not in text, text[-4000:]


def connect(srv, source="127.0.0.1", timeout=1.0):
    s = socket.socket()
    s.settimeout(timeout)
    s.bind((source, 0))
    s.connect(("127.0.0.1", srv.port))
    return s


def closed_within(s, seconds):
    """True when the server closes s (EOF or reset) within seconds."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        s.settimeout(max(0.01, deadline - time.time()))
        try:
            if s.recv(65536) == b"":
                return True
        except socket.timeout:
            return False
        except OSError:
            return True
    return False


def probe(srv, path):
    """One GET from the second address; the seconds it took, or None without an answer."""
    start = time.time()
    try:
        s = connect(srv, "127.0.0.2", timeout=1.0)
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".encode())
        head = s.recv(64)
        s.close()
    except OSError:
        return None
    return time.time() - start if head.startswith(b"HTTP/1.1 200") else None


def assert_served_during(srv, flood, rounds=4):
    stop = threading.Event()
    t = threading.Thread(target=flood, args=(stop,), daemon=True)
    t.start()
    try:
        time.sleep(0.3)
        for _ in range(rounds):
            for path in ("/healthz", "/v1/registrars"):
                took = probe(srv, path)
                assert took is not None and took < 1.0, f"{path} from a second address: {took}"
            time.sleep(0.2)
    finally:
        stop.set()
        t.join(timeout=15)


def close_wait(srv):
    out = subprocess.run(["ss", "-Htan", "state", "close-wait", f"sport = :{srv.port}"],
                         capture_output=True, text=True).stdout
    return len([line for line in out.splitlines() if line.strip()])


def test_half_sent_requests_closed_at_once_free_their_slots(door):
    def flood(stop):
        for _ in range(3000):
            if stop.is_set():
                break
            try:
                s = connect(door, timeout=0.5)
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n")
                s.close()
            except OSError:
                pass

    assert_served_during(door, flood)
    deadline = time.time() + 1.0
    while close_wait(door) and time.time() < deadline:
        time.sleep(0.05)
    assert close_wait(door) == 0, "closed peers still hold their slots"


def test_many_idle_connections_from_one_address(door):
    held = []

    def flood(stop):
        for _ in range(1100):
            try:
                held.append(connect(door, timeout=0.5))
            except OSError:
                pass
        stop.wait(10)

    try:
        assert_served_during(door, flood)
        # the server keeps at most PER_ADDRESS of them, and closes idle ones at the header deadline
        assert sum(1 for s in held[:PER_ADDRESS] if closed_within(s, HEADER_TIMEOUT_MS / 1000 + 1.5)) \
            == min(len(held), PER_ADDRESS)
    finally:
        for s in held:
            s.close()


def test_slow_header_sender_is_cut_off(door):
    senders = [connect(door) for _ in range(PER_ADDRESS)]
    request = b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: " + b"a" * 200

    def flood(stop):
        trickle(senders, (request[i:i + 1] for i in range(len(request))), stop)

    start = time.time()
    try:
        assert_served_during(door, flood, rounds=2)
        assert all(closed_within(s, HEADER_TIMEOUT_MS / 1000 + 1.5 - (time.time() - start))
                   for s in senders), "a slow header sender kept its connection"
    finally:
        for s in senders:
            s.close()


def test_slow_body_sender_is_cut_off(door):
    senders = [connect(door) for _ in range(PER_ADDRESS)]
    for s in senders:
        s.sendall(b"POST /v1/accreditation-applications HTTP/1.1\r\nHost: t\r\n"
                  b"Content-Type: application/json\r\nContent-Length: 5000\r\n\r\n")

    def flood(stop):
        trickle(senders, [b"          "] * 100, stop)

    start = time.time()
    try:
        assert_served_during(door, flood, rounds=2)
        assert all(closed_within(s, 3.0 - (time.time() - start)) for s in senders), \
            "a body slower than PARCERIA_BODY_MIN_RATE kept its connection"
    finally:
        for s in senders:
            s.close()


def problem_of(raw):
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.count(b"HTTP/1.1 ") == 1, raw[:400]
    assert b"content-type: application/problem+json" in head.lower(), raw[:400]
    return head, json.loads(body)


def test_large_content_length_refused_before_the_body_without_100_continue(door):
    s = connect(door, QUIET, timeout=2)
    s.sendall(b"POST /v1/accreditation-applications HTTP/1.1\r\nHost: t\r\n"
              b"Content-Type: application/json\r\nContent-Length: 100000000\r\n"
              b"Expect: 100-continue\r\n\r\n")
    raw = read_until_closed(s, 1.5)
    s.close()
    assert raw.startswith(b"HTTP/1.1 413"), raw[:200]
    assert b"100 Continue" not in raw
    head, body = problem_of(raw)
    assert body["type"].endswith("/payload-too-large") and body["status"] == 413


def test_large_content_length_answered_without_waiting_for_the_body(door):
    s = connect(door, QUIET, timeout=2)
    s.sendall(b"PATCH /v1/registrars/00000000-0000-4000-8000-000000000000 HTTP/1.1\r\nHost: t\r\n"
              b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % (MAX_BODY + 1))
    raw = read_until_closed(s, 1.0)
    s.close()
    assert raw.startswith(b"HTTP/1.1 413"), raw[:200]
    problem_of(raw)


def test_chunked_body_cut_off_once_past_the_limit(door):
    s = connect(door, QUIET, timeout=2)
    s.sendall(b"POST /v1/accreditation-applications HTTP/1.1\r\nHost: t\r\n"
              b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"1000\r\n" + b" " * 4096 + b"\r\n"
    try:
        for _ in range(MAX_BODY // 4096 + 2):  # past the limit, never the last chunk
            s.sendall(chunk)
    except OSError:
        pass
    raw = read_until_closed(s, 1.5)
    s.close()
    assert raw.startswith(b"HTTP/1.1 413"), raw[:200]


def test_many_query_parameters_get_one_problem(door):
    for n in (25, 450, 500, 1000):
        query = "&".join(f"p{i}=v" for i in range(n))
        s = connect(door, QUIET, timeout=2)
        s.sendall(f"GET /v1/registrars?{query} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".encode())
        raw = read_until_closed(s, 2.0)
        s.close()
        assert raw.startswith(b"HTTP/1.1 400"), (n, raw[:200])
        _, body = problem_of(raw)
        assert "too many query parameters" in body["detail"].lower(), (n, body)
