/* Applies and checks the embedded migrations. The advisory lock makes
 * concurrent start-ups take turns; the checksum makes an edited, already
 * applied migration a hard error instead of a silent drift. A migration
 * marked `-- parceria: expand` is recorded as such, so that the previous
 * release, which does not know it, keeps serving; one marked
 * `-- parceria: contract` waits for `migrate --contract`, run once the
 * previous release is gone (docs/operations.md). */
#include "migrate.h"

#include "embed.h"
#include "util.h"

#include <yder.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Arbitrary constant naming our advisory lock ("parceria" in ASCII, truncated). */
#define MIGRATE_LOCK_KEY "7022357391041618273"

static const char SQL_CREATE[] = "CREATE TABLE IF NOT EXISTS schema_migrations ("
                                 " name text PRIMARY KEY,"
                                 " checksum text NOT NULL,"
                                 " applied_at timestamptz NOT NULL DEFAULT now())";
/* Added by migrate itself (not a migration): the older binary reading it is
 * the one that must know which unknown migrations it can live with. */
static const char SQL_ADD_EXPAND[] =
    "ALTER TABLE schema_migrations"
    " ADD COLUMN IF NOT EXISTS expand boolean NOT NULL DEFAULT false";
static const char SQL_LOCK[] = "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")";
static const char SQL_UNLOCK[] = "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")";
/* Through to_jsonb so that a table from before the expand column reads as
 * "not expand" instead of failing (a replica may read before migrate ran). */
static const char SQL_APPLIED[] =
    "SELECT name, checksum, coalesce((to_jsonb(m) ->> 'expand')::boolean, false)"
    " FROM schema_migrations m ORDER BY name";
static const char SQL_RECORD[] =
    "INSERT INTO schema_migrations (name, checksum, expand) VALUES ($1, $2, $3::boolean)";
static const char EXPAND_LINE[] = "-- parceria: expand";
static const char CONTRACT_LINE[] = "-- parceria: contract";
static const char SQL_HAS_TABLE[] = "SELECT to_regclass('public.schema_migrations') IS NOT NULL";

static bool exec_ok(PGconn *conn, const char *sql)
{
    PGresult *res = PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(res);
    bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok)
        fprintf(stderr, "parceria: migration step failed: %s", PQresultErrorMessage(res));
    PQclear(res);
    return ok;
}

static const char *applied_checksum(const PGresult *applied, const char *name)
{
    for (int i = 0; i < PQntuples(applied); i++)
        if (strcmp(PQgetvalue(applied, i, 0), name) == 0)
            return PQgetvalue(applied, i, 1);
    return NULL;
}

static bool known(const char *name)
{
    for (const struct embed_file *m = embed_migrations; m->name; m++)
        if (strcmp(m->name, name) == 0)
            return true;
    return false;
}

/* Whether sql has mark as a line of its own (trailing blanks allowed). */
static bool has_mark(const char *sql, const char *mark)
{
    size_t n = strlen(mark);
    for (const char *line = sql; line != NULL && *line != '\0';) {
        const char *end = strchr(line, '\n');
        size_t len = end != NULL ? (size_t)(end - line) : strlen(line);
        while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
            len--;
        if (len == n && memcmp(line, mark, n) == 0)
            return true;
        line = end != NULL ? end + 1 : NULL;
    }
    return false;
}

bool migrate_is_expand(const char *sql)
{
    return has_mark(sql, EXPAND_LINE);
}

bool migrate_is_contract(const char *sql)
{
    return has_mark(sql, CONTRACT_LINE);
}

/* Compares applied rows with the embedded files. Unknown rows are newer
 * migrations: livable only when all are expand and ours are all applied.
 * Ours pending, all marked contract: what `migrate` leaves for `--contract`. */
static enum migrate_state compare(const PGresult *applied)
{
    enum migrate_state state = MIGRATE_CURRENT;
    bool newer = false;
    bool only_contract = true;
    for (int i = 0; i < PQntuples(applied); i++) {
        if (known(PQgetvalue(applied, i, 0)))
            continue;
        if (strcmp(PQgetvalue(applied, i, 2), "t") != 0)
            return MIGRATE_UNKNOWN;
        newer = true;
    }
    for (const struct embed_file *m = embed_migrations; m->name; m++) {
        char sum[65];
        util_sha256_hex(m->data, m->size, sum);
        const char *have = applied_checksum(applied, m->name);
        if (have == NULL) {
            state = MIGRATE_PENDING;
            only_contract = only_contract && migrate_is_contract(m->data);
        } else if (strcmp(have, sum) != 0)
            return MIGRATE_CHANGED;
    }
    /* Ours pending behind newer ones: applying them now would be out of order. */
    if (newer)
        return state == MIGRATE_PENDING ? MIGRATE_UNKNOWN : MIGRATE_NEWER_COMPATIBLE;
    if (state == MIGRATE_PENDING && only_contract)
        return MIGRATE_CONTRACT_PENDING;
    return state;
}

/* The newest migration this binary does not know (applied is name-ordered). */
static const char *newest_unknown(const PGresult *applied)
{
    for (int i = PQntuples(applied) - 1; i >= 0; i--)
        if (!known(PQgetvalue(applied, i, 0)))
            return PQgetvalue(applied, i, 0);
    return "";
}

/* Logs once per process that this replica serves a schema newer than it:
 * it must be replaced before a contract migration lands. */
