"""Property-based fuzzing of every operation in openapi/openapi.yaml.

The operations come from the document itself (paths, methods, path, query and
body descriptions, security), so endpoints added later are fuzzed without
touching this file. Each example sends one request byte for byte over a raw
socket (requests and urllib3 would re-quote the target and drop dot segments)
with any of these mutated: path parameters, the query string, Authorization,
Content-Type, a few other headers, and the body.

Every answer must come within TIMEOUT seconds, never be a 5xx (the database is
up, so a 503 is a failure too), be a 4xx unless the request could be valid, be
problem+json with a documented type (POST /v1/auth/token may answer RFC 6749
section 5.2 errors instead), carry `WWW-Authenticate: Bearer` on a 401, and
validate against the document (openapi_check.check: an undocumented status
fails). A protected operation reached through its real route without a valid
token must answer 401, whatever the body. The server must still answer
/healthz afterwards.

Most examples get one part wrong and keep the rest right (valid bodies are
drawn from the documented schema), so that each mutation reaches the code that
should refuse it. PARCERIA_FUZZ_EXAMPLES (default 2000) examples in all are
shared among the operations, 20 to 400 each. A failure prints the request and
a @reproduce_failure blob; `pytest --hypothesis-seed=N` repeats a run. Fuzzed
answers do not count as exercising an operation for the coverage check.
"""
import base64
import contextlib
import datetime
import hashlib
import hmac
import http.client
import json
import math
import os
import re
import socket
import time
import urllib.parse

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from requests.structures import CaseInsensitiveDict

import openapi_check
from conftest import JWT_SECRET, LOG_DIR
from openapi_check import METHODS, SPEC, check, check_problem, match_path, resolve, validate

TIMEOUT = 15  # seconds for one answer, generous for AddressSanitizer builds
PROBLEMS = "https://parceria.dns.pt/problems/"
TOKEN_OPERATION = ("POST", "/v1/auth/token")
OAUTH_ERRORS = {"invalid_request", "invalid_client", "invalid_grant", "unauthorized_client",
                "unsupported_grant_type", "invalid_scope"}
SAMPLE_UUID = "6f1c1a52-0d5e-4a53-9a57-6d8a4d2f7c10"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# Hypothesis caches Unicode tables even without an example database: keep them out of the checkout.
set_hypothesis_home_dir(str(LOG_DIR.parent / "hypothesis"))
SUPPRESS = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
            HealthCheck.data_too_large, HealthCheck.large_base_example]


# --- The operations, as the document describes them -------------------------------------------

def _schema_properties(schema, depth=0):
    """Property names of an object schema, through allOf/oneOf/anyOf."""
    schema = resolve(schema or {})
    if not isinstance(schema, dict) or depth > 5:
        return set()
    names = set(schema.get("properties", {}))
    for key in ("allOf", "oneOf", "anyOf"):
        for sub in schema.get(key, []):
            names |= _schema_properties(sub, depth + 1)
    return names


def _sample_value(param):
    """A value of the right shape for a path parameter (the 'clean' request)."""
    if "example" in param:
        return str(param["example"])
    schema = resolve(param.get("schema") or {})
    if schema.get("examples"):
        return str(schema["examples"][0])
    if "example" in schema:
        return str(schema["example"])
    if schema.get("enum"):
        return str(schema["enum"][0])
    if schema.get("format") == "uuid":
        return SAMPLE_UUID
    if schema.get("type") == "integer":
        low, high = schema.get("minimum", 2026), schema.get("maximum", 2026)
        return str(2026 if low <= 2026 <= high else math.ceil(low))
    return "sample"


class Operation:
    def __init__(self, method, template, item):
        op = item[method.lower()]
        self.method, self.template = method, template
        params = {}
        for p in [resolve(p) for p in item.get("parameters", []) + op.get("parameters", [])]:
            params[(p["in"], p["name"])] = p
        self.path_params = re.findall(r"\{([^}/]+)\}", template)
        path = {n: params.get(("path", n), {}) for n in self.path_params}
        self.samples = {n: _sample_value(p) for n, p in path.items()}
        self.uuid_params = {n for n, p in path.items()
                            if resolve(p.get("schema") or {}).get("format") == "uuid"}
        self.query_schemas = {n: p.get("schema") for (where, n), p in params.items() if where == "query"}
        self.query_names = sorted(self.query_schemas)
        body = resolve(op.get("requestBody")) or {}
        self.body_required = bool(body.get("required"))
        self.body_media = {k.lower(): resolve(v.get("schema")) if isinstance(v, dict) else None
                           for k, v in body.get("content", {}).items()}
        self.body_properties = sorted(set().union(*[_schema_properties(s) for s in
                                                    self.body_media.values()] or [set()]))
        security = op.get("security", SPEC.get("security", []))
        self.public = not security or any(not requirement for requirement in security)
        self.is_token = (method, template) == TOKEN_OPERATION

    @property
    def json_media(self):
        return sorted(m for m in self.body_media if m.endswith("json"))

    def path(self, values=None):
        values = values or {n: urllib.parse.quote(v, safe="") for n, v in self.samples.items()}
        return re.sub(r"\{([^}/]+)\}", lambda m: values[m.group(1)], self.template)

    def __str__(self):
        return f"{self.method} {self.template}"


