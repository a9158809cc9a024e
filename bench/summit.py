#!/usr/bin/python3
"""The moment the summit stand opens: every bench registrar (300, each with
an active 3em1 enrollment) registers at once for a stand of SEATS seats with
a waitlist, one connection each, released together by a barrier. Prints the
throughput, p50 and p99, the tally of answers, and the proof from SQL that
exactly SEATS are confirmed, every other accepted registration waits, and
the waitlist is in arrival order. Asserts nothing about speed; exits 1 only
when the proof fails.

    summit.py BASE_URL TOKENS_LUA STAFF_TOKEN DATABASE_URL [SEATS]
"""
import http.client
import json
import re
import subprocess
import sys
import time
import urllib.parse


def request(base, method, path, token, body=None):
    u = urllib.parse.urlsplit(base)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
    headers = {"Authorization": f"Bearer {token}"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    c.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, data


def main():
    base, tokens_lua, staff, db_url = sys.argv[1:5]
    seats = int(sys.argv[5]) if len(sys.argv) > 5 else 20
    tokens = re.findall(r'\{"([0-9a-f-]{36})", "([^"]+)"\}', open(tokens_lua).read())
    event = {"kind": "summit", "title": "Portugal Digital Summit: o stand do .PT",
             "location": "Centro de Congressos do Estoril", "starts_at": "2027-10-14T09:00:00Z",
             "ends_at": "2027-10-15T18:00:00Z", "capacity": seats, "eligibility": "3em1",
             "max_attendees_per_registrar": 1, "waitlist": True}
    st, data = request(base, "POST", "/v1/events", staff, event)
    assert st == 201, data
    eid = json.loads(data)["id"]
    st, data = request(base, "POST", f"/v1/events/{eid}/publish", staff)
    assert st == 200, data

    # One curl process sends every request at once (--parallel-immediate,
    # a connection each): an event loop, so the client does not eat the
    # cores the server and PostgreSQL share with it.
    n = len(tokens)
    config = []
    for i, (rid, token) in enumerate(tokens):
        body = json.dumps({"attendees": [{"name": f"Pessoa {i}", "email": f"stand{i}@bench.example.pt"}]})
        config += [f'url = "{base}/v1/events/{eid}/registrations"', 'output = "/dev/null"',
                   'write-out = "%{http_code} %{time_total}\\n"',
                   f'header = "Authorization: Bearer {token}"', 'header = "Content-Type: application/json"',
                   f"data = {json.dumps(body)}", "next"]
    t0 = time.perf_counter()
    out = subprocess.run(["curl", "-s", "--parallel", "--parallel-immediate", "--parallel-max", str(n),
                          "-K", "-"],
                         input="\n".join(config[:-1]) + "\n", capture_output=True, text=True).stdout
    elapsed = time.perf_counter() - t0
    results = [(int(code), float(t)) for code, t in (line.split() for line in out.splitlines())]
    lat = sorted(r[1] * 1000 for r in results)
    tally = {}
    for st, _ in results:
        tally[st] = tally.get(st, 0) + 1
    proof = subprocess.run(
        ["psql", db_url, "-qAt", "-F", " ", "-c",
         "SELECT count(*) FILTER (WHERE status = 'confirmed'),"
         " count(*) FILTER (WHERE status = 'waitlisted'),"
         " (SELECT seats_taken FROM events WHERE id = '%s'),"
         " (SELECT array_agg(id ORDER BY arrival) = array_agg(id ORDER BY created_at, id)"
         "  FROM registrations WHERE event_id = '%s' AND status = 'waitlisted')"
         " FROM registrations WHERE event_id = '%s'" % (eid, eid, eid)],
        check=True, capture_output=True, text=True).stdout.split()
    confirmed, waitlisted, taken, in_order = int(proof[0]), int(proof[1]), int(proof[2]), proof[3]
    print(f"| the summit stand opens: {n} registrars at once for {seats} seats | {n / elapsed:.0f} |"
          f" {lat[len(lat) // 2]:.1f} | {lat[min(len(lat) - 1, int(len(lat) * 0.99))]:.1f} |"
          f" {', '.join(f'{k}: {v}' for k, v in sorted(tally.items(), key=str))} |"
          f" {confirmed} confirmed, {waitlisted} waitlisted, seats_taken {taken},"
          f" waitlist in arrival order: {'yes' if in_order == 't' else 'NO'} |")
    accepted = tally.get(201, 0)
    ok = confirmed == seats and taken == seats and waitlisted == accepted - seats and in_order == "t"
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
