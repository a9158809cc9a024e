/* The Sitestar.pt contest: all its SQL, no rules. */
#include "store_sitestar.h"

#include "sql.h"
#include "store_rows.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Lower-case "from": a list's total counts " FROM " onwards of its select
 * (store/page.c), which must be the table's, not extract's. */
#define US(col) "(extract(epoch from " col ") * 1000000)::bigint"
#define COLS_STATUS "CASE WHEN selected_at IS NULL THEN 'open' ELSE 'selected' END"
#define COLS_TIMES SQL_TS("submissions_open_at") ", " SQL_TS("submissions_close_at")
#define COLS_CLOCK US("submissions_open_at") ", " US("submissions_close_at") ", " US("now()")
#define COLS_SELECTED                                                                              \
    "coalesce(" SQL_TS("selected_at") ", ''), coalesce(approved_count, 0),"                        \
                                      " coalesce(not_selected_count, 0)"
#define COLS_STAMPS SQL_TS("created_at") ", " SQL_TS("updated_at")
#define EDITION_COLUMNS                                                                            \
    "year::text, program_code, " COLS_STATUS ", " COLS_TIMES ", " COLS_CLOCK                       \
    ", approved_quota, benefit_months, " COLS_SELECTED ", version, " COLS_STAMPS

static const char SQL_EDITION_GET[] =
    "SELECT " EDITION_COLUMNS " FROM sitestar_editions WHERE year = $1::int";
static const char SQL_EDITION_GET_LOCK[] =
    "SELECT " EDITION_COLUMNS " FROM sitestar_editions WHERE year = $1::int FOR UPDATE";
static const char SQL_EDITION_INSERT[] =
    "INSERT INTO sitestar_editions (year, program_code, submissions_open_at, submissions_close_at,"
    " approved_quota, benefit_months) VALUES ($1::int, $2, $3::timestamptz, $4::timestamptz,"
    " $5::int, $6::int) ON CONFLICT (year) DO NOTHING RETURNING " EDITION_COLUMNS;
static const char SQL_EDITION_UPDATE[] =
    "UPDATE sitestar_editions SET submissions_open_at = $2::timestamptz,"
    " submissions_close_at = $3::timestamptz, approved_quota = $4::int, benefit_months = $5::int,"
    " version = version + 1 WHERE year = $1::int AND version = $6::int RETURNING " EDITION_COLUMNS;
static const char SQL_EDITION_SELECTED[] =
    "UPDATE sitestar_editions SET selected_at = now(), approved_count = $2::int,"
    " not_selected_count = $3::int, version = version + 1 WHERE year = $1::int"
    " RETURNING " EDITION_COLUMNS;

const struct page_sort store_edition_sorts[STORE_EDITION_SORTS] = {
    {"created_at", "sitestar_editions.created_at", "::timestamptz",
     SQL_TS_US("sitestar_editions.created_at")},
    {"year", "sitestar_editions.year", "::int", "sitestar_editions.year::text"},
};

static void read_edition(const PGresult *res, int i, void *out)
{
    struct edition_row *e = out;
    memset(e, 0, sizeof *e);
    STORE_COPY(e->year, res, i, 0);
    STORE_COPY(e->program, res, i, 1);
    e->status = strcmp(PQgetvalue(res, i, 2), "selected") == 0 ? EDITION_SELECTED : EDITION_OPEN;
    STORE_COPY(e->opens_at, res, i, 3);
    STORE_COPY(e->closes_at, res, i, 4);
    e->opens_us = atoll(PQgetvalue(res, i, 5));
    e->closes_us = atoll(PQgetvalue(res, i, 6));
    e->now_us = atoll(PQgetvalue(res, i, 7));
    e->approved_quota = atoi(PQgetvalue(res, i, 8));
    e->benefit_months = atoi(PQgetvalue(res, i, 9));
    STORE_COPY(e->selected_at, res, i, 10);
    e->approved_count = atoi(PQgetvalue(res, i, 11));
    e->not_selected_count = atoi(PQgetvalue(res, i, 12));
    e->version = atoi(PQgetvalue(res, i, 13));
    STORE_COPY(e->created_at, res, i, 14);
    STORE_COPY(e->updated_at, res, i, 15);
}

enum status store_edition_get(PGconn *conn, const char *year, bool lock, struct edition_row *out)
{
    const char *p[] = {year};
    return store_rows_one(conn, lock ? SQL_EDITION_GET_LOCK : SQL_EDITION_GET, 1, p, read_edition,
                          out);
}

