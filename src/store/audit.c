/* Audit records: written in the caller's transaction; personal values hashed
 * with a per-database key kept in service_keys. The table itself refuses
 * UPDATE and DELETE (see migrations/0002_identity.sql). */
#include "store_audit.h"

#include "sql.h"
#include "store_rows.h"
#include "util.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char SQL_KEY[] = "SELECT secret FROM service_keys WHERE name = 'audit_hash'";
static const char SQL_INSERT[] =
    "INSERT INTO audit_events (actor_sub, actor_role, actor_registrar_id, action, resource_type,"
    " resource_id, from_status, to_status, reason, changes, request_id, registrar_id,"
    " confidential, id) VALUES ($1, $2, $3::uuid, $4, $5, $6, $7, $8, $9, $10::jsonb, $11,"
    " $12::uuid, $13::boolean, $14::uuid)";

#define AUDIT_COLUMNS                                                                              \
    "SELECT id::text, " SQL_TS(                                                                    \
        "at") ", actor_sub, actor_role,"                                                           \
              " coalesce(actor_registrar_id::text, ''), action, resource_type, resource_id,"       \
              " coalesce(from_status, ''), coalesce(to_status, ''), reason, changes::text, "       \
              "request_id, confidential"

static const char SQL_HISTORY[] =
    AUDIT_COLUMNS " FROM (SELECT * FROM audit_events WHERE resource_type = $1 AND resource_id = $2"
                  " ORDER BY seq DESC LIMIT 1000) newest ORDER BY seq";

static pthread_mutex_t key_lock = PTHREAD_MUTEX_INITIALIZER;

/* The hash key is per database; a cache keyed by nothing is fine because a
 * process serves one database. */
static enum status hash_key(PGconn *conn, unsigned char key[32])
{
    static unsigned char cached[32];
    static bool loaded;
    enum status st = ST_OK;
    pthread_mutex_lock(&key_lock);
    if (!loaded) {
        PGresult *res = NULL;
        st = db_exec(conn, SQL_KEY, 0, NULL, &res);
        if (st == ST_OK && PQntuples(res) == 1 &&
            sodium_hex2bin(cached, sizeof cached, PQgetvalue(res, 0, 0), 64, NULL, NULL, NULL) == 0)
            loaded = true;
        else if (st == ST_OK)
            st = ST_UNAVAILABLE;
        PQclear(res);
    }
    if (loaded)
        memcpy(key, cached, 32);
    pthread_mutex_unlock(&key_lock);
    return st;
}

static bool is_personal(const char *name, const char *const *personal)
{
    for (; personal && *personal; personal++)
        if (strcmp(*personal, name) == 0)
            return true;
    return false;
}

/* "hmac-sha256:<hex>" of value under key, into out. */
static void keyed_hash(const unsigned char key[32], const char *value, size_t len,
                       char out[STORE_AUDIT_HASH_LEN + 1])
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    char hex[2 * sizeof mac + 1];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, 32);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)value, len);
    crypto_auth_hmacsha256_final(&st, mac);
    util_hex(mac, sizeof mac, hex);
    snprintf(out, STORE_AUDIT_HASH_LEN + 1, "hmac-sha256:%s", hex);
}

enum status store_audit_hash(PGconn *conn, const char *value, char out[STORE_AUDIT_HASH_LEN + 1])
{
    unsigned char key[32];
    enum status st = hash_key(conn, key);
    if (st == ST_OK)
        keyed_hash(key, value, strlen(value), out);
    sodium_memzero(key, sizeof key);
    return st;
}

/* Replaces personal string members, at any depth, by their keyed hash. */
static void hash_personal(json_t *v, const char *const *personal, const unsigned char key[32])
{
    if (json_is_array(v)) {
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item) hash_personal(item, personal, key);
        return;
    }
    const char *name;
    json_t *member;
    json_object_foreach(v, name, member)
    {
        if (json_is_string(member) && is_personal(name, personal)) {
            char text[STORE_AUDIT_HASH_LEN + 1];
            keyed_hash(key, json_string_value(member), json_string_length(member), text);
            json_object_set_new(v, name, json_string(text));
        } else {
            hash_personal(member, personal, key);
        }
    }
}

enum status store_audit_record(PGconn *conn, const struct audit_actor *actor,
                               const struct audit_entry *e)
{
    char id[37];
    return store_audit_record_id(conn, actor, e, id);
}

