/* Webhook subscriptions, their secrets, their deliveries and the fan-out:
 * all their SQL, no rules. */
#include "store_webhook.h"

#include "sql.h"
#include "store_rows.h"
#include "util.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECRET_ITEM "jsonb_build_object('id', s.id, 'hint', s.hint, 'created_at', " SECRET_TS ")"
#define SECRET_TS SQL_TS("s.created_at")
#define WEBHOOK_SECRETS                                                                            \
    "(SELECT coalesce(jsonb_agg(" SECRET_ITEM " ORDER BY s.created_at, s.id), '[]')"               \
    " FROM webhook_secrets s WHERE s.webhook_id = w.id AND s.revoked_at IS NULL)::text"
#define WEBHOOK_STAMPS SQL_TS("w.created_at") ", " SQL_TS("w.updated_at")
#define WEBHOOK_CHANGED SQL_TS("w.status_changed_at")
#define WEBHOOK_COLUMNS                                                                            \
    "w.id::text, coalesce(w.registrar_id::text, ''), w.url, array_to_string(w.events, ','),"       \
    " coalesce(w.description, ''), w.status, coalesce(w.disabled_reason, ''), "                    \
    "w.version, " WEBHOOK_STAMPS ", " WEBHOOK_CHANGED ", " WEBHOOK_SECRETS

static const char SQL_GET[] = "SELECT " WEBHOOK_COLUMNS " FROM webhooks w WHERE w.id = $1::uuid";
static const char SQL_GET_LOCK[] =
    "SELECT " WEBHOOK_COLUMNS " FROM webhooks w WHERE w.id = $1::uuid FOR UPDATE";
static const char SQL_INSERT[] =
    "WITH w AS (INSERT INTO webhooks (registrar_id, url, events, description)"
    " VALUES ($1::uuid, $2, string_to_array($3, ','), $4) RETURNING *)"
    " SELECT " WEBHOOK_COLUMNS " FROM w";
static const char SQL_UPDATE[] =
    "WITH w AS (UPDATE webhooks SET url = $2, events = string_to_array($3, ','),"
    " description = $4, status = $5, disabled_reason = $6,"
    " status_changed_at = CASE WHEN status = $5 THEN status_changed_at ELSE now() END,"
    " version = version + 1 WHERE id = $1::uuid AND version = $7::int RETURNING *)"
    " SELECT " WEBHOOK_COLUMNS " FROM w";
static const char SQL_DELETE[] =
    "WITH f AS (UPDATE outbox SET status = 'failed', last_error = $2 WHERE channel = 'webhook'"
    " AND recipient = $1 AND status = 'pending') DELETE FROM webhooks WHERE id = $1::uuid";
static const char SQL_DISABLE[] =
    "UPDATE webhooks SET status = 'disabled', disabled_reason = $2, status_changed_at = now(),"
    " version = version + 1 WHERE id = $1::uuid AND status = 'active' RETURNING id";

static const char SQL_SECRET_ADD[] =
    "INSERT INTO webhook_secrets (webhook_id, sealed, hint) VALUES ($1::uuid, decode($2, 'hex'),"
    " $3) RETURNING id::text, " SQL_TS("created_at");
static const char SQL_SECRET_COUNT[] =
    "SELECT count(*) FROM webhook_secrets WHERE webhook_id = $1::uuid AND revoked_at IS NULL";
static const char SQL_SECRET_REVOKE[] =
    "UPDATE webhook_secrets SET revoked_at = now() WHERE webhook_id = $1::uuid AND id = $2::uuid"
    " AND revoked_at IS NULL RETURNING id";
static const char SQL_SECRETS_SEALED[] =
    "SELECT encode(sealed, 'hex') FROM webhook_secrets WHERE webhook_id = $1::uuid"
    " AND revoked_at IS NULL ORDER BY created_at, id";
static const char SQL_DB_KEY[] = "SELECT secret FROM service_keys WHERE name = 'webhook_secrets'";

