"""Tokens: the client-credentials endpoint, access keys, and every way a
bearer token must be refused — with HS256 configured, and with ES256 plus a
trusted external RS256 issuer."""
import base64
import hashlib
import hmac
import json
import os
import pathlib
import re
import subprocess
import tempfile
import time
import uuid

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

import conftest
from conftest import BIN, Server, clone_database, drop_database
from accreditation import application
from identity import AUDIENCE, ISSUER, make_registrar, mint, registrar_token
from openapi_check import Client, check_problem

PROBLEMS = "https://parceria.dns.pt/problems/"


def admin(api):
    return api.with_token(mint("admin"))


def new_client(api, role="staff"):
    r = admin(api).post("/v1/clients", {"name": "Test " + role, "role": role})
    assert r.status_code == 201, r.text
    return r.json()


def token_call(api, **kw):
    return api.request("POST", "/v1/auth/token", **kw)


def test_token_by_basic_form_and_json(api):
    c = new_client(api)
    form = {"grant_type": "client_credentials"}
    by_basic = api.session.post(api.base + "/v1/auth/token", data=form,
                                auth=(c["client_id"], c["client_secret"]))
    by_form = token_call(api, data={**form, "client_id": c["client_id"],
                                    "client_secret": c["client_secret"]})
    by_json = token_call(api, json_body={**form, "client_id": c["client_id"],
                                         "client_secret": c["client_secret"]})
    for r in (by_basic, by_form, by_json):
        assert r.status_code == 200, r.text
        assert r.headers["Cache-Control"] == "no-store"
        body = r.json()
        assert body["token_type"] == "Bearer" and body["expires_in"] == 900
        me = api.with_token(body["access_token"]).get("/v1/me").json()
        assert me["sub"] == c["client_id"] and me["role"] == "staff" and me["registrar"] is None


def test_token_refuses_two_authentication_methods(api):
    c = new_client(api)
    r = api.session.post(api.base + "/v1/auth/token",
                         data={"grant_type": "client_credentials", "client_id": c["client_id"],
                               "client_secret": c["client_secret"]},
                         auth=(c["client_id"], c["client_secret"]))
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"


def test_token_wrong_secret_or_unknown_client_is_invalid_client(api):
    c = new_client(api)
    for cid, secret in ((c["client_id"], "wrong"), ("pc_nobodyhere00000000", "x" * 43),
                        ("é" * 64, "x")):
        r = token_call(api, data={"grant_type": "client_credentials", "client_id": cid,
                                  "client_secret": secret})
        assert r.status_code == 401
        assert r.json()["error"] == "invalid_client"
        assert r.headers["WWW-Authenticate"].startswith("Basic")


def test_token_fields_over_the_documented_limits_are_invalid_requests(api):
    """TokenRequest says client_id has at most 64 characters and client_secret
    256: longer ones are malformed requests, not failed authentications."""
    for cid, secret in (("a" + "é" * 64, "x"), ("pc_x", "s" * 257)):
        r = token_call(api, data={"grant_type": "client_credentials", "client_id": cid,
                                  "client_secret": secret})
        assert r.status_code == 400, r.text
        assert r.json()["error"] == "invalid_request"


