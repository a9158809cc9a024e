"""Key rotation without a flag day (issue 17, item 4): two replicas on one
database rotate our ES256 signing key from K1 to K2 in the rolling steps of
docs/operations.md ("Rotating the JWT signing key"), one replica at a time,
while clients keep taking tokens from one replica and using them on either.

    step 1: every replica verifies K1 and K2, and signs with K1;
    step 2: every replica signs with K2, and still verifies K1;
    step 3: after the old tokens' lifetime, K1 is removed.

No call may get 401 for a token that was valid when sent: every call is 2xx,
or a refused connection that `failover` sent to the other replica (or, rarely
and only from a replica being stopped, a dropped connection, which a proxy
resends to another replica for these two calls that change nothing; counted
and printed). Waiting
out PARCERIA_TOKEN_TTL (60 s at least) before step 3 would double the
suite's time, so the clients model it: once step 2 is on every replica they
drop every token minted before (as if it had expired), and step 3 starts when
each client holds a fresh one. A K1 token kept aside, unexpired, is then
refused, as is a token with a kid nobody holds.
"""
import base64
import hashlib
import hmac
import json
import pathlib
import subprocess
import tempfile
import time

import pytest
import requests

import race
from conftest import Server, clone_database, drop_database
from identity import mint
from openapi_check import Client, check
from traffic import Outcome, Traffic, failover

CLIENTS = 8
REFRESH_EVERY = 3  # calls a client makes with one token before it takes another
CALLS_PER_STAGE = 40  # calls between two restarts
T0 = time.monotonic()


def es256_pair(folder, name):
    key, pub = folder / f"{name}.key", folder / f"{name}.pub"
    subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-out", str(key)], check=True, capture_output=True, timeout=30)
    subprocess.run(["openssl", "pkey", "-in", str(key), "-pubout", "-out", str(pub)], check=True,
                   capture_output=True, timeout=30)
    # The default kid: the first 16 hex digits of SHA-256 over the public key PEM.
    return {"key": key, "pub": pub, "kid": hashlib.sha256(pub.read_bytes()).hexdigest()[:16]}


def kid_of(token):
    head = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))["kid"]


class Replica:
    """One replica: a Server restarted on its own port with a new environment,
    and a generation that tells which configuration answered a call."""

    def __init__(self, db_name, name, env):
        self.server = Server(db_name, env_extra={**race.ENV, **env}, name=name)
        self.generation = 0
        self.step = 0
        self.stops, self.starts, self.drains, self.events = [], [], [], []
        self.stopping = False  # seconds, and the server's own words

    @property
    def base(self):
        return self.server.base

    def restart(self, env, step):
        """SIGTERM (it must exit 0, without a sanitizer report), then start
        again with env on the same port; meanwhile the balancer skips it."""
        t0 = time.monotonic()
        self.stopping = True
        rc = self.server.stop()
        self.stops.append(time.monotonic() - t0)
        self.events.append(f"stop {t0 - T0:.2f}-{time.monotonic() - T0:.2f}")
        log = self.server.log_text()
        self.drains += [line.split("]", 1)[-1].strip() for line in log.splitlines()
                        if "listener closed" in line]
        assert rc == 0, log[-3000:]
        assert "ERROR: AddressSanitizer" not in log and "runtime error:" not in log, log[-4000:]
        for k in ("PARCERIA_JWT_PRIVATE_KEY_FILE", "PARCERIA_JWT_PUBLIC_KEY_FILE",
                  "PARCERIA_JWT_VERIFY_KEYS_FILE"):
            self.server.env.pop(k, None)
        self.server.env.update(env)
        self.generation += 1
        self.step = step
        t0 = time.monotonic()
        self.server.start()
        self.stopping = False
        self.starts.append(time.monotonic() - t0)
        self.events.append(f"start {t0 - T0:.2f}-{time.monotonic() - T0:.2f}")


