# What bench/run and bench/soak share: the environment a load run needs, a
# seeded database (bench/seed.sql), the registrars' tokens for wrk's scripts,
# and one `parceria serve` started and stopped. Sourced after scripts/lib.sh
# and pg_start, not executed.

B=$ROOT/bench
admin() { psql "$PG_ADMIN_URL" -qAt -v ON_ERROR_STOP=1 "$@"; }
rid() { printf '00000000-0000-4000-8000-%012d' "$1"; } # bench/seed.sql's registrar N

# bench_env PORT: what every load run sets. Rate limits are raised so that
# none triggers, and each request does not log a line.
bench_env() {
    export PARCERIA_JWT_SECRET="bench-only-secret-0123456789abcdef0123456789"
    export PARCERIA_PORT=$1
    export PARCERIA_LOG_LEVEL=warning # a log line per request would measure the terminal
    export PARCERIA_CLIENT_RATE_LIMIT=1000000 PARCERIA_PUBLIC_RATE_LIMIT=1000000
    export PARCERIA_TRUSTED_PROXIES=127.0.0.1 # post.lua gives each applicant its own address
    export PARCERIA_CONNECTIONS_PER_ADDRESS=1024 # summit.py opens a connection per registrar at once
    export PARCERIA_TOKEN_TTL=3600 # the tokens minted below outlive a run
}

# bench_seed BIN DB: a fresh database DB, migrated by BIN and seeded with
# bench/seed.sql; sets and exports URL and PARCERIA_DATABASE_URL.
bench_seed() {
    local bin=$1 db=$2
    admin -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"
    pg_ensure_database "$db"
    URL="postgresql://parceria@/$db?host=$PG_SOCK&port=$PG_PORT"
    export URL PARCERIA_DATABASE_URL=$URL
    "$bin" migrate >/dev/null
    psql "$URL" -qAt -v ON_ERROR_STOP=1 -f "$B/seed.sql" >/dev/null
}

# bench_tokens BIN FILE [TTL]: a Lua file returning {id, token} for each of
# the seed's 300 registrars (bench/registrar.lua, bench/soak.lua read it).
bench_tokens() {
    local bin=$1 file=$2 ttl=${3:-3600} n
    {
        echo "return {"
        for n in $(seq 300); do
            echo "{\"$(rid "$n")\", \"$("$bin" token registrar --sub "bench-reg-$n" --registrar-id "$(rid "$n")" --ttl "$ttl")\"},"
        done
        echo "}"
    } >"$file"
    sed -n 2p "$file" | cut -d'"' -f4 | grep -q . || { echo "could not mint the registrars' tokens" >&2; exit 1; }
}

# start_server / stop_server: "$BIN" serve on $PARCERIA_PORT, its pid in server_pid.
server_pid=
start_server() {
    "$BIN" serve &
    server_pid=$!
    for _ in $(seq 100); do
        curl -fs "http://127.0.0.1:$PARCERIA_PORT/healthz" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "the server did not start" >&2
    exit 1
}
stop_server() {
    if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    server_pid=
}
