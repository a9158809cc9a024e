/* Registrars' news items: all their SQL, no rules. */
#include "store_news.h"

#include "sql.h"
#include "store_rows.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NEWS_STAMPS                                                                                \
    SQL_TS("n.created_at") ", " SQL_TS("n.updated_at") ", " SQL_TS("n.status_changed_at")
#define NEWS_COLUMNS                                                                               \
    "n.id::text, n.registrar_id::text, r.trade_name, n.title, n.summary, n.body,"                  \
    " coalesce(n.link, ''), array_to_string(n.channels, ','), n.status, n.reason,"                 \
    " coalesce(" SQL_TS("n.published_at") ", ''), n.version, " NEWS_STAMPS ", r.version"
#define NEWS_FROM " FROM news_items n JOIN registrars r ON r.id = n.registrar_id"

static const char SQL_GET[] = "SELECT " NEWS_COLUMNS NEWS_FROM " WHERE n.id = $1::uuid";
static const char SQL_GET_LOCK[] =
    "SELECT " NEWS_COLUMNS NEWS_FROM " WHERE n.id = $1::uuid FOR UPDATE OF n";
/* The insert's and the update's RETURNING cannot join: they read back. */
static const char SQL_INSERT[] =
    "WITH n AS (INSERT INTO news_items (registrar_id, title, summary, body, link, channels)"
    " VALUES ($1::uuid, $2, $3, $4, $5, $6::text[]) RETURNING *)"
    " SELECT " NEWS_COLUMNS " FROM n JOIN registrars r ON r.id = n.registrar_id";
static const char SQL_UPDATE[] =
    "WITH n AS (UPDATE news_items SET title = $2, summary = $3, body = $4, link = $5,"
    " channels = $6::text[], version = version + 1"
    " WHERE id = $1::uuid AND version = $7::int RETURNING *)"
    " SELECT " NEWS_COLUMNS " FROM n JOIN registrars r ON r.id = n.registrar_id";
static const char SQL_MOVE[] =
    "WITH n AS (UPDATE news_items SET status = $2, reason = $3, status_changed_at = now(),"
    " published_at = CASE WHEN $4::boolean THEN now() ELSE published_at END,"
    " version = version + 1 WHERE id = $1::uuid RETURNING *)"
    " SELECT " NEWS_COLUMNS " FROM n JOIN registrars r ON r.id = n.registrar_id";
static const char SQL_FEED[] = "SELECT " NEWS_COLUMNS NEWS_FROM " WHERE n.status = 'published'"
                               " ORDER BY n.published_at DESC, n.id DESC LIMIT $1::int";

const struct page_sort store_news_sorts[STORE_NEWS_SORTS] = {
    {"created_at", "n.created_at", "::timestamptz", SQL_TS_US("n.created_at")},
    {"updated_at", "n.updated_at", "::timestamptz", SQL_TS_US("n.updated_at")},
};

const struct page_sort store_news_public_sorts[STORE_NEWS_PUBLIC_SORTS] = {
    {"published_at", "n.published_at", "::timestamptz", SQL_TS_US("n.published_at")},
};

static unsigned channels_of(const char *text)
{
    unsigned bits = 0;
    char *copy = xstrdup(text), *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save))
        bits |= news_channel_bit(t);
    free(copy);
    return bits;
}

static void read_row(const PGresult *res, int i, void *out)
{
    struct news_row *n = out;
    news_row_cleanup(n);
    memset(n, 0, sizeof *n);
    STORE_COPY(n->id, res, i, 0);
    STORE_COPY(n->registrar_id, res, i, 1);
    STORE_COPY(n->trade_name, res, i, 2);
    STORE_COPY(n->title, res, i, 3);
    STORE_COPY(n->summary, res, i, 4);
    n->body = store_rows_text(res, i, 5);
    STORE_COPY(n->link, res, i, 6);
    n->channels = channels_of(PQgetvalue(res, i, 7));
    if (!news_status_parse(PQgetvalue(res, i, 8), &n->status))
        n->status = NEWS_ARCHIVED; /* the column's CHECK allows no other value */
    n->reason = store_rows_text(res, i, 9);
    STORE_COPY(n->published_at, res, i, 10);
    n->version = atoi(PQgetvalue(res, i, 11));
    STORE_COPY(n->created_at, res, i, 12);
    STORE_COPY(n->updated_at, res, i, 13);
    STORE_COPY(n->status_changed_at, res, i, 14);
    n->registrar_version = atoi(PQgetvalue(res, i, 15));
}