@pytest.fixture(scope="module")
def rotation(template_db):
    folder = pathlib.Path(tempfile.mkdtemp(prefix="parceria-keys-"))
    k1, k2 = es256_pair(folder, "k1"), es256_pair(folder, "k2")
    both = folder / "verify-k1-k2.json"
    # One file for steps 1 and 2: the signing key may be listed among them.
    both.write_text(json.dumps({"keys": [{"alg": "ES256", "public_key_file": str(k["pub"])}
                                         for k in (k1, k2)]}))

    def env(sign, verify=None):
        e = {"PARCERIA_JWT_ALG": "ES256", "PARCERIA_JWT_PRIVATE_KEY_FILE": str(sign["key"]),
             "PARCERIA_JWT_PUBLIC_KEY_FILE": str(sign["pub"]),
             "PARCERIA_CLIENT_RATE_LIMIT": "1000000",
             "PARCERIA_ADMIN_CLIENT_ID": "rotation-admin",
             "PARCERIA_ADMIN_CLIENT_SECRET": "rotation-admin-secret-0123456789abcdef"}
        if verify is not None:
            e["PARCERIA_JWT_VERIFY_KEYS_FILE"] = str(verify)
        return e

    db_name = clone_database(template_db)
    replicas = [Replica(db_name, f"keys-{n}", env(k1)) for n in ("a", "b")]
    for r in replicas:
        r.server.start()
    yield {"replicas": replicas, "k1": k1, "k2": k2,
           "steps": {1: env(k1, both), 2: env(k2, both), 3: env(k2)}}
    codes = [r.server.stop() for r in replicas]
    logs = [r.server.log_text() for r in replicas]
    drop_database(db_name)
    subprocess.run(["rm", "-rf", str(folder)], check=False)
    assert codes == [0, 0], [log[-3000:] for log in logs]
    for text in logs:
        assert "ERROR: AddressSanitizer" not in text and "runtime error:" not in text, text[-4000:]


def take_token(base, creds):
    r = requests.post(base + "/v1/auth/token", data={"grant_type": "client_credentials", **creds},
                      timeout=30)
    check("POST", "/v1/auth/token", r)
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


def staff_client(base):
    admin = take_token(base, {"client_id": "rotation-admin",
                              "client_secret": "rotation-admin-secret-0123456789abcdef"})
    r = Client(base).with_token(admin).post("/v1/clients", {"name": "Rotation", "role": "staff"})
    assert r.status_code == 201, r.text
    return {"client_id": r.json()["client_id"], "client_secret": r.json()["client_secret"]}


