"""Writes a pgbench script that replays what the server ran for one request.

Reads PostgreSQL's log (log_statement = 'all') from stdin: every statement
executed for one captured request, in order, with its parameters. Parameters
are inlined as constants; values that name the captured registrar, its client
or the NIF become expressions over pgbench variables, so that each
transaction touches another row, as the HTTP load does, and other UUIDs
(ids the request created, request ids) become fresh ones.

What else has to change for the script to run under pgbench as the request
runs under HTTP:
- The NIF of a transaction is 100000000000 + run * 10^9 + client * 10^7 + n
  (pgbench -D run=R -D n=0; n counts the client's transactions): never the
  same twice in a database, and never a nine-digit NIF of the seed or of
  wrk's POSTs, so the open-application unique index never refuses one.
- A public-submission counter keyed by the hash of an address or an email
  (alone, or in the array literal that counts both in one statement) gets a
  key made from that NIF, as each HTTP POST has its own email and, through
  X-Forwarded-For, its own address.
- The optimistic check of an update (`AND version = $N`) compares the row's
  version with itself: the captured version is stale after the first run.
- pgbench takes `:word` as a variable even inside a string literal
  ('HH24:MI:SS', 'public:application:…'), so every colon inside a literal is
  written as E'\\072'.

- A UUID of bench/seed.sql's fixed ids (00000000-0000-4000-…, such as the
  proposal every vote goes to) stays as captured: the request read it, it did
  not make it.
- An id this request made is the same value in every statement that names
  it, as in the request: an id a statement returned (INSERT … RETURNING
  id, wrapped in WITH … SELECT id) is kept with \\gset and passed on;
  any other (a request id) is one fresh gen_random_uuid() per transaction.
  A fresh uuid per statement would, besides being another row, turn
  `WHERE a.id = …` into a volatile filter over the whole table.
- A voucher code of the capture (bench/run seeds bench_codes with n and
  code) becomes the code of a random n, so each transaction reads or
  redeems another voucher (one redeemed twice still runs the same UPDATE).

usage: pgbench_script.py RID CLIENT NIF ["CODE …"] < log > script.sql
"""
import re
import sys

rid, client, nif = sys.argv[1:4]
codes = sys.argv[4].split() if len(sys.argv) > 4 else []
PREFIX = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
EXEC = re.compile(r"LOG:  (?:execute [^:]+|statement): (.*)$")
PARAMS = re.compile(r"DETAIL:  parameters: (.*)$")
VALUE = re.compile(r"\$(\d+) = (NULL|'(?:[^']|'')*')")
VERSION_CHECK = re.compile(r"\bversion = \$(\d+)(::int)?")
BUCKET = re.compile(r"([a-z_]+:[a-z_]+:(?:email|ip):)[0-9a-f]{64}")

# captured value -> SQL expression over pgbench variables
# the captured registrar's enrollment (bench/seed.sql): its id with 9000 for 8000
eid = rid.replace("-8000-", "-9000-")
swaps = [(rid, "'00000000-0000-4000-8000-' || lpad(:i::text, 12, '0')"),
         (eid, "'00000000-0000-4000-9000-' || lpad(:i::text, 12, '0')"),
         (client, "'bench-reg-' || :i::text")]
UUID = re.compile(r"^'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'$")
if nif != "-":
    swaps.append((nif, ":nif::text"))
for code in codes:
    swaps.append((code, "(SELECT code FROM bench_codes WHERE n = :k)"))


def quote(text):
    return "'" + text.replace("'", "''") + "'"


made = {}  # an id this request made -> the pgbench variable that carries it
returned = []  # variables of earlier statements' RETURNING, not yet matched to an id
fresh = []  # ids made outside the statements (request ids): one new uuid each


def made_id(value):
    if value not in made:
        if returned:  # the id the newest statement with RETURNING gave back
            made[value] = returned.pop()
        else:
            made[value] = f"u{len(fresh) + 1}"
            fresh.append(made[value])
    return f":{made[value]}::text"


