"""Writes a pgbench script that replays what the server ran for one request.

Reads PostgreSQL's log (log_statement = 'all') from stdin: every statement
executed for one captured request, in order, with its parameters. Parameters
are inlined as constants; values that name the captured registrar, its client
or the NIF become expressions over pgbench variables, so that each
transaction touches another row, as the HTTP load does, and other UUIDs
(ids the request created, request ids) become fresh ones.

usage: pgbench_script.py RID CLIENT NIF < log > script.sql
"""
import re
import sys

rid, client, nif = sys.argv[1:4]
EXEC = re.compile(r"LOG:  (?:execute [^:]+|statement): (.*)$")
PARAMS = re.compile(r"DETAIL:  parameters: (.*)$")
VALUE = re.compile(r"\$(\d+) = (NULL|'(?:[^']|'')*')")

# captured value -> SQL expression over pgbench variables
swaps = [(rid, "'00000000-0000-4000-8000-' || lpad(:i::text, 12, '0')"),
         (client, "'bench-reg-' || :i::text")]
UUID = re.compile(r"^'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'$")
if nif != "-":
    swaps.append((nif, ":nif::text"))


def literal(value):
    if value == "NULL":
        return "NULL"
    if UUID.match(value) and value[1:-1] != rid:  # made by this request: an object's id, a request id
        return "gen_random_uuid()::text"
    text = value[1:-1].replace("''", "'")
    expr = "'" + text.replace("'", "''") + "'"
    for old, new in swaps:
        if old and old in text:
            expr = f"replace({expr}, '{old}', {new})"
    return expr if expr.startswith("'") else f"({expr})"


statements = []
for line in sys.stdin:
    line = line.rstrip("\n")
    m = EXEC.search(line)
    if m:
        statements.append([m.group(1), {}])
        continue
    m = PARAMS.search(line)
    if m and statements:
        statements[-1][1] = {int(n): v for n, v in VALUE.findall(m.group(1))}

print("\\set i random(1, 300)")
print("\\set nif random(100000000, 999999999)")
for sql, params in statements:
    # highest numbers first, so $1 does not eat the front of $10
    for n in sorted(params, reverse=True):
        sql = sql.replace(f"${n}", literal(params[n]))
    print(sql + ";")