/* The envelope's id is the row's own message id, drawn first. */
#define AUDIT_AT SQL_TS("a.at")
static const char SQL_FANOUT[] =
    "INSERT INTO outbox (message_id, event_id, event, channel, recipient, resource_type,"
    " resource_id, registrar_id, payload)"
    " SELECT m.message_id, a.id, $2, 'webhook', m.webhook_id::text, a.resource_type,"
    " a.resource_id, a.registrar_id, jsonb_build_object('id', m.message_id, 'type', $2::text,"
    " 'occurred_at', " SQL_TS(
        "a.at") ", 'data', jsonb_build_object('resource_type',"
                " a.resource_type, 'resource_id', a.resource_id, 'action', a.action, 'from_status',"
                " a.from_status, 'to_status', a.to_status, 'registrar_id', a.registrar_id))"
                " FROM audit_events a CROSS JOIN LATERAL (SELECT w.id AS webhook_id,"
                " gen_random_uuid() AS message_id FROM webhooks w WHERE w.status = 'active'"
                " AND (w.registrar_id IS NULL OR w.registrar_id = a.registrar_id)"
                " AND (cardinality(w.events) = 0 OR $2 = ANY (w.events))) m"
                " WHERE a.id = $1::uuid ON CONFLICT (event_id, channel, recipient) DO NOTHING";

#define ATTEMPT_ITEM                                                                               \
    "jsonb_build_object('at', " ATTEMPT_TS ", 'outcome', t.outcome, 'error', t.error)"
#define ATTEMPT_TS SQL_TS("t.at")
#define DELIVERY_LOG                                                                               \
    "(SELECT coalesce(jsonb_agg(" ATTEMPT_ITEM " ORDER BY t.id), '[]')"                            \
    " FROM outbox_attempts t WHERE t.outbox_id = o.id)::text"
#define DELIVERY_NEXT SQL_TS("o.next_attempt_at")
#define DELIVERY_STAMPS SQL_TS("o.created_at") ", " SQL_TS("o.updated_at")
#define DELIVERY_SENT "coalesce(" SQL_TS("o.sent_at") ", '')"
#define DELIVERY_COLUMNS                                                                           \
    "o.message_id::text, o.recipient, o.event, o.event_id::text, o.status, "                       \
    "o.attempts, " DELIVERY_NEXT ", o.last_error, " DELIVERY_STAMPS ", " DELIVERY_SENT             \
    ", o.payload::text, " DELIVERY_LOG

static const char SQL_DELIVERY_GET[] =
    "SELECT " DELIVERY_COLUMNS " FROM outbox o WHERE o.message_id = $1::uuid"
    " AND o.channel = 'webhook'";
static const char SQL_DELIVERY_GET_LOCK[] =
    "SELECT " DELIVERY_COLUMNS " FROM outbox o WHERE o.message_id = $1::uuid"
    " AND o.channel = 'webhook' FOR UPDATE";
static const char SQL_REDELIVER[] =
    "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = now(),"
    " last_error = NULL WHERE message_id = $1::uuid AND channel = 'webhook'"
    " AND (lease_until IS NULL OR lease_until < now())";

const struct page_sort store_webhook_sorts[STORE_WEBHOOK_SORTS] = {
    {"created_at", "w.created_at", "::timestamptz", SQL_TS_US("w.created_at")},
};
const struct page_sort store_webhook_delivery_sorts[STORE_WEBHOOK_DELIVERY_SORTS] = {
    {"created_at", "o.created_at", "::timestamptz", SQL_TS_US("o.created_at")},
};

static void read_row(const PGresult *res, int i, void *out)
{
    struct webhook_row *w = out;
    webhook_row_cleanup(w);
    memset(w, 0, sizeof *w);
    STORE_COPY(w->id, res, i, 0);
    STORE_COPY(w->registrar_id, res, i, 1);
    STORE_COPY(w->url, res, i, 2);
    char *events = xstrdup(PQgetvalue(res, i, 3)), *save = NULL;
    for (char *e = strtok_r(events, ",", &save); e && w->nevents < WEBHOOK_MAX_EVENTS;
         e = strtok_r(NULL, ",", &save))
        snprintf(w->events[w->nevents++], sizeof w->events[0], "%s", e);
    free(events);
    STORE_COPY(w->description, res, i, 4);
    if (!webhook_status_parse(PQgetvalue(res, i, 5), &w->status))
        w->status = WEBHOOK_DISABLED; /* the column's CHECK allows no other value */
    STORE_COPY(w->disabled_reason, res, i, 6);
    w->version = atoi(PQgetvalue(res, i, 7));
    STORE_COPY(w->created_at, res, i, 8);
    STORE_COPY(w->updated_at, res, i, 9);
    STORE_COPY(w->status_changed_at, res, i, 10);
    w->secrets = json_loads(PQgetvalue(res, i, 11), 0, NULL);
}

enum status store_webhook_get(PGconn *conn, const char *id, bool lock, struct webhook_row *out)
{
    const char *p[] = {id};
    return store_rows_one(conn, lock ? SQL_GET_LOCK : SQL_GET, 1, p, read_row, out);
}

