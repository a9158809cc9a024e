"""Capacity and uniqueness of enrollments hold under concurrency (issue 11):
50 simultaneous requests, split across two `parceria serve` processes on one
database, released together by a barrier. (a) 50 registrars into a program
of capacity 10: exactly 10 enrolled, 40 refused capacity-full; (b) one
registrar, 50 times into one program: exactly one enrolled, 49 duplicates.
Every wait is bounded; nothing is timed."""
import socket
import threading

import psycopg
import pytest

import race as race_kit
from conftest import Server, _db_url, clone_database, drop_database
from identity import make_registrar, registrar_token
from openapi_check import Client
from programs import PRG, program_body, staff
from race import outcome, race

N = 50


@pytest.fixture(scope="module")
def two_servers(template_db):
    yield from race_kit.two_servers(template_db, "enrollment-race")


@pytest.fixture()
def race_db(two_servers):
    yield from race_kit.database(two_servers)


def new_program(client, capacity=None):
    extra = {"capacity": capacity} if capacity else {}
    body = program_body(**extra)
    s = staff(client)
    r = s.post(PRG, body)
    assert r.status_code == 201, r.text
    r = s.post(f"{PRG}/{body['code']}/open")
    assert r.status_code == 200, r.text
    return body["code"], body["terms_version"]


def enroll_call(rid, code, terms):
    token = registrar_token(rid)

    def call(client):
        return client.with_token(token).post(f"{PRG}/{code}/enrollments", {"accepted_terms_version": terms})
    return call


def test_fifty_registrars_race_for_ten_seats(two_servers, race_db):
    code, terms = new_program(Client(two_servers[0].base), capacity=10)
    rids = [make_registrar(race_db) for _ in range(N)]
    responses = race(two_servers, [enroll_call(rid, code, terms) for rid in rids])
    assert outcome(responses) == {(201, ""): 10, (409, "capacity-full"): 40}, outcome(responses)
    for r in responses:
        if r.status_code == 409:
            assert r.json()["check"] == "capacity"
    held = race_db.execute("SELECT count(*), count(DISTINCT registrar_id) FROM enrollments"
                           " WHERE program_code = %s", (code,)).fetchone()
    assert held == (10, 10)
    winners = {r.json()["registrar_id"] for r in responses if r.status_code == 201}
    assert len(winners) == 10 and winners <= set(rids)
    # the other process counts the same
    summary = staff(Client(two_servers[1].base)).get(f"{PRG}/{code}/enrollments/summary").json()
    assert summary["counts"]["pending"] == 10 and summary["total"] == 10


def test_one_registrar_fifty_times_enrolls_once(two_servers, race_db):
    code, terms = new_program(Client(two_servers[1].base))
    rid = make_registrar(race_db)
    responses = race(two_servers, [enroll_call(rid, code, terms) for _ in range(N)])
    assert outcome(responses) == {(201, ""): 1, (409, "duplicate"): 49}, outcome(responses)
    for r in responses:
        if r.status_code == 409:
            assert r.json()["check"] == "duplicate"
    assert race_db.execute("SELECT count(*) FROM enrollments WHERE program_code = %s AND registrar_id = %s",
                           (code, rid)).fetchone()[0] == 1


def test_one_registrar_fifty_times_into_3em1_enrolls_once(two_servers, race_db):
    rid = make_registrar(race_db)
    responses = race(two_servers, [enroll_call(rid, "3em1", "1") for _ in range(N)])
    assert outcome(responses) == {(201, ""): 1, (409, "duplicate"): 49}, outcome(responses)
    assert race_db.execute("SELECT count(*) FROM enrollments WHERE program_code = '3em1'"
                           " AND registrar_id = %s", (rid,)).fetchone()[0] == 1


def _send_enrollment(port, rid):
    """One whole request on a fresh connection, sent at once; the socket back."""
    body = b'{"accepted_terms_version": "1"}'
    head = (f"POST {PRG}/3em1/enrollments HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {registrar_token(rid)}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    s = socket.create_connection(("127.0.0.1", port), timeout=60)
    s.sendall(head + body)
    return s


def _answer(s):
    out = b""
    with s:
        while chunk := s.recv(65536):
            out += chunk
    return out


def test_requests_queued_behind_the_program_lock_are_all_answered(template_db):
    """Enrolling waits on the program's row lock inside a server thread. A
    request that thread had already accepted, sent whole and at once, must
    still be answered when the wait outlasts the header deadline: the client
    was not slow, the server was busy."""
    name = clone_database(template_db)
    srv = Server(name, env_extra={"PARCERIA_THREADS": "2", "PARCERIA_DB_POOL_SIZE": "8",
                                  "PARCERIA_HEADER_TIMEOUT_MS": "1000"}, name="enrollment-queue").start()
    try:
        with psycopg.connect(_db_url(name, "postgres"), autocommit=True) as db:
            rids = [make_registrar(db) for _ in range(8)]
            with psycopg.connect(_db_url(name, "postgres")) as locker:
                locker.execute("SELECT 1 FROM programs WHERE code = '3em1' FOR UPDATE")
                socks = [_send_enrollment(srv.port, rid) for rid in rids]
                threading.Event().wait(2.5)  # past the header deadline, well inside the statement timeout
                locker.rollback()
            answers = [_answer(s) for s in socks]
            assert [a.split(b"\r\n", 1)[0] for a in answers] == [b"HTTP/1.1 201 Created"] * 8, answers
            assert db.execute("SELECT count(*) FROM enrollments").fetchone()[0] == 8
    finally:
        rc = srv.stop()
        drop_database(name)
    assert rc == 0
