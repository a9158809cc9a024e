"""Helpers for tests that need callers: tokens of every role and registrars.

Tokens of ours are minted here with the test server's HS256 secret (the
same claims `parceria token` writes); tests of the token endpoint and of
`parceria token` itself obtain theirs through the real thing.
"""
import time
import uuid

import jwt

ISSUER = "https://parceria.dns.pt"
AUDIENCE = "parceria-api"
SECRET = "test-secret-0123456789abcdef0123456789abcdef"


def mint(role, sub=None, key=SECRET, alg="HS256", iss=ISSUER, aud=AUDIENCE, ttl=900,
         now=None, headers=None, **claims):
    now = int(time.time()) if now is None else now
    body = {"iss": iss, "aud": aud, "sub": sub or f"test-{role}-{uuid.uuid4().hex[:8]}",
            "iat": now, "nbf": now, "exp": now + ttl, "jti": str(uuid.uuid4())}
    if role is not None:
        body["role"] = role
    body.update(claims)
    return jwt.encode(body, key, algorithm=alg, headers=headers)


def registrar_token(registrar_id, **kw):
    return mint("registrar", registrar_id=registrar_id, **kw)


ADDRESS = '{"street": "Avenida da Liberdade 110", "postal_code": "1250-146", "city": "Lisboa", "country": "PT"}'
CONTACTS = ('[{"type": "admin", "name": "Ana Silva", "email": "ana@example.pt", "phone": "+351213456789"},'
            ' {"type": "security", "name": "SOC", "email": "soc@example.pt", "phone": "+351213456780"}]')


def make_registrar(db, status="accredited", trade_name=None):
    """Inserts a registrar directly (accreditation creates them through the API)."""
    rid = str(uuid.uuid4())
    handle = "reg-" + rid[:8]
    db.execute(
        "INSERT INTO registrars (id, handle, legal_name, trade_name, country, nif, tax_key, website,"
        " address, contacts, status) VALUES (%s, %s, %s, %s, 'PT', NULL, %s, 'https://example.pt',"
        " %s::jsonb, %s::jsonb, %s)",
        (rid, handle, "Registrar " + rid[:8] + ", Lda.", trade_name or "Registrar " + rid[:8],
         "TEST:" + rid, ADDRESS, CONTACTS, status))
    return rid
