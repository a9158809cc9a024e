/* Data-subject requests: all their SQL, no rules. */
#include "store_data_request.h"

#include "sql.h"
#include "store_rows.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQUEST_COLUMNS                                                                            \
    "id::text, kind, email, " SQL_TS("received_at") ", " SQL_TS(                                   \
        "due_at") ", extended, extension_reason, status, reason, report::text,"                    \
                  " (status = 'open' AND due_at < now()), version, " SQL_TS(                       \
                      "created_at") ", " SQL_TS("updated_at") ", " SQL_TS("status_changed_at")

static const char SQL_GET[] = "SELECT " REQUEST_COLUMNS " FROM data_requests WHERE id = $1::uuid";
static const char SQL_GET_LOCK[] =
    "SELECT " REQUEST_COLUMNS " FROM data_requests WHERE id = $1::uuid FOR UPDATE";
static const char SQL_INSERT[] =
    "INSERT INTO data_requests (kind, email, email_hash, received_at, due_at)"
    " SELECT $1, $2, $3, r, r + interval '1 month'"
    " FROM (SELECT coalesce($4::timestamptz, now()) AS r) x WHERE r <= now() "
    "RETURNING " REQUEST_COLUMNS;
static const char SQL_MOVE[] =
    "UPDATE data_requests SET status = $2, reason = coalesce($3, reason),"
    " status_changed_at = now(), version = version + 1"
    " WHERE id = $1::uuid RETURNING " REQUEST_COLUMNS;
static const char SQL_EXTEND[] = "UPDATE data_requests SET extended = true, extension_reason = $2,"
                                 " due_at = due_at + interval '2 months', version = version + 1"
                                 " WHERE id = $1::uuid AND NOT extended RETURNING " REQUEST_COLUMNS;
static const char SQL_REPORT[] = "UPDATE data_requests SET report = $2::jsonb"
                                 " WHERE id = $1::uuid RETURNING " REQUEST_COLUMNS;

const struct page_sort store_data_request_sorts[STORE_DATA_REQUEST_SORTS] = {
    {"created_at", "q.created_at", "::timestamptz", SQL_TS_US("q.created_at")},
    {"updated_at", "q.updated_at", "::timestamptz", SQL_TS_US("q.updated_at")},
    {"due_at", "q.due_at", "::timestamptz", SQL_TS_US("q.due_at")},
};

static void read_row(const PGresult *res, int i, void *out)
{
    struct data_request_row *r = out;
    data_request_row_cleanup(r);
    memset(r, 0, sizeof *r);
    STORE_COPY(r->id, res, i, 0);
    if (!data_request_kind_parse(PQgetvalue(res, i, 1), &r->kind))
        r->kind = DATA_REQUEST_ACCESS; /* the column's CHECK allows no other value */
    STORE_COPY(r->email, res, i, 2);
    STORE_COPY(r->received_at, res, i, 3);
    STORE_COPY(r->due_at, res, i, 4);
    r->extended = PQgetvalue(res, i, 5)[0] == 't';
    r->extension_reason = store_rows_text(res, i, 6);
    if (!data_request_status_parse(PQgetvalue(res, i, 7), &r->status))
        r->status = DATA_REQUEST_REJECTED;
    r->reason = store_rows_text(res, i, 8);
    r->report = PQgetisnull(res, i, 9) ? NULL : json_loads(PQgetvalue(res, i, 9), 0, NULL);
    r->overdue = PQgetvalue(res, i, 10)[0] == 't';
    r->version = atoi(PQgetvalue(res, i, 11));
    STORE_COPY(r->created_at, res, i, 12);
    STORE_COPY(r->updated_at, res, i, 13);
    STORE_COPY(r->status_changed_at, res, i, 14);
}

enum status store_data_request_get(PGconn *conn, const char *id, bool lock,
                                   struct data_request_row *out)
{
    const char *p[] = {id};
    return store_rows_one(conn, lock ? SQL_GET_LOCK : SQL_GET, 1, p, read_row, out);
}

enum status store_data_request_insert(PGconn *conn, const struct data_request_row *r,
                                      const char *email_hash, struct data_request_row *out)
{
    const char *p[] = {data_request_kind_name(r->kind), r->email, email_hash,
                       r->received_at[0] ? r->received_at : NULL};
    return store_rows_one(conn, SQL_INSERT, 4, p, read_row, out);
}

enum status store_data_request_move(PGconn *conn, struct data_request_row *row, const char *to,
                                    const char *reason)
{
    const char *p[] = {row->id, to, reason};
    return store_rows_one(conn, SQL_MOVE, 3, p, read_row, row);
}

enum status store_data_request_extend(PGconn *conn, struct data_request_row *row,
                                      const char *reason)
{
    const char *p[] = {row->id, reason};
    return store_rows_one(conn, SQL_EXTEND, 2, p, read_row, row);
}

enum status store_data_request_report(PGconn *conn, struct data_request_row *row,
                                      const json_t *report)
{
    char *text = json_dumps(report, JSON_COMPACT);
    const char *p[] = {row->id, text};
    enum status st = store_rows_one(conn, SQL_REPORT, 2, p, read_row, row);
    free(text);
    return st;
}

enum status store_data_request_list(PGconn *conn, const struct page_query *q,
                                    struct page_result *out)
{
    char *select = xasprintf("SELECT " REQUEST_COLUMNS ", %s AS cursor_value,"
                             " q.id::text AS cursor_id FROM data_requests q",
                             q->page.sort->render);
    struct store_page sq = {
        .select = select,
        .where = "WHERE ($1::jsonb IS NULL OR $1::jsonb ? q.status)"
                 " AND ($2::jsonb IS NULL OR $2::jsonb ? q.kind)"
                 " AND ($3::timestamptz IS NULL OR q.updated_at >= $3::timestamptz)",
        .id_expr = "q.id",
        .page = &q->page,
        .nparams = 3,
        .params = {q->filters[STORE_DATA_REQUEST_STATUS], q->filters[STORE_DATA_REQUEST_KIND],
                   q->page.updated_since},
    };
    enum status st = store_rows_page(conn, &sq, read_row, sizeof(struct data_request_row), out);
    free(select);
    return st;
}