def literal(value):
    if value == "NULL":
        return "NULL"
    seeded = value[1:-1].startswith("00000000-0000-4000-")  # a row of bench/seed.sql (a proposal)
    if UUID.match(value) and value[1:-1] not in (rid, eid) and not seeded:  # made by this request
        return made_id(value)
    text = value[1:-1].replace("''", "'")
    if nif != "-" and BUCKET.search(text):
        parts, last = [], 0
        for m in BUCKET.finditer(text):
            parts += [quote(text[last:m.start()]), quote(m.group(1)), "lpad(:nif::text, 64, '0')"]
            last = m.end()
        parts.append(quote(text[last:]))
        return "(" + " || ".join(parts) + ")"
    expr = quote(text)
    for old, new in swaps:
        if old and old in text:
            expr = f"replace({expr}, '{old}', {new})"
    return expr if expr.startswith("'") else f"({expr})"


def hide_colons(sql):
    """Every string literal holding a colon becomes an E'' literal with \\072."""
    out, i = [], 0
    while i < len(sql):
        c = sql[i]
        if c == '"':  # a quoted identifier: copy as is
            j = sql.index('"', i + 1)
            out.append(sql[i:j + 1])
            i = j + 1
            continue
        if c != "'":
            out.append(c)
            i += 1
            continue
        j = i + 1
        while True:  # the literal's end, '' being a quote inside it
            j = sql.index("'", j)
            if j + 1 < len(sql) and sql[j + 1] == "'":
                j += 2
                continue
            break
        body = sql[i + 1:j]
        escaped = i > 0 and sql[i - 1] in "eE" and (i < 2 or not (sql[i - 2].isalnum() or sql[i - 2] == "_"))
        if ":" in body:
            if not escaped:
                body = body.replace("\\", "\\\\")
                out.append("E")
            body = body.replace(":", "\\072")
        out.append("'" + body + "'")
        i = j + 1
    return "".join(out)


statements = []
last = None  # what a continuation line belongs to
for line in sys.stdin:
    line = line.rstrip("\n")
    if not PREFIX.match(line):
        if last == "sql" and statements:  # a statement over several lines
            statements[-1][0] += " " + line.strip()
        continue
    last = None
    m = EXEC.search(line)
    if m:
        statements.append([m.group(1), {}])
        last = "sql"
        continue
    m = PARAMS.search(line)
    if m and statements:
        statements[-1][1] = {int(n): v for n, v in VALUE.findall(m.group(1))}

RETURNING_ID = re.compile(r"\bRETURNING\s+(?:\w+\.)?id\b", re.IGNORECASE)
out = []
for k, (sql, params) in enumerate(statements):
    if sql.lstrip().upper().startswith("UPDATE"):
        sql = VERSION_CHECK.sub("version = version", sql)
    # highest numbers first, so $1 does not eat the front of $10
    for n in sorted(params, reverse=True):
        sql = sql.replace(f"${n}", literal(params[n]))
    line = hide_colons(sql)
    # an INSERT's id, for the statements after it (\gset takes named columns only)
    if sql.lstrip().upper().startswith("INSERT") and RETURNING_ID.search(sql):
        returned.append(f"r{k}_id")
        line = f"WITH w AS ({line}) SELECT id AS r{k}_id FROM w \\gset"
    else:
        line += ";"
    out.append(line)

print("\\set i random(1, 300)")
print("\\set k random(1, 60000)")
print("\\set n :n + 1")
print("\\set nif 100000000000 + :run * 1000000000 + :client_id * 10000000 + :n")
if fresh:  # one statement for all of them, as the server makes them in C
    print("SELECT " + ", ".join(f"gen_random_uuid() AS {v}" for v in fresh) + " \\gset")
for line in out:
    print(line)
