"""Hostile clients, all at once, against one address and port (a replica or
the proxy in front of them): run as a process of its own, so that its work
never shares the well-behaved client's interpreter.

    python3 hostile.py '{"port": 8080, "seconds": 120, "first": 2, ...}'

prints one JSON object when it is done: {pattern: {answer: count}}. An
answer is the HTTP status the server sent (as a string), or what happened
instead: "closed" (the server closed without an answer), "reset",
"refused", "timeout" (no answer within the attacker's own bound), "held"
(still open when the attack ended). Every attacker binds a source address
127.0.0.N (N from `first`, one or more per pattern) before it connects, and
sends only to 127.0.0.1. Each loop is bounded by the attack's time; every
read by its own timeout.

The patterns (counts are per run, rates per second):
- idle: `idle` connections held open without a byte, reopened when closed;
- churn: connections opened and closed at once, half of them after half a
  request line, at `churn_rate`;
- slow_headers: `slow` connections sending their headers a byte a second;
- slow_body: `slow` connections sending a body announced at 100 kB ten
  bytes a second;
- huge_length: a Content-Length of 100 MB with `Expect: 100-continue`;
- huge_chunked: a chunked body of 4 MiB, past every limit;
- bearer: random bearer tokens on authenticated endpoints, at `brute_rate`;
- secret: wrong client secrets on POST /v1/auth/token, at `brute_rate`.
"""
import asyncio
import base64
import json
import os
import random
import resource
import sys
import time
from collections import Counter, defaultdict

HOST = "127.0.0.1"
READ_S = 15  # an attacker waits this long for an answer before it counts a timeout

tally = defaultdict(Counter)


class Attack:
    def __init__(self, cfg):
        self.port = cfg["port"]
        self.deadline = time.monotonic() + cfg["seconds"]
        self.cfg = cfg
        self.next_source = cfg["first"]
        self.last_source = cfg["last"]
        self.client_id = cfg.get("client_id", "hostile-client")
        self.registrar = cfg.get("registrar", "00000000-0000-4000-8000-000000000000")

    def sources(self, n):
        """n source addresses of the attacker's own range, taken in turn."""
        out = []
        for _ in range(n):
            out.append(f"127.0.0.{self.next_source}")
            self.next_source = self.next_source + 1 if self.next_source < self.last_source else self.cfg["first"]
        return out

    def left(self):
        return self.deadline - time.monotonic()

    async def connect(self, source):
        return await asyncio.wait_for(
            asyncio.open_connection(HOST, self.port, local_addr=(source, 0)), timeout=5)


def count(pattern, answer):
    tally[pattern][str(answer)] += 1


async def answer_of(reader, timeout=READ_S):
    """The status of the first answer on reader, or what happened instead."""
    try:
        line = await asyncio.wait_for(reader.readline(), timeout)
    except asyncio.TimeoutError:
        return "timeout"
    except (ConnectionResetError, BrokenPipeError):
        return "reset"
    if not line:
        return "closed"
    parts = line.split()
    return parts[1].decode() if len(parts) > 1 and line.startswith(b"HTTP/") else "garbled"


async def read_response(reader, timeout=READ_S):
    """Reads one whole answer (headers and a Content-Length body); its status
    or what happened instead."""
    try:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
    except asyncio.TimeoutError:
        return "timeout"
    except asyncio.IncompleteReadError as e:
        return "closed" if not e.partial else "garbled"
    except (ConnectionResetError, BrokenPipeError):
        return "reset"
    lines = head.split(b"\r\n")
    status = lines[0].split()[1].decode()
    length = 0
    for h in lines[1:]:
        if h.lower().startswith(b"content-length:"):
            length = int(h.split(b":", 1)[1])
    try:
        await asyncio.wait_for(reader.readexactly(length), timeout)
    except (asyncio.TimeoutError, asyncio.IncompleteReadError, ConnectionResetError):
        return "closed"
    return status


