# Shared by scripts/run and scripts/test: install what is missing, build, and
# run a private PostgreSQL 15 cluster under .local/ when no database is given.
# Sourced, not executed.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_BIN=/usr/lib/postgresql/15/bin
PACKAGES="meson ninja-build pkg-config gcc libulfius-dev libmicrohttpd-dev libjansson-dev libpq-dev
libjwt-dev liborcania-dev libyder-dev libsodium-dev libidn2-dev libunistring-dev libssl-dev libcmocka-dev
libcurl4-gnutls-dev
postgresql-15 python3 python3-pytest python3-requests python3-jsonschema python3-psycopg
python3-hypothesis python3-yaml python3-aiosmtpd python3-jwt python3-cryptography python3-feedparser openssl curl prometheus chromium clang-format
clang libclang-rt-14-dev nginx"
PY=/usr/bin/python3

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

ensure_packages() {
    local missing=()
    for p in $PACKAGES "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
        missing+=(nodejs npm)
    fi
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "Missing packages: ${missing[*]}" >&2
        echo "Install them as root:  apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
    say "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    # nginx's package starts a system nginx on port 80 where it may start
    # services; test_hostile.py runs its own, and nothing needs that one.
    if [[ " ${missing[*]} " == *" nginx "* ]] && [ -s /run/nginx.pid ]; then
        { systemctl disable --now nginx || service nginx stop; } >/dev/null 2>&1 || true
    fi
}

# build DIR [meson options…]
build() {
    local dir=$1; shift
    if [ -f "$ROOT/$dir/build.ninja" ]; then
        meson setup --reconfigure "$ROOT/$dir" "$ROOT" "$@" >/dev/null
    else
        meson setup "$ROOT/$dir" "$ROOT" "$@" >/dev/null
    fi
    meson compile -C "$ROOT/$dir" >/dev/null
}

# Runs a command as the PostgreSQL user: root must drop to `postgres`.
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# The cluster lives in .local/pg of the checkout; its socket in a short path
# (socket paths are limited to 107 bytes).
PG_DATA="$ROOT/.local/pg"
PG_SOCK="/tmp/parceria-$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)"
PG_PORT=5432

pg_start() {
    mkdir -p "$ROOT/.local"
    if [ "$(id -u)" -eq 0 ]; then
        # postgres must reach the data folder: if the checkout's parents are
        # closed to it, keep the cluster beside the socket instead.
        if ! runuser -u postgres -- test -x "$ROOT/.local"; then
            chmod o+x "$ROOT/.local" 2>/dev/null || true
            runuser -u postgres -- test -x "$ROOT/.local" || PG_DATA="$PG_SOCK.data"
        fi
    fi
    mkdir -p "$PG_SOCK"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$PG_SOCK"
    if [ ! -f "$PG_DATA/PG_VERSION" ]; then
        say "creating a private PostgreSQL 15 cluster in $PG_DATA"
        mkdir -p "$PG_DATA"
        [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$PG_DATA"
        chmod 700 "$PG_DATA"
        as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    if ! as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
        as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -w -l "$PG_DATA/server.log" \
            -o "-c listen_addresses='' -c unix_socket_directories='$PG_SOCK' -p $PG_PORT -c fsync=off -c max_connections=300" \
            start >/dev/null
    fi
    PG_ADMIN_URL="postgresql://postgres@/postgres?host=$PG_SOCK&port=$PG_PORT"
    export PG_ADMIN_URL PG_SOCK PG_PORT
}

pg_stop() {
    if [ -f "$PG_DATA/PG_VERSION" ]; then
        as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null 2>&1 || true
    fi
}

# Creates the database `parceria` (owned by role `parceria`) when missing.
pg_ensure_database() {
    local db=$1
    psql "$PG_ADMIN_URL" -qAt -v ON_ERROR_STOP=1 >/dev/null <<SQL
SELECT 'CREATE ROLE parceria LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'parceria')\gexec
SELECT 'CREATE DATABASE $db OWNER parceria' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$db')\gexec
SQL
}

# The npm tools make no calls home: no telemetry, no update checks, no
# install scripts (swagger-ui-dist's analytics dependency has one).
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true SCARF_ANALYTICS=false

# Installs package-lock.json's packages when node_modules is missing or older.
# A node_modules that is a link (a worktree sharing the main checkout's) is
# left alone: a fresh checkout's lockfile is always "newer", and several npm ci
# at once into one folder leave it half-deleted.
npm_tools() {
    (cd "$ROOT" && if [ ! -L node_modules ] && { [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; }; then
        npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null; fi)
}
