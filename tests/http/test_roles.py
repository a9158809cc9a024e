"""The role matrix: every route of api/routes.c, called by every role and by
nobody, must admit exactly the roles the table names (admin also where
staff is admitted). A route added without its role rule shows up here."""
import pathlib
import re
import uuid

import pytest

from identity import mint

ROOT = pathlib.Path(__file__).resolve().parents[2]
ROLE_BITS = {"A": {"admin"}, "S": {"staff", "admin"}, "R": {"registrar"}, "P": {"applicant"},
             "ROLE_ADMIN": {"admin"}, "ROLE_STAFF": {"staff", "admin"},
             "ROLE_REGISTRAR": {"registrar"}, "ROLE_APPLICANT": {"applicant"},
             "ROLE_TEACHER": {"teacher"},
             "ANY": {"admin", "staff", "registrar", "applicant", "teacher"},
             "ROLE_ANY_TOKEN": {"admin", "staff", "registrar", "applicant", "teacher"}}
ROLES = ["admin", "staff", "registrar", "applicant", "teacher"]
# Roles no route serves yet (include/role.h's ROLE_SERVED leaves them out) are refused: 401.
_SERVED = re.search(r"#define ROLE_SERVED \(([^)]*)\)", (ROOT / "include" / "role.h").read_text()).group(1)
SERVED = set().union(*(ROLE_BITS[b.strip()] for b in _SERVED.split("|")))


def routes():
    text = (ROOT / "api" / "routes.c").read_text()
    # Expand the path macros (#define APP "/v1/…") the table uses.
    for name, value in re.findall(r'#define (\w+) "([^"]*)"', text):
        text = re.sub(r'\b' + name + r' "', '"' + value, text)
        text = re.sub(r'\b' + name + r',', '"' + value + '",', text)
    for m in re.finditer(r'\{"(GET|POST|PUT|PATCH|DELETE)", "([^"]+)", (\w+), ([^,]+),', text):
        method, path, _, roles = m.groups()
        roles = roles.strip()
        allowed = None if roles == "ROLE_PUBLIC" else set().union(*(ROLE_BITS[r.strip()] for r in roles.split("|")))
        yield method, path, allowed


ROUTES = list(routes())


def token_for(role):
    claims = {"registrar": {"registrar_id": str(uuid.uuid4())},
              "applicant": {"application_id": str(uuid.uuid4())},
              "teacher": {"entry_id": str(uuid.uuid4())}}.get(role, {})
    return mint(role, **claims)


def test_route_table_was_read():
    assert len(ROUTES) >= 31


@pytest.mark.parametrize("method,path,allowed", ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
def test_role_matrix(api, method, path, allowed):
    concrete = re.sub(r"\{[^}]+\}", lambda _: str(uuid.uuid4()), path)
    if allowed is None:
        r = api.request(method, concrete)
        assert r.status_code not in (401, 403), r.text
        return
    assert api.request(method, concrete).status_code == 401
    for role in ROLES:
        r = api.with_token(token_for(role)).request(method, concrete)
        if role not in SERVED:
            assert r.status_code == 401, (role, r.status_code, r.text)
        elif role in allowed:
            assert r.status_code not in (401, 403), (role, r.status_code, r.text)
        else:
            assert r.status_code == 403, (role, r.status_code, r.text)


def test_secrets_and_tokens_never_reach_the_log(api, server):
    a = api.with_token(mint("admin"))
    c = a.post("/v1/clients", {"name": "Log check", "role": "staff"}).json()
    tok = api.post("/v1/auth/token", data={"grant_type": "client_credentials",
                                           "client_id": c["client_id"],
                                           "client_secret": c["client_secret"]}).json()["access_token"]
    api.with_token(tok).get("/v1/me")
    api.with_token(tok + "x").get("/v1/me")
    log = server.log_text()
    assert c["client_secret"] not in log
    assert tok not in log and tok.split(".")[2] not in log and a.token not in log
