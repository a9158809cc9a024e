/* The newsletter's issues and suggestions: all their SQL, no rules. */
#include "store_newsletter.h"

#include "sql.h"
#include "store_rows.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STAMPS SQL_TS("created_at") ", " SQL_TS("updated_at") ", " SQL_TS("status_changed_at")
#define ISSUE_COLUMNS                                                                              \
    "newsletter_issues.id::text, number, title, planned_for::text, coalesce(url, ''), status,"     \
    " coalesce(" SQL_TS("published_at") ", ''), version, " STAMPS

static const char SQL_ISSUE_GET[] =
    "SELECT " ISSUE_COLUMNS " FROM newsletter_issues WHERE id = $1::uuid";
static const char SQL_ISSUE_GET_LOCK[] =
    "SELECT " ISSUE_COLUMNS " FROM newsletter_issues WHERE id = $1::uuid FOR UPDATE";
static const char SQL_ISSUE_INSERT[] =
    "INSERT INTO newsletter_issues (number, title, planned_for, url)"
    " VALUES ($1::int, $2, $3::date, nullif($4, '')) RETURNING " ISSUE_COLUMNS;
static const char SQL_ISSUE_UPDATE[] =
    "UPDATE newsletter_issues SET number = $2::int, title = $3, planned_for = $4::date,"
    " url = nullif($5, ''), version = version + 1 WHERE id = $1::uuid AND version = $6::int"
    " RETURNING " ISSUE_COLUMNS;
static const char SQL_ISSUE_MOVE[] =
    "UPDATE newsletter_issues SET status = $2, status_changed_at = now(),"
    " published_at = CASE WHEN $2 = 'published' THEN now() ELSE published_at END,"
    " version = version + 1 WHERE id = $1::uuid RETURNING " ISSUE_COLUMNS;

const struct page_sort store_issue_sorts[STORE_ISSUE_SORTS] = {
    {"created_at", "newsletter_issues.created_at", "::timestamptz",
     SQL_TS_US("newsletter_issues.created_at")},
    {"planned_for", "newsletter_issues.planned_for", "::date",
     "newsletter_issues.planned_for::text"},
    {"number", "newsletter_issues.number", "::int", "newsletter_issues.number::text"},
};

static void read_issue(const PGresult *res, int i, void *out)
{
    struct newsletter_issue_row *r = out;
    newsletter_issue_row_cleanup(r);
    memset(r, 0, sizeof *r);
    STORE_COPY(r->id, res, i, 0);
    r->number = atoi(PQgetvalue(res, i, 1));
    STORE_COPY(r->title, res, i, 2);
    STORE_COPY(r->planned_for, res, i, 3);
    STORE_COPY(r->url, res, i, 4);
    if (!newsletter_issue_status_parse(PQgetvalue(res, i, 5), &r->status))
        r->status = ISSUE_PLANNED; /* the column's CHECK allows no other value */
    STORE_COPY(r->published_at, res, i, 6);
    r->version = atoi(PQgetvalue(res, i, 7));
    STORE_COPY(r->created_at, res, i, 8);
    STORE_COPY(r->updated_at, res, i, 9);
    STORE_COPY(r->status_changed_at, res, i, 10);
}

enum status store_issue_get(PGconn *conn, const char *id, bool lock,
                            struct newsletter_issue_row *out)
{
    const char *p[] = {id};
    return store_rows_one(conn, lock ? SQL_ISSUE_GET_LOCK : SQL_ISSUE_GET, 1, p, read_issue, out);
}

enum status store_issue_insert(PGconn *conn, const struct newsletter_issue_row *in,
                               struct newsletter_issue_row *out)
{
    char number[12];
    snprintf(number, sizeof number, "%d", in->number);
    const char *p[] = {number, in->title, in->planned_for, in->url};
    return store_rows_one(conn, SQL_ISSUE_INSERT, 4, p, read_issue, out);
}

enum status store_issue_update(PGconn *conn, struct newsletter_issue_row *row,
                               const struct newsletter_issue_row *next)
{
    char number[12], version[12];
    snprintf(number, sizeof number, "%d", next->number);
    snprintf(version, sizeof version, "%d", row->version);
    const char *p[] = {row->id, number, next->title, next->planned_for, next->url, version};
    enum status st = store_rows_one(conn, SQL_ISSUE_UPDATE, 6, p, read_issue, row);
    return st == ST_NOT_FOUND ? ST_STALE : st;
}

enum status store_issue_move(PGconn *conn, struct newsletter_issue_row *row, const char *to)
{
    const char *p[] = {row->id, to};
    return store_rows_one(conn, SQL_ISSUE_MOVE, 2, p, read_issue, row);
}

enum status store_issue_list(PGconn *conn, const struct page_query *q, struct page_result *out)
{
    char *select = xasprintf("SELECT " ISSUE_COLUMNS ", %s AS cursor_value,"
                             " newsletter_issues.id::text AS cursor_id FROM newsletter_issues",
                             q->page.sort->render);
    struct store_page sq = {
        .select = select,
        .where = q->full
                     ? "WHERE ($1::jsonb IS NULL OR $1::jsonb ? status)"
                       " AND ($2::timestamptz IS NULL OR updated_at >= $2::timestamptz)"
                     : "WHERE status = 'published' AND ($1::jsonb IS NULL OR $1::jsonb ? status)"
                       " AND ($2::timestamptz IS NULL OR updated_at >= $2::timestamptz)",
        .id_expr = "newsletter_issues.id",
        .page = &q->page,
        .nparams = 2,
        .params = {q->filters[STORE_ISSUE_STATUS], q->page.updated_since},
    };
    enum status st =
        store_rows_page(conn, &sq, read_issue, sizeof(struct newsletter_issue_row), out);
    free(select);
    return st;
}