enum status store_news_get(PGconn *conn, const char *id, bool lock, struct news_row *out)
{
    const char *p[] = {id};
    return store_rows_one(conn, lock ? SQL_GET_LOCK : SQL_GET, 1, p, read_row, out);
}

/* The channels as a PostgreSQL array literal of fixed names. */
static void channels_literal(unsigned bits, char out[64])
{
    const char *names[NEWS_CHANNEL_COUNT];
    size_t n = news_channel_names_of(bits, names);
    size_t len = (size_t)snprintf(out, 64, "{");
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(out + len, 64 - len, "%s%s", i ? "," : "", names[i]);
    snprintf(out + len, 64 - len, "}");
}

enum status store_news_insert(PGconn *conn, const struct news_row *in, struct news_row *out)
{
    char channels[64];
    channels_literal(in->channels, channels);
    const char *p[] = {
        in->registrar_id, in->title, in->summary, in->body, in->link[0] ? in->link : NULL,
        channels};
    return store_rows_one(conn, SQL_INSERT, 6, p, read_row, out);
}

enum status store_news_update(PGconn *conn, struct news_row *row, const struct news_row *next)
{
    char channels[64], version[16];
    channels_literal(next->channels, channels);
    snprintf(version, sizeof version, "%d", row->version);
    const char *p[] = {
        row->id,  next->title, next->summary, next->body, next->link[0] ? next->link : NULL,
        channels, version};
    enum status st = store_rows_one(conn, SQL_UPDATE, 7, p, read_row, row);
    return st == ST_NOT_FOUND ? ST_STALE : st;
}

enum status store_news_move(PGconn *conn, struct news_row *row, const char *to, const char *reason,
                            bool stamp_published)
{
    const char *p[] = {row->id, to, reason, stamp_published ? "true" : "false"};
    return store_rows_one(conn, SQL_MOVE, 4, p, read_row, row);
}

static enum status page(PGconn *conn, const struct page_query *q, const char *where, int nparams,
                        const char *const *params, struct page_result *out)
{
    char *select = xasprintf("SELECT " NEWS_COLUMNS ", %s AS cursor_value,"
                             " n.id::text AS cursor_id" NEWS_FROM,
                             q->page.sort->render);
    struct store_page sq = {
        .select = select,
        .where = where,
        .id_expr = "n.id",
        .from = NEWS_FROM,
        .page = &q->page,
        .nparams = nparams,
    };
    for (int i = 0; i < nparams; i++)
        sq.params[i] = params[i];
    enum status st = store_rows_page(conn, &sq, read_row, sizeof(struct news_row), out);
    free(select);
    return st;
}

enum status store_news_list(PGconn *conn, const struct page_query *q, struct page_result *out)
{
    const char *p[] = {q->filters[STORE_NEWS_STATUS], q->filters[STORE_NEWS_REGISTRAR],
                       q->page.updated_since};
    return page(conn, q,
                "WHERE ($1::jsonb IS NULL OR $1::jsonb ? n.status)"
                " AND ($2::jsonb IS NULL OR n.registrar_id = ANY (ARRAY(SELECT"
                " jsonb_array_elements_text($2::jsonb))::uuid[]))"
                " AND ($3::timestamptz IS NULL OR n.updated_at >= $3::timestamptz)",
                3, p, out);
}

enum status store_news_public_list(PGconn *conn, const struct page_query *q,
                                   struct page_result *out)
{
    const char *p[] = {q->page.updated_since};
    return page(conn, q,
                "WHERE n.status = 'published'"
                " AND ($1::timestamptz IS NULL OR n.updated_at >= $1::timestamptz)",
                1, p, out);
}

enum status store_news_feed(PGconn *conn, int limit, struct page_result *out)
{
    char n[12];
    snprintf(n, sizeof n, "%d", limit);
    const char *p[] = {n};
    PGresult *res = NULL;
    memset(out, 0, sizeof *out);
    enum status st = db_exec(conn, SQL_FEED, 1, p, &res);
    if (st != ST_OK)
        return st;
    out->count = PQntuples(res);
    out->rows = xcalloc((size_t)out->count + 1, sizeof(struct news_row));
    for (int i = 0; i < out->count; i++)
        read_row(res, i, (struct news_row *)out->rows + i);
    PQclear(res);
    return ST_OK;
}
