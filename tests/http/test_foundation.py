"""The foundation: health, the OpenAPI document, the HTTP machinery's errors,
request ids, languages, CORS, migrations and configuration."""
import os
import subprocess
import threading

import psycopg
import requests

import conftest
from conftest import BIN, JWT_SECRET, Server, clone_database, drop_database
from openapi_check import ROOT, check_problem

PROBLEMS = "https://parceria.dns.pt/problems/"


def test_healthz_answers_ok(api):
    r = api.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}


def test_readyz_reports_database_and_migrations(api):
    r = api.get("/readyz")
    assert r.status_code == 200, r.text
    assert r.json() == {"status": "ready", "checks": {"database": "ok", "migrations": "current"}}


def test_openapi_document_is_served_as_built(api):
    r = api.get("/openapi.yaml")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/yaml")
    assert r.content == (ROOT / "openapi" / "openapi.yaml").read_bytes()


def test_unknown_route_is_404_problem(api):
    r = api.get("/v1/no-such-thing")
    assert r.status_code == 404
    assert check_problem(r)["type"] == PROBLEMS + "not-found"


def test_trailing_slash_and_double_slash_do_not_match(api):
    for path in ("/healthz/", "//healthz"):
        r = api.get(path)
        assert r.status_code == 404, path


def test_wrong_method_is_405_with_allow(api):
    r = api.request("DELETE", "/healthz")
    assert r.status_code == 405
    assert r.headers["Allow"] == "GET, HEAD, OPTIONS"
    assert r.json()["type"] == PROBLEMS + "method-not-allowed"


def test_options_lists_allowed_methods(api):
    r = api.options("/readyz")
    assert r.status_code == 204
    assert r.headers["Allow"] == "GET, HEAD, OPTIONS"


def test_unknown_query_parameter_is_400(api):
    r = api.get("/healthz", params={"verbose": "1"})
    assert r.status_code == 400
    body = r.json()
    assert body["type"] == PROBLEMS + "invalid-request"
    assert body["errors"] == [{"parameter": "verbose", "code": "unknown_parameter",
                               "message": "is not a known parameter"}]


def test_repeated_query_parameter_is_400(api):
    r = api.get("/healthz?limit=1&limit=2")
    assert r.status_code == 400
    assert r.json()["errors"][0]["code"] == "repeated"


def raw_get(server, target):
    """GET with the request target sent byte for byte (requests would re-quote it)."""
    import http.client
    import json
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.putrequest("GET", target, skip_accept_encoding=True)
    conn.endheaders()
    r = conn.getresponse()
    body = r.read()
    conn.close()
    return r.status, dict(r.getheaders()), json.loads(body)


def test_bad_percent_encoding_in_query_is_400(server):
    for q in ("a=%zz", "a=%", "a=%ff%fe", "%c3=1"):
        status, headers, body = raw_get(server, "/healthz?" + q)
        assert status == 400, q
        assert headers["Content-Type"] == "application/problem+json"
        assert body["type"] == PROBLEMS + "invalid-request"
        assert body["errors"][0]["code"] == "encoding"