/* --- suggestions --------------------------------------------------------- */

#define SUGGESTION_COLUMNS                                                                         \
    "newsletter_suggestions.id::text, registrar_id::text, title, summary, coalesce(link, ''),"     \
    " status, coalesce(issue_id::text, ''), reason, version, " STAMPS

static const char SQL_SUGGESTION_GET[] =
    "SELECT " SUGGESTION_COLUMNS " FROM newsletter_suggestions WHERE id = $1::uuid";
static const char SQL_SUGGESTION_GET_LOCK[] =
    "SELECT " SUGGESTION_COLUMNS " FROM newsletter_suggestions WHERE id = $1::uuid FOR UPDATE";
static const char SQL_SUGGESTION_INSERT[] =
    "INSERT INTO newsletter_suggestions (registrar_id, title, summary, link)"
    " VALUES ($1::uuid, $2, $3, nullif($4, '')) RETURNING " SUGGESTION_COLUMNS;
static const char SQL_SUGGESTION_MOVE[] =
    "UPDATE newsletter_suggestions SET status = $2, status_changed_at = now(),"
    " issue_id = coalesce($3::uuid, issue_id), reason = coalesce($4, reason),"
    " version = version + 1 WHERE id = $1::uuid RETURNING " SUGGESTION_COLUMNS;

const struct page_sort store_suggestion_sorts[STORE_SUGGESTION_SORTS] = {
    {"created_at", "newsletter_suggestions.created_at", "::timestamptz",
     SQL_TS_US("newsletter_suggestions.created_at")},
};

static void read_suggestion(const PGresult *res, int i, void *out)
{
    struct newsletter_suggestion_row *r = out;
    newsletter_suggestion_row_cleanup(r);
    memset(r, 0, sizeof *r);
    STORE_COPY(r->id, res, i, 0);
    STORE_COPY(r->registrar_id, res, i, 1);
    STORE_COPY(r->title, res, i, 2);
    r->summary = xstrdup(PQgetvalue(res, i, 3));
    STORE_COPY(r->link, res, i, 4);
    if (!newsletter_suggestion_status_parse(PQgetvalue(res, i, 5), &r->status))
        r->status = SUGGESTION_SUBMITTED;
    STORE_COPY(r->issue_id, res, i, 6);
    r->reason = store_rows_text(res, i, 7);
    r->version = atoi(PQgetvalue(res, i, 8));
    STORE_COPY(r->created_at, res, i, 9);
    STORE_COPY(r->updated_at, res, i, 10);
    STORE_COPY(r->status_changed_at, res, i, 11);
}

enum status store_suggestion_get(PGconn *conn, const char *id, bool lock,
                                 struct newsletter_suggestion_row *out)
{
    const char *p[] = {id};
    return store_rows_one(conn, lock ? SQL_SUGGESTION_GET_LOCK : SQL_SUGGESTION_GET, 1, p,
                          read_suggestion, out);
}

enum status store_suggestion_insert(PGconn *conn, const struct newsletter_suggestion_row *in,
                                    struct newsletter_suggestion_row *out)
{
    const char *p[] = {in->registrar_id, in->title, in->summary, in->link};
    return store_rows_one(conn, SQL_SUGGESTION_INSERT, 4, p, read_suggestion, out);
}

enum status store_suggestion_move(PGconn *conn, struct newsletter_suggestion_row *row,
                                  const char *to, const char *issue_id, const char *reason)
{
    const char *p[] = {row->id, to, issue_id, reason};
    return store_rows_one(conn, SQL_SUGGESTION_MOVE, 4, p, read_suggestion, row);
}

enum status store_suggestion_list(PGconn *conn, const struct page_query *q, struct page_result *out)
{
    char *select =
        xasprintf("SELECT " SUGGESTION_COLUMNS ", %s AS cursor_value,"
                  " newsletter_suggestions.id::text AS cursor_id FROM newsletter_suggestions",
                  q->page.sort->render);
    struct store_page sq = {
        .select = select,
        .where = "WHERE ($1::jsonb IS NULL OR $1::jsonb ? status)"
                 " AND ($2::jsonb IS NULL OR $2::jsonb ? registrar_id::text)"
                 " AND ($3::timestamptz IS NULL OR updated_at >= $3::timestamptz)",
        .id_expr = "newsletter_suggestions.id",
        .page = &q->page,
        .nparams = 3,
        .params = {q->filters[STORE_SUGGESTION_STATUS], q->filters[STORE_SUGGESTION_REGISTRAR],
                   q->page.updated_since},
    };
    enum status st =
        store_rows_page(conn, &sq, read_suggestion, sizeof(struct newsletter_suggestion_row), out);
    free(select);
    return st;
}
