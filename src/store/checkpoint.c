/* The tamper-evident log's SQL (store_checkpoint.h). The canonical columns
 * are read as text in audit_log.h's order; `at` as microseconds since the
 * epoch (extract returns numeric: exact). ORDER BY names the table's
 * columns (a bare txid would bind to the txid::text output column). */
#include "store_checkpoint.h"

#include "sql.h"
#include "store_page.h"
#include "store_rows.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EVENT_COLUMNS                                                                              \
    "SELECT e.id::text, e.seq::text, e.txid::text,"                                                \
    " ((extract(epoch FROM e.at) * 1000000)::bigint)::text, e.actor_sub, e.actor_role,"            \
    " e.actor_registrar_id::text, e.registrar_id::text, e.action, e.resource_type,"                \
    " e.resource_id, e.from_status, e.to_status, e.reason, e.changes::text, "                      \
    "e.request_id, " SQL_TS_US("e.at")

#define SETTLED "e.txid < pg_snapshot_xmin(pg_current_snapshot())"
#define AFTER "(e.txid, e.seq) > ($1::xid8, $2::bigint)"
#define ORDER " ORDER BY e.txid, e.seq"

static const char SQL_PENDING[] =
    EVENT_COLUMNS ", 0 FROM audit_events e WHERE " SETTLED " AND " AFTER ORDER " LIMIT $3::integer";
static const char SQL_RANGE[] = EVENT_COLUMNS
    ", 0 FROM audit_events e WHERE " AFTER " AND (e.txid, e.seq) <= ($3::xid8, $4::bigint)" ORDER;
static const char SQL_ACTIVITY[] = EVENT_COLUMNS
    ", coalesce((SELECT c.id FROM audit_checkpoints c"
    " WHERE (c.last_txid, c.last_seq) >= (e.txid, e.seq)"
    " ORDER BY c.last_txid, c.last_seq LIMIT 1), 0)"
    " FROM audit_events e WHERE e.registrar_id = $4::uuid AND NOT e.confidential AND " SETTLED
    " AND " AFTER ORDER " LIMIT $3::integer";

#define CP_COLUMNS_ONLY                                                                            \
    "SELECT id, previous_hash, merkle_root, hash, first_txid::text, first_seq::text,"              \
    " last_txid::text, last_seq::text, event_count, " SQL_TS_US("created_at")
#define CP_COLUMNS CP_COLUMNS_ONLY " FROM audit_checkpoints"

/* An advisory lock, not LOCK TABLE: the service's role holds no UPDATE on
 * the append-only table, which the stronger table locks require. */
static const char SQL_LOCK[] =
    "SELECT pg_advisory_xact_lock(hashtext('parceria:audit-checkpoints'))";
static const char SQL_NEWEST[] = CP_COLUMNS " ORDER BY id DESC LIMIT 1";
static const char SQL_DUE[] = "SELECT NOT EXISTS (SELECT 1 FROM audit_checkpoints"
                              " WHERE created_at > $1::timestamptz - interval '1 hour')";
static const char SQL_AHEAD[] =
    "SELECT coalesce(max(txid) >= pg_snapshot_xmax(pg_current_snapshot()),"
    " false) FROM audit_events";
static const char SQL_INSERT[] =
    "INSERT INTO audit_checkpoints (id, previous_hash, merkle_root, hash, first_txid, first_seq,"
    " last_txid, last_seq, event_count, created_at) VALUES ($1::bigint, $2, $3, $4, $5::xid8,"
    " $6::bigint, $7::xid8, $8::bigint, $9::bigint, coalesce($10::timestamptz, now()))"
    " RETURNING " SQL_TS_US("created_at");
static const char SQL_AFTER[] = CP_COLUMNS " WHERE id > $1::bigint ORDER BY id LIMIT $2::integer";
static const char SQL_GET[] = CP_COLUMNS " WHERE id = $1::bigint";

void store_checkpoint_events_free(struct checkpoint_event *e, int n)
{
    for (int i = 0; e != NULL && i < n; i++)
        for (int j = 0; j < AUDIT_LOG_FIELDS; j++)
            free(e[i].v[j]);
    free(e);
}

static enum status read_events(PGresult *res, struct checkpoint_event **out, int *count)
{
    *count = PQntuples(res);
    *out = xcalloc((size_t)*count + 1, sizeof **out);
    for (int i = 0; i < *count; i++) {
        struct checkpoint_event *e = &(*out)[i];
        for (int j = 0; j < AUDIT_LOG_FIELDS; j++)
            e->v[j] = store_rows_text(res, i, j);
        STORE_COPY(e->occurred_at, res, i, AUDIT_LOG_FIELDS);
        e->checkpoint_id = atoll(PQgetvalue(res, i, AUDIT_LOG_FIELDS + 1));
    }
    return ST_OK;
}

static enum status events(PGconn *conn, const char *sql, int n, const char *const *p,
                          struct checkpoint_event **out, int *count)
{
    PGresult *res = NULL;
    *out = NULL;
    *count = 0;
    enum status st = db_exec(conn, sql, n, p, &res);
    if (st == ST_OK)
        st = read_events(res, out, count);
    PQclear(res);
    return st;
}

static void read_cp(const PGresult *res, int i, struct checkpoint *c)
{
    c->id = atoll(PQgetvalue(res, i, 0));
    STORE_COPY(c->previous_hash, res, i, 1);
    STORE_COPY(c->merkle_root, res, i, 2);
    STORE_COPY(c->hash, res, i, 3);
    STORE_COPY(c->first.txid, res, i, 4);
    STORE_COPY(c->first.seq, res, i, 5);
    STORE_COPY(c->last.txid, res, i, 6);
    STORE_COPY(c->last.seq, res, i, 7);
    c->count = atoll(PQgetvalue(res, i, 8));
    STORE_COPY(c->created_at, res, i, 9);
}