def test_token_other_grant_types_and_missing_fields(api):
    c = new_client(api)
    r = token_call(api, data={"grant_type": "password", "client_id": c["client_id"],
                              "client_secret": c["client_secret"]})
    assert r.status_code == 400 and r.json()["error"] == "unsupported_grant_type"
    r = token_call(api, data={"client_id": c["client_id"], "client_secret": c["client_secret"]})
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"
    r = token_call(api, data={"grant_type": "client_credentials"})
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    r = token_call(api, data="grant_type=client_credentials&grant_type=client_credentials",
                   headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"
    r = token_call(api, data="{}", headers={"Content-Type": "text/plain"})
    assert r.status_code == 400


def test_revoked_client_gets_no_token_and_its_tokens_stop_at_once(api):
    c = new_client(api)
    creds = {"grant_type": "client_credentials", "client_id": c["client_id"],
             "client_secret": c["client_secret"]}
    token = token_call(api, data=creds).json()["access_token"]
    assert api.with_token(token).get("/v1/me").status_code == 200
    assert admin(api).delete(f"/v1/clients/{c['client_id']}").status_code == 204
    assert token_call(api, data=creds).status_code == 401
    r = api.with_token(token).get("/v1/me")
    assert r.status_code == 401 and "revoked" in r.json()["detail"]


def test_a_revoked_clients_token_reads_and_writes_nothing(api, db):
    """The credential check travels with the request's first statement: a
    revoked client's token gets 401 on a read and on a write, and the write
    (and its Idempotency-Key) leaves no trace."""
    rid = make_registrar(db)
    mine = api.with_token(registrar_token(rid))
    c = mine.post(f"/v1/registrars/{rid}/clients", {"name": "Soon revoked"}).json()
    creds = {"grant_type": "client_credentials", "client_id": c["client_id"],
             "client_secret": c["client_secret"]}
    client = api.with_token(token_call(api, data=creds).json()["access_token"])
    assert client.get(f"/v1/registrars/{rid}").status_code == 200
    assert mine.delete(f"/v1/registrars/{rid}/clients/{c['client_id']}").status_code == 204
    r = client.get(f"/v1/registrars/{rid}")
    assert r.status_code == 401 and "revoked" in r.json()["detail"], r.text
    assert 'error="invalid_token"' in r.headers["WWW-Authenticate"]
    assert "ETag" not in r.headers and r.headers["Cache-Control"] == "no-store"
    key = str(uuid.uuid4())
    keys = db.execute("SELECT count(*) FROM idempotency_keys").fetchone()[0]
    r = client.patch(f"/v1/registrars/{rid}", {"website": "https://revoked.example.pt"},
                     headers={"If-Match": "*", "Idempotency-Key": key})
    assert r.status_code == 401 and "revoked" in r.json()["detail"], r.text
    assert db.execute("SELECT website, version FROM registrars WHERE id = %s",
                      (rid,)).fetchone()[1] == 1
    assert db.execute("SELECT count(*) FROM idempotency_keys").fetchone()[0] == keys
    # a route the token may not take: still 401, the credential comes first
    assert client.get("/v1/clients").status_code == 401


def test_repeated_failures_are_throttled(api):
    cid = "pc_" + uuid.uuid4().hex[:20]
    statuses = [token_call(api, data={"grant_type": "client_credentials", "client_id": cid,
                                      "client_secret": "nope"}).status_code for _ in range(11)]
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429
    r = token_call(api, data={"grant_type": "client_credentials", "client_id": cid,
                              "client_secret": "nope"})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    assert r.json()["error"] == "temporarily_unavailable"


def put_access_key(db, role):
    subject = str(uuid.uuid4())
    key = base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()
    db.execute("INSERT INTO access_keys (subject_id, role, key_hash) VALUES (%s, %s, %s)",
               (subject, role, hashlib.sha256(key.encode()).hexdigest()))
    return subject, key


@pytest.mark.parametrize("role,claim", [("applicant", "application_id")])
def test_access_keys_give_short_lived_tokens_until_revoked(api, db, role, claim):
    subject, key = put_access_key(db, role)
    creds = {"grant_type": "client_credentials", "client_id": subject, "client_secret": key}
    r = token_call(api, data=creds)
    assert r.status_code == 200, r.text
    token = r.json()["access_token"]
    me = api.with_token(token).get("/v1/me").json()
    assert me["role"] == role and me[claim] == subject and me["registrar"] is None
    db.execute("UPDATE access_keys SET revoked_at = now() WHERE subject_id = %s", (subject,))
    assert token_call(api, data=creds).status_code == 401
    assert api.with_token(token).get("/v1/me").status_code == 401


def test_me_for_a_registrar_shows_its_registrar(api, db):
    rid = make_registrar(db, trade_name="Porto Domínios")
    me = api.with_token(registrar_token(rid)).get("/v1/me").json()
    assert me["registrar"]["id"] == rid and me["registrar"]["trade_name"] == "Porto Domínios"
    assert me["registrar"]["status"] == "accredited"


def test_no_token_is_401_with_a_bearer_challenge(api):
    r = api.get("/v1/me")
    assert r.status_code == 401 and r.headers["WWW-Authenticate"] == "Bearer"
    r = api.get("/v1/me", headers={"Authorization": "Basic Zm9vOmJhcg=="})
    assert r.status_code == 401 and "invalid_token" in r.headers["WWW-Authenticate"]


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256(header, payload, key):
    signing = b64(json.dumps(header).encode()) + "." + b64(json.dumps(payload).encode())
    sig = hmac.new(key, signing.encode(), hashlib.sha256).digest()
    return signing + "." + b64(sig)


def claims(**over):
    now = int(time.time())
    c = {"iss": ISSUER, "aud": AUDIENCE, "sub": "someone", "iat": now, "nbf": now,
         "exp": now + 600, "jti": str(uuid.uuid4()), "role": "staff"}
    c.update(over)
    return c


RSA_OTHER = rsa.generate_private_key(public_exponent=65537, key_size=2048)
RSA_OTHER_PEM = RSA_OTHER.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption())