OPERATIONS = [Operation(m.upper(), t, item) for t, item in SPEC["paths"].items()
              for m in METHODS if m in item]
BY_ROUTE = {(op.method, op.template): op for op in OPERATIONS}
JSON_BODY_OPERATIONS = [op for op in OPERATIONS if op.json_media]
PROTECTED_OPERATIONS = [op for op in OPERATIONS if not op.public and not op.is_token]
EXAMPLES = max(20, min(400, int(os.environ.get("PARCERIA_FUZZ_EXAMPLES", "2000")) // len(OPERATIONS)))
# CI explores the same examples every run, so a red build always means a
# change broke something; PARCERIA_FUZZ_RANDOM=1 explores new ones.
DERANDOMIZE = os.environ.get("PARCERIA_FUZZ_RANDOM", "") != "1"


# --- Sending exact bytes ---------------------------------------------------------------------

class NoAnswer(AssertionError):
    pass


def send(server, method, target, headers=(), body=None, timeout=TIMEOUT):
    """One request, exactly as given, on a fresh connection; a requests.Response back."""
    lines = [method.encode() + b" " + target + b" HTTP/1.1",
             b"Host: 127.0.0.1:%d" % server.port, b"Connection: close"]
    lines += [name.encode() + b": " + value for name, value in headers]
    if body is not None:
        lines.append(b"Content-Length: %d" % len(body))
    raw = b"\r\n".join(lines) + b"\r\n\r\n" + (body or b"")
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as sock:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                sock.sendall(raw)  # the server may answer (413) before reading it all
            answer = http.client.HTTPResponse(sock, method=method)
            answer.begin()
            content = answer.read()
    except (TimeoutError, socket.timeout):
        raise NoAnswer(f"no answer within {timeout} s") from None
    except (http.client.HTTPException, ConnectionError) as e:
        alive = server.proc is not None and server.proc.poll() is None
        raise NoAnswer(f"connection ended without an answer ({e!r}); server "
                       f"{'alive' if alive else 'DEAD'}:\n{server.log_text()[-3000:]}") from None
    resp = requests.Response()
    resp.status_code, resp.reason = answer.status, answer.reason
    resp.headers = CaseInsensitiveDict(answer.getheaders())
    resp._content, resp.encoding = content, "utf-8"
    resp.url = server.base + target.decode("latin-1")
    return resp


@contextlib.contextmanager
def not_counted():
    """Fuzzing is no test of an operation: keep the coverage record as it was."""
    before = set(openapi_check._exercised)
    try:
        yield
    finally:
        openapi_check._exercised.intersection_update(before)


def assert_alive(server):
    assert server.proc is not None and server.proc.poll() is None, \
        "the server died:\n" + server.log_text()[-4000:]
    r = requests.get(server.base + "/healthz", timeout=TIMEOUT)
    assert r.status_code == 200, r.text


# --- What the server must accept -------------------------------------------------------------

def strict_decode(s):
    """Percent-decoding as API.md asks of a query or path: None when malformed."""
    out, i = bytearray(), 0
    while i < len(s):
        c = s[i]
        if c == "%":
            h = s[i + 1:i + 3]
            if len(h) < 2 or not all(x in "0123456789abcdefABCDEF" for x in h):
                return None
            out.append(int(h, 16))
            i += 3
            continue
        out += b" " if c == "+" else c.encode()
        i += 1
    try:
        text = out.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return None if "\x00" in text else text


def query_routable(op, raw):
    """True when the query could pass the router: well encoded, keys documented, none repeated."""
    if not raw:
        return True
    seen = set()
    for part in raw.split("&"):
        if not part:
            continue
        key, _, value = part.partition("=")
        key, value = strict_decode(key), strict_decode(value)
        if key is None or value is None or key in seen or key not in op.query_names:
            return False
        seen.add(key)
    return True


def _reject(_):
    raise ValueError


def _finite(text):
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _int64(text):
    value = int(text)
    if not -2**63 <= value < 2**63:
        raise ValueError(text)
    return value


def _no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate key")
    return dict(pairs)


def strict_json(body):
    """The body as strict JSON (no duplicate keys, NUL, lone surrogates, NaN, overflowing
    numbers), or raises ValueError."""
    try:
        value = json.loads(body.decode("utf-8"), object_pairs_hook=_no_duplicates,
                           parse_float=_finite, parse_int=_int64, parse_constant=_reject)
    except (UnicodeDecodeError, RecursionError) as e:
        raise ValueError(e) from None
    text = json.dumps(value, ensure_ascii=False)
    if "\x00" in text:
        raise ValueError("NUL")
    text.encode("utf-8")  # lone surrogates raise UnicodeEncodeError, a ValueError
    return value


def media_type(content_type):
    if content_type is None:
        return None
    value = content_type.split("\x00")[0]  # what a C server sees of a header with a NUL
    return value.split(";")[0].strip(" \t").lower()


def body_may_be_valid(op, content_type, body):
    if not op.body_media:
        return True  # a body the operation does not take is ignored or refused: both fine
    if not body:
        return not op.body_required
    media = media_type(content_type)
    if media not in op.body_media:
        return False
    if not media.endswith("json"):
        return True
    try:
        value = strict_json(body)
    except ValueError:
        return False
    schema = op.body_media[media]
    if schema is None:
        return True
    try:
        validate(value, schema)
    except Exception:  # jsonschema.ValidationError, or a schema it cannot follow
        return False
    return True


# --- Strategies ------------------------------------------------------------------------------

def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def enc(text):
    return urllib.parse.quote(text, safe="")


header_text = st.text(st.characters(max_codepoint=0x2FF, blacklist_characters="\r\n"), max_size=60)
ascii_text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7e), max_size=20)
json_scalars = (st.none() | st.booleans() | st.integers() | st.text(max_size=20)
                | st.floats(allow_nan=False, allow_infinity=False))
