"""Builders for the contacts tests (issue 15, area E): mailboxes made
through the API, contact request bodies, and the database's view of them."""
import uuid

from accreditation import ok
from programs import staff

CON = "/v1/contacts"
REQ = "/v1/contact-requests"

# The mailboxes migration 0017 seeds, in their list order.
SEEDED = [("general", "registrar@dns.pt"), ("3em1", "ro@dns.pt"), ("newsletter", "rp@dns.pt"),
          ("news", "rp@dns.pt"), ("security", "ptsoc@dns.pt")]


def unique_topic(tag="tema"):
    return f"{tag}-{uuid.uuid4().hex[:10]}"


def mailbox_body(topic=None, **over):
    body = {"topic": topic or unique_topic(),
            "name": {"pt": "Faturação", "en": "Billing"},
            "email": f"caixa-{uuid.uuid4().hex[:8]}@dns.pt",
            "description": {"pt": "Faturas e pagamentos.\nNotas de crédito.", "en": "Invoices and payments."},
            "position": 60}
    body.update(over)
    return {k: v for k, v in body.items() if v is not ...}


def create_mailbox(api, **over):
    return ok(staff(api).post(CON, mailbox_body(**over)), 201)


def patch_mailbox(api, topic, body, client=None):
    s = client or staff(api)
    etag = staff(api).get(f"{CON}/{topic}").headers["ETag"]
    return s.patch(f"{CON}/{topic}", body, headers={"If-Match": etag})


def request_body(topic="3em1", **over):
    body = {"topic": topic, "subject": "Dúvida sobre a adesão",
            "message": "Bom dia,\nQueremos aderir ao programa.\nObrigada.",
            "name": "Maria Fernandes", "email": f"maria-{uuid.uuid4().hex[:8]}@exemplo.pt"}
    body.update(over)
    return {k: v for k, v in body.items() if v is not ...}


def count_requests(db):
    return db.execute("SELECT count(*) FROM contact_requests").fetchone()[0]


def count_mailboxes(db):
    return db.execute("SELECT count(*) FROM contact_mailboxes").fetchone()[0]


def request_row(db, rid):
    return db.execute("SELECT status, topic, name, email, registrar_id::text, note FROM contact_requests"
                      " WHERE id = %s", (rid,)).fetchone()


def queued(db, rid):
    """The outbox emails a request queued: (recipient, template, vars)."""
    return db.execute("SELECT recipient, payload->>'template', payload->'vars' FROM outbox"
                      " WHERE resource_id = %s AND channel = 'email' ORDER BY id", (rid,)).fetchall()