BAD_HS256_TOKENS = {
    "garbage": lambda: "not-a-token",
    "two parts": lambda: mint("staff").rsplit(".", 1)[0],
    "truncated": lambda: mint("staff")[:-5],
    "empty signature": lambda: mint("staff").rsplit(".", 1)[0] + ".",
    "wrong key": lambda: mint("staff", key="another-secret-0123456789abcdef0123456789"),
    "alg none": lambda: b64(b'{"alg":"none","typ":"JWT"}') + "." + b64(json.dumps(claims()).encode()) + ".",
    "other algorithm (RS256)": lambda: mint("staff", key=RSA_OTHER_PEM, alg="RS256"),
    "expired": lambda: mint("staff", now=int(time.time()) - 1000, ttl=60),
    "not yet valid": lambda: mint("staff", now=int(time.time()) + 3600),
    "unknown issuer": lambda: mint("staff", iss="https://evil.example"),
    "wrong audience": lambda: mint("staff", aud="another-api"),
    "unknown role": lambda: mint("superuser"),
    "registrar without registrar_id": lambda: mint("registrar"),
    "registrar_id not a uuid": lambda: mint("registrar", registrar_id="1,2"),
    "no exp": lambda: hs256({"alg": "HS256", "typ": "JWT"},
                            {k: v for k, v in claims().items() if k != "exp"},
                            conftest.JWT_SECRET.encode()),
    "duplicate claims": lambda: (b64(b'{"alg":"HS256","typ":"JWT"}') + "." +
                                 b64(b'{"role":"registrar","role":"staff"}') + ".x"),
}


@pytest.mark.parametrize("name", sorted(BAD_HS256_TOKENS))
def test_bad_tokens_are_401(api, name):
    r = api.with_token(BAD_HS256_TOKENS[name]()).get("/v1/me")
    assert r.status_code == 401, (name, r.text)
    assert check_problem(r)["type"] == PROBLEMS + "unauthenticated"
    assert r.headers["WWW-Authenticate"].startswith('Bearer error="invalid_token"')


# --- ES256 for our own tokens, plus a trusted external RS256 issuer (SIGA) ---

