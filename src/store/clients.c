/* API clients and access keys. A registrar keeps at most five active
 * clients: the count is taken under a lock on the registrar's row, so two
 * concurrent creations cannot both see four. */
#include "store_clients.h"

#include "sql.h"
#include "store_rows.h"
#include "util.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLIENT_LIMIT_PER_REGISTRAR 5

#define CLIENT_COLUMNS                                                                             \
    "client_id, name, role, coalesce(registrar_id::text, ''), status, created_by, " SQL_TS(        \
        "created_at") ", " SQL_TS("updated_at") ", " SQL_TS("status_changed_at") ", "              \
                                                                                 "coalesce"        \
                                                                                 "(" SQL_TS(       \
                                                                                     "last_used_"  \
                                                                                     "at") ", '')"

static const char SQL_LOCK_REGISTRAR[] =
    "SELECT status FROM registrars WHERE id = $1::uuid FOR UPDATE";
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
 * key) have nothing to revoke. */
static const char SQL_CLIENT_REVOKED[] =
    "SELECT 1 FROM api_clients c LEFT JOIN registrars r ON r.id = c.registrar_id"
    " WHERE c.client_id = $1 AND (c.status <> 'active' OR r.status = 'terminated')";
/* An expired key mints no new tokens, but only a revocation (rejection,
 * withdrawal) stops the short-lived tokens already issued. */
static const char SQL_KEY_REVOKED[] =
    "SELECT 1 FROM access_keys WHERE subject_id = $1::uuid AND revoked_at IS NOT NULL";
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
    COPY(c->status, res, i, 4);
    COPY(c->created_by, res, i, 5);
    COPY(c->created_at, res, i, 6);
    COPY(c->updated_at, res, i, 7);
    COPY(c->status_changed_at, res, i, 8);
    COPY(c->last_used_at, res, i, 9);
}

/* "pc_" and 20 random lowercase letters and digits (about 103 bits). */
static void new_client_id(char out[24])
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    memcpy(out, "pc_", 3);
    for (int i = 0; i < 20; i++)
        out[3 + i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
    out[23] = '\0';
}

/* Locks the registrar and checks it may have one more client. */
static enum status check_registrar_room(PGconn *conn, const char *registrar_id,
                                        bool refuse_suspended)
{
    const char *p[] = {registrar_id};
    PGresult *res = NULL;
    enum status st = db_exec(conn, SQL_LOCK_REGISTRAR, 1, p, &res);
    if (st == ST_OK && (PQntuples(res) == 0 || strcmp(PQgetvalue(res, 0, 0), "terminated") == 0))
        st = ST_NOT_FOUND;
    else if (st == ST_OK && refuse_suspended && strcmp(PQgetvalue(res, 0, 0), "suspended") == 0)
        st = ST_FORBIDDEN;
    PQclear(res);
    if (st != ST_OK)
        return st;
    st = db_exec(conn, SQL_COUNT_ACTIVE, 1, p, &res);
    if (st == ST_OK && atoi(PQgetvalue(res, 0, 0)) >= CLIENT_LIMIT_PER_REGISTRAR)
        st = ST_LIMIT;
    PQclear(res);
    return st;
}

enum status store_client_create(PGconn *conn, const char *name, const char *role,
                                const char *registrar_id, const char *secret_hash,
                                const struct audit_actor *actor, struct client *out)
{
    /* A suspended registrar may not add clients itself; admin still may. */
    bool by_registrar = registrar_id && actor->registrar_id != NULL;
    enum status st = registrar_id ? check_registrar_room(conn, registrar_id, by_registrar) : ST_OK;
    if (st != ST_OK)
        return st;
    char id[24];
    new_client_id(id);
    const char *p[] = {id, name, role, registrar_id, secret_hash, actor->sub};
    PGresult *res = NULL;
    st = db_exec(conn, SQL_INSERT, 6, p, &res);
    if (st != ST_OK)
        return st;
    client_from(res, 0, out);
    PQclear(res);
    json_t *changes =
        json_pack("{s:s, s:s, s:s?}", "name", name, "role", role, "registrar_id", registrar_id);
    struct audit_entry e = {.action = "create",
                            .resource_type = "api_client",
                            .resource_id = out->client_id,
                            .to_status = "active",
                            .changes = changes};
    st = store_audit_record(conn, actor, &e);
    json_decref(changes);
    return st;
}

