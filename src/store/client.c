/* API clients and access keys. A registrar keeps at most five active
 * clients: the count is taken under a lock on the registrar's row, so two
 * concurrent creations cannot both see four. */
#include "store_client.h"

#include "credential_sql.h"
#include "sql.h"
#include "store_rows.h"
#include "util.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLIENT_COLUMNS                                                                             \
    "client_id, name, role, coalesce(registrar_id::text, ''), status = 'active', "                 \
    "created_by, " SQL_TS("created_at") ", " SQL_TS("updated_at") ", " SQL_TS(                     \
        "status_changed_at") ", "                                                                  \
                             "coalesce"                                                            \
                             "(" SQL_TS("last_used_"                                               \
                                        "at") ", '')"

static const char SQL_COUNT_ACTIVE[] =
    "SELECT count(*) FROM api_clients WHERE registrar_id = $1::uuid AND status = 'active'";
static const char SQL_INSERT[] =
    "INSERT INTO api_clients (client_id, name, role, registrar_id, secret_hash, created_by)"
    " VALUES ($1, $2, $3, $4::uuid, $5, $6) RETURNING " CLIENT_COLUMNS;
static const char SQL_HAS_ADMIN[] =
    "SELECT 1 FROM api_clients WHERE role = 'admin' AND status = 'active' LIMIT 1";
/* With no active admin left, the bootstrap client comes back (re-activated,
 * with the configured secret); a non-admin client of that id stays as it is. */
static const char SQL_BOOTSTRAP[] =
    "INSERT INTO api_clients (client_id, name, role, secret_hash, created_by)"
    " VALUES ($1, 'Bootstrap administrator', 'admin', $2, 'system')"
    " ON CONFLICT (client_id) DO UPDATE SET status = 'active', secret_hash = EXCLUDED.secret_hash,"
    " status_changed_at = now() WHERE api_clients.role = 'admin'";
static const char SQL_REVOKE[] =
    "UPDATE api_clients SET status = 'revoked', status_changed_at = now()"
    " WHERE client_id = $1 AND status = 'active'"
    " AND ($2::uuid IS NULL OR registrar_id = $2::uuid) RETURNING role";
static const char SQL_EXISTS[] = "SELECT status FROM api_clients WHERE client_id = $1 AND "
                                 "($2::uuid IS NULL OR registrar_id = $2::uuid)";
static const char SQL_CREDENTIAL[] =
    "SELECT c.status = 'active' AND (c.registrar_id IS NULL OR r.status <> 'terminated'),"
    " c.role, coalesce(c.registrar_id::text, ''), c.secret_hash"
    " FROM api_clients c LEFT JOIN registrars r ON r.id = c.registrar_id WHERE c.client_id = $1";
static const char SQL_ACCESS_KEY[] =
    "SELECT revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now()), role, '',"
    " key_hash, coalesce(floor(extract(epoch FROM expires_at))::bigint, 0)"
    " FROM access_keys WHERE subject_id = $1::uuid";
static const char SQL_TOUCH[] = "UPDATE api_clients SET last_used_at = now() WHERE client_id = $1";
/* A token stands unless its client or key exists and was revoked; tokens
 * whose subject is no client (minted by `parceria token` with the signing
 * key) have nothing to revoke. Guards (db_guard): a revoked one raises. */
static const char SQL_CLIENT_REVOKED[] = "SELECT credential_refused() FROM " SQL_CLIENT_FROM
                                         " WHERE c.client_id = $1 AND " SQL_CLIENT_REFUSED;
static const char SQL_KEY_REVOKED[] = "SELECT credential_refused() FROM access_keys k"
                                      " WHERE k.subject_id = $1::uuid AND " SQL_KEY_REFUSED;
static const char SQL_KEY_PUT[] =
    "INSERT INTO access_keys (subject_id, role, key_hash, expires_at)"
    " VALUES ($1::uuid, $2, $3, $4::timestamptz) ON CONFLICT (subject_id) DO UPDATE"
    " SET key_hash = EXCLUDED.key_hash, expires_at = EXCLUDED.expires_at, revoked_at = NULL";
