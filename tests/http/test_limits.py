"""The document states the limits the service enforces: read from
openapi/openapi.yaml, each string `maxLength` and array `maxItems` of a
request body is sampled against the real service (exactly the limit is
accepted, one more is refused with 422 at its pointer), and so are the
query parameters' bounds (400 naming the parameter)."""
import copy
import itertools

import pytest

from accreditation import nif
from identity import make_registrar, mint
from openapi_check import SPEC, resolve

APPS = "/v1/accreditation-applications"


def operation(operation_id):
    for template, item in SPEC["paths"].items():
        for method, op in item.items():
            if isinstance(op, dict) and op.get("operationId") == operation_id:
                return template, method, op
    raise KeyError(operation_id)


def body_of(operation_id):
    """The request body's schema and example of an operation."""
    media = operation(operation_id)[2]["requestBody"]["content"]["application/json"]
    return resolve(media["schema"]), copy.deepcopy(media.get("example", {}))


def flatten(schema):
    """The schema with allOf members merged in (the document's bodies use allOf only to add)."""
    schema = resolve(schema)
    if "allOf" not in schema:
        return schema
    out = {k: v for k, v in schema.items() if k != "allOf"}
    for part in schema["allOf"]:
        part = flatten(part)
        if "properties" in part:
            out.setdefault("properties", {}).update(part["properties"])
    return out


def limits(schema, example, path=()):
    """(path, schema) of every string with maxLength and array with maxItems the
    example reaches (an array's items are sampled through its first item)."""
    schema = flatten(schema)
    types = schema.get("type")
    types = types if isinstance(types, list) else [types]
    if "object" in types or "properties" in schema:
        for name, sub in schema.get("properties", {}).items():
            if isinstance(example, dict) and name in example:
                yield from limits(sub, example[name], path + (name,))
    elif "array" in types:
        if "maxItems" in schema:
            yield path, schema
        if isinstance(example, list) and example:
            yield from limits(schema["items"], example[0], path + (0,))
    elif "string" in types and "maxLength" in schema:
        yield path, schema


def email_of(n):
    """A valid address of exactly n characters: a 64-character local part and
    a domain of 63-character labels ending in .pt."""
    domain_len = n - 65
    labels, left = [], domain_len - 3
    while left > 0:
        take = min(63, left)
        labels.append("d" * take)
        left -= take + 1
    domain = ".".join(labels) + ".pt"
    if len(domain) != domain_len:  # a dot too many: lengthen the first label back
        domain = "d" + domain
    return "a" * 64 + "@" + domain


def string_of(schema, n, index=0):
    """A value of exactly n characters that is otherwise valid for schema, or
    None when the document's rule is too specific to build one generically."""
    fmt, pattern = schema.get("format"), schema.get("pattern")
    if fmt == "email":
        return email_of(n)
    if fmt == "uri":
        base = "https://example.pt/"
        return base + "p" * (n - len(base))
    if pattern == r"^\+[1-9][0-9]{7,14}$":
        return "+3" + "5" * (n - 2)
    if pattern == "^[a-z0-9][a-z0-9-]{1,39}$":  # ProgramCode
        return (f"p{index}" + "x" * n)[:n]
    if fmt is None and pattern is None and "enum" not in schema:
        return "ç" * n  # text: counted in characters, not bytes
    return None


def items_of(example_items, n):
    out = []
    for i in range(n):
        item = copy.deepcopy(example_items[i % len(example_items)])
        if isinstance(item, str):  # program codes and the like: keep them distinct
            item = f"p{i}-{item}"[:40]
        out.append(item)
    return out


def put(doc, path, value):
    target = doc
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value


def pointer(path):
    return "".join(f"/{p}" for p in path)


def cases(operation_id):
    """(path, exact value, one over) for every sampled limit of the operation's body."""
    schema, example = body_of(operation_id)
    out = []
    for path, sub in limits(schema, example):
        target = example
        for part in path:
            target = target[part]
        if "maxItems" in sub:
            m = sub["maxItems"]
            out.append((path, items_of(target, m), items_of(target, m + 1)))
        else:
            n = sub["maxLength"]
            exact, over = string_of(sub, n, len(out)), string_of(sub, n + 1, len(out))
            if exact is not None:
                out.append((path, exact, over))
    return out


def check(r_exact, r_over, path):
    assert r_exact.status_code in (200, 201), (pointer(path), r_exact.text[:2000])
    assert r_over.status_code == 422, (pointer(path), r_over.text[:2000])
    pointers = [e.get("pointer", "") for e in r_over.json()["errors"]]
    assert pointer(path) in pointers, (pointer(path), pointers)


def staff(api):
    return api.with_token(mint("staff", sub="joana@dns.pt"))


def test_the_sampler_finds_the_limits_worth_sampling():
    sampled = {pointer(c[0]) for c in cases("createAccreditationApplication")}
    for p in ("/legal_name", "/trade_name", "/address/street", "/address/city", "/website",
              "/contacts", "/contacts/0/name", "/contacts/0/email", "/contacts/0/phone",
              "/accepted_terms_version", "/requested_programs", "/requested_programs/0"):
        assert p in sampled, (p, sorted(sampled))