def pem_pair(private):
    priv = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption())
    pub = private.public_key().public_bytes(serialization.Encoding.PEM,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
    return priv, pub


@pytest.fixture(scope="module")
def es(template_db):
    tmp = pathlib.Path(tempfile.mkdtemp())
    ours_priv, ours_pub = pem_pair(ec.generate_private_key(ec.SECP256R1()))
    siga_priv, siga_pub = pem_pair(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    (tmp / "ours.pem").write_bytes(ours_priv)
    (tmp / "ours.pub").write_bytes(ours_pub)
    (tmp / "siga.pub").write_bytes(siga_pub)
    (tmp / "issuers.json").write_text(json.dumps({"issuers": [{
        "iss": "https://siga.dns.pt/idp", "aud": "parceria", "alg": "RS256",
        "public_key_file": str(tmp / "siga.pub"), "role_claim": "parceria_role",
        "roles": ["staff"], "max_lifetime": 1800}]}))
    env = {"PARCERIA_JWT_ALG": "ES256", "PARCERIA_JWT_PRIVATE_KEY_FILE": str(tmp / "ours.pem"),
           "PARCERIA_JWT_PUBLIC_KEY_FILE": str(tmp / "ours.pub"),
           "PARCERIA_JWT_ISSUERS_FILE": str(tmp / "issuers.json")}
    name = clone_database(template_db)
    srv = Server(name, env_extra=env, name="es256").start()
    yield {"server": srv, "api": Client(srv.base), "env": {**srv.env}, "ours_pub": ours_pub,
           "ours_priv": ours_priv, "siga_priv": siga_priv}
    rc = srv.stop()
    drop_database(name)
    assert rc == 0


def cli_token(env, *args):
    out = subprocess.run([BIN, "token", *args], env=env, capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_es256_tokens_from_the_cli_verify(es):
    token = cli_token(es["env"], "staff", "--sub", "maria")
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header["alg"] == "ES256"
    me = es["api"].with_token(token).get("/v1/me")
    assert me.status_code == 200 and me.json()["sub"] == "maria"


def test_cli_refuses_a_registrar_token_without_its_id(es):
    out = subprocess.run([BIN, "token", "registrar"], env=es["env"], capture_output=True, text=True)
    assert out.returncode == 2


def es_bad_tokens(es):
    other_priv, _ = pem_pair(ec.generate_private_key(ec.SECP256R1()))
    return {
        "key confusion: HS256 signed with our public key": hs256(
            {"alg": "HS256", "typ": "JWT"}, claims(), es["ours_pub"]),
        "ES256 signed with another key": mint("staff", key=other_priv, alg="ES256"),
        "alg none": b64(b'{"alg":"none","typ":"JWT"}') + "." + b64(json.dumps(claims()).encode()) + ".",
        "HS256 with the old local secret": mint("staff"),
        "SIGA token claiming admin": mint(None, key=es["siga_priv"], alg="RS256",
                                          iss="https://siga.dns.pt/idp", aud="parceria",
                                          parceria_role="admin"),
        "SIGA token for another audience": mint(None, key=es["siga_priv"], alg="RS256",
                                                iss="https://siga.dns.pt/idp", aud="x",
                                                parceria_role="staff"),
        "SIGA issuer with our ES256 key": mint(None, key=es["ours_priv"], alg="ES256",
                                               iss="https://siga.dns.pt/idp", aud="parceria",
                                               parceria_role="staff"),
    }


def test_es256_and_external_issuer_refusals(es):
    for name, token in es_bad_tokens(es).items():
        r = es["api"].with_token(token).get("/v1/me")
        assert r.status_code == 401, (name, r.text)


def test_trusted_external_issuer_grants_staff(es):
    token = mint(None, key=es["siga_priv"], alg="RS256", iss="https://siga.dns.pt/idp",
                 aud="parceria", sub="joana@dns.pt", parceria_role="staff")
    r = es["api"].with_token(token).get("/v1/me")
    assert r.status_code == 200 and r.json()["role"] == "staff" and r.json()["sub"] == "joana@dns.pt"
    assert es["api"].with_token(token).get("/v1/audit-events").status_code == 200
    assert es["api"].with_token(token).get("/v1/clients").status_code == 403


def test_bad_issuers_file_stops_start_up(template_db, tmp_path):
    (tmp_path / "issuers.json").write_text('{"issuers": [{"iss": "x"}]}')
    env = {"PATH": os.environ.get("PATH", ""), "PARCERIA_JWT_SECRET": conftest.JWT_SECRET,
           "PARCERIA_JWT_ISSUERS_FILE": str(tmp_path / "issuers.json"),
           "PARCERIA_DATABASE_URL": conftest._db_url(template_db)}
    out = subprocess.run([BIN, "serve"], env=env, capture_output=True, text=True, timeout=20)
    assert out.returncode == 1 and "PARCERIA_JWT_ISSUERS_FILE" in out.stderr


def test_teachers_are_served_by_their_entry_and_key(api, db, es):
    """The Sitestar area serves teachers: an entry's access key gives a short-lived teacher
    token naming the entry, `parceria token teacher` mints one, and /v1/me answers it."""
    subject, key = put_access_key(db, "teacher")
    r = token_call(api, data={"grant_type": "client_credentials", "client_id": subject, "client_secret": key})
    assert r.status_code == 200, r.text
    tok = r.json()["access_token"]
    assert 0 < r.json()["expires_in"] <= 900
    me = api.with_token(tok).get("/v1/me")
    assert me.status_code == 200 and me.json()["role"] == "teacher" and me.json()["entry_id"] == subject
    out = subprocess.run([BIN, "token", "teacher", "--entry-id", str(uuid.uuid4())], env=es["env"],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0 and out.stdout.count(".") == 2


def no_iat_token(role, ttl):
    now = int(time.time())
    return hs256({"alg": "HS256", "typ": "JWT"},
                 {"iss": ISSUER, "aud": AUDIENCE, "sub": "far", "nbf": now, "exp": now + ttl,
                  "jti": str(uuid.uuid4()), "role": role}, conftest.JWT_SECRET.encode())


def test_tokens_living_longer_than_their_issuer_allows_are_refused(api):
    # PARCERIA_TOKEN_TTL is 900 for the test server
    assert api.with_token(mint("staff", ttl=900)).get("/v1/me").status_code == 200
    assert api.with_token(mint("staff", ttl=901)).get("/v1/me").status_code == 401
    assert api.with_token(mint("staff", ttl=10 * 365 * 86400)).get("/v1/me").status_code == 401
    # without iat, exp - now counts
    assert api.with_token(no_iat_token("staff", 600)).get("/v1/me").status_code == 200
    assert api.with_token(no_iat_token("staff", 7200)).get("/v1/me").status_code == 401


def test_external_issuer_max_lifetime(es):
    def siga(ttl):
        return mint(None, key=es["siga_priv"], alg="RS256", iss="https://siga.dns.pt/idp",
                    aud="parceria", parceria_role="staff", ttl=ttl)
    assert es["api"].with_token(siga(1800)).get("/v1/me").status_code == 200
    assert es["api"].with_token(siga(1801)).get("/v1/me").status_code == 401


def test_cli_ttl_is_capped_by_token_ttl(es):
    assert cli_token(es["env"], "staff", "--ttl", "900")
    out = subprocess.run([BIN, "token", "staff", "--ttl", "901"], env=es["env"], capture_output=True,
                         text=True, timeout=30)
    assert out.returncode == 2 and "PARCERIA_TOKEN_TTL" in out.stderr


def test_bootstrap_admin_comes_back_when_no_active_admin_is_left(template_db):
    name = clone_database(template_db)
    secret = "bootstrap-secret-0123456789abcdef0123"
    env = {"PARCERIA_ADMIN_CLIENT_ID": "boot-admin", "PARCERIA_ADMIN_CLIENT_SECRET": secret}
    creds = {"grant_type": "client_credentials", "client_id": "boot-admin", "client_secret": secret}
    try:
        srv = Server(name, env_extra=env, name="bootstrap").start()
        c = Client(srv.base)
        tok = c.post("/v1/auth/token", data=creds).json()["access_token"]
        assert c.with_token(tok).delete("/v1/clients/boot-admin").status_code == 204
        assert c.post("/v1/auth/token", data=creds).status_code == 401
        assert srv.stop() == 0
        srv = Server(name, env_extra=env, name="bootstrap").start()
        r = Client(srv.base).post("/v1/auth/token", data=creds)
        assert r.status_code == 200, r.text
        assert srv.stop() == 0
    finally:
        drop_database(name)


def test_head_answers_as_get_without_a_body(api):
    for path in ("/healthz", "/v1/registrars", "/openapi.yaml"):
        get = api.get(path)
        head = api.request("HEAD", path)
        assert head.status_code == get.status_code == 200, (path, head.status_code)
        assert head.content == b"" and head.headers.get("Content-Type") == get.headers.get("Content-Type")


def test_an_external_subject_never_shares_our_subjects_limits_or_keys(es):
    """Rate-limit buckets and idempotency scopes key on issuer and subject."""
    sub = f"shared-{uuid.uuid4().hex[:6]}@dns.pt"
    ours = es["api"].with_token(cli_token(es["env"], "staff", "--sub", sub))
    theirs = es["api"].with_token(mint(None, key=es["siga_priv"], alg="RS256",
                                       iss="https://siga.dns.pt/idp", aud="parceria", sub=sub,
                                       parceria_role="staff"))

    def remaining(resp):
        assert resp.status_code == 200, resp.text
        return int(re.search(r";r=(\d+)", resp.headers["RateLimit"]).group(1))

    first = remaining(ours.get("/v1/me"))
    assert remaining(ours.get("/v1/me")) == first - 1
    assert remaining(theirs.get("/v1/me")) == first  # a fresh bucket of its own, not ours
    created = es["api"].post("/v1/accreditation-applications", application())
    assert created.status_code == 201, created.text
    key = {"Idempotency-Key": "shared-" + uuid.uuid4().hex}
    path = f"/v1/accreditation-applications/{created.json()['id']}/start-review"
    first = ours.post(path, headers=key)
    assert first.status_code == 200, first.text
    second = theirs.post(path, headers=key)  # the same key, another caller: no replay
    assert second.status_code == 409 and "Idempotent-Replayed" not in second.headers, second.text
