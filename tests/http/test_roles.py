"""The role matrix: every route of the table, as the binary itself lists it
(`parceria routes`), called by nobody and by every role, with ids that name
nothing. Each admitted role gets exactly the status that route gives an
unknown object or an empty request (a wrong 404, a 503 or a 500 fails);
every other role gets 403, a role no route serves yet 401, and no token 401.
A route added without its row in EXPECTED fails here too."""
import re
import subprocess
import uuid

import pytest

from conftest import BIN
from identity import mint

ROLES = ["admin", "staff", "registrar", "applicant", "teacher"]


def _listing():
    out = subprocess.run([BIN, "routes"], check=True, capture_output=True, text=True).stdout
    lines = out.splitlines()
    served = set(lines[0].removeprefix("# served: ").split(","))
    routes = []
    for line in lines[1:]:
        method, path, roles, flags = line.split("\t")
        routes.append((method, path, None if roles == "public" else set(roles.split(","))))
    return served, routes


SERVED, ROUTES = _listing()

A = "/v1/accreditation-applications/{id}"
R = "/v1/registrars/{id}"
P = "/v1/programs/{code}"
E = "/v1/enrollments/{id}"
Y = "/v1/sitestar/editions/{year}"
N = "/v1/sitestar/entries/{id}"
V = "/v1/events/{id}"
G = "/v1/registrations/{id}"
D = "/v1/draws/{id}"
W = "/v1/webhooks/{id}"
SV = "/v1/surveys/{id}"  # community: survey
NI = "/v1/newsletter/issues/{id}"  # community: newsletter
NS = "/v1/newsletter/suggestions/{id}"
I = "/v1/incidents/{id}"  # trust: incidents
CT = "/v1/council/terms"          # trust: the Conselho Consultivo
CN = "/v1/council/nominations/{id}"
# What an admitted caller gets, with random ids, no body and no headers: an
# int for every role, or {role: status}. Public routes: what nobody gets.
EXPECTED = {
    ("GET", "/healthz"): 200,
    ("GET", "/readyz"): 200,
    ("GET", "/openapi.yaml"): 200,
    ("GET", "/metrics"): 200,
    ("GET", "/docs"): 200,
    ("GET", "/docs/{asset}"): 404,
    ("POST", "/v1/auth/token"): 400,              # no grant at all
    ("GET", "/v1/me"): 200,
    ("GET", "/v1/clients"): 200,
    ("POST", "/v1/clients"): 415,                 # no JSON body
    ("DELETE", "/v1/clients/{client_id}"): 404,
    ("GET", "/v1/registrars/{id}/clients"): 404,  # no such registrar, or not the caller's
    ("POST", "/v1/registrars/{id}/clients"): {"admin": 415, "registrar": 404},
    ("DELETE", "/v1/registrars/{id}/clients/{client_id}"): 404,
    ("GET", "/v1/audit-events"): 200,
    ("GET", "/v1/outbox"): 200,
    ("GET", "/v1/changes"): 200,
    ("POST", "/v1/accreditation-applications"): 415,
    ("GET", "/v1/accreditation-applications"): 200,
    ("GET", A): 404,
    ("PATCH", A): {"admin": 428, "staff": 428, "applicant": 404},  # the applicant's is another
    ("GET", A + "/history"): 404,
    ("POST", A + "/start-review"): 404,
    ("POST", A + "/request-changes"): 422,       # the reason is checked before the lookup
    ("POST", A + "/approve"): 404,
    ("POST", A + "/reject"): 422,
    ("POST", A + "/resubmit"): 404,
    ("POST", A + "/withdraw"): 404,
    ("POST", A + "/credentials"): 404,
    ("GET", "/v1/registrars"): 200,
    ("GET", R): 404,
    ("PATCH", R): {"admin": 428, "staff": 428, "registrar": 404},
    ("GET", R + "/history"): 404,
    ("POST", R + "/suspend"): 422,
    ("POST", R + "/reinstate"): 422,
    ("POST", R + "/terminate"): 422,
    ("GET", "/v1/programs"): 200,
    ("POST", "/v1/programs"): 415,
    ("GET", P): 404,
    ("PATCH", P): 428,
    ("GET", P + "/history"): 404,
    ("POST", P + "/open"): 404,
    ("POST", P + "/close"): 404,
    ("POST", P + "/archive"): 404,
    ("GET", P + "/eligibility"): {"admin": 400, "staff": 400, "registrar": 404},  # staff name one
    ("POST", P + "/enrollments"): 404,           # the program first: its form shapes the body
    ("GET", P + "/enrollments/summary"): 404,
    ("GET", "/v1/enrollments"): 200,
    ("GET", E): 404,
    ("GET", E + "/history"): 404,
    ("POST", E + "/approve"): 404,
    ("POST", E + "/reject"): 422,
    ("POST", E + "/suspend"): 422,
    ("POST", E + "/reinstate"): 404,
    ("POST", E + "/withdraw"): 404,
    ("POST", P + "/vouchers"): 415,
    ("GET", P + "/voucher-stats"): 404,
    ("GET", "/v1/vouchers"): 200,
    ("GET", "/v1/vouchers/{code}"): 422,          # a UUID is no voucher code: a typo, not a miss
    ("POST", "/v1/vouchers/{code}/redeem"): 422,
    ("POST", "/v1/vouchers/{code}/revoke"): 422,
    ("GET", "/v1/sitestar/editions"): 200,
    ("POST", "/v1/sitestar/editions"): 415,
    ("GET", Y): 404,                              # a UUID is no year
    ("PATCH", Y): 404,
    ("POST", Y + "/select"): 404,
    ("POST", Y + "/entries"): 404,
    ("GET", Y + "/entries"): 404,
    ("GET", N): 404,                              # the teacher's is another
    ("PATCH", N): {"admin": 428, "staff": 428, "teacher": 404},
    ("GET", N + "/history"): 404,
    ("PUT", N + "/scores/me"): 415,              # no JSON body, before the lookup
    ("GET", N + "/scores"): 404,
    ("POST", N + "/disqualify"): 422,             # the reason is checked before the lookup
    ("POST", N + "/withdraw"): 404,
    ("GET", "/v1/events"): 200,
    ("POST", "/v1/events"): 415,                  # no JSON body
    ("GET", "/v1/events/calendar.ics"): 200,
    ("GET", V): 404,
    ("PATCH", V): 428,
    ("GET", V + "/history"): 404,
    ("POST", V + "/publish"): 404,
    ("POST", V + "/cancel"): 404,
    ("POST", V + "/close"): 404,
    ("GET", V + "/eligibility"): {"admin": 400, "staff": 400, "registrar": 404},  # staff name one
    ("GET", V + "/calendar.ics"): 404,
    ("POST", V + "/registrations"): 404,        # the event first: its max shapes the body
    ("GET", V + "/registrations"): 404,
    ("GET", G): 404,
    ("PATCH", G): {"admin": 428, "staff": 428, "registrar": 428},
    ("GET", G + "/history"): 404,
    ("POST", G + "/cancel"): 404,
    ("POST", G + "/check-in"): 404,
    ("GET", "/v1/draws"): 200,
    ("POST", "/v1/draws"): 415,
    ("GET", D): 404,
    ("GET", D + "/history"): 404,
    ("POST", D + "/freeze"): 404,
    ("POST", D + "/run"): 404,
    ("POST", D + "/decline"): 404,
    ("GET", "/v1/webhooks"): 200,
    ("POST", "/v1/webhooks"): 415,
    ("GET", W): 404,
    ("PATCH", W): 428,
    ("DELETE", W): 404,
    ("POST", W + "/secrets"): 404,             # no body: none is needed
    ("DELETE", W + "/secrets/{secret_id}"): 404,
    ("GET", W + "/deliveries"): 404,
    ("POST", "/v1/webhook-deliveries/{id}/redeliver"): 404,
    # community: news
    ("POST", "/v1/news-items"): 415,              # no JSON body
    ("GET", "/v1/news-items"): 200,
    ("GET", "/v1/news-items/{id}"): 404,
    ("PATCH", "/v1/news-items/{id}"): 428,
    ("GET", "/v1/news-items/{id}/history"): 404,
    ("POST", "/v1/news-items/{id}/publish"): 404,
    ("POST", "/v1/news-items/{id}/reject"): 422,          # the reason is checked before the lookup
    ("POST", "/v1/news-items/{id}/request-changes"): 422,
    ("POST", "/v1/news-items/{id}/archive"): 404,
    ("POST", "/v1/news-items/{id}/resubmit"): 404,
    ("GET", "/v1/news"): 200,
    ("GET", "/v1/news.atom"): 200,
    ("GET", "/v1/news/{id}"): 404,
    # community: SIGA proposals
    ("GET", "/v1/siga/proposals"): 200,
    ("POST", "/v1/siga/proposals"): 415,          # no JSON body
    ("GET", "/v1/siga/proposals/{id}"): 404,
    ("PATCH", "/v1/siga/proposals/{id}"): 428,
    ("GET", "/v1/siga/proposals/{id}/history"): 404,
    ("POST", "/v1/siga/proposals/{id}/consider"): 404,  # the note is asked of a proposal found
    ("POST", "/v1/siga/proposals/{id}/plan"): 404,
    ("POST", "/v1/siga/proposals/{id}/complete"): 404,
    ("POST", "/v1/siga/proposals/{id}/decline"): 404,
    ("PUT", "/v1/siga/proposals/{id}/vote"): 404,
    ("DELETE", "/v1/siga/proposals/{id}/vote"): 404,
    ("GET", "/v1/siga/proposals/{id}/comments"): 404,
    ("POST", "/v1/siga/proposals/{id}/comments"): 404,  # the proposal first
    ("GET", "/v1/siga/comments/{id}"): 404,
    ("PATCH", "/v1/siga/comments/{id}"): 428,
    ("POST", "/v1/siga/comments/{id}/hide"): 422,  # the reason is checked before the lookup
    # community: contacts (a UUID is also a well-formed topic)
    ("GET", "/v1/contacts"): 200,
    ("POST", "/v1/contacts"): 415,
    ("GET", "/v1/contacts/{topic}"): 404,
    ("PATCH", "/v1/contacts/{topic}"): 428,
    ("GET", "/v1/contacts/{topic}/history"): 404,
    ("POST", "/v1/contact-requests"): 415,
    ("GET", "/v1/contact-requests"): 200,
    ("GET", "/v1/contact-requests/{id}"): 404,
    ("GET", "/v1/contact-requests/{id}/history"): 404,
    ("POST", "/v1/contact-requests/{id}/answer"): 404,
    ("POST", "/v1/contact-requests/{id}/close"): 404,
    # community: survey
    ("GET", "/v1/surveys"): 200,
    ("POST", "/v1/surveys"): 415,
    ("GET", SV): 404,
    ("PATCH", SV): 428,
    ("GET", SV + "/history"): 404,
    ("POST", SV + "/open"): 404,
    ("POST", SV + "/close"): 404,
    ("POST", SV + "/publish"): 404,
    ("GET", SV + "/responses/mine"): 404,
    ("PUT", SV + "/responses/mine"): 415,       # no JSON body, before the lookup
    ("GET", SV + "/results"): 404,
    ("GET", SV + "/export.csv"): 404,
    ("GET", SV + "/panel.csv"): 404,
    # community: newsletter
    ("GET", "/v1/newsletter/issues"): 200,
    ("POST", "/v1/newsletter/issues"): 415,
    ("GET", NI): 404,
    ("PATCH", NI): 428,
    ("GET", NI + "/history"): 404,
    ("POST", NI + "/publish"): 404,
    ("GET", "/v1/newsletter/suggestions"): 200,
    ("POST", "/v1/newsletter/suggestions"): 415,
    ("GET", NS): 404,
    ("GET", NS + "/history"): 404,
    ("POST", NS + "/accept"): 404,
    ("POST", NS + "/decline"): 422,                 # the reason first
    ("POST", NS + "/use"): 404,
    ("POST", "/v1/newsletter/subscriptions"): 415,           # public: no JSON body
    ("POST", "/v1/newsletter/subscriptions/confirm"): 415,
    ("POST", "/v1/newsletter/unsubscribe"): 415,
    ("GET", "/v1/newsletter/subscribers"): 200,
    # trust: agreements (a UUID is too long to be a version)
    ("GET", "/v1/agreements"): 200,
    ("POST", "/v1/agreements"): 415,
    ("GET", "/v1/agreements/{version}"): 404,
    ("POST", "/v1/agreements/{version}/accept"): 404,
    ("GET", R + "/agreements"): 404,
    # trust: incidents
    ("GET", "/v1/incidents"): 200,
    ("POST", "/v1/incidents"): 415,
    ("GET", I): 404,
    ("PATCH", I): 428,
    ("GET", I + "/history"): 404,
    ("POST", I + "/acknowledge"): 404,
    ("POST", I + "/investigate"): 404,
    ("POST", I + "/resolve"): 404,
    ("POST", I + "/close"): 404,
    ("GET", I + "/updates"): 404,
    ("POST", I + "/updates"): 404,             # the incident first
    # trust: the Conselho Consultivo
    ("GET", CT): 200,
    ("POST", CT): 415,
    ("GET", CT + "/{id}"): 404,
    ("PATCH", CT + "/{id}"): 428,
    ("GET", CT + "/{id}/history"): 404,
    ("POST", CT + "/{id}/open-nominations"): 404,
    ("POST", CT + "/{id}/open-voting"): 404,
    ("POST", CT + "/{id}/close"): 404,
    ("GET", CT + "/{id}/nominations"): 404,
    ("POST", CT + "/{id}/nominations"): 404,  # the term first
    ("POST", CT + "/{id}/ballots"): 404,      # the term first
    ("GET", CT + "/{id}/results"): 404,
    ("GET", CN): 404,
    ("GET", CN + "/history"): 404,
    ("POST", CN + "/accept"): 404,
    ("POST", CN + "/reject"): 422,            # the kit asks for the reason first
    # trust: the tamper-evident activity log (the matrix writes no audit
    # record before it: no checkpoint and nothing to cover is 404)
    ("GET", "/v1/audit-checkpoints"): 200,
    ("POST", "/v1/audit-checkpoints"): 404,
    ("GET", "/v1/audit-checkpoints/{id}"): 404,
    ("GET", R + "/activity"): 404,
    # trust: PTSOC security contacts
    ("GET", "/v1/security-contact-checks"): 200,
    ("POST", "/v1/security-contact-checks"): 415,            # no JSON body
    ("GET", "/v1/security-contact-checks/{id}"): 404,
    ("POST", "/v1/security-contacts/confirm"): 415,          # public: no JSON body
    ("GET", "/v1/security-contacts/unreachable"): 200,
    ("GET", R + "/security-contacts"): 404,                  # no such registrar, or not the caller's
    # trust: data-subject requests
    ("POST", "/v1/data-requests"): 415,
    ("GET", "/v1/data-requests"): 200,
    ("GET", "/v1/data-requests/{id}"): 404,
    ("GET", "/v1/data-requests/{id}/history"): 404,
    ("GET", "/v1/data-requests/{id}/export"): 404,
    ("POST", "/v1/data-requests/{id}/extend"): 404,
    ("POST", "/v1/data-requests/{id}/fulfil"): 404,
    ("POST", "/v1/data-requests/{id}/reject"): 422,          # the reason first
}


def token_for(role):
    claims = {"registrar": {"registrar_id": str(uuid.uuid4())},
              "applicant": {"application_id": str(uuid.uuid4())},
              "teacher": {"entry_id": str(uuid.uuid4())}}.get(role, {})
    return mint(role, **claims)


def expected(method, path, role):
    e = EXPECTED[(method, path)]
    return e if isinstance(e, int) else e[role]


def test_every_route_has_its_expectation():
    assert len(ROUTES) >= 34
    assert {(m, p) for m, p, _ in ROUTES} == set(EXPECTED)


@pytest.mark.parametrize("method,path,allowed", ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
def test_role_matrix(api, method, path, allowed):
    concrete = re.sub(r"\{[^}]+\}", lambda _: str(uuid.uuid4()), path)
    if allowed is None:
        r = api.request(method, concrete)
        assert r.status_code == expected(method, path, None), (r.status_code, r.text)
        return
    assert api.request(method, concrete).status_code == 401
    for role in ROLES:
        r = api.with_token(token_for(role)).request(method, concrete)
        if role not in SERVED:
            want = 401
        elif role in allowed:
            want = expected(method, path, role)
        else:
            want = 403
        assert r.status_code == want, (role, r.status_code, r.text)


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