json_values = st.recursive(json_scalars, lambda c: st.lists(c, max_size=4)
                           | st.dictionaries(st.text(max_size=8), c, max_size=4), max_leaves=12)

HUGE_NUMBERS = ["1e400", "-1e400", "1e-400", str(2**70), str(-2**70), str(2**63), str(-2**63 - 1),
                "123456789012345678901234567890.5", "0e99999999999", "1E+2147483648", "-0", "00",
                "01", "1.", ".5", "+1", "0x10", "NaN", "Infinity", "-Infinity", "1_000"]
INVALID_UTF8 = [b"\xff", b"\xfe\xff", b"\x80", b"\xc0\xaf", b"\xe0\x80\xaf", b"\xed\xa0\x80",
                b"\xf4\x90\x80\x80", b"\xc3", b"\xe2\x82", b"\xf8\x88\x80\x80\x80"]
CLASSIC_BODIES = [b"", b" ", b"null", b"true", b"0", b'""', b"[]", b"{}", b"{", b"}", b"[", b'{"',
                  b'{"a"', b'{"a":', b'{"a":1', b'{"a":1,}', b"{'a':1}", b'{"a":1}x', b'{"a":1}{}',
                  b"\xef\xbb\xbf{}", b"\x00", b"{}\x00", b'{"a":"\\u0000"}', b'{"a\\u0000b":1}',
                  b'{"a":"x\x00y"}', b'{"a":"\\ud800"}', b'{"a":"\\udc00\\ud800"}', b'{"a":"\t"}',
                  b'{"a":1,"a":2}', b'{"a":{"b":1,"b":1}}', b"a=1&b=2", b"grant_type=client_credentials",
                  b"\r\n\r\n", b"[" * 10000, b"{\"a\":" * 10000, b"[" * 10000 + b"]" * 10000]
CONTENT_TYPES = ["application/json", "application/json; charset=utf-8", "APPLICATION/JSON",
                 "application/json;charset=latin1", "application/json garbage", "application/json\x00",
                 "application/merge-patch+json", "application/x-www-form-urlencoded", "text/plain",
                 "application/xml", "multipart/form-data; boundary=x", "application/jsonx",
                 "application/json-patch+json", "application/problem+json", "application/", "/",
                 "", ";", "*/*", "json", "application/json;;;;", "application/json; charset"]
SPECIAL_SEGMENTS = ["..", ".", "%2e%2e", "%2E", "%2F", "%2f", "a%2Fb", "%5C", "..%2F..%2Fetc%2Fpasswd",
                    "%00", "a%00b", "%ff", "%c3", "%C0%AF", "%ED%A0%80", "%", "%zz", "%%", "%4", "~",
                    "-", "0", "-1", "00000000-0000-0000-0000-000000000000", "99999999999999999999",
                    "1e3", "+1", "0x10", "%20", "%09", "null", "true", "*", ";", ",", "a;b", "a,b",
                    "me", "%27%20OR%201%3D1--", "%22", "%3Cscript%3E", "%3F", "%23", "%E2%80%AE"]
REROUTING_SEGMENTS = ["a/b", "", "x/", "../x", "./"]
BAD_QUERIES = ["a=%zz", "a=%", "%", "a=%f", "a=%ff%fe", "%c3=1", "a=%00", "%00=1", "a=%C0%AF",
               "a=%ED%A0%80", "a=%F4%90%80%80", "=1", "=", "&&&", "a&a", "a=1&a=1", "limit=1&limit=2",
               "limit=%00", "limit=1%00", "limit=1e400", "limit=" + str(2**70), "limit=-1",
               "limit=0x10", "cursor=%00", "sort=%00", "id=" + SAMPLE_UUID, "q=%FF"]
QUERY_WORDS = ["id", "limit", "cursor", "sort", "q", "status", "include_total", "updated_since", "code",
               "year", "registrar_id", "program", "client_id", "access_token"]


@st.composite
def jwt_tokens(draw):
    header = draw(st.sampled_from([{"alg": "none", "typ": "JWT"}, {"alg": "HS256", "typ": "JWT"},
                                   {"alg": "RS256"}, {"alg": "ES256"}, {"alg": "HS512"}, {},
                                   {"alg": None}, {"alg": "hs256"}, {"alg": "HS256", "kid": "../../x"}]))
    claims = draw(st.fixed_dictionaries({}, optional={
        "iss": json_values, "aud": json_values, "sub": json_values, "jti": json_values,
        "exp": st.integers() | st.floats() | st.text(max_size=5) | st.just(10**30),
        "iat": st.integers(), "nbf": st.integers(),
        "role": st.sampled_from(["admin", "staff", "registrar", "applicant", "teacher", "root"])
        | json_values,
        "registrar_id": st.just(SAMPLE_UUID) | json_values}))
    token = ".".join([b64url(json.dumps(header).encode()), b64url(json.dumps(claims).encode()),
                      b64url(draw(st.binary(max_size=64)))])
    if draw(st.booleans()):
        token = token[:draw(st.integers(0, len(token)))]
    return token