def test_body_over_the_limit_is_413(api):
    r = api.request("POST", "/healthz", data=b"x" * (1024 * 1024 + 1),
                    headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert r.json()["type"] == PROBLEMS + "payload-too-large"


def test_body_at_the_limit_is_not_413(api):
    r = api.request("POST", "/healthz", data=b" " * (1024 * 1024),
                    headers={"Content-Type": "application/json"})
    assert r.status_code == 405


def test_request_id_is_echoed_when_well_formed(api):
    r = api.get("/v1/nothing", headers={"X-Request-Id": "abc-123_x.y"})
    assert r.headers["X-Request-Id"] == "abc-123_x.y"
    assert r.json()["request_id"] == "abc-123_x.y"


def test_request_id_is_generated_when_malformed(api):
    r = api.get("/healthz", headers={"X-Request-Id": "bad id with spaces"})
    rid = r.headers["X-Request-Id"]
    assert rid != "bad id with spaces" and len(rid) == 36
    assert api.get("/healthz").headers["X-Request-Id"] != rid


def test_problem_titles_follow_accept_language(api):
    pt = api.get("/v1/nothing", headers={"Accept-Language": "pt-PT,pt;q=0.9,en;q=0.8"})
    assert pt.json()["title"] == "Não encontrado"
    assert pt.headers["Content-Language"] == "pt-PT"
    en = api.get("/v1/nothing", headers={"Accept-Language": "en-GB,pt;q=0.5"})
    assert en.json()["title"] == "Not found"


def test_cors_allows_configured_origin_only(api):
    ok = api.get("/healthz", headers={"Origin": "https://app.example.pt"})
    assert ok.headers["Access-Control-Allow-Origin"] == "https://app.example.pt"
    assert "Origin" in ok.headers["Vary"]
    other = api.get("/healthz", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_cors_preflight(api):
    r = api.options("/healthz", headers={"Origin": "https://app.example.pt",
                                         "Access-Control-Request-Method": "GET"})
    assert r.status_code == 204
    assert r.headers["Access-Control-Allow-Origin"] == "https://app.example.pt"
    assert "Authorization" in r.headers["Access-Control-Allow-Headers"]
    assert "If-Match" in r.headers["Access-Control-Allow-Headers"]


def test_request_log_names_route_template_and_request_id(api, server):
    api.get("/healthz", headers={"X-Request-Id": "log-check-1"})
    api.get("/v1/zzz/secret-looking-path", headers={"X-Request-Id": "log-check-2"})
    text = server.log_text()
    assert "method=GET route=/healthz status=200" in text and "request_id=log-check-1" in text
    assert "route=unmatched status=404" in text
    assert "secret-looking-path" not in text


def _env(db):
    return {"PATH": os.environ.get("PATH", ""), "PARCERIA_DATABASE_URL": conftest._db_url(db),
            "PARCERIA_JWT_SECRET": JWT_SECRET}


def test_readyz_is_503_while_migrations_are_pending(template_db):
    name = f"parceria_empty_{os.getpid()}"
    with conftest._admin() as c:
        c.execute(f'CREATE DATABASE "{name}" OWNER parceria')
    srv = Server(name, name="pending").start()
    try:
        r = requests.get(srv.base + "/readyz")
        assert r.status_code == 503
        assert r.headers["Retry-After"]
        body = check_problem(r)
        assert body["checks"] == {"database": "ok", "migrations": "pending"}
    finally:
        assert srv.stop() == 0
        drop_database(name)


def test_readyz_is_503_when_database_is_unreachable():
    srv = Server("no_such_database_here", name="nodb").start()
    try:
        r = requests.get(srv.base + "/readyz")
        assert r.status_code == 503
        assert check_problem(r)["checks"]["database"] == "unavailable"
    finally:
        assert srv.stop() == 0


def test_serve_refuses_a_changed_migration(template_db):
    name = clone_database(template_db)
    try:
        with psycopg.connect(conftest._db_url(name, "postgres"), autocommit=True) as c:
            c.execute("UPDATE schema_migrations SET checksum = 'x' WHERE name = '0001_foundation.sql'")
        out = subprocess.run([BIN, "serve"], env=_env(name), capture_output=True, text=True, timeout=20)
        assert out.returncode == 1
        assert "applied migration file has changed" in out.stderr
        out = subprocess.run([BIN, "migrate"], env=_env(name), capture_output=True, text=True, timeout=20)
        assert out.returncode == 1
    finally:
        drop_database(name)


def test_concurrent_migrations_apply_each_file_once():
    name = f"parceria_race_{os.getpid()}"
    with conftest._admin() as c:
        c.execute(f'CREATE DATABASE "{name}" OWNER parceria')
    try:
        results = []

        def run():
            results.append(subprocess.run([BIN, "migrate"], env=_env(name), capture_output=True, text=True))

        threads = [threading.Thread(target=run) for _ in range(3)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        assert [r.returncode for r in results] == [0, 0, 0], [r.stderr for r in results]
        applied = sum(r.stdout.count("applied ") for r in results)
        with psycopg.connect(conftest._db_url(name, "postgres")) as c:
            rows = c.execute("SELECT name, count(*) FROM schema_migrations GROUP BY name").fetchall()
        assert all(n == 1 for _, n in rows)
        assert applied == len(rows)
        again = subprocess.run([BIN, "migrate"], env=_env(name), capture_output=True, text=True)
        assert again.returncode == 0 and "applied" not in again.stdout
    finally:
        drop_database(name)


def test_bad_configuration_names_every_bad_variable():
    env = {"PATH": os.environ.get("PATH", ""), "PARCERIA_PORT": "99999", "PARCERIA_LOG_FORMAT": "xml",
           "PARCERIA_JWT_SECRET": "short", "PARCERIA_BIND_ADDRESS": "not-an-ip",
           "PARCERIA_TOKEN_TTL": "7200"}
    out = subprocess.run([BIN, "serve"], env=env, capture_output=True, text=True, timeout=20)
    assert out.returncode == 1
    for name in ("PARCERIA_PORT", "PARCERIA_LOG_FORMAT", "PARCERIA_JWT_SECRET",
                 "PARCERIA_BIND_ADDRESS", "PARCERIA_TOKEN_TTL"):
        assert name in out.stderr, name


def test_version_and_usage():
    out = subprocess.run([BIN, "version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("parceria ")
    assert subprocess.run([BIN, "frobnicate"], capture_output=True).returncode == 2


def test_json_log_format_writes_one_object_per_line(template_db):
    name = clone_database(template_db)
    srv = Server(name, env_extra={"PARCERIA_LOG_FORMAT": "json"}, name="jsonlog").start()
    try:
        requests.get(srv.base + "/healthz", headers={"X-Request-Id": "json-line"})
    finally:
        assert srv.stop() == 0
        drop_database(name)
    import json
    lines = [json.loads(l) for l in srv.log_text().splitlines() if l.startswith("{")]
    req = [l for l in lines if l.get("request_id") == "json-line"]
    assert req and req[0]["route"] == "/healthz" and req[0]["status"] == 200