@pytest.mark.parametrize("path, exact, over", cases("createAccreditationApplication"),
                         ids=lambda v: pointer(v) if isinstance(v, tuple) else "")
def test_application_body_limits(api, path, exact, over):
    def send(value):
        doc = body_of("createAccreditationApplication")[1]
        doc["nif"] = nif()
        put(doc, path, value)
        return api.post(APPS, doc)
    check(send(exact), send(over), path)


@pytest.mark.parametrize("path, exact, over", cases("updateRegistrar") + [
    ((("legal_name",),) + tuple(string_of({}, n) for n in (200, 201))),
    ((("trade_name",),) + tuple(string_of({}, n) for n in (100, 101))),
    ((("address", "street"),) + tuple(string_of({}, n) for n in (200, 201))),
], ids=lambda v: pointer(v) if isinstance(v, tuple) else "")
def test_registrar_patch_limits(api, db, path, exact, over):
    # The sampled fields must be the document's own limits, not this list's.
    schema = flatten(body_of("updateRegistrar")[0])
    for part in path:
        schema = flatten(schema["properties"][part]) if isinstance(part, str) else schema
    assert schema.get("maxLength") == len(exact), (pointer(path), schema)
    rid = make_registrar(db)
    s = staff(api)

    def send(value):
        body = {path[0]: value} if len(path) == 1 else {path[0]: {path[1]: value}}
        etag = s.get(f"/v1/registrars/{rid}").headers["ETag"]
        return s.patch(f"/v1/registrars/{rid}", body, headers={"If-Match": etag})
    r_over = send(over)
    check(send(exact), r_over, path)


@pytest.mark.parametrize("operation_id", ["createClient"])
def test_client_body_limits(api, operation_id):
    admin = api.with_token(mint("admin", sub="root@dns.pt"))
    found = cases(operation_id)
    assert [pointer(c[0]) for c in found] == ["/name"]
    for path, exact, over in found:
        def send(value):
            body = body_of(operation_id)[1]
            put(body, path, value)
            return admin.post("/v1/clients", body)
        check(send(exact), send(over), path)


def test_action_reason_limit(api, db):
    schema = flatten(body_of("suspendRegistrar")[0])["properties"]["reason"]
    n = schema["maxLength"]
    rid = make_registrar(db)
    s = staff(api)
    over = s.post(f"/v1/registrars/{rid}/suspend", {"reason": "r" * (n + 1)})
    exact = s.post(f"/v1/registrars/{rid}/suspend", {"reason": "r" * n})
    check(exact, over, ("reason",))


def query_cases():
    """Query parameters with bounds: integers (minimum, maximum) and strings
    with maxLength (free text, or comma-separated lists built from the
    parameter's example)."""
    out = []
    for template, item in SPEC["paths"].items():
        op = item.get("get")
        if not op or "{" in template:
            continue
        for param in op.get("parameters", []):
            param = resolve(param)
            if param["in"] != "query" or param["name"] == "cursor":
                continue  # a cursor is opaque: only the service makes valid ones
            schema = resolve(param["schema"])
            if schema.get("type") == "integer":
                out.append((template, param["name"], str(schema["maximum"]), str(schema["maximum"] + 1)))
                out.append((template, param["name"], str(schema["minimum"]), str(schema["minimum"] - 1)))
            elif "maxLength" in schema and not {"format", "pattern", "enum"} & set(schema):
                n = schema["maxLength"]
                example = schema.get("example")
                if "Comma-separated" in param.get("description", "") and example:
                    words = itertools.cycle(str(example).split(","))
                    exact = next(words)
                    while len(exact) <= n:
                        exact += "," + next(words)
                    over, exact = exact, exact[:exact.rindex(",")]
                    out.append((template, param["name"], exact, over))
                elif "Comma-separated" not in param.get("description", ""):
                    out.append((template, param["name"], "q" * n, "q" * (n + 1)))
    return out


@pytest.mark.parametrize("template, name, good, bad", query_cases(),
                         ids=lambda v: v if isinstance(v, str) and len(v) < 40 else "")
def test_query_limits(api, template, name, good, bad):
    client = staff(api)
    if template == "/v1/clients":
        client = api.with_token(mint("admin", sub="root@dns.pt"))
    ok = client.get(template, params={name: good})
    assert ok.status_code == 200, (name, ok.text[:1000])
    refused = client.get(template, params={name: bad})
    assert refused.status_code == 400, (name, refused.text[:1000])
    assert [e.get("parameter") for e in refused.json()["errors"]] == [name]


def test_query_sampler_covers_the_search_and_the_filters():
    names = {(t, n) for t, n, _, _ in query_cases()}
    for want in (("/v1/registrars", "q"), (APPS, "q"), (APPS, "status"), (APPS, "limit")):
        assert want in names, (want, sorted(names))