CRAFTED_TOKENS = ["none", "none-signed", "expired", "not-yet", "role", "hs512", "no-exp"]


def crafted_token(kind):
    """Admin-looking tokens, some signed with the server's own secret, all invalid: alg none,
    expired, not yet valid, an unknown role, another algorithm, no expiry."""
    now = int(time.time())
    claims = {"iss": "parceria", "aud": "parceria", "sub": "fuzz", "jti": "fuzz", "iat": now,
              "exp": now + 600, "role": "admin"}
    alg = {"none": "none", "none-signed": "none", "hs512": "HS512"}.get(kind, "HS256")
    if kind == "expired":
        claims["exp"] = now - 3600
    elif kind == "not-yet":
        claims["nbf"] = now + 3600
    elif kind == "role":
        claims["role"] = "root"
    elif kind == "no-exp":
        del claims["exp"]
    head = b64url(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    body = b64url(json.dumps(claims).encode())
    if kind == "none":
        return f"{head}.{body}."
    digest = hashlib.sha512 if alg == "HS512" else hashlib.sha256
    sig = hmac.new(JWT_SECRET.encode(), f"{head}.{body}".encode(), digest).digest()
    return f"{head}.{body}.{b64url(sig)}"


authorizations = st.one_of(
    header_text,
    header_text.map(lambda s: "Bearer " + s),
    st.sampled_from(["Bearer", "Bearer ", "Bearer  x", "bearer x", "BEARER x", "Basic", "Basic !!!",
                     "Basic " + base64.b64encode(b"a:b").decode(), "Basic " + base64.b64encode(b"x").decode(),
                     "Basic " + base64.b64encode(b":").decode(), "Digest x", "Bearer a.b", "Bearer a.b.c",
                     "Bearer ..", "Bearer " + "a" * 4000, "Bearer \x00", "Bearer eyJ", "Bearer x, Bearer y"]),
    st.binary(max_size=48).map(lambda b: "Basic " + base64.b64encode(b).decode()),
    jwt_tokens().map(lambda t: "Bearer " + t),
    st.sampled_from(CRAFTED_TOKENS).map(lambda k: "Bearer " + crafted_token(k)),
)
content_types = st.none() | st.sampled_from(CONTENT_TYPES) | header_text
extra_headers = st.lists(st.tuples(
    st.sampled_from(["Accept-Language", "X-Request-Id", "Idempotency-Key", "If-Match", "Accept",
                     "X-Forwarded-For", "Origin", "Authorization", "Transfer-Encoding-X", "Expect-X"]),
    header_text | st.sampled_from(["pt;q=nan, en;q=1e999", "pt-PT;q=-1,,;;q=", "*", "\x00", "a" * 1000,
                                   "1.2.3.4, ::1, garbage", "W/\"x\"", "\"*\""])), max_size=3)


FORMATS = {
    "uuid": st.uuids().map(str),
    "date-time": st.datetimes(datetime.datetime(2000, 1, 1), datetime.datetime(2100, 1, 1)).map(
        lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ")),
    "date": st.dates(datetime.date(2000, 1, 1), datetime.date(2100, 1, 1)).map(str),
    "email": st.from_regex(r"[a-z0-9._-]{1,12}@[a-z0-9-]{1,12}\.pt", fullmatch=True),
    "uri": st.from_regex(r"https://[a-z0-9-]{1,12}\.pt/[a-z0-9/]{0,12}", fullmatch=True),
}


def _merge_all_of(schema):
    merged = {k: v for k, v in schema.items() if k != "allOf"}
    for sub in map(resolve, schema["allOf"]):
        sub = _merge_all_of(sub) if "allOf" in sub else sub
        merged.setdefault("properties", {}).update(sub.get("properties", {}))
        merged["required"] = sorted(set(merged.get("required", [])) | set(sub.get("required", [])))
        merged.update({k: v for k, v in sub.items() if k not in ("properties", "required")})
    return merged


def from_schema(schema, depth=0):
    """Values valid for a JSON Schema, roughly (enough to get past validation to the handler)."""
    schema = resolve(schema or {})
    if not isinstance(schema, dict) or depth > 5:
        return st.none()
    if "allOf" in schema:
        return from_schema(_merge_all_of(schema), depth + 1)
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    for key in ("oneOf", "anyOf"):
        if schema.get(key):
            return st.one_of([from_schema(sub, depth + 1) for sub in schema[key]])
    kind = schema.get("type") or ("object" if "properties" in schema else "array" if "items" in schema
                                  else None)
    if isinstance(kind, list):
        return st.one_of([from_schema(dict(schema, type=k), depth) for k in kind])
    if kind == "string":
        if schema.get("format") in FORMATS:
            return FORMATS[schema["format"]]
        if schema.get("pattern"):
            with contextlib.suppress(re.error):  # an ECMA-only pattern: plain text instead
                return st.from_regex(re.compile(schema["pattern"]), fullmatch=True)
        low = schema.get("minLength", 0)
        return st.text(min_size=low, max_size=max(low, min(schema.get("maxLength", 30), 200)))
    if kind in ("integer", "number"):
        low, high = schema.get("minimum"), schema.get("maximum")
        if kind == "integer":
            low = math.ceil(low) if low is not None else None
            high = math.floor(high) if high is not None else None
            if "exclusiveMinimum" in schema:
                low = math.floor(schema["exclusiveMinimum"]) + 1
            if "exclusiveMaximum" in schema:
                high = math.ceil(schema["exclusiveMaximum"]) - 1
            return st.integers(low, high)
        return st.floats(low, high, allow_nan=False, allow_infinity=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "array":
        low = schema.get("minItems", 0)
        return st.lists(from_schema(schema.get("items"), depth + 1), min_size=low,
                        max_size=max(low, min(schema.get("maxItems", 3), 5)))
    if kind == "object":
        props, required = schema.get("properties", {}), set(schema.get("required", []))
        return st.fixed_dictionaries(
            {k: from_schema(v, depth + 1) for k, v in props.items() if k in required},
            optional={k: from_schema(v, depth + 1) for k, v in props.items() if k not in required})
    return json_values


def valid_bodies(op):
    """Values valid for the operation's JSON body schema, roughly; nothing when it has none."""
    if op.json_media and op.body_media[op.json_media[0]] is not None:
        return from_schema(op.body_media[op.json_media[0]])
    return st.nothing()


def body_strategy(op):
    keys = st.text(max_size=12)
    if op.body_properties:
        keys = st.sampled_from(op.body_properties) | keys
    objects = st.dictionaries(keys, json_values | st.integers(-3, 300) | ascii_text, max_size=6)
    dumped = st.one_of(objects, json_values).map(lambda v: json.dumps(v).encode())

    @st.composite
    def truncated(draw):
        text = draw(dumped)
        return text[:draw(st.integers(0, max(0, len(text) - 1)))]

    @st.composite
    def huge_number(draw):
        key, number = json.dumps(draw(keys)), draw(st.sampled_from(HUGE_NUMBERS))
        return draw(st.sampled_from(["{%s:%s}" % (key, number), "[%s]" % number, number])).encode()

    @st.composite
    def with_nul(draw):
        key, text = json.dumps(draw(keys)), draw(st.text(max_size=8))
        raw = draw(st.sampled_from(['{%s:"%s\\u0000"}', '{%s:"%s\x00"}', '{%s:1}\x00%s', '\x00{%s:"%s"}']))
        return (raw % (key, json.dumps(text)[1:-1])).encode()

    @st.composite
    def invalid_utf8(draw):
        key, bad = json.dumps(draw(keys)).encode(), draw(st.sampled_from(INVALID_UTF8))
        return draw(st.sampled_from([b'{%s:"%s"}' % (key, bad), b'{"%s":1}' % bad, bad + b"{}",
                                     b'{%s:"a%sb"}' % (key, bad)]))

    @st.composite
    def duplicated(draw):
        key, a, b = json.dumps(draw(keys)), json.dumps(draw(json_values)), json.dumps(draw(json_values))
        return ("{%s:%s,%s:%s}" % (key, a, key, b)).encode()

    deep = st.tuples(st.sampled_from(["[", '{"a":', '{"%s":' % (op.body_properties or ["a"])[0]]),
                     st.sampled_from([100, 1000, 3000, 10000, 100000])).map(lambda t: (t[0] * t[1]).encode())
    valid = valid_bodies(op)

    @st.composite
    def nearly_valid(draw):
        # Valid but for one member: the handler's own checks and the store behind them.
        value = draw(valid)
        if isinstance(value, dict):
            action = draw(st.sampled_from(["replace", "drop", "add"]))
            if value and action != "add":
                key = draw(st.sampled_from(sorted(value)))
                if action == "drop":
                    del value[key]
                else:
                    value[key] = draw(json_values | ascii_text | st.integers()
                                      | st.text(min_size=300, max_size=3000))
            else:
                value[draw(keys)] = draw(json_values)
        return json.dumps(value, ensure_ascii=draw(st.booleans())).encode()

    form = st.dictionaries(st.sampled_from(["grant_type", "client_id", "client_secret", "scope"])
                           | st.text(max_size=8), st.text(max_size=20), max_size=4).map(
        lambda d: urllib.parse.urlencode(d).encode())
    families = [st.none(), dumped, objects.map(lambda v: json.dumps(v, ensure_ascii=False).encode()),
                truncated(), huge_number(), with_nul(), invalid_utf8(), duplicated(), deep,
                st.binary(max_size=512), st.sampled_from(CLASSIC_BODIES), form]
    if not valid.is_empty:
        # Valid and nearly valid bodies get past the parser to validation and the handler behind it.
        families += [valid.map(lambda v: json.dumps(v).encode())] * 3 + [nearly_valid()] * 4
    return st.one_of(families)


def path_value_strategy():
    uuid_like = st.uuids().flatmap(lambda u: st.sampled_from([
        str(u), str(u).upper(), u.hex, "{%s}" % u, "urn:uuid:%s" % u, str(u)[:35], str(u) + "0",
        str(u) + "%00", str(u) + "%20", str(u) + ",x", str(u) + "%2C" + SAMPLE_UUID, " " + str(u),
        str(u).replace("-", "_")])).map(lambda s: enc(s).replace("%25", "%"))
    return st.one_of(
        st.sampled_from(SPECIAL_SEGMENTS),
        uuid_like,
        st.text(min_size=1, max_size=40).map(enc),
        st.binary(min_size=1, max_size=20).map(lambda b: urllib.parse.quote_from_bytes(b, safe="")),
        st.integers(300, 2000).map(lambda n: "a" * n),
        st.sampled_from(REROUTING_SEGMENTS),
    )


def _query_text(value):
    return json.dumps(value) if isinstance(value, bool) else str(value)


def query_strategy(op):
    keys = st.sampled_from(sorted(set(op.path_params + QUERY_WORDS))) | st.text(max_size=10)
    if op.query_names:
        keys = st.sampled_from(op.query_names) | keys
    values = st.text(max_size=20) | ascii_text | st.sampled_from(
        ["", "1", "0", "-1", "200", "201", "true", "TRUE", "1e400", str(2**70), "null", "-created_at",
         "x,,y", ",", "2026-13-01T00:00:00Z", "2026-02-31T00:00:00Z", "0000-01-01T00:00:00Z",
         "2026-10-14T24:00:00Z", "2026-10-14T09:00:00+01:00", "eyJ", "W10", "WzAsbnVsbCwiIl0"])
    pair = st.tuples(keys, values).map(lambda kv: f"{enc(kv[0])}={enc(kv[1])}")
    families = [
        st.just(""),
        st.lists(pair, min_size=1, max_size=5).map("&".join),
        st.tuples(keys, values, values).map(lambda t: f"{enc(t[0])}={enc(t[1])}&{enc(t[0])}={enc(t[2])}"),
        st.sampled_from(BAD_QUERIES),
        st.text(alphabet="abcXYZ019%+=&-._~!$'()*,;:@/?", max_size=30),
        st.integers(20, 40).map(lambda n: "&".join(f"k{i}=1" for i in range(n))),
        st.integers(1000, 4000).map(lambda n: "q=" + "a" * n),
    ]
    if op.query_names:
        # Documented keys, once each, with valid or bad values: what reaches the handler.
        value_of = {n: from_schema(schema).map(_query_text) | values
                    for n, schema in op.query_schemas.items()}
        documented = st.lists(st.sampled_from(op.query_names), min_size=1, max_size=4, unique=True).flatmap(
            lambda names: st.tuples(*[value_of[n].map(lambda v, n=n: f"{enc(n)}={enc(v)}") for n in names]))
        families += [documented.map("&".join)] * 4
    return st.one_of(families)


DEFAULT_BODY_LIMIT = 1024 * 1024  # PARCERIA_MAX_BODY_BYTES of the test servers


class Case:
    """One generated request and what may be answered to it."""

    def __init__(self, op, path, query, headers, body, path_clean):
        self.op, self.path, self.query, self.headers, self.body = op, path, query, headers, body
        self.target = (path + ("" if query is None else "?" + query)).encode()
        template = match_path(path)
        self.rerouted = template != op.template  # a mutated path reached another route, or none
        # The prelude answers 413 to an oversized body before any route runs.
        self.routed = (path_clean and query_routable(op, query)
                       and (body is None or len(body) <= DEFAULT_BODY_LIMIT))
        content_type = next((v.decode("latin-1") for n, v in headers if n == "Content-Type"), None)
        self.may_succeed = (op.public and not op.is_token and self.routed
                            and body_may_be_valid(op, content_type, body))

    def __repr__(self):
        body = None if self.body is None else (self.body[:300] + (b"..." if len(self.body) > 300 else b""))
        target = self.target[:300] + (b"..." if len(self.target) > 300 else b"")
        headers = [(n, v[:200]) for n, v in self.headers]
        return f"Case({self.op.method} {target!r} headers={headers!r} body={body!r})"


FOCUS = ("path", "query", "authorization", "content-type", "body", "headers", "everything")


def cases(op):
    path_values, queries, bodies = path_value_strategy(), query_strategy(op), body_strategy(op)
    clean_type = (op.json_media or sorted(op.body_media) or [None])[0]
    clean_bodies = st.just(None)
    if clean_type and clean_type.endswith("json"):
        clean_bodies = valid_bodies(op).map(lambda v: json.dumps(v).encode()) | st.just(b"{}")

    @st.composite
    def build(draw):
        # Mostly one part wrong at a time, so that each mutation meets a request that is
        # otherwise right (and reaches the handler, or the 401 of a protected route).
        focus = draw(st.sampled_from(FOCUS))
        wild = {part: focus in (part, "everything") for part in FOCUS}
        values = {n: enc(v) for n, v in op.samples.items()}
        if wild["path"] and op.path_params:
            first = draw(st.sampled_from(op.path_params))
            for name in op.path_params:
                values[name] = draw(path_values if name == first else st.just(values[name]) | path_values)
        # Another well-formed UUID is as right as the sample: an unknown object, not bad input.
        clean = all(v == enc(op.samples[n]) or (n in op.uuid_params and UUID.fullmatch(v))
                    for n, v in values.items())
        query = draw(queries) if wild["query"] else None
        if (wild["path"] or wild["query"]) and draw(st.booleans()):
            # A query key named like a path parameter (ulfius merges it into the path value).
            name = draw(st.sampled_from(op.path_params or ["id"]))
            shadow = f"{enc(name)}={draw(st.uuids())}"
            query = shadow if not query else query + "&" + shadow
        headers = []
        content_type = draw(content_types) if wild["content-type"] else clean_type
        if content_type is not None:
            headers.append(("Content-Type", content_type))
        if wild["authorization"]:
            headers.append(("Authorization", draw(authorizations)))
        if wild["headers"]:
            headers += draw(extra_headers)
        headers = [(n, v.encode("utf-8" if max(v, default=" ") > "\xff" else "latin-1")) for n, v in headers]
        body = draw(bodies if wild["body"] else clean_bodies)
        return Case(op, op.path(values), query, headers, body, clean)
    return build()


# --- Judging an answer -----------------------------------------------------------------------

def check_oauth_error(resp):
    media = resp.headers.get("Content-Type", "").split(";")[0].strip()
    if media == "application/problem+json":
        return check_problem(resp)  # the prelude's 413, and errors before the route
    assert media == "application/json", f"{resp.status_code} from the token endpoint as {media!r}"
    body = resp.json()
    assert body.get("error") in OAUTH_ERRORS, f"not an RFC 6749 error: {body}"
    assert isinstance(body.get("error_description", ""), str), body
    return body


def judge(case, resp):
    status, op = resp.status_code, case.op
    assert status < 500, f"{status} for {case!r}\n{resp.text[:1000]}"
    if case.rerouted:  # a mutated path parameter reached another route: its rules, roughly
        other = BY_ROUTE.get((op.method, match_path(case.path)))
        allowed = other is not None and other.public and not other.is_token
    elif not op.public and not op.is_token and case.routed:
        assert status == 401, f"{status}, not 401, without a valid token\n{resp.text[:1000]}"
        allowed = False
    else:
        allowed = case.may_succeed
    assert 400 <= status < 500 or (allowed and 200 <= status < 300), \
        f"{status} for an invalid request\n{resp.text[:1000]}"
    if 400 <= status:
        if op.is_token and not case.rerouted:
            check_oauth_error(resp)
        else:
            check_problem(resp)
            if status == 401:
                assert resp.headers.get("WWW-Authenticate", "").startswith("Bearer"), \
                    "a 401 carries WWW-Authenticate: Bearer"
    check(op.method, case.path, resp)


# --- The fuzzing -----------------------------------------------------------------------------

@pytest.mark.parametrize("op", OPERATIONS, ids=str)
def test_bad_input_never_breaks_an_operation(server, op):
    stuck = []  # once the server stops answering, fail at once: shrinking against it would take ages

    def no_answer():
        raise NoAnswer(stuck[0])

    @settings(max_examples=EXAMPLES, deadline=None, database=None, print_blob=True,
              derandomize=DERANDOMIZE, suppress_health_check=SUPPRESS)
    @given(case=cases(op))
    def fuzz(case):
        if stuck:
            no_answer()
        try:
            resp = send(server, case.op.method, case.target, case.headers, case.body)
        except NoAnswer as e:
            stuck.append(f"{e}\nfirst for {case!r}\n(the falsifying example below stands in for it)")
            no_answer()
        judge(case, resp)

    with not_counted():
        fuzz()
    assert_alive(server)


# --- Deterministic regressions ---------------------------------------------------------------

def _max_body(server):
    return int(server.env.get("PARCERIA_MAX_BODY_BYTES", str(1024 * 1024)))


def _json_headers(op):
    return [("Content-Type", (op.json_media or ["application/json"])[0].encode())]


@pytest.mark.parametrize("op", OPERATIONS, ids=str)
def test_body_over_the_limit_is_413(server, op):
    body = b"[" * (_max_body(server) + 1)
    with not_counted():
        resp = send(server, op.method, op.path().encode(), _json_headers(op), body)
        assert resp.status_code == 413, resp.text[:500]
        assert check_problem(resp)["type"] == PROBLEMS + "payload-too-large"
        check(op.method, op.path(), resp)


def test_a_much_larger_body_is_413_too(server):
    op = (JSON_BODY_OPERATIONS or OPERATIONS)[0]
    resp = send(server, op.method, op.path().encode(), _json_headers(op), b" " * (16 * _max_body(server)))
    assert resp.status_code == 413, resp.text[:500]
    assert check_problem(resp)["type"] == PROBLEMS + "payload-too-large"
    assert_alive(server)


@pytest.mark.parametrize("kind", CRAFTED_TOKENS + ["garbage", "basic", "empty"])
@pytest.mark.parametrize("op", PROTECTED_OPERATIONS, ids=str)
def test_invalid_tokens_are_401(server, op, kind):
    authorization = {"garbage": "Bearer garbage", "basic": "Basic " + base64.b64encode(b"a:b").decode(),
                     "empty": "Bearer "}.get(kind) or "Bearer " + crafted_token(kind)
    headers = [("Authorization", authorization.encode())] + (_json_headers(op) if op.body_media else [])
    body = b"{}" if op.body_media else None
    with not_counted():
        resp = send(server, op.method, op.path().encode(), headers, body)
        assert resp.status_code == 401, f"{kind}: {resp.status_code}\n{resp.text[:500]}"
        judge(Case(op, op.path(), None, headers, body, True), resp)


def _expect_malformed(server, op, body, statuses):
    """A malformed body on a body-taking operation: 401 first where a token is needed."""
    if not op.public and not op.is_token:
        statuses = {401}
    elif op.is_token:
        statuses = {400}
    elif op.path_params:
        statuses = set(statuses) | {404}  # the resource may be looked up first
    with not_counted():
        resp = send(server, op.method, op.path().encode(), _json_headers(op), body)
        assert resp.status_code in statuses, f"{resp.status_code} for {body[:80]!r}\n{resp.text[:500]}"
        judge(Case(op, op.path(), None, _json_headers(op), body, True), resp)
    return resp


@pytest.mark.parametrize("op", JSON_BODY_OPERATIONS, ids=str)
def test_duplicate_keys_are_refused(server, op):
    key = json.dumps((op.body_properties or ["a"])[0])
    for body in (b'{"a":1,"a":2}', ("{%s:\"x\",%s:\"y\"}" % (key, key)).encode()):
        _expect_malformed(server, op, body, {400, 422})


DEEP_BALANCED = b'{"a":' + b"[" * 10000 + b"]" * 10000 + b"}"  # well-formed, deeper than jansson goes (2048)


@pytest.mark.parametrize("op", JSON_BODY_OPERATIONS, ids=str)
@pytest.mark.parametrize("body", [b"[" * 10000, b'{"a":' * 10000, DEEP_BALANCED],
                         ids=["arrays", "objects", "balanced"])
def test_deep_nesting_is_400(server, op, body):
    _expect_malformed(server, op, body, {400} if not body.endswith(b"}") else {400, 422})


@pytest.mark.parametrize("op", JSON_BODY_OPERATIONS, ids=str)
@pytest.mark.parametrize("content_type", [None, "text/plain", "application/jsonx",
                                          "application/json garbage"])
def test_body_in_another_media_type_is_415(server, op, content_type):
    headers = [] if content_type is None else [("Content-Type", content_type.encode())]
    if op.public and not op.is_token and media_type(content_type) in op.body_media:
        pytest.skip(f"{op} takes {content_type}")
    with not_counted():
        resp = send(server, op.method, op.path().encode(), headers, b"{}")
        expected = ({401} if not op.public and not op.is_token else {400, 401, 415} if op.is_token
                    else {415, 404} if op.path_params else {415})
        assert resp.status_code in expected, resp.text[:500]
        judge(Case(op, op.path(), None, headers, b"{}", True), resp)


PROTOCOL_GARBAGE = {
    "nul-in-target": b"GET /healthz\x00/x HTTP/1.1\r\nHost: x\r\n\r\n",
    "nul-in-headers": b"GET /healthz HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \x00\xff\r\n"
                      b"X-Request-Id: \x00\r\n\r\n",
    "long-target": b"GET /healthz?" + b"a" * 40000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    "long-header": b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: " + b"b" * 40000 + b"\r\n\r\n",
    "many-headers": b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"X-H: 1\r\n" * 500 + b"\r\n",
    "negative-length": b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
    "huge-length": b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n",
    "two-lengths": b"POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 5\r\n"
                   b"\r\n[[[[[",
    "bad-chunks": b"POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                  b"zz\r\n[[[\r\n0\r\n\r\n",
    "short-body": b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"a\":",
    "no-version": b"GET /healthz\r\n\r\n",
    "binary": b"\x00\x01\x02\xff garbage\r\n\r\n",
    "absolute-form": b"GET http://evil.example/healthz HTTP/1.1\r\nHost: x\r\n\r\n",
    "asterisk": b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
    "http-9.9": b"GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n",
}


@pytest.mark.parametrize("name", PROTOCOL_GARBAGE)
def test_protocol_garbage_never_breaks_the_server(server, name):
    """libmicrohttpd refuses some of these itself (not problem+json, as API.md allows), keeps
    a connection waiting for the rest of a short body until its own timeout, or closes it.
    Never a 5xx but 505 for an unknown HTTP version, and the server lives on."""
    raw = PROTOCOL_GARBAGE[name]
    with socket.create_connection(("127.0.0.1", server.port), timeout=2) as sock:
        with contextlib.suppress(OSError):
            sock.sendall(raw)
            sock.shutdown(socket.SHUT_WR)
        first = b""
        with contextlib.suppress(OSError):
            first = sock.recv(64)
    if first.startswith(b"HTTP/"):
        status = int(first.split(b" ", 2)[1])
        assert status < 500 or (status == 505 and name == "http-9.9"), first
    assert_alive(server)


def test_server_is_alive_after_the_fuzzing(server):
    assert_alive(server)
