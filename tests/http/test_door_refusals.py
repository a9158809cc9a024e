"""What the front door refuses before routing, over raw sockets on 127.0.0.1.

libmicrohttpd 0.9.75 refuses some requests itself, before the access handler:
an invalid Content-Length, a request line or headers over the connection's
memory. Each must get exactly one well-formed answer, problem+json, that names
the cause and matches the document; so must a request target over the door's
limit, which libmicrohttpd would otherwise run out of memory on. Also: 405 and
OPTIONS list HEAD wherever GET is allowed, and a database error is logged on
one line.
"""
import json
import socket
import time
import uuid

import requests
from requests.structures import CaseInsensitiveDict

import openapi_check
from rawsock import read_until_closed

PROBLEMS = "https://parceria.dns.pt/problems/"
KIB = 1024


def exchange(srv, raw, limit=3.0):
    """Sends raw and reads until the server closes, for at most limit seconds."""
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=limit)
    try:
        try:
            s.sendall(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused before it was all sent: the answer is still read
        return read_until_closed(s, limit)
    finally:
        s.close()


def one_answer(raw):
    """raw must be exactly one HTTP/1.1 answer with its body; returns it as a Response."""
    assert raw, "no answer at all"
    head, sep, rest = raw.partition(b"\r\n\r\n")
    assert sep, f"no end of headers: {raw[:300]!r}"
    lines = head.decode("latin-1").split("\r\n")
    status = lines[0].split(" ", 2)
    assert status[0] == "HTTP/1.1" and status[1].isdigit(), f"bad status line: {lines[0]!r}"
    headers = CaseInsensitiveDict()
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        assert colon and name and name == name.strip(), f"bad header line: {line!r}"
        assert name.lower() not in headers, f"header {name} twice: {raw[:600]!r}"
        headers[name] = value.strip()
    length = int(headers["Content-Length"])
    assert len(rest) == length, f"{len(rest)} bytes after the headers, Content-Length {length}: {raw[:600]!r}"
    assert raw.count(b"HTTP/1.1 ") == 1, f"more than one status line: {raw[:600]!r}"
    resp = requests.Response()
    resp.status_code = int(status[1])
    resp.headers = headers
    resp._content = rest
    return resp


def problem(srv, raw, status, kind, path, method="GET"):
    """One answer with this status, a problem of this kind, valid against the document."""
    resp = one_answer(exchange(srv, raw))
    assert resp.status_code == status, resp.content[:300]
    openapi_check.check(method, path, resp)
    body = openapi_check.check_problem(resp)
    assert body["type"] == PROBLEMS + kind, body
    return body


def still_serving(srv):
    assert requests.get(srv.base + "/healthz", timeout=2).status_code == 200


# 1. An invalid Content-Length: libmicrohttpd answered 400 with its status
# line and headers written twice.

def test_invalid_content_length_gets_one_problem(server):
    for value in (b"abc", b"", b"-1", b"1 2", b"12abc", b"0x10", b"+5"):
        raw = (b"POST /v1/registrars HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
               b"Content-Length: " + value + b"\r\n\r\n{}")
        body = problem(server, raw, 400, "invalid-request", "/v1/registrars", "POST")
        assert "Content-Length" in body["detail"], (value, body)
    still_serving(server)


def test_content_length_past_64_bits_gets_one_problem(server):
    raw = (b"POST /v1/registrars HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
           b"Content-Length: 99999999999999999999999\r\n\r\n{}")
    body = problem(server, raw, 413, "payload-too-large", "/v1/registrars", "POST")
    assert "Content-Length" in body["detail"], body
    still_serving(server)


# 2. Long request targets: from about 14 KiB of arguments libmicrohttpd ran
# out of the connection's memory and never answered; a request line over its
# buffer got an HTML 414.

def targets(size):
    """Request targets of about size bytes, in the shapes that matter."""
    return {
        "many small arguments": "/v1/registrars?" + "a&" * (size // 2),
        "one long value": "/v1/registrars?q=" + "a" * size,
        "a few long values": "/v1/registrars?" + "&".join(f"p{i}={'v' * (size // 20)}" for i in range(20)),
        "a long path": "/v1/registrars/" + "a" * size,
    }


def test_long_request_targets_get_414(server):
    for size in (14 * KIB, 40 * KIB, 200 * KIB):
        for shape, target in targets(size).items():
            raw = f"GET {target} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".encode()
            start = time.time()
            body = problem(server, raw, 414, "uri-too-long", target.split("?")[0])
            assert time.time() - start < 3, (size, shape)
            assert "request target" in body["detail"] or "request line" in body["detail"], body
    still_serving(server)


def test_target_at_the_limit_is_routed(server):
    target = "/v1/registrars?q=" + "a" * (8192 - len("/v1/registrars?q="))
    raw = f"GET {target} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".encode()
    resp = one_answer(exchange(server, raw))
    assert resp.status_code == 400, resp.content[:300]  # q's own limit, from the route
    assert resp.json()["errors"][0]["parameter"] == "q", resp.json()


def test_many_arguments_in_a_short_target_get_one_problem(server):
    raw = f"GET /v1/registrars?{'a&' * 4000} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".encode()
    body = problem(server, raw, 400, "invalid-request", "/v1/registrars")
    assert "too many query parameters" in body["detail"].lower(), body


def test_headers_too_large_get_431(server):
    cases = {
        "one long header": b"X-Big: " + b"a" * (200 * KIB) + b"\r\n",
        "many headers": b"".join(b"X-H%d: v\r\n" % i for i in range(20000)),
        "many cookies": b"Cookie: " + b"a=1; " * 20000 + b"\r\n",
    }
    for name, headers in cases.items():
        raw = b"GET /v1/registrars HTTP/1.1\r\nHost: t\r\n" + headers + b"Connection: close\r\n\r\n"
        body = problem(server, raw, 431, "headers-too-large", "/v1/registrars")
        assert "header" in body["detail"], (name, body)
    still_serving(server)


def test_headers_well_within_the_connection_memory_are_served(server):
    # 32 KiB hold the request line and headers: a 16 KiB header (a large
    # cookie jar, a long token) or a hundred headers (Apache's default
    # LimitRequestFields) is an ordinary request.
    for name, headers in {"one long header": b"X-Big: " + b"a" * (16 * KIB) + b"\r\n",
                          "many headers": b"".join(b"X-H%d: v\r\n" % i for i in range(100))}.items():
        raw = b"GET /v1/registrars HTTP/1.1\r\nHost: t\r\n" + headers + b"Connection: close\r\n\r\n"
        resp = one_answer(exchange(server, raw))
        assert resp.status_code == 200, (name, resp.content[:300])


# 4. HEAD is served wherever GET is, so Allow says so.

def test_allow_lists_head_with_get(api):
    r = api.request("PUT", "/v1/registrars")
    assert r.status_code == 405
    allowed = [m.strip() for m in r.headers["Allow"].split(",")]
    assert "GET" in allowed and "HEAD" in allowed, allowed
    r = api.options("/v1/registrars")
    assert r.status_code == 204
    allowed = [m.strip() for m in r.headers["Allow"].split(",")]
    assert "HEAD" in allowed, allowed
    assert requests.head(api.base + "/v1/registrars", timeout=5).status_code == 200
    r = api.request("PUT", "/v1/auth/token")
    assert r.status_code == 405
    assert "HEAD" not in r.headers["Allow"], r.headers["Allow"]


# 3. A database error is one event on one line of the text log.

def test_database_error_is_logged_on_one_line(server, db):
    db.execute("""
        CREATE FUNCTION refuse_read() RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$
        BEGIN
            RAISE EXCEPTION 'refused by the test' USING DETAIL = 'a detail line', HINT = 'a hint line';
        END $$""")
    db.execute("ALTER TABLE registrars ENABLE ROW LEVEL SECURITY")
    db.execute("ALTER TABLE registrars FORCE ROW LEVEL SECURITY")
    # immutable: the planner folds it, so it raises even over no rows
    db.execute("CREATE POLICY refuse_read ON registrars USING (refuse_read())")
    try:
        # a search no earlier read made, so no cached directory page can answer it
        r = requests.get(server.base + "/v1/registrars", params={"q": uuid.uuid4().hex},
                         timeout=10)
    finally:
        db.execute("DROP POLICY refuse_read ON registrars")
        db.execute("ALTER TABLE registrars NO FORCE ROW LEVEL SECURITY")
        db.execute("ALTER TABLE registrars DISABLE ROW LEVEL SECURITY")
        db.execute("DROP FUNCTION refuse_read()")
    assert r.status_code == 503, r.text
    deadline = time.time() + 5
    while "refused by the test" not in server.log_text() and time.time() < deadline:
        time.sleep(0.05)
    lines = server.log_text().splitlines()
    events = [line for line in lines if "refused by the test" in line]
    assert len(events) == 1, events
    assert "database error P0001" in events[0] and "a detail line" in events[0] \
        and "a hint line" in events[0], events[0]
    # every line of the log is an event: a timestamp, a level, a message
    stray = [line for line in lines if line and not line[:4].isdigit()]
    assert not stray, stray
    still_serving(server)


def test_database_connection_failure_is_logged_on_one_line(server, db):
    # The pool's connections are ended and no new one is let in: the next
    # request reconnects, fails, and libpq's message ends with a newline.
    name = server.db_name
    db.execute(f'ALTER DATABASE "{name}" CONNECTION LIMIT 0')
    try:
        db.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                   "WHERE datname = %s AND usename = 'parceria'", (name,))
        time.sleep(0.2)
        r = requests.get(server.base + "/v1/registrars", timeout=10)
    finally:
        db.execute(f'ALTER DATABASE "{name}" CONNECTION LIMIT -1')
    assert r.status_code == 503, r.text
    text = server.log_text()
    events = [line for line in text.splitlines() if "database connection failed" in line]
    assert events and all("too many connections" in e for e in events), events
    after = text[text.index("database connection failed"):]
    assert "\n\n" not in after, after[:600]
    stray = [line for line in text.splitlines() if not line[:4].isdigit()]
    assert not stray, stray
    still_serving(server)