class Clients:
    """The call each traffic client makes: take a token through the balancer
    every REFRESH_EVERY calls (or when its token was minted before `drain`),
    from each replica in turn, then GET /v1/me with it through the balancer,
    sent to the replica that did not mint it unless that one is down. Each Outcome's body says
    which kid was sent, to which replica and in which of its steps."""

    def __init__(self, replicas, creds):
        self.replicas = replicas
        self.by_base = {r.base: r for r in replicas}
        self.creds = creds
        self.tokens = {}  # client -> (token, drain epoch, index of the replica that minted it)
        self.epoch = 0  # bumped by drain(): tokens of an older epoch are "expired"
        self.resent = []  # calls dropped by a replica being stopped, sent to the other

    def drain(self):
        self.epoch += 1

    def send(self, bases, session, method, path, first, **kw):
        """failover, and what nginx's proxy_next_upstream also does for a
        request that changes nothing (both of ours): one whose connection a
        replica being stopped dropped goes to the other replica (counted in
        `resent`). A dropped connection from a replica not being stopped
        fails the call."""
        try:
            return failover(bases, session, method, path, first=first, **kw)
        except requests.ConnectionError as e:
            base = getattr(e.request, "url", "").split("/v1/")[0]
            if base not in self.by_base or not self.by_base[base].stopping:
                raise
            self.resent.append(f"{method} {path} at {time.monotonic() - T0:.2f}: {repr(e)[:80]}")
            return failover(bases, session, method, path, first=(bases.index(base) + 1) % len(bases),
                            **kw)

    def __call__(self, session, client, seq):
        try:
            return self._call(session, client, seq)
        except requests.ConnectionError as e:
            return Outcome(client, seq, error=type(e).__name__,
                           body={"call": "?", "text": repr(e)[:120], "at": round(time.monotonic() - T0, 2),
                                 "url": getattr(e.request, "url", None)})

    def _call(self, session, client, seq):
        bases = [r.base for r in self.replicas]
        headers = {"Connection": "close"}  # a stopped replica refuses; no stale keep-alive
        held = self.tokens.get(client)
        if held is None or held[1] != self.epoch or seq % REFRESH_EVERY == 0:
            epoch = self.epoch
            issuer = (client + seq // REFRESH_EVERY) % len(bases)
            r = self.send(bases, session, "POST", "/v1/auth/token", issuer, headers=headers,
                          data={"grant_type": "client_credentials", **self.creds})
            if r.status_code != 200:
                return Outcome(client, seq, status=r.status_code, body={"call": "token",
                                                                        "text": r.text[:300]})
            held = self.tokens[client] = (r.json()["access_token"], epoch,
                                          bases.index(r.url.split("/v1/")[0]))
        token = held[0]
        before = {r.base: (r.generation, r.step) for r in self.replicas}
        # Used on the other replica first: the one that did not mint it.
        r = self.send(bases, session, "GET", "/v1/me", (held[2] + 1) % len(bases),
                      headers={**headers, "Authorization": f"Bearer {token}"})
        base = r.url.split("/v1/")[0]
        replica = self.by_base[base]
        gen, step = before[base]
        known = replica.generation == gen  # the replica was not restarted meanwhile
        body = {"call": "me", "kid": kid_of(token), "base": base, "step": step if known else None,
                "text": r.text[:300] if r.status_code != 200 else ""}
        return Outcome(client, seq, status=r.status_code, body=body)


def wait_until(traffic, predicate, what, timeout=60):
    deadline = time.monotonic() + timeout
    while not predicate(traffic.outcomes):
        assert time.monotonic() < deadline, f"never saw {what}: {traffic.statuses()}"
        time.sleep(0.05)


def more_calls(traffic, n=CALLS_PER_STAGE):
    traffic.wait_for(len(traffic.outcomes) + n)


def test_rotation_under_traffic_never_refuses_a_valid_token(rotation):
    replicas, k1, k2, steps = (rotation[k] for k in ("replicas", "k1", "k2", "steps"))
    creds = staff_client(replicas[0].base)
    kept_k1 = take_token(replicas[1].base, creds)
    assert kid_of(kept_k1) == k1["kid"]
    calls = Clients(replicas, creds)
    started = time.monotonic()
    restarts = []
    with Traffic(calls, clients=CLIENTS) as t:
        more_calls(t)
        for step in (1, 2):
            for r in replicas:
                t0 = time.monotonic()
                r.restart(steps[step], step)
                restarts.append(time.monotonic() - t0)
                more_calls(t)
        # The crux of step 2: a K2 token from the replica already in step 2 is
        # verified by the one still in step 1 (checked below, on the ledger).
        # "After the old tokens' lifetime": every client drops its K1 tokens.
        calls.drain()
        mark = len(t.outcomes)
        wait_until(t, lambda outs: {o.client for o in outs[mark:] if o.status == 200
                                    and o.body["kid"] == k2["kid"]} == set(range(CLIENTS)),
                   "every client with a fresh K2 token")
        fresh = len(t.outcomes)
        for r in replicas:
            t0 = time.monotonic()
            r.restart(steps[3], 3)
            restarts.append(time.monotonic() - t0)
            more_calls(t)
    elapsed = time.monotonic() - started

    outcomes = t.outcomes
    bad = [o for o in outcomes if o.status != 200]
    print(f"\nkey rotation: {len(outcomes)} calls in {elapsed:.1f} s with {CLIENTS} clients, "
          f"{len(restarts)} restarts ({', '.join(f'{s:.2f}' for s in restarts)} s each); "
          f"answers {t.statuses()}")
    for r in replicas:
        print(f"{r.base}: stopped in {', '.join(f'{x:.2f}' for x in r.stops)} s, started in "
              f"{', '.join(f'{x:.2f}' for x in r.starts)} s; {' | '.join(r.drains)}; {r.events}")
    print(f"connections dropped by a stopping replica and resent: {len(calls.resent)} {calls.resent}")
    assert not bad, [(o.status, o.error, o.body) for o in bad[:5]]
    me = [o.body for o in outcomes if o.body and o.body["call"] == "me"]
    crossed = sum(1 for b in me if b["kid"] == k2["kid"] and b["step"] == 1)
    old_late = sum(1 for b in me if b["kid"] == k1["kid"] and b["step"] == 2)
    print(f"K2 tokens verified by a replica still in step 1: {crossed}; K1 tokens verified in "
          f"step 2: {old_late}; K1 tokens sent after the drain: "
          f"{sum(1 for o in outcomes[fresh:] if (o.body or {}).get('kid') == k1['kid'])}")
    assert old_late > 0, "no K1 token reached a replica in step 2: the run proved less than it says"
    # Every K2 token seen by a replica in step 1 verified (there was no 401 at all);
    # with K2 minted by the replica in step 2 and the other still in step 1, there are some.
    assert crossed > 0, "no K2 token reached a replica in step 1: the run proved less than it says"

    # After step 3: K1 is gone, at once, even for a token that has not expired.
    for r in replicas:
        api = Client(r.base)
        refused = api.with_token(kept_k1).get("/v1/me")
        assert refused.status_code == 401, refused.text
        assert refused.headers["WWW-Authenticate"].startswith("Bearer")
        fresh_token = take_token(r.base, creds)
        assert kid_of(fresh_token) == k2["kid"]
        assert api.with_token(fresh_token).get("/v1/me").status_code == 200


def test_a_token_with_an_unknown_kid_is_refused_like_a_bad_signature(rotation):
    replicas, k1, k2 = (rotation[k] for k in ("replicas", "k1", "k2"))
    key2 = k2["key"].read_bytes()
    claims = {"role": "staff", "alg": "ES256", "ttl": 300}
    unknown = mint(key=key2, headers={"kid": "retired-2019"}, **claims)
    k1_kid_signed_by_k2 = mint(key=key2, headers={"kid": k1["kid"]}, **claims)
    forged_signature = mint(key=k1["key"].read_bytes(), headers={"kid": k2["kid"]}, **claims)
    good = mint(key=key2, headers={"kid": k2["kid"]}, **claims)
    kidless = mint(key=key2, **claims)  # a token minted before kids: the signing key checks it
    api = Client(replicas[0].base)
    assert api.with_token(good).get("/v1/me").status_code == 200
    assert api.with_token(kidless).get("/v1/me").status_code == 200
    answers = [api.with_token(t).get("/v1/me") for t in (unknown, k1_kid_signed_by_k2,
                                                        forged_signature)]
    for r in answers:
        assert r.status_code == 401, r.text
    # The same answer as a bad signature: nothing tells which kids exist.
    same = [{k: v for k, v in r.json().items() if k != "request_id"} for r in answers]
    assert same[0] == same[1] == same[2]
    # The traps, with a kid present: HS256 signed with our public key as the
    # secret under our kid (key confusion), and alg none under our kid.
    now = int(time.time())
    payload = b64(json.dumps({"iss": "https://parceria.dns.pt", "aud": "parceria-api", "sub": "x",
                              "role": "admin", "iat": now, "exp": now + 300}).encode())
    confused_head = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": k2["kid"]}).encode())
    signature = hmac.new(k2["pub"].read_bytes(), f"{confused_head}.{payload}".encode(),
                         hashlib.sha256).digest()
    none_head = b64(json.dumps({"alg": "none", "typ": "JWT", "kid": k2["kid"]}).encode())
    for t in (f"{confused_head}.{payload}.{b64(signature)}", f"{none_head}.{payload}."):
        assert api.with_token(t).get("/v1/me").status_code == 401


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