def close(writer):
    try:
        writer.close()
    except Exception:  # noqa: BLE001 - already gone
        pass


async def held(attack, pattern, source, opening, trickle, pause):
    """One connection at a time from source, kept as long as the server lets
    it: opening is sent first, then the pieces of trickle() (a new iterator
    for each connection) one every pause seconds.
    When the server closes it, its answer is counted and a new one opens."""
    while attack.left() > 0:
        try:
            reader, writer = await attack.connect(source)
        except (OSError, asyncio.TimeoutError) as e:
            count(pattern, "refused" if isinstance(e, ConnectionRefusedError) else "timeout")
            await asyncio.sleep(min(1, max(0, attack.left())))
            continue
        answer = None
        try:
            if opening:
                writer.write(opening)
            pieces = iter(trickle())
            while attack.left() > 0 and answer is None:
                try:
                    await writer.drain()
                    got = await asyncio.wait_for(reader.read(4096), min(pause, max(0.01, attack.left())))
                    answer = "closed" if not got else (
                        got.split()[1].decode() if got.startswith(b"HTTP/") else "garbled")
                except asyncio.TimeoutError:
                    piece = next(pieces, None)
                    if piece:
                        writer.write(piece)
                except (ConnectionResetError, BrokenPipeError):
                    answer = "reset"
        finally:
            close(writer)
        count(pattern, answer or "held")
        if answer is not None:
            await asyncio.sleep(0.2)


async def idle(attack, n):
    await asyncio.gather(*(held(attack, "idle", s, b"", tuple, 1.0) for s in attack.sources(n)))


def byte_at_a_time(data):
    return (data[i:i + 1] for i in range(len(data)))


async def slow_headers(attack, n):
    request = b"GET /v1/registrars HTTP/1.1\r\nHost: t\r\nX-Slow: " + b"a" * 4000 + b"\r\n\r\n"
    await asyncio.gather(*(held(attack, "slow_headers", s, b"", lambda: byte_at_a_time(request), 1.0)
                           for s in attack.sources(n)))


