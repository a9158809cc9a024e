"""Builders for accreditation tests: valid Portuguese application documents
with a fresh, valid NIF each time, and an applicant's token."""
import copy
import random
import threading

_issued = set()  # every NIF nif() gave this process: none is given twice
_lock = threading.Lock()


def nif(first="5"):
    """A random valid NIF starting with first (mod-11 check digit), never
    one this process was already given (thousands of applications under
    load would otherwise meet a birthday collision). first leaves at least
    one digit to chance: a fixed eight would loop forever once taken."""
    assert 1 <= len(first) <= 7, first
    while True:
        digits = [int(c) for c in first] + [random.randint(0, 9) for _ in range(8 - len(first))]
        total = sum(d * w for d, w in zip(digits, range(9, 1, -1)))
        check = 11 - total % 11
        if check >= 10:
            check = 0
        value = "".join(map(str, digits)) + str(check)
        with _lock:
            if value not in _issued:
                _issued.add(value)
                return value


BASE = {
    "legal_name": "Porto Digital, Lda.",
    "trade_name": "Porto Digital",
    "address": {"street": "Rua de Santa Catarina 200", "postal_code": "4000-443",
                "city": "Porto", "country": "PT"},
    "website": "https://porto-digital.example.pt",
    "contacts": [
        {"type": "admin", "name": "Ana Silva", "email": "ana@porto-digital.example.pt",
         "phone": "+351223456789"},
        {"type": "technical", "name": "Rui Costa", "email": "rui@porto-digital.example.pt",
         "phone": "+351223456780"},
        {"type": "security", "name": "Marta Reis", "email": "soc@porto-digital.example.pt",
         "phone": "+351223456781"},
    ],
    "accepted_terms_version": "2026-01",
}


def application(**over):
    doc = copy.deepcopy(BASE)
    doc["nif"] = nif()
    suffix = doc["nif"][-4:]
    doc["contacts"][0]["email"] = f"admin{suffix}@porto-digital.example.pt"
    doc.update(over)
    return doc


def submit(api, doc=None, **kw):
    r = api.post("/v1/accreditation-applications", doc or application(), **kw)
    assert r.status_code == 201, r.text
    return r.json()


def applicant_token(api, created):
    r = api.post("/v1/auth/token", data={"grant_type": "client_credentials",
                                         "client_id": created["id"],
                                         "client_secret": created["access_key"]})
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


def ok(resp, status=200):
    """A story's step: asserts its status where it happens, so a failure
    names the step, and returns the body."""
    assert resp.status_code == status, (resp.request.method, resp.request.url, resp.status_code,
                                        resp.text)
    return resp.json()
