"""Builders for the voucher tests (issue 12): beneficiaries, issuing through
the API, registrars that may redeem, codes of our own (the Luhn mod 30 check
symbol of DOMAIN.md section 4, computed here and not by the server's code),
and the database's view of vouchers."""
import secrets

from accreditation import ok
from programs import ENR, PRG, as_registrar, enroll, staff

VOU = "/v1/vouchers"
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def check_symbol(payload):
    """Luhn mod 30 over the 13 symbols: from the rightmost, values weighted
    2, 1, 2, …, each product's base-30 digits summed; check = (30 - sum mod
    30) mod 30."""
    assert len(payload) == 13 and all(c in ALPHABET for c in payload), payload
    total = 0
    for i, symbol in enumerate(reversed(payload)):
        product = ALPHABET.index(symbol) * (2 if i % 2 == 0 else 1)
        total += product // 30 + product % 30
    return ALPHABET[(30 - total % 30) % 30]


def written(canonical):
    return f"{canonical[:4]}-{canonical[4:8]}-{canonical[8:12]}-{canonical[12:]}"


def canonical(code):
    return code.replace("-", "").replace(" ", "").upper()


def well_formed(code):
    c = canonical(code)
    return len(c) == 14 and all(s in ALPHABET for s in c) and check_symbol(c[:13]) == c[13]


def random_code():
    """A well-formed code (correct check symbol) that almost surely names no voucher."""
    payload = "".join(secrets.choice(ALPHABET) for _ in range(13))
    return written(payload + check_symbol(payload))


def mistyped(code):
    """code with its check symbol replaced by another: no longer well-formed."""
    c = canonical(code)
    wrong = ALPHABET[(ALPHABET.index(c[13]) + 1) % 30]
    return written(c[:13] + wrong)


def beneficiary(i=0, **over):
    b = {"type": "business", "name": f"Loja {i} do Bairro, Lda.", "email": f"loja{i}@exemplo.pt"}
    b.update(over)
    return b


def issue(api, program="3em1-comercio", body=None, status=201, **kw):
    """One voucher of program (or body as given) issued by staff: the answer's body."""
    return ok(staff(api).post(f"{PRG}/{program}/vouchers", body or {"beneficiary": beneficiary()}, **kw),
              status)


def builder(api, db, programs=("3em1", "3em1-comercio")):
    """A registrar with an active enrollment in each of programs, in order (3em1 first)."""
    from identity import make_registrar
    rid = make_registrar(db)
    for code in programs:
        terms = ok(api.get(f"{PRG}/{code}"))["terms_version"]
        e = ok(enroll(api, rid, code, terms), 201)
        ok(staff(api).post(f"{ENR}/{e['id']}/approve"))
    return rid


def redeem(api, rid, code, domain, token=None, **kw):
    client = api.with_token(token) if token else as_registrar(api, rid)
    return client.post(f"{VOU}/{code}/redeem", {"domain": domain}, **kw)


def row(db, code):
    """The stored voucher as a dict (status as stored, not as read)."""
    cur = db.execute("SELECT code, program_code, status, registrar_id::text, domain, domain_unicode,"
                     " redeemed_at, service_ends_at, expires_at, created_at, reason, version, batch_id::text"
                     " FROM vouchers WHERE code = %s", (canonical(code),))
    values = cur.fetchone()
    return values and dict(zip([d.name for d in cur.description], values))


def count_vouchers(db, program=None):
    if program is None:
        return db.execute("SELECT count(*) FROM vouchers").fetchone()[0]
    return db.execute("SELECT count(*) FROM vouchers WHERE program_code = %s", (program,)).fetchone()[0]


def voucher_audit(db, code):
    """(action, from_status, to_status, reason, changes) of one voucher's audit events, oldest first."""
    return db.execute("SELECT action, from_status, to_status, reason, changes FROM audit_events"
                      " WHERE resource_type = 'voucher' AND resource_id = %s ORDER BY seq",
                      (canonical(code),)).fetchall()


def count_voucher_events(db, action=None):
    sql, args = "SELECT count(*) FROM audit_events WHERE resource_type = 'voucher'", []
    if action is not None:
        sql, args = sql + " AND action = %s", [action]
    return db.execute(sql, args).fetchone()[0]


def expire(db, code, ago="1 second"):
    """Moves a voucher's expires_at into the past, as time passing would (no sweep)."""
    db.execute(f"UPDATE vouchers SET expires_at = now() - interval '{ago}' WHERE code = %s",
               (canonical(code),))