enum status store_edition_insert(PGconn *conn, const struct edition_row *in,
                                 struct edition_row *out)
{
    char quota[12], months[12];
    snprintf(quota, sizeof quota, "%d", in->approved_quota);
    snprintf(months, sizeof months, "%d", in->benefit_months);
    const char *p[] = {in->year, in->program, in->opens_at, in->closes_at, quota, months};
    enum status st = store_rows_one(conn, SQL_EDITION_INSERT, 6, p, read_edition, out);
    return st == ST_NOT_FOUND ? ST_CONFLICT : st;
}

enum status store_edition_update(PGconn *conn, struct edition_row *row,
                                 const struct edition_row *next)
{
    char quota[12], months[12], version[12];
    snprintf(quota, sizeof quota, "%d", next->approved_quota);
    snprintf(months, sizeof months, "%d", next->benefit_months);
    snprintf(version, sizeof version, "%d", row->version);
    const char *p[] = {row->year, next->opens_at, next->closes_at, quota, months, version};
    enum status st = store_rows_one(conn, SQL_EDITION_UPDATE, 6, p, read_edition, row);
    return st == ST_NOT_FOUND ? ST_STALE : st;
}

enum status store_edition_selected(PGconn *conn, struct edition_row *row, int approved,
                                   int not_selected)
{
    char a[12], n[12];
    snprintf(a, sizeof a, "%d", approved);
    snprintf(n, sizeof n, "%d", not_selected);
    const char *p[] = {row->year, a, n};
    return store_rows_one(conn, SQL_EDITION_SELECTED, 3, p, read_edition, row);
}

enum status store_edition_list(PGconn *conn, const struct page_query *q, struct page_result *out)
{
    char *select = xasprintf("SELECT " EDITION_COLUMNS ", %s AS cursor_value,"
                             " year::text AS cursor_id FROM sitestar_editions",
                             q->page.sort->render);
    struct store_page sq = {
        .select = select,
        .where = "WHERE ($1::timestamptz IS NULL OR updated_at >= $1::timestamptz)",
        .id_expr = "sitestar_editions.year",
        .page = &q->page,
        .nparams = 1,
        .params = {q->page.updated_since},
    };
    enum status st = store_rows_page(conn, &sq, read_edition, sizeof(struct edition_row), out);
    free(select);
    return st;
}

/* --- entries ------------------------------------------------------------- */

#define ENTRY_VOUCHER_STATUS                                                                       \
    "coalesce(CASE WHEN v.status = 'issued' AND v.expires_at <= now() THEN 'expired'"              \
    " ELSE v.status END, '')"
#define ENTRY_STAMPS                                                                               \
    SQL_TS("e.submitted_at")                                                                       \
    ", e.version, " SQL_TS("e.created_at") ", " SQL_TS("e.updated_at") ", " SQL_TS(                \
        "e.status_changed_at")
#define ENTRY_COLUMNS                                                                              \
    "e.id::text, e.year, e.status, e.school::text, e.teacher::text, e.team_size, e.title,"         \
    " e.description, e.proposed_domain, e.score::float8, e.scores_count,"                          \
    " coalesce(e.voucher_code, ''), " ENTRY_VOUCHER_STATUS ", e.site_url, e.reason, " ENTRY_STAMPS
#define ENTRY_JOIN " LEFT JOIN vouchers v ON v.code = e.voucher_code"
#define ENTRY_FROM " FROM sitestar_entries e" ENTRY_JOIN
#define ENTRY_FROM_CHANGED " FROM e" ENTRY_JOIN

static const char SQL_ENTRY_GET[] = "SELECT " ENTRY_COLUMNS ENTRY_FROM " WHERE e.id = $1::uuid";
static const char SQL_ENTRY_GET_LOCK[] =
    "SELECT " ENTRY_COLUMNS ENTRY_FROM " WHERE e.id = $1::uuid FOR UPDATE OF e";
/* One clock reading for created_at and submitted_at: a new entry was
 * submitted when it was created (two readings straddle a second now and
 * then). */
static const char SQL_ENTRY_INSERT[] =
    "WITH e AS (INSERT INTO sitestar_entries (year, school, teacher, team_size, title,"
    " description, proposed_domain, created_at, submitted_at) SELECT $1::int, $2::jsonb,"
    " $3::jsonb, $4::int, $5, $6, $7, t.at, t.at FROM (SELECT clock_timestamp() AS at) t"
    " RETURNING *) SELECT " ENTRY_COLUMNS ENTRY_FROM_CHANGED;
static const char SQL_ENTRY_MOVE[] =
    "WITH e AS (UPDATE sitestar_entries SET status = $2, reason = coalesce($3, reason),"
    " status_changed_at = now(), version = version + 1 WHERE id = $1::uuid RETURNING *)"
    " SELECT " ENTRY_COLUMNS ENTRY_FROM_CHANGED;
static const char SQL_ENTRY_SITE[] =
    "WITH e AS (UPDATE sitestar_entries SET site_url = $2, version = version + 1"
    " WHERE id = $1::uuid AND version = $3::int RETURNING *) SELECT " ENTRY_COLUMNS
        ENTRY_FROM_CHANGED;