enum status store_audit_record_id(PGconn *conn, const struct audit_actor *actor,
                                  const struct audit_entry *e, char id[37])
{
    unsigned char key[32];
    enum status st = hash_key(conn, key);
    if (st != ST_OK)
        return st;
    json_t *changes = e->changes ? json_deep_copy(e->changes) : json_object();
    hash_personal(changes, e->personal, key);
    sodium_memzero(key, sizeof key);
    char *text = json_dumps(changes, JSON_COMPACT);
    json_decref(changes);
    const char *p[] = {actor->sub,
                       actor->role,
                       actor->registrar_id,
                       e->action,
                       e->resource_type,
                       e->resource_id,
                       e->from_status,
                       e->to_status,
                       e->reason,
                       text,
                       actor->request_id,
                       e->registrar_id,
                       e->confidential ? "true" : "false",
                       id};
    /* the id is made here, so the record travels with the next statement */
    util_uuid_v4(id);
    st = db_exec_later(conn, SQL_INSERT, 14, p);
    free(text);
    return st;
}

void store_audit_row_cleanup(void *row)
{
    struct audit_row *r = row;
    free(r->reason);
    json_decref(r->changes);
    r->reason = NULL;
    r->changes = NULL;
}

void store_audit_rows_free(struct audit_row *rows, int count)
{
    for (int i = 0; rows != NULL && i < count; i++)
        store_audit_row_cleanup(&rows[i]);
    free(rows);
}

static void read_row(const PGresult *res, int i, void *out)
{
    struct audit_row *r = out;
    store_audit_row_cleanup(r);
    STORE_COPY(r->id, res, i, 0);
    STORE_COPY(r->created_at, res, i, 1);
    STORE_COPY(r->actor_sub, res, i, 2);
    STORE_COPY(r->actor_role, res, i, 3);
    STORE_COPY(r->actor_registrar_id, res, i, 4);
    STORE_COPY(r->action, res, i, 5);
    STORE_COPY(r->resource_type, res, i, 6);
    STORE_COPY(r->resource_id, res, i, 7);
    STORE_COPY(r->from_status, res, i, 8);
    STORE_COPY(r->to_status, res, i, 9);
    r->reason = PQgetisnull(res, i, 10) ? NULL : xstrdup(PQgetvalue(res, i, 10));
    r->changes = json_loads(PQgetvalue(res, i, 11), 0, NULL);
    STORE_COPY(r->request_id, res, i, 12);
    r->confidential = PQgetvalue(res, i, 13)[0] == 't';
}

enum status store_audit_history(PGconn *conn, const char *resource_type, const char *resource_id,
                                struct audit_row **rows, int *count)
{
    const char *p[] = {resource_type, resource_id};
    PGresult *res = NULL;
    enum status st = db_exec(conn, SQL_HISTORY, 2, p, &res);
    *rows = NULL;
    *count = 0;
    if (st == ST_OK) {
        *count = PQntuples(res);
        *rows = xcalloc((size_t)*count + 1, sizeof **rows);
        for (int i = 0; i < *count; i++)
            read_row(res, i, &(*rows)[i]);
    }
    PQclear(res);
    return st;
}

const struct page_sort store_audit_sorts[STORE_AUDIT_SORTS] = {
    {"created_at", "audit_events.at", "::timestamptz", SQL_TS_US("audit_events.at")},
};

enum status store_audit_list(PGconn *conn, const struct page_query *q, struct page_result *out)
{
    struct store_page sq = {
        .select = AUDIT_COLUMNS ", " SQL_TS_US("at") " AS cursor_value, id::text AS cursor_id"
                                                     " FROM audit_events",
        .where = "WHERE ($1::jsonb IS NULL OR $1::jsonb ? resource_type)"
                 " AND ($2::jsonb IS NULL OR $2::jsonb ? resource_id)"
                 " AND ($3::jsonb IS NULL OR $3::jsonb ? actor_sub)"
                 " AND ($4::timestamptz IS NULL OR at >= $4::timestamptz)"
                 " AND ($5::timestamptz IS NULL OR at >= $5::timestamptz)",
        .id_expr = "audit_events.id", /* not the id::text output column */
        .page = &q->page,
        .nparams = 5,
        .params = {q->filters[STORE_AUDIT_RESOURCE_TYPE], q->filters[STORE_AUDIT_RESOURCE_ID],
                   q->filters[STORE_AUDIT_ACTOR], q->filters[STORE_AUDIT_SINCE],
                   q->page.updated_since},
    };
    return store_rows_page(conn, &sq, read_row, sizeof(struct audit_row), out);
}