static enum status cps(PGconn *conn, const char *sql, int n, const char *const *p,
                       struct checkpoint **out, int *count)
{
    PGresult *res = NULL;
    *out = NULL;
    *count = 0;
    enum status st = db_exec(conn, sql, n, p, &res);
    if (st == ST_OK) {
        *count = PQntuples(res);
        *out = xcalloc((size_t)*count + 1, sizeof **out);
        for (int i = 0; i < *count; i++)
            read_cp(res, i, &(*out)[i]);
    }
    PQclear(res);
    return st;
}

enum status store_checkpoint_lock(PGconn *conn)
{
    PGresult *res = NULL;
    enum status st = db_exec(conn, SQL_LOCK, 0, NULL, &res);
    PQclear(res);
    return st;
}

static enum status one(PGconn *conn, const char *sql, int n, const char *const *p,
                       struct checkpoint *out, bool *found)
{
    struct checkpoint *rows = NULL;
    int count = 0;
    enum status st = cps(conn, sql, n, p, &rows, &count);
    *found = st == ST_OK && count == 1;
    if (*found)
        *out = rows[0];
    free(rows);
    return st;
}

enum status store_checkpoint_newest(PGconn *conn, struct checkpoint *out, bool *found)
{
    return one(conn, SQL_NEWEST, 0, NULL, out, found);
}

enum status store_checkpoint_get(PGconn *conn, long long id, struct checkpoint *out)
{
    char ids[24];
    snprintf(ids, sizeof ids, "%lld", id);
    const char *p[] = {ids};
    bool found = false;
    enum status st = one(conn, SQL_GET, 1, p, out, &found);
    return st == ST_OK && !found ? ST_NOT_FOUND : st;
}

enum status store_checkpoint_due(PGconn *conn, const char *at, bool *due)
{
    PGresult *res = NULL;
    const char *p[] = {at};
    enum status st = db_exec(conn, SQL_DUE, 1, p, &res);
    *due = st == ST_OK && PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    return st;
}

enum status store_checkpoint_log_ahead(PGconn *conn, bool *ahead)
{
    PGresult *res = NULL;
    enum status st = db_exec(conn, SQL_AHEAD, 0, NULL, &res);
    *ahead = st == ST_OK && PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    return st;
}

enum status store_checkpoint_pending(PGconn *conn, const struct change_position *after, int limit,
                                     struct checkpoint_event **out, int *count)
{
    char lim[16];
    snprintf(lim, sizeof lim, "%d", limit);
    const char *p[] = {after->txid, after->seq, lim};
    return events(conn, SQL_PENDING, 3, p, out, count);
}

enum status store_checkpoint_range(PGconn *conn, const struct change_position *after,
                                   const struct change_position *last,
                                   struct checkpoint_event **out, int *count)
{
    const char *p[] = {after->txid, after->seq, last->txid, last->seq};
    return events(conn, SQL_RANGE, 4, p, out, count);
}

enum status store_checkpoint_activity(PGconn *conn, const char *registrar_id,
                                      const struct change_position *after, int limit,
                                      struct checkpoint_event **out, int *count)
{
    char lim[16];
    snprintf(lim, sizeof lim, "%d", limit);
    const char *p[] = {after->txid, after->seq, lim, registrar_id};
    return events(conn, SQL_ACTIVITY, 4, p, out, count);
}

enum status store_checkpoint_insert(PGconn *conn, struct checkpoint *cp, const char *at)
{
    char id[24], n[24];
    snprintf(id, sizeof id, "%lld", cp->id);
    snprintf(n, sizeof n, "%lld", cp->count);
    const char *p[] = {id,
                       cp->previous_hash,
                       cp->merkle_root,
                       cp->hash,
                       cp->first.txid,
                       cp->first.seq,
                       cp->last.txid,
                       cp->last.seq,
                       n,
                       at};
    PGresult *res = NULL;
    enum status st = db_exec(conn, SQL_INSERT, 10, p, &res);
    if (st == ST_OK && PQntuples(res) == 1)
        STORE_COPY(cp->created_at, res, 0, 0);
    PQclear(res);
    return st;
}

enum status store_checkpoint_after(PGconn *conn, long long after, int limit,
                                   struct checkpoint **out, int *count)
{
    char b[24], lim[16];
    snprintf(b, sizeof b, "%lld", after);
    snprintf(lim, sizeof lim, "%d", limit);
    const char *p[] = {b, lim};
    return cps(conn, SQL_AFTER, 2, p, out, count);
}

const struct page_sort store_checkpoint_sorts[STORE_CHECKPOINT_SORTS] = {
    {"created_at", "audit_checkpoints.created_at", "::timestamptz",
     SQL_TS_US("audit_checkpoints.created_at")},
    {"id", "audit_checkpoints.id", "::bigint", "audit_checkpoints.id::text"},
};

static void read_page_row(const PGresult *res, int i, void *row)
{
    read_cp(res, i, row);
}

enum status store_checkpoint_page(PGconn *conn, const struct page_query *q, struct page_result *out)
{
    char *select = xasprintf(CP_COLUMNS_ONLY ", %s AS cursor_value, audit_checkpoints.id::text"
                                             " AS cursor_id FROM audit_checkpoints",
                             q->page.sort->render);
    struct store_page sq = {
        .select = select,
        .where = "WHERE ($1::timestamptz IS NULL OR created_at >= $1::timestamptz)",
        .id_expr = "audit_checkpoints.id",
        .page = &q->page,
        .nparams = 1,
        .params = {q->page.updated_since},
    };
    enum status st = store_rows_page(conn, &sq, read_page_row, sizeof(struct checkpoint), out);
    free(select);
    return st;
}