static const char SQL_SCORE_PUT[] =
    "INSERT INTO sitestar_scores (entry_id, juror, score) VALUES ($1::uuid, $2, $3::int)"
    " ON CONFLICT (entry_id, juror) DO UPDATE SET score = excluded.score, updated_at = now()";
static const char SQL_SCORE_MEAN[] =
    "WITH e AS (UPDATE sitestar_entries x SET score = s.mean, scores_count = s.n,"
    " version = version + 1 FROM (SELECT avg(score) AS mean, count(*) AS n FROM sitestar_scores"
    " WHERE entry_id = $1::uuid) s WHERE x.id = $1::uuid RETURNING x.*)"
    " SELECT " ENTRY_COLUMNS ENTRY_FROM_CHANGED;
static const char SQL_SCORES[] =
    "SELECT coalesce(jsonb_agg(jsonb_build_object('juror', juror, 'score', score, "
    "'updated_at', " SQL_TS(
        "updated_at") ") ORDER BY updated_at, juror), '[]')::text FROM sitestar_scores"
                      " WHERE entry_id = $1::uuid";
static const char SQL_CANDIDATES[] =
    "SELECT id::text, score IS NOT NULL, coalesce(score, 0)::float8, " US(
        "submitted_at") " FROM sitestar_entries WHERE year = $1::int AND status = 'submitted'"
                        " ORDER BY id FOR UPDATE";
static const char SQL_SELECT_ENTRY[] =
    "UPDATE sitestar_entries SET status = CASE WHEN $2::text IS NULL THEN 'not_selected'"
    " ELSE 'approved' END, voucher_code = $2, status_changed_at = now(), version = version + 1"
    " WHERE id = $1::uuid AND status = 'submitted' RETURNING id";
static const char SQL_CONTACT[] =
    "SELECT school->>'name', teacher->>'email' FROM sitestar_entries WHERE id = $1::uuid";

#define ENTRY_RANK                                                                                 \
    "(coalesce(e.score, -1) * 100000000000000000000"                                               \
    " - extract(epoch from e.submitted_at) * 1000000)"

const struct page_sort store_entry_sorts[STORE_ENTRY_SORTS] = {
    {"created_at", "e.created_at", "::timestamptz", SQL_TS_US("e.created_at")},
    /* The selection's ranking: -score is the best mean first, no score last, an
     * equal mean by the earlier submission (the mean, 3 decimals, above the
     * submission's microseconds, in one exact numeric). */
    {"score", ENTRY_RANK, "::numeric", ENTRY_RANK "::text"},
};

static void read_entry(const PGresult *res, int i, void *out)
{
    struct entry_row *e = out;
    entry_row_cleanup(e);
    memset(e, 0, sizeof *e);
    STORE_COPY(e->id, res, i, 0);
    e->year = atoi(PQgetvalue(res, i, 1));
    if (!entry_status_parse(PQgetvalue(res, i, 2), &e->status))
        e->status = ENTRY_WITHDRAWN; /* the column's CHECK allows no other value */
    e->school = json_loads(PQgetvalue(res, i, 3), 0, NULL);
    e->teacher = json_loads(PQgetvalue(res, i, 4), 0, NULL);
    e->team_size = atoi(PQgetvalue(res, i, 5));
    e->title = xstrdup(PQgetvalue(res, i, 6));
    e->description = xstrdup(PQgetvalue(res, i, 7));
    STORE_COPY(e->proposed_domain, res, i, 8);
    e->scored = !PQgetisnull(res, i, 9);
    e->score = e->scored ? atof(PQgetvalue(res, i, 9)) : 0;
    e->scores_count = atoi(PQgetvalue(res, i, 10));
    STORE_COPY(e->voucher_code, res, i, 11);
    if (!voucher_status_parse(PQgetvalue(res, i, 12), &e->voucher_status))
        e->voucher_status = VOUCHER_ISSUED;
    e->site_url = store_rows_text(res, i, 13);
    e->reason = store_rows_text(res, i, 14);
    STORE_COPY(e->submitted_at, res, i, 15);
    e->version = atoi(PQgetvalue(res, i, 16));
    STORE_COPY(e->created_at, res, i, 17);
    STORE_COPY(e->updated_at, res, i, 18);
    STORE_COPY(e->status_changed_at, res, i, 19);
}

enum status store_entry_insert(PGconn *conn, const struct entry_new *in, struct entry_row *out)
{
    char *school = json_dumps(in->school, JSON_COMPACT),
         *teacher = json_dumps(in->teacher, JSON_COMPACT);
    char size[12];
    snprintf(size, sizeof size, "%d", in->team_size);
    const char *p[] = {in->year,           school, teacher, size, in->title, in->description,
                       in->proposed_domain};
    enum status st = store_rows_one(conn, SQL_ENTRY_INSERT, 7, p, read_entry, out);
    free(school);
    free(teacher);
    return st;
}