async def slow_body(attack, n):
    head = (b"POST /v1/accreditation-applications HTTP/1.1\r\nHost: t\r\n"
            b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
    await asyncio.gather(*(held(attack, "slow_body", s, head, lambda: (b" " * 10 for _ in range(10000)), 1.0)
                           for s in attack.sources(n)))


async def paced(attack, rate, one):
    """Calls one() rate times a second (each its own task) until the end."""
    tasks, start, n = set(), time.monotonic(), 0
    while attack.left() > 0:
        n += 1
        t = asyncio.ensure_future(one())
        tasks.add(t)
        t.add_done_callback(tasks.discard)
        await asyncio.sleep(max(0, min(attack.left(), start + n / rate - time.monotonic())))
    if tasks:
        await asyncio.wait(tasks, timeout=READ_S + 5)


async def churn(attack, rate):
    sources = attack.sources(2)
    half = b"GET /v1/registrars HTTP/1.1\r\nHost: t\r\n"

    async def one():
        source = random.choice(sources)
        try:
            _, writer = await attack.connect(source)
        except (OSError, asyncio.TimeoutError):
            count("churn", "refused")
            return
        if random.random() < 0.5:
            writer.write(half)
        close(writer)
        count("churn", "opened-closed")
    await paced(attack, rate, one)


async def once(attack, pattern, source, send):
    """One connection: send(writer) writes the request; the answer is counted."""
    try:
        reader, writer = await attack.connect(source)
    except (OSError, asyncio.TimeoutError):
        count(pattern, "refused")
        return
    try:
        try:
            await send(writer)
        except (ConnectionResetError, BrokenPipeError):
            pass  # refused before it was all sent: the answer may still be there
        count(pattern, await answer_of(reader))
    finally:
        close(writer)


async def huge_length(attack, rate):
    sources = attack.sources(2)

    async def send(writer):
        writer.write(b"POST /v1/accreditation-applications HTTP/1.1\r\nHost: t\r\n"
                     b"Content-Type: application/json\r\nContent-Length: 100000000\r\n"
                     b"Expect: 100-continue\r\n\r\n")
        await writer.drain()
    await paced(attack, rate, lambda: once(attack, "huge_length", random.choice(sources), send))


async def huge_chunked(attack, rate):
    sources = attack.sources(2)
    chunk = b"10000\r\n" + b" " * 65536 + b"\r\n"

    async def send(writer):
        writer.write(b"POST /v1/accreditation-applications HTTP/1.1\r\nHost: t\r\n"
                     b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        for _ in range(64):  # 4 MiB, never the last chunk
            writer.write(chunk)
            await asyncio.wait_for(writer.drain(), 5)
    await paced(attack, rate, lambda: once(attack, "huge_chunked", random.choice(sources), send))


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def random_token():
    """A random bearer token: half JWT-shaped with a plausible header."""
    if random.random() < 0.5:
        return b64(os.urandom(random.randint(16, 300)))
    head = b64(json.dumps({"alg": random.choice(["HS256", "ES256", "none"]), "typ": "JWT"}).encode())
    body = b64(json.dumps({"sub": os.urandom(8).hex(), "role": "staff", "exp": 4102444800}).encode())
    return head + b"." + body + b"." + b64(os.urandom(32))


async def keepalive_client(attack, pattern, source, requests_):
    """A brute-force client: requests one after another on a kept-alive
    connection (a new one when the server closes it)."""
    reader = writer = None
    for request in requests_:
        if attack.left() <= 0:
            break
        if writer is None:
            try:
                reader, writer = await attack.connect(source)
            except (OSError, asyncio.TimeoutError):
                count(pattern, "refused")
                await asyncio.sleep(0.5)
                continue
        try:
            writer.write(request)
            await writer.drain()
        except (ConnectionResetError, BrokenPipeError):
            pass
        answer = await read_response(reader)
        count(pattern, answer)
        if not answer.isdigit():
            close(writer)
            writer = None
        yield


async def brute(attack, pattern, rate, make, clients=8):
    """clients brute-force connections from as many addresses, rate
    requests a second in all."""
    gens = [keepalive_client(attack, pattern, s, (make() for _ in range(10 ** 7)))
            for s in attack.sources(clients)]
    interval = clients / rate

    async def drive(gen):
        start, n = time.monotonic(), 0
        async for _ in gen:
            n += 1
            await asyncio.sleep(max(0, min(attack.left(), start + n * interval - time.monotonic())))
    await asyncio.gather(*(drive(g) for g in gens))


def bearer_request(attack):
    path = random.choice([b"/v1/me", b"/v1/clients", b"/v1/registrars/" + attack.registrar.encode() + b"/clients"])
    return (b"GET " + path + b" HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " + random_token() + b"\r\n\r\n")


def secret_request(attack):
    body = (b"grant_type=client_credentials&client_id=" + attack.client_id.encode()
            + b"&client_secret=" + os.urandom(24).hex().encode())
    return (b"POST /v1/auth/token HTTP/1.1\r\nHost: t\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)


async def main(cfg):
    attack = Attack(cfg)
    await asyncio.gather(
        idle(attack, cfg["idle"]),
        churn(attack, cfg["churn_rate"]),
        slow_headers(attack, cfg["slow"]),
        slow_body(attack, cfg["slow"]),
        huge_length(attack, cfg["huge_rate"]),
        huge_chunked(attack, cfg["huge_rate"]),
        brute(attack, "bearer", cfg["brute_rate"], lambda: bearer_request(attack)),
        brute(attack, "secret", cfg["brute_rate"], lambda: secret_request(attack)),
    )


if __name__ == "__main__":
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    os.nice(int(json.loads(sys.argv[1]).get("nice", 0)))
    asyncio.run(main(json.loads(sys.argv[1])))
    print(json.dumps({k: dict(v) for k, v in tally.items()}))
