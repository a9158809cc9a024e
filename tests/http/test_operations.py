"""Operations: /metrics (checked with promtool, counters that move, routes
named by template, the separate PARCERIA_METRICS_BIND listener) and the /docs
page (its assets, and the page as headless Chromium renders it)."""
import re
import shutil
import subprocess
import tempfile
import urllib.parse

import requests

from browser import Browser
from conftest import BIN, Server, clone_database, drop_database, free_port
from openapi_check import SPEC, Client, check_problem

PROBLEMS = "https://parceria.dns.pt/problems/"
LINE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$")
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_metrics(text):
    """{(name, frozenset(labels)): value} for every sample line."""
    samples = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = LINE.match(line)
        assert m, f"not a sample line: {line!r}"
        labels = frozenset(LABEL.findall(m.group(2) or ""))
        samples[(m.group(1), labels)] = float(m.group(3))
    return samples


def sample(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())), 0.0)


def promtool_check(text):
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing: install the Debian package prometheus"
    out = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True)
    assert out.returncode == 0, f"promtool: {out.stdout}{out.stderr}\n{text[:3000]}"


def test_metrics_pass_promtool(api):
    api.get("/healthz")
    r = api.get("/metrics")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    promtool_check(r.text)


def test_metrics_expose_every_family(api):
    api.get("/healthz")
    text = api.get("/metrics").text
    for family, kind in (("parceria_http_requests_total", "counter"),
                         ("parceria_http_request_duration_seconds", "histogram"),
                         ("parceria_db_pool_size", "gauge"), ("parceria_db_pool_in_use", "gauge"),
                         ("parceria_db_pool_waiting", "gauge"),
                         ("parceria_db_errors_total", "counter"),
                         ("parceria_rate_limited_total", "counter"),
                         ("parceria_state_flights_total", "counter"),
                         ("parceria_state_asks_total", "counter"),
                         ("parceria_build_info", "gauge")):
        assert f"# TYPE {family} {kind}\n" in text, family
    s = parse_metrics(text)
    version = subprocess.run([BIN, "version"], capture_output=True, text=True).stdout.split()[1]
    assert sample(s, "parceria_build_info", version=version) == 1
    assert sample(s, "parceria_db_pool_size") == 4  # PARCERIA_DB_POOL_SIZE in conftest
    assert sample(s, "parceria_db_pool_waiting") == 0
    assert ("parceria_rate_limited_total", frozenset()) in s
    assert ("parceria_db_errors_total", frozenset()) in s


def test_counters_and_histograms_move_with_requests(api):
    before = parse_metrics(api.get("/metrics").text)
    for _ in range(3):
        api.get("/healthz")
    api.get("/readyz")
    api.get("/v1/no-such-thing")
    api.request("DELETE", "/healthz")
    after = parse_metrics(api.get("/metrics").text)

    def moved(name, **labels):
        return sample(after, name, **labels) - sample(before, name, **labels)

    healthz = {"method": "GET", "route": "/healthz"}
    assert moved("parceria_http_requests_total", status="200", **healthz) == 3
    assert moved("parceria_http_requests_total", method="GET", route="/readyz", status="200") == 1
    assert moved("parceria_http_requests_total", route="unmatched", status="404") == 1
    assert moved("parceria_http_requests_total", route="unmatched", status="405") == 1
    hist = "parceria_http_request_duration_seconds"
    assert moved(hist + "_count", **healthz) == 3
    assert moved(hist + "_bucket", le="+Inf", **healthz) == 3
    assert moved(hist + "_sum", **healthz) > 0
    buckets = sorted((float(dict(k[1])["le"]), v) for k, v in after.items()
                     if k[0] == hist + "_bucket" and dict(k[1]).get("route") == "/healthz")
    assert [v for _, v in buckets] == sorted(v for _, v in buckets), "buckets are cumulative"
    # The scrape that produced `before` was counted once it had answered.
    assert moved("parceria_http_requests_total", method="GET", route="/metrics", status="200") == 1
    assert sample(after, "parceria_db_pool_in_use") == 0


def test_metrics_name_route_templates_never_paths(api):
    api.get("/docs/docs.js")
    api.get("/docs/secret-looking-asset")
    api.get("/v1/zzz/another-secret-path")
    text = api.get("/metrics").text
    s = parse_metrics(text)
    route = {"method": "GET", "route": "/docs/{asset}"}
    assert sample(s, "parceria_http_requests_total", status="200", **route) >= 1
    assert sample(s, "parceria_http_requests_total", status="404", **route) >= 1
    assert "secret-looking" not in text and "another-secret" not in text and "docs.js" not in text


