"""What the email tests share: a real SMTP server in the test process
(aiosmtpd, Debian's python3-aiosmtpd) that keeps every message it accepts,
parsed by Python's own email package (an implementation independent of
src/mail.c), and `parceria worker` processes started against a test
database and that server. Every wait is bounded."""
import asyncio
import email
import email.policy
import threading
import time

from aiosmtpd.controller import Controller

from conftest import Server, free_port

MAIL_FROM = "parceria@dns.pt"  # config.c: an address (validate_email)


class _Handler:
    def __init__(self, sink):
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        refusal = self.sink.refuse.get(address)
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.sink.data_delay:  # a slow server: the message is in the client's hands meanwhile
            self.sink.receiving.set()
            await asyncio.sleep(self.sink.data_delay)
        raw = envelope.original_content or envelope.content
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        with self.sink.lock:
            self.sink.messages.append(Mail(envelope.mail_from, list(envelope.rcpt_tos), raw, msg))
        return "250 OK"


class Mail:
    """One accepted message: the envelope, the raw bytes and the parsed message."""

    def __init__(self, mail_from, rcpt_tos, raw, msg):
        self.mail_from, self.rcpt_tos, self.raw, self.msg = mail_from, rcpt_tos, raw, msg

    @property
    def subject(self):
        return str(self.msg["Subject"])

    @property
    def to(self):
        return self.msg["To"].addresses[0].addr_spec

    @property
    def message_id(self):
        return str(self.msg["Message-ID"])

    @property
    def text(self):
        # the wire's CRLF line ends, read back as LF
        return self.msg.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")

    def __repr__(self):
        return f"<Mail to={self.rcpt_tos} subject={self.subject!r}>"


class Sink:
    """An SMTP server on 127.0.0.1:port that can be stopped and started again
    on the same port (the mail server going down and coming back)."""

    def __init__(self, port=None, data_delay=0.0):
        self.port = port or free_port()
        # Seconds to wait after a message's data before answering it (a slow
        # server); `receiving` is set when a message starts that wait.
        self.data_delay = data_delay
        self.receiving = threading.Event()
        self.url = f"smtp://127.0.0.1:{self.port}"
        self.messages = []
        self.refuse = {}  # address -> SMTP answer, such as "550 no such user"
        self.lock = threading.Lock()
        self.controller = None

    def start(self):
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def all(self):
        with self.lock:
            return list(self.messages)

    def to(self, address):
        return [m for m in self.all() if address in m.rcpt_tos]

    def wait(self, pred, timeout=30):
        """The messages once pred(messages) holds; fails after timeout seconds."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            msgs = self.all()
            if pred(msgs):
                return msgs
            time.sleep(0.05)
        raise AssertionError(f"mail never arrived as expected; got {self.all()}")

    def wait_for(self, address, count=1, timeout=30):
        """The messages to address once there are at least count of them."""
        self.wait(lambda msgs: sum(address in m.rcpt_tos for m in msgs) >= count, timeout)
        return self.to(address)


class Worker(Server):
    """`parceria worker` against one database, sending to smtp_url (None:
    mail off)."""

    def __init__(self, db_name, smtp_url=None, env_extra=None, name="worker"):
        env = {"PARCERIA_MAIL_FROM": MAIL_FROM}
        if smtp_url is not None:
            env["PARCERIA_SMTP_URL"] = smtp_url
        env.update(env_extra or {})
        super().__init__(db_name, env_extra=env, name=name, command="worker")

    def wait_log(self, text, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if text in self.log_text():
                return
            time.sleep(0.05)
        raise AssertionError(f"{text!r} never logged:\n{self.log_text()[-3000:]}")


def stopped_cleanly(worker):
    rc = worker.stop()
    text = worker.log_text()
    assert rc == 0, f"worker exited with {rc}:\n{text[-4000:]}"
    assert "ERROR: AddressSanitizer" not in text and "runtime error:" not in text, text[-4000:]


def outbox(db, **where):
    """The outbox rows (as dicts) matching where, oldest first."""
    sql = ("SELECT id, message_id::text, event, channel, recipient, resource_type, resource_id,"
           " status, attempts, last_error, payload FROM outbox")
    args = []
    if where:
        sql += " WHERE " + " AND ".join(f"{k} = %s" for k in where)
        args = list(where.values())
    cur = db.execute(sql + " ORDER BY id", args)
    return [dict(zip([d.name for d in cur.description], r)) for r in cur.fetchall()]


def wait_rows(db, pred, timeout=30, **where):
    deadline = time.time() + timeout
    while time.time() < deadline:
        rows = outbox(db, **where)
        if pred(rows):
            return rows
        time.sleep(0.05)
    raise AssertionError(f"outbox never reached the state: {outbox(db, **where)}")