static void tell_newer(const PGresult *applied)
{
    static atomic_flag told = ATOMIC_FLAG_INIT;
    if (atomic_flag_test_and_set(&told))
        return;
    y_log_message(Y_LOG_LEVEL_WARNING,
                  "%s (newest %s): serving; replace this release before a contract migration",
                  migrate_state_text(MIGRATE_NEWER_COMPATIBLE), newest_unknown(applied));
}

/* Logs once per process that this replica serves with its contract
 * migrations still to run: `migrate --contract` once no older release runs. */
static void tell_contract_pending(void)
{
    static atomic_flag told = ATOMIC_FLAG_INIT;
    if (atomic_flag_test_and_set(&told))
        return;
    y_log_message(Y_LOG_LEVEL_INFO,
                  "%s: serving; run `parceria migrate --contract` once no older release runs",
                  migrate_state_text(MIGRATE_CONTRACT_PENDING));
}

static bool apply_one(PGconn *conn, const struct embed_file *m, const char *sum)
{
    const char *params[] = {m->name, sum, migrate_is_expand(m->data) ? "true" : "false"};
    if (!exec_ok(conn, "BEGIN"))
        return false;
    if (!exec_ok(conn, m->data)) {
        fprintf(stderr, "parceria: migration %s failed\n", m->name);
        exec_ok(conn, "ROLLBACK");
        return false;
    }
    PGresult *res = PQexecParams(conn, SQL_RECORD, 3, NULL, params, NULL, NULL, 0);
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    if (!ok || !exec_ok(conn, "COMMIT")) {
        exec_ok(conn, "ROLLBACK");
        return false;
    }
    printf("applied %s\n", m->name);
    return true;
}

static bool apply_pending(PGconn *conn, bool contract)
{
    PGresult *applied = PQexec(conn, SQL_APPLIED);
    if (PQresultStatus(applied) != PGRES_TUPLES_OK) {
        fprintf(stderr, "parceria: %s", PQresultErrorMessage(applied));
        PQclear(applied);
        return false;
    }
    enum migrate_state state = compare(applied);
    bool ok = state == MIGRATE_CURRENT || state == MIGRATE_PENDING ||
              state == MIGRATE_NEWER_COMPATIBLE || state == MIGRATE_CONTRACT_PENDING;
    if (!ok)
        fprintf(stderr, "parceria: refusing to migrate: %s\n", migrate_state_text(state));
    else if (state == MIGRATE_NEWER_COMPATIBLE)
        printf("nothing to apply: %s (newest %s)\n", migrate_state_text(state),
               newest_unknown(applied));
    for (const struct embed_file *m = embed_migrations; ok && m->name; m++) {
        char sum[65];
        util_sha256_hex(m->data, m->size, sum);
        if (applied_checksum(applied, m->name) != NULL)
            continue;
        /* The previous release may still serve: it does not outlive a contract. */
        if (!contract && migrate_is_contract(m->data)) {
            printf("stopped before %s, a contract migration: `parceria migrate --contract`"
                   " applies it and the rest once no older release runs\n",
                   m->name);
            break;
        }
        ok = apply_one(conn, m, sum);
    }
    PQclear(applied);
    return ok;
}

bool migrate_apply(PGconn *conn, bool contract)
{
    if (!exec_ok(conn, SQL_LOCK))
        return false;
    bool ok =
        exec_ok(conn, SQL_CREATE) && exec_ok(conn, SQL_ADD_EXPAND) && apply_pending(conn, contract);
    exec_ok(conn, SQL_UNLOCK);
    return ok;
}

enum status migrate_check(PGconn *conn, enum migrate_state *out)
{
    PGresult *res = PQexec(conn, SQL_HAS_TABLE);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        PQclear(res);
        return ST_UNAVAILABLE;
    }
    bool has_table = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    if (!has_table) {
        *out = MIGRATE_PENDING;
        return ST_OK;
    }
    res = PQexec(conn, SQL_APPLIED);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        PQclear(res);
        return ST_UNAVAILABLE;
    }
    *out = compare(res);
    if (*out == MIGRATE_NEWER_COMPATIBLE)
        tell_newer(res);
    else if (*out == MIGRATE_CONTRACT_PENDING)
        tell_contract_pending();
    PQclear(res);
    return ST_OK;
}

const char *migrate_state_text(enum migrate_state state)
{
    switch (state) {
    case MIGRATE_CURRENT:
        return "every migration is applied";
    case MIGRATE_PENDING:
        return "migrations are pending";
    case MIGRATE_CHANGED:
        return "an applied migration file has changed since it ran";
    case MIGRATE_NEWER_COMPATIBLE:
        return "the database has newer migrations this binary does not know, all marked expand";
    case MIGRATE_CONTRACT_PENDING:
        return "every migration is applied but contract ones, which wait for `migrate --contract`";
    default:
        return "the database has a migration this binary does not know";
    }
}

const char *migrate_state_name(enum migrate_state state)
{
    switch (state) {
    case MIGRATE_CURRENT:
        return "current";
    case MIGRATE_PENDING:
        return "pending";
    case MIGRATE_NEWER_COMPATIBLE:
        return "newer-compatible";
    case MIGRATE_CONTRACT_PENDING:
        return "contract-pending";
    default:
        return "mismatch";
    }
}
