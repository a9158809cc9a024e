/* Applies and checks the embedded migrations. The advisory lock makes
 * concurrent start-ups take turns; the checksum makes an edited, already
 * applied migration a hard error instead of a silent drift. */
#include "migrate.h"

#include "embed.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Arbitrary constant naming our advisory lock ("parceria" in ASCII, truncated). */
#define MIGRATE_LOCK_KEY "7022357391041618273"

static const char SQL_CREATE[] = "CREATE TABLE IF NOT EXISTS schema_migrations ("
                                 " name text PRIMARY KEY,"
                                 " checksum text NOT NULL,"
                                 " applied_at timestamptz NOT NULL DEFAULT now())";
static const char SQL_LOCK[] = "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")";
static const char SQL_UNLOCK[] = "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")";
static const char SQL_APPLIED[] = "SELECT name, checksum FROM schema_migrations ORDER BY name";
static const char SQL_RECORD[] = "INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)";
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

/* Compares applied rows with the embedded files. */
static enum migrate_state compare(const PGresult *applied)
{
    enum migrate_state state = MIGRATE_CURRENT;
    for (int i = 0; i < PQntuples(applied); i++)
        if (!known(PQgetvalue(applied, i, 0)))
            return MIGRATE_UNKNOWN;
    for (const struct embed_file *m = embed_migrations; m->name; m++) {
        char sum[65];
        util_sha256_hex(m->data, m->size, sum);
        const char *have = applied_checksum(applied, m->name);
        if (have == NULL)
            state = MIGRATE_PENDING;
        else if (strcmp(have, sum) != 0)
            return MIGRATE_CHANGED;
    }
    return state;
}

static bool apply_one(PGconn *conn, const struct embed_file *m, const char *sum)
{
    const char *params[] = {m->name, sum};
    if (!exec_ok(conn, "BEGIN"))
        return false;
    if (!exec_ok(conn, m->data)) {
        fprintf(stderr, "parceria: migration %s failed\n", m->name);
        exec_ok(conn, "ROLLBACK");
        return false;
    }
    PGresult *res = PQexecParams(conn, SQL_RECORD, 2, NULL, params, NULL, NULL, 0);
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    if (!ok || !exec_ok(conn, "COMMIT")) {
        exec_ok(conn, "ROLLBACK");
        return false;
    }
    printf("applied %s\n", m->name);
    return true;
}

static bool apply_pending(PGconn *conn)
{
    PGresult *applied = PQexec(conn, SQL_APPLIED);
    if (PQresultStatus(applied) != PGRES_TUPLES_OK) {
        fprintf(stderr, "parceria: %s", PQresultErrorMessage(applied));
        PQclear(applied);
        return false;
    }
    enum migrate_state state = compare(applied);
    bool ok = state == MIGRATE_CURRENT || state == MIGRATE_PENDING;
    if (!ok)
        fprintf(stderr, "parceria: refusing to migrate: %s\n", migrate_state_text(state));
    for (const struct embed_file *m = embed_migrations; ok && m->name; m++) {
        char sum[65];
        util_sha256_hex(m->data, m->size, sum);
        if (applied_checksum(applied, m->name) == NULL)
            ok = apply_one(conn, m, sum);
    }
    PQclear(applied);
    return ok;
}

bool migrate_apply(PGconn *conn)
{
    if (!exec_ok(conn, SQL_LOCK))
        return false;
    bool ok = exec_ok(conn, SQL_CREATE) && apply_pending(conn);
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
    default:
        return "the database has a migration this binary does not know";
    }
}