enum status store_client_bootstrap(PGconn *conn, const char *client_id, const char *secret_hash,
                                   bool *created)
{
    PGresult *res = NULL;
    *created = false;
    enum status st = db_exec(conn, SQL_HAS_ADMIN, 0, NULL, &res);
    bool has_admin = st == ST_OK && PQntuples(res) > 0;
    PQclear(res);
    if (st != ST_OK || has_admin)
        return st;
    const char *p[] = {client_id, secret_hash};
    st = db_exec(conn, SQL_BOOTSTRAP, 2, p, &res);
    *created = st == ST_OK && atoi(PQcmdTuples(res)) == 1;
    PQclear(res);
    if (st != ST_OK || !*created)
        return st;
    struct audit_actor system = {.sub = "system", .role = "admin", .request_id = "bootstrap"};
    struct audit_entry e = {.action = "create",
                            .resource_type = "api_client",
                            .resource_id = client_id,
                            .to_status = "active"};
    return store_audit_record(conn, &system, &e);
}

enum status store_client_revoke(PGconn *conn, const char *client_id, const char *registrar_id,
                                const struct audit_actor *actor)
{
    const char *p[] = {client_id, registrar_id};
    PGresult *res = NULL;
    enum status st = db_exec(conn, SQL_REVOKE, 2, p, &res);
    if (st != ST_OK)
        return st;
    bool changed = PQntuples(res) == 1;
    PQclear(res);
    if (!changed) {
        /* Already revoked is a repeat of a completed action: fine. Unknown is 404. */
        st = db_exec(conn, SQL_EXISTS, 2, p, &res);
        if (st == ST_OK && PQntuples(res) == 0)
            st = ST_NOT_FOUND;
        PQclear(res);
        return st;
    }
    struct audit_entry e = {.action = "revoke",
                            .resource_type = "api_client",
                            .resource_id = client_id,
                            .from_status = "active",
                            .to_status = "revoked"};
    return store_audit_record(conn, actor, &e);
}

const struct page_sort store_client_sorts[STORE_CLIENT_SORTS] = {
    {"created_at", "created_at", "::timestamptz", SQL_TS_US("created_at")},
};

static void read_client(const PGresult *res, int i, void *out)
{
    client_from(res, i, out);
}

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

enum status store_access_key_expire_in(PGconn *conn, const char *subject_id, int seconds)
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

enum status store_credential_client(PGconn *conn, const char *client_id, struct credential *out)
{
    return credential_from(conn, SQL_CREDENTIAL, client_id, out);
}

enum status store_credential_access_key(PGconn *conn, const char *subject_id,
                                        struct credential *out)
{
    return credential_from(conn, SQL_ACCESS_KEY, subject_id, out);
}

enum status store_client_touch(PGconn *conn, const char *client_id)
{
    const char *p[] = {client_id};
    return db_exec(conn, SQL_TOUCH, 1, p, NULL);
}

enum status store_credential_active(PGconn *conn, const struct principal *who, bool *active)
{
    bool key = who->role == ROLE_APPLICANT || who->role == ROLE_TEACHER;
    const char *p[] = {who->role == ROLE_APPLICANT ? who->application_id
                       : who->role == ROLE_TEACHER ? who->entry_id
                                                   : who->sub};
    PGresult *res = NULL;
    *active = false;
    enum status st = db_exec(conn, key ? SQL_KEY_REVOKED : SQL_CLIENT_REVOKED, 1, p, &res);
    *active = st == ST_OK && PQntuples(res) == 0;
    PQclear(res);
    return st;
}

enum status store_access_key_put(PGconn *conn, const char *subject_id, const char *role,
                                 const char *key_hash, const char *expires_at)
{
    const char *p[] = {subject_id, role, key_hash, expires_at};
    return db_exec(conn, SQL_KEY_PUT, 4, p, NULL);
}

enum status store_access_key_revoke(PGconn *conn, const char *subject_id)
{
    const char *p[] = {subject_id};
    return db_exec(conn, SQL_KEY_REVOKE, 1, p, NULL);
}