def test_metrics_on_a_separate_listener(template_db):
    name = clone_database(template_db)
    port = free_port()
    srv = Server(name, env_extra={"PARCERIA_METRICS_BIND": f"127.0.0.1:{port}"},
                 name="metrics-bind").start()
    try:
        api = Client(srv.base)
        main = api.get("/metrics")
        assert main.status_code == 404
        assert check_problem(main)["type"] == PROBLEMS + "not-found"
        healthz = {"method": "GET", "route": "/healthz", "status": "200"}
        scrape = f"http://127.0.0.1:{port}/metrics"
        before = parse_metrics(requests.get(scrape, timeout=10).text)
        api.get("/healthz")
        r = requests.get(scrape, timeout=10)
        assert r.status_code == 200
        assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        promtool_check(r.text)
        s = parse_metrics(r.text)
        moved = sample(s, "parceria_http_requests_total", **healthz) - \
            sample(before, "parceria_http_requests_total", **healthz)
        assert moved == 1
        assert sample(s, "parceria_http_requests_total", method="GET", route="/metrics",
                      status="404") == 1
        assert requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10).status_code == 404
        post = requests.post(f"http://127.0.0.1:{port}/metrics", timeout=10)
        assert post.status_code == 405 and "GET" in post.headers["Allow"]
    finally:
        rc = srv.stop()
        drop_database(name)
    assert rc == 0, srv.log_text()[-3000:]
    assert f"metrics on 127.0.0.1:{port}" in srv.log_text()


def test_metrics_bind_that_cannot_listen_stops_start_up(template_db, server):
    name = clone_database(template_db)
    try:
        taken = f"127.0.0.1:{server.port}"  # the module server holds this port
        env = dict(Server(name).env, PARCERIA_METRICS_BIND=taken)
        out = subprocess.run([BIN, "serve"], env=env, capture_output=True, text=True, timeout=30)
        assert out.returncode == 1
        assert f"cannot listen for metrics on {taken}" in out.stderr
    finally:
        drop_database(name)


def test_docs_page_and_its_assets(api):
    page = api.get("/docs")
    assert page.status_code == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    csp = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp
    # Everything the page loads is relative, so it comes from this server.
    for url in re.findall(r'(?:src|href)="([^"]*)"', page.text):
        assert not re.match(r"^[a-z]+://|^//", url), url
    types = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css",
             "docs.js": "text/javascript"}
    for asset, media in types.items():
        r = api.get(f"/docs/{asset}")
        assert r.status_code == 200, asset
        assert r.headers["Content-Type"].split(";")[0] == media
        assert len(r.content) > 100
    for other in ("openapi.yaml", "docs.html", "index.html", "..%2Fopenapi.yaml"):
        r = api.get(f"/docs/{other}")
        assert r.status_code == 404, other
        assert check_problem(r)["type"] == PROBLEMS + "not-found"


# Swagger UI's DOM: one section per tag, its operations inside once opened.
TAG_SECTIONS = """Array.from(document.querySelectorAll('.opblock-tag-section')).map(s => [
    s.querySelector('h3.opblock-tag').id, s.classList.contains('is-open'),
    Array.from(s.querySelectorAll('.opblock-summary-description')).map(e => e.textContent)])"""


def tag_id(tag):
    return "operations-tag-" + tag.replace(" ", "_")


def test_docs_page_renders_every_operation_in_chromium(server):
    """Tags start folded; a link to a tag opens it. Every tag, once opened,
    shows exactly its operations (Swagger UI wrote them from /openapi.yaml:
    the page's HTML holds no summary). One browser for the whole test."""
    by_tag = {}
    for item in SPEC["paths"].values():
        for op in item.values():
            if isinstance(op, dict) and "summary" in op:
                by_tag.setdefault(op["tags"][0], []).append(op["summary"])
    assert [t["name"] for t in SPEC["tags"]] == list(dict.fromkeys(
        t["name"] for t in SPEC["tags"])), "a tag is declared twice"
    assert set(by_tag) <= {t["name"] for t in SPEC["tags"]}, "an operation's tag is not declared"
    # The page opens at a link to one tag: that tag opens, every other stays folded.
    linked = SPEC["tags"][len(SPEC["tags"]) // 2]["name"]
    with Browser() as b:
        b.open(server.base + "/docs#/" + urllib.parse.quote(linked))
        b.wait_for(f"document.querySelectorAll('h3.opblock-tag').length >= {len(by_tag)} && "
                   f"document.querySelectorAll('.opblock-summary-description').length "
                   f">= {len(by_tag[linked])}")
        sections = {tid: (is_open, len(summaries)) for tid, is_open, summaries in b.evaluate(TAG_SECTIONS)}
        for tag in by_tag:
            want = (True, len(by_tag[tag])) if tag == linked else (False, 0)
            assert sections.get(tag_id(tag)) == want, f"tag {tag!r} rendered {sections.get(tag_id(tag))}"
        # Open each tag in turn (and fold it again: a page with every
        # operation open at once is slow to draw); each shows exactly its
        # operations.
        for tag, summaries in by_tag.items():
            section = f"document.getElementById('{tag_id(tag)}').closest('.opblock-tag-section')"
            if tag != linked:
                b.evaluate(f"document.getElementById('{tag_id(tag)}').click() || true")
            b.wait_for(f"{section}.querySelectorAll('.opblock-summary-description').length "
                       f">= {len(summaries)}")
            shown = b.evaluate(f"Array.from({section}.querySelectorAll("
                               "'.opblock-summary-description')).map(e => e.textContent)")
            assert sorted(shown) == sorted(summaries), tag
            b.evaluate(f"document.getElementById('{tag_id(tag)}').click() || true")
            b.wait_for(f"{section}.querySelectorAll('.opblock').length === 0")
    log = server.log_text()
    assert "route=/openapi.yaml status=200" in log
    assert "route=/docs/{asset} status=200" in log
