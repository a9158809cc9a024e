"""Checks every response against openapi/openapi.yaml.

Client wraps requests: each answer must be documented for its operation and
status, carry the documented media type, and its JSON body must validate
against the documented schema (OpenAPI 3.1 schemas are JSON Schema 2020-12).
Exercised operations are recorded so the session can fail on any never hit.
"""
import json
import pathlib
import re

import jsonschema
import requests
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
SPEC = yaml.safe_load((ROOT / "openapi" / "openapi.yaml").read_text())
RESOLVER = jsonschema.RefResolver.from_schema(SPEC)
PROBLEM_TYPES = set(SPEC["components"]["schemas"]["ProblemType"]["enum"])
METHODS = ("get", "put", "post", "delete", "patch", "options", "head")

_exercised = set()
# Every secret and token the run has seen: no server log may contain one.
SECRETS = set()
SECRET_FIELDS = ("client_secret", "access_key", "access_token", "secret")


def _compile(template):
    pattern = re.sub(r"\{[^/]+\}", "[^/]+", re.escape(template).replace(r"\{", "{").replace(r"\}", "}"))
    return re.compile("^" + pattern + "$")


PATHS = [(_compile(t), t) for t in SPEC["paths"]]


def operations():
    for template, item in SPEC["paths"].items():
        for m in METHODS:
            if m in item:
                yield (m.upper(), template)


def unexercised():
    return sorted(set(operations()) - _exercised)


def resolve(obj):
    while isinstance(obj, dict) and "$ref" in obj:
        _, obj = RESOLVER.resolve(obj["$ref"])
    return obj


def validate(instance, schema):
    jsonschema.Draft202012Validator(schema, resolver=RESOLVER,
                                    format_checker=jsonschema.FormatChecker()).validate(instance)


def match_path(path):
    for rx, template in PATHS:
        if rx.match(path):
            return template
    return None


def check_problem(resp):
    assert resp.headers.get("Content-Type", "").startswith("application/problem+json"), \
        f"{resp.status_code} without problem+json: {resp.headers.get('Content-Type')} {resp.text[:300]}"
    body = resp.json()
    validate(body, {"$ref": "#/components/schemas/Problem"})
    assert body["type"] in PROBLEM_TYPES
    assert body["status"] == resp.status_code
    # A replayed answer keeps the request id of the request that produced it.
    if resp.headers.get("Idempotent-Replayed") != "true":
        assert body["request_id"] == resp.headers.get("X-Request-Id")
    return body


def check(method, path, resp):
    """Validates resp against the document; raises AssertionError with both bodies."""
    assert resp.headers.get("X-Request-Id"), "every response carries X-Request-Id"
    template = match_path(path)
    if template is None:
        # The door and the prelude refuse a malformed request (400), an oversized body (413), request
        # target (414) or headers (431) before routing.
        assert resp.status_code in (400, 404, 413, 414, 431), \
            f"{method} {path}: undocumented path answered {resp.status_code}"
        check_problem(resp)
        return
    item = SPEC["paths"][template]
    if method.upper() == "HEAD" and "get" in item:
        # HEAD answers as GET without the body
        assert resp.content == b"", f"HEAD {template}: answered with a body"
        spec_resp = item["get"]["responses"].get(str(resp.status_code)) or item["get"]["responses"].get("default")
        assert spec_resp is not None, f"HEAD {template}: status {resp.status_code} is not documented"
        return
    op = item.get(method.lower())
    if op is None:
        if method.upper() == "OPTIONS":
            assert resp.status_code == 204 and "Allow" in resp.headers
            return
        # The door and the prelude refuse malformed requests and oversized bodies, targets and
        # headers before routing.
        assert resp.status_code in (400, 405, 413, 414, 431), f"{method} {template}: answered {resp.status_code}"
        assert resp.status_code != 405 or "Allow" in resp.headers
        check_problem(resp)
        return
    _exercised.add((method.upper(), template))
    responses = op["responses"]
    spec_resp = responses.get(str(resp.status_code)) or responses.get("default")
    assert spec_resp is not None, (
        f"{method} {template}: status {resp.status_code} is not documented\n{resp.text[:1000]}")
    spec_resp = resolve(spec_resp)
    content = spec_resp.get("content")
    if not content:
        assert resp.content == b"", f"{method} {template}: {resp.status_code} should have no body"
        return
    media = resp.headers.get("Content-Type", "").split(";")[0].strip()
    assert media in content, f"{method} {template}: {media} not in {list(content)}"
    schema = content[media].get("schema")
    if media.endswith("json"):
        body = resp.json()
        if isinstance(body, dict):
            SECRETS.update(body[k] for k in SECRET_FIELDS if isinstance(body.get(k), str))
        if schema is not None:
            try:
                validate(body, schema)
            except jsonschema.ValidationError as e:
                raise AssertionError(f"{method} {template} {resp.status_code}: body does not match "
                                     f"the schema: {e.message}\nbody: {json.dumps(body)[:2000]}")
        if media == "application/problem+json":
            check_problem(resp)


class Client:
    """requests with every answer checked against the document."""

    def __init__(self, base, token=None):
        self.base = base
        self.session = requests.Session()
        self.token = token

    def with_token(self, token):
        SECRETS.add(token)
        return Client(self.base, token)

    def request(self, method, path, *, json_body=None, data=None, headers=None, params=None, raw_url=None):
        h = dict(headers or {})
        if self.token and "Authorization" not in h:
            h["Authorization"] = f"Bearer {self.token}"
        url = raw_url if raw_url is not None else self.base + path
        kwargs = {"headers": h, "params": params, "timeout": 30}
        if json_body is not None and "Content-Type" not in h:
            h["Content-Type"] = "application/json"
        if json_body is not None:
            kwargs["json"] = json_body
        if data is not None:
            kwargs["data"] = data
        timeout = kwargs.pop("timeout")
        prepared = self.session.prepare_request(requests.Request(method, url, **kwargs))
        if params is None:
            prepared.url = url  # send the path and query exactly as given (no re-quoting)
        resp = self.session.send(prepared, timeout=timeout)
        check(method, path.split("?")[0], resp)
        return resp

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, json_body=body, **kw)

    def patch(self, path, body=None, **kw):
        return self.request("PATCH", path, json_body=body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def options(self, path, **kw):
        return self.request("OPTIONS", path, **kw)