enum status store_entry_get(PGconn *conn, const char *id, bool lock, struct entry_row *out)
{
    const char *p[] = {id};
    return store_rows_one(conn, lock ? SQL_ENTRY_GET_LOCK : SQL_ENTRY_GET, 1, p, read_entry, out);
}

enum status store_entry_move(PGconn *conn, struct entry_row *row, const char *to,
                             const char *reason)
{
    const char *p[] = {row->id, to, reason};
    return store_rows_one(conn, SQL_ENTRY_MOVE, 3, p, read_entry, row);
}

enum status store_entry_set_site(PGconn *conn, struct entry_row *row, const char *site_url)
{
    char version[12];
    snprintf(version, sizeof version, "%d", row->version);
    const char *p[] = {row->id, site_url, version};
    enum status st = store_rows_one(conn, SQL_ENTRY_SITE, 3, p, read_entry, row);
    return st == ST_NOT_FOUND ? ST_STALE : st;
}

enum status store_entry_score(PGconn *conn, struct entry_row *row, const char *juror, int score)
{
    char s[12];
    snprintf(s, sizeof s, "%d", score);
    const char *p[] = {row->id, juror, s};
    PGresult *res = NULL;
    enum status st = db_exec(conn, SQL_SCORE_PUT, 3, p, &res);
    PQclear(res);
    return st == ST_OK ? store_rows_one(conn, SQL_SCORE_MEAN, 1, p, read_entry, row) : st;
}

enum status store_entry_scores(PGconn *conn, const char *id, json_t **items)
{
    const char *p[] = {id};
    *items = NULL;
    return store_rows_one(conn, SQL_SCORES, 1, p, store_rows_read_json, items);
}

enum status store_entry_candidates(PGconn *conn, const char *year, struct entry_rank **out,
                                   size_t *n)
{
    const char *p[] = {year};
    PGresult *res = NULL;
    *out = NULL;
    *n = 0;
    enum status st = db_exec(conn, SQL_CANDIDATES, 1, p, &res);
    if (st != ST_OK)
        return st;
    *n = (size_t)PQntuples(res);
    *out = xcalloc(*n + 1, sizeof **out);
    for (size_t i = 0; i < *n; i++) {
        struct entry_rank *r = &(*out)[i];
        r->index = i;
        snprintf(r->id, sizeof r->id, "%s", PQgetvalue(res, (int)i, 0));
        r->scored = PQgetvalue(res, (int)i, 1)[0] == 't';
        r->score = atof(PQgetvalue(res, (int)i, 2));
        r->submitted_us = atoll(PQgetvalue(res, (int)i, 3));
    }
    PQclear(res);
    return ST_OK;
}

enum status store_entry_select(PGconn *conn, const char *id, const char *voucher_code)
{
    const char *p[] = {id, voucher_code};
    bool moved = false;
    enum status st = store_rows_exists(conn, SQL_SELECT_ENTRY, 2, p, &moved);
    return st == ST_OK && !moved ? ST_NOT_FOUND : st;
}

struct contact {
    char **school, **email;
};

static void read_contact(const PGresult *res, int i, void *out)
{
    struct contact *c = out;
    *c->school = xstrdup(PQgetvalue(res, i, 0));
    *c->email = xstrdup(PQgetvalue(res, i, 1));
}

enum status store_entry_contact(PGconn *conn, const char *id, char **school, char **email)
{
    const char *p[] = {id};
    struct contact c = {school, email};
    *school = *email = NULL;
    return store_rows_one(conn, SQL_CONTACT, 1, p, read_contact, &c);
}

enum status store_entry_list(PGconn *conn, const struct page_query *q, struct page_result *out)
{
    char *select = xasprintf("SELECT " ENTRY_COLUMNS ", %s AS cursor_value,"
                             " e.id::text AS cursor_id" ENTRY_FROM,
                             q->page.sort->render);
    struct store_page sq = {
        .select = select,
        .where = "WHERE e.year = $1::int AND ($2::jsonb IS NULL OR $2::jsonb ? e.status)"
                 " AND ($3::timestamptz IS NULL OR e.updated_at >= $3::timestamptz)",
        .id_expr = "e.id",
        .page = &q->page,
        .nparams = 3,
        .params = {q->filters[STORE_ENTRY_YEAR], q->filters[STORE_ENTRY_STATUS],
                   q->page.updated_since},
    };
    enum status st = store_rows_page(conn, &sq, read_entry, sizeof(struct entry_row), out);
    free(select);
    return st;
}