/* The events as one comma-separated text (a new string). */
static char *events_text(const struct webhook_row *w)
{
    size_t len = 1;
    for (size_t i = 0; i < w->nevents; i++)
        len += strlen(w->events[i]) + 1;
    char *s = xcalloc(1, len);
    for (size_t i = 0; i < w->nevents; i++) {
        if (i > 0)
            strcat(s, ",");
        strcat(s, w->events[i]);
    }
    return s;
}

static const char *or_null(const char *s)
{
    return s[0] ? s : NULL;
}

enum status store_webhook_insert(PGconn *conn, const struct webhook_row *in,
                                 struct webhook_row *out)
{
    char *events = events_text(in);
    const char *p[] = {or_null(in->registrar_id), in->url, events, or_null(in->description)};
    enum status st = store_rows_one(conn, SQL_INSERT, 4, p, read_row, out);
    free(events);
    return st;
}

enum status store_webhook_update(PGconn *conn, struct webhook_row *row,
                                 const struct webhook_row *next)
{
    char *events = events_text(next);
    char version[16];
    snprintf(version, sizeof version, "%d", row->version);
    const char *p[] = {row->id,
                       next->url,
                       events,
                       or_null(next->description),
                       webhook_status_name(next->status),
                       or_null(next->disabled_reason),
                       version};
    enum status st = store_rows_one(conn, SQL_UPDATE, 7, p, read_row, row);
    free(events);
    return st == ST_NOT_FOUND ? ST_STALE : st;
}

enum status store_webhook_delete(PGconn *conn, const char *id, const char *error)
{
    const char *p[] = {id, error};
    return db_exec(conn, SQL_DELETE, 2, p, NULL);
}

enum status store_webhook_disable(PGconn *conn, const char *id, const char *reason, bool *changed)
{
    const char *p[] = {id, reason};
    return store_rows_exists(conn, SQL_DISABLE, 2, p, changed);
}

enum status store_webhook_list(PGconn *conn, const struct page_query *q, struct page_result *out)
{
    char *select = xasprintf("SELECT " WEBHOOK_COLUMNS ", %s AS cursor_value,"
                             " w.id::text AS cursor_id FROM webhooks w",
                             q->page.sort->render);
    struct store_page sq = {
        .select = select,
        .where = "WHERE ($1::jsonb IS NULL OR $1::jsonb ? w.status)"
                 " AND ($2::jsonb IS NULL OR $2::jsonb ? w.registrar_id::text)"
                 " AND ($3::timestamptz IS NULL OR w.updated_at >= $3::timestamptz)",
        .id_expr = "w.id",
        .from = " FROM webhooks w",
        .page = &q->page,
        .nparams = 3,
        .params = {q->filters[STORE_WEBHOOK_STATUS], q->filters[STORE_WEBHOOK_REGISTRAR],
                   q->page.updated_since},
    };
    enum status st = store_rows_page(conn, &sq, read_row, sizeof(struct webhook_row), out);
    free(select);
    return st;
}

/* --- secrets ------------------------------------------------------------------ */

struct added {
    char *id, *created_at;
};

static void read_added(const PGresult *res, int i, void *out)
{
    struct added *a = out;
    snprintf(a->id, 37, "%s", PQgetvalue(res, i, 0));
    snprintf(a->created_at, 32, "%s", PQgetvalue(res, i, 1));
}

enum status store_webhook_secret_add(PGconn *conn, const char *webhook_id,
                                     const unsigned char *sealed, size_t len, const char *hint,
                                     char id[37], char created_at[32])
{
    char *hex = xmalloc(2 * len + 1);
    util_hex(sealed, len, hex);
    const char *p[] = {webhook_id, hex, hint};
    struct added a = {id, created_at};
    enum status st = store_rows_one(conn, SQL_SECRET_ADD, 3, p, read_added, &a);
    free(hex);
    return st;
}

static void read_int(const PGresult *res, int i, void *out)
{
    *(int *)out = atoi(PQgetvalue(res, i, 0));
}

enum status store_webhook_secret_count(PGconn *conn, const char *webhook_id, int *count)
{
    const char *p[] = {webhook_id};
    *count = 0;
    return store_rows_one(conn, SQL_SECRET_COUNT, 1, p, read_int, count);
}

enum status store_webhook_secret_revoke(PGconn *conn, const char *webhook_id, const char *secret_id)
{
    const char *p[] = {webhook_id, secret_id};
    bool found = false;
    enum status st = store_rows_exists(conn, SQL_SECRET_REVOKE, 2, p, &found);
    return st == ST_OK && !found ? ST_NOT_FOUND : st;
}