static const char SQL_KEY_REVOKE[] =
    "UPDATE access_keys SET revoked_at = now() WHERE subject_id = $1::uuid AND revoked_at IS NULL";

#define COPY(dst, res, i, col) snprintf((dst), sizeof(dst), "%s", PQgetvalue((res), (i), (col)))

static void client_from(const PGresult *res, int i, struct client *c)
{
    COPY(c->client_id, res, i, 0);
    COPY(c->name, res, i, 1);
    COPY(c->role, res, i, 2);
    COPY(c->registrar_id, res, i, 3);
    c->active = PQgetvalue(res, i, 4)[0] == 't';
    COPY(c->created_by, res, i, 5);
    COPY(c->created_at, res, i, 6);
    COPY(c->updated_at, res, i, 7);
    COPY(c->status_changed_at, res, i, 8);
    COPY(c->last_used_at, res, i, 9);
}

enum status store_client_count_active(PGconn *conn, const char *registrar_id, int *count)
{
    const char *p[] = {registrar_id};
    PGresult *res = NULL;
    enum status st = db_exec(conn, SQL_COUNT_ACTIVE, 1, p, &res);
    *count = st == ST_OK ? atoi(PQgetvalue(res, 0, 0)) : 0;
    PQclear(res);
    return st;
}

static void read_client(const PGresult *res, int i, void *out)
{
    client_from(res, i, out);
}

enum status store_client_insert(PGconn *conn, const struct client_new *c, struct client *out)
{
    const char *p[] = {c->client_id,    c->name,        c->role,
                       c->registrar_id, c->secret_hash, c->created_by};
    return store_rows_one(conn, SQL_INSERT, 6, p, read_client, out);
}

enum status store_client_has_active_admin(PGconn *conn, bool *found)
{
    return store_rows_exists(conn, SQL_HAS_ADMIN, 0, NULL, found);
}

enum status store_client_bootstrap(PGconn *conn, const char *client_id, const char *secret_hash,
                                   bool *written)
{
    const char *p[] = {client_id, secret_hash};
    PGresult *res = NULL;
    enum status st = db_exec(conn, SQL_BOOTSTRAP, 2, p, &res);
    *written = st == ST_OK && atoi(PQcmdTuples(res)) == 1;
    PQclear(res);
    return st;
}

enum status store_client_set_revoked(PGconn *conn, const char *client_id, const char *registrar_id,
                                     bool *changed)
{
    const char *p[] = {client_id, registrar_id};
    return store_rows_exists(conn, SQL_REVOKE, 2, p, changed);
}

enum status store_client_exists(PGconn *conn, const char *client_id, const char *registrar_id,
                                bool *found)
{
    const char *p[] = {client_id, registrar_id};
    return store_rows_exists(conn, SQL_EXISTS, 2, p, found);
}

const struct page_sort store_client_sorts[STORE_CLIENT_SORTS] = {
    {"created_at", "created_at", "::timestamptz", SQL_TS_US("created_at")},
};

enum status store_client_list(PGconn *conn, const struct page_query *q, struct page_result *out)
{
    struct store_page sq = {
        .select = "SELECT " CLIENT_COLUMNS ", " SQL_TS_US(
            "created_at") " AS cursor_value, client_id AS cursor_id FROM api_clients",
        .where = "WHERE ($1::uuid IS NULL OR registrar_id = $1::uuid)"
                 " AND ($2::jsonb IS NULL OR $2::jsonb ? role)"
                 " AND ($3::jsonb IS NULL OR $3::jsonb ? status)"
                 " AND ($4::timestamptz IS NULL OR updated_at >= $4::timestamptz)",
        .id_expr = "client_id",
        .page = &q->page,
        .nparams = 4,
        .params = {q->filters[STORE_CLIENT_REGISTRAR], q->filters[STORE_CLIENT_ROLE],
                   q->filters[STORE_CLIENT_STATUS], q->page.updated_since},
    };
    return store_rows_page(conn, &sq, read_client, sizeof(struct client), out);
}