enum status store_webhook_secrets_sealed(PGconn *conn, const char *webhook_id,
                                         struct webhook_sealed **out, int *count)
{
    PGresult *res = NULL;
    const char *p[] = {webhook_id};
    *out = NULL;
    *count = 0;
    enum status st = db_exec(conn, SQL_SECRETS_SEALED, 1, p, &res);
    if (st != ST_OK)
        return st;
    int n = PQntuples(res);
    *out = xcalloc((size_t)n + 1, sizeof **out);
    for (int i = 0; i < n; i++) {
        const char *hex = PQgetvalue(res, i, 0);
        struct webhook_sealed *s = &(*out)[*count];
        if (sodium_hex2bin(s->bytes, sizeof s->bytes, hex, strlen(hex), NULL, &s->len, NULL) == 0)
            (*count)++;
    }
    PQclear(res);
    return ST_OK;
}

static void read_key(const PGresult *res, int i, void *out)
{
    const char *hex = PQgetvalue(res, i, 0);
    size_t len = 0;
    if (sodium_hex2bin(out, 32, hex, strlen(hex), NULL, &len, NULL) != 0 || len != 32)
        memset(out, 0, 32);
}

enum status store_webhook_db_key(PGconn *conn, unsigned char key[32])
{
    return store_rows_one(conn, SQL_DB_KEY, 0, NULL, read_key, key);
}

/* --- fan-out and deliveries ------------------------------------------------- */

enum status store_webhook_fanout(PGconn *conn, const struct outbox_cause *c)
{
    const char *p[] = {c->event_id, c->event};
    return db_exec_later(conn, SQL_FANOUT, 2, p);
}

void store_webhook_delivery_cleanup(void *row)
{
    struct webhook_delivery *d = row;
    free(d->last_error);
    json_decref(d->payload);
    json_decref(d->log);
    d->last_error = NULL;
    d->payload = d->log = NULL;
}

static void read_delivery(const PGresult *res, int i, void *out)
{
    struct webhook_delivery *d = out;
    store_webhook_delivery_cleanup(d);
    memset(d, 0, sizeof *d);
    STORE_COPY(d->id, res, i, 0);
    STORE_COPY(d->webhook_id, res, i, 1);
    STORE_COPY(d->event, res, i, 2);
    STORE_COPY(d->event_id, res, i, 3);
    STORE_COPY(d->status, res, i, 4);
    d->attempts = atoi(PQgetvalue(res, i, 5));
    STORE_COPY(d->next_attempt_at, res, i, 6);
    d->last_error = store_rows_text(res, i, 7);
    STORE_COPY(d->created_at, res, i, 8);
    STORE_COPY(d->updated_at, res, i, 9);
    STORE_COPY(d->sent_at, res, i, 10);
    d->payload = json_loads(PQgetvalue(res, i, 11), 0, NULL);
    d->log = json_loads(PQgetvalue(res, i, 12), 0, NULL);
}

enum status store_webhook_deliveries(PGconn *conn, const struct page_query *q,
                                     struct page_result *out)
{
    char *select = xasprintf("SELECT " DELIVERY_COLUMNS ", %s AS cursor_value,"
                             " o.id::text AS cursor_id FROM outbox o",
                             q->page.sort->render);
    struct store_page sq = {
        .select = select,
        .where = "WHERE o.channel = 'webhook' AND o.recipient = $1"
                 " AND ($2::jsonb IS NULL OR $2::jsonb ? o.status)"
                 " AND ($3::timestamptz IS NULL OR o.updated_at >= $3::timestamptz)",
        .id_expr = "o.id",
        .from = " FROM outbox o",
        .page = &q->page,
        .nparams = 3,
        .params = {q->filters[STORE_WEBHOOK_DELIVERY_WEBHOOK],
                   q->filters[STORE_WEBHOOK_DELIVERY_STATUS], q->page.updated_since},
    };
    enum status st =
        store_rows_page(conn, &sq, read_delivery, sizeof(struct webhook_delivery), out);
    free(select);
    return st;
}

enum status store_webhook_delivery_get(PGconn *conn, const char *id, bool lock,
                                       struct webhook_delivery *out)
{
    const char *p[] = {id};
    return store_rows_one(conn, lock ? SQL_DELIVERY_GET_LOCK : SQL_DELIVERY_GET, 1, p,
                          read_delivery, out);
}

enum status store_webhook_redeliver(PGconn *conn, const char *id, struct webhook_delivery *out)
{
    const char *p[] = {id};
    enum status st = db_exec(conn, SQL_REDELIVER, 1, p, NULL);
    return st == ST_OK ? store_webhook_delivery_get(conn, id, false, out) : st;
}