static const char SQL_REVOKE_REGISTRAR[] =
    "UPDATE api_clients SET status = 'revoked', status_changed_at = now()"
    " WHERE registrar_id = $1::uuid AND status = 'active' RETURNING client_id";

enum status store_client_revoke_registrar(PGconn *conn, const char *registrar_id, char ***ids,
                                          int *count)
{
    const char *p[] = {registrar_id};
    PGresult *res = NULL;
    *ids = NULL;
    *count = 0;
    enum status st = db_exec(conn, SQL_REVOKE_REGISTRAR, 1, p, &res);
    if (st != ST_OK)
        return st;
    *count = PQntuples(res);
    *ids = xcalloc((size_t)*count + 1, sizeof **ids);
    for (int i = 0; i < *count; i++)
        (*ids)[i] = xstrdup(PQgetvalue(res, i, 0));
    PQclear(res);
    return ST_OK;
}

static const char SQL_KEY_EXPIRES[] = "UPDATE access_keys SET expires_at = now() +"
                                      " make_interval(secs => $2::int) WHERE subject_id = $1::uuid";

enum status store_client_key_expire_in(PGconn *conn, const char *subject_id, int seconds)
{
    char s[16];
    snprintf(s, sizeof s, "%d", seconds);
    const char *p[] = {subject_id, s};
    return db_exec(conn, SQL_KEY_EXPIRES, 2, p, NULL);
}

static enum status credential_from(PGconn *conn, const char *sql, const char *id,
                                   struct credential *out)
{
    const char *p[] = {id};
    PGresult *res = NULL;
    memset(out, 0, sizeof *out);
    enum status st = db_exec(conn, sql, 1, p, &res);
    if (st == ST_OK && PQntuples(res) == 1) {
        out->found = true;
        out->active = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
        COPY(out->role, res, 0, 1);
        COPY(out->registrar_id, res, 0, 2);
        COPY(out->secret_hash, res, 0, 3);
        if (PQnfields(res) > 4)
            out->expires_at = atoll(PQgetvalue(res, 0, 4));
    }
    PQclear(res);
    return st;
}

enum status store_client_credential(PGconn *conn, const char *client_id, struct credential *out)
{
    return credential_from(conn, SQL_CREDENTIAL, client_id, out);
}

enum status store_client_key_credential(PGconn *conn, const char *subject_id,
                                        struct credential *out)
{
    return credential_from(conn, SQL_ACCESS_KEY, subject_id, out);
}

enum status store_client_touch(PGconn *conn, const char *client_id)
{
    const char *p[] = {client_id};
    return db_exec(conn, SQL_TOUCH, 1, p, NULL);
}

const char *store_client_credential_of(const struct principal *who, bool *key)
{
    *key = who->role == ROLE_APPLICANT || who->role == ROLE_TEACHER;
    return who->role == ROLE_APPLICANT ? who->application_id
           : who->role == ROLE_TEACHER ? who->entry_id
                                       : who->sub;
}

void store_client_credential_guard(PGconn *conn, const struct principal *who)
{
    bool key;
    const char *p[] = {store_client_credential_of(who, &key)};
    db_guard(conn, key ? SQL_KEY_REVOKED : SQL_CLIENT_REVOKED, 1, p);
}

enum status store_client_key_put(PGconn *conn, const char *subject_id, const char *role,
                                 const char *key_hash, const char *expires_at)
{
    const char *p[] = {subject_id, role, key_hash, expires_at};
    return db_exec_later(conn, SQL_KEY_PUT, 4, p);
}

enum status store_client_key_revoke(PGconn *conn, const char *subject_id)
{
    const char *p[] = {subject_id};
    return db_exec(conn, SQL_KEY_REVOKE, 1, p, NULL);
}
