/* Programs: all their SQL, no rules. */
#include "store_program.h"

#include "sql.h"
#include "store_rows.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROGRAM_COLUMNS                                                                            \
    "code, kind, coalesce(year, 0), name::text, description::text, status,"                        \
    " coalesce(" SQL_TS("enrollment_opens_at") ", ''), coalesce(" SQL_TS(                          \
        "enrollment_closes_at") ", ''), array_to_string(requires, ','), coalesce(capacity, 0),"    \
                                " coalesce(benefit_months, 0), terms_version, "                    \
                                "coalesce(voucher_validity_days, 0), version, " SQL_TS(            \
                                    "created_at") ", " SQL_TS("updated_at") ", " SQL_TS("status_"  \
                                                                                        "changed_" \
                                                                                        "at")

static const char SQL_GET[] = "SELECT " PROGRAM_COLUMNS " FROM programs WHERE code = $1";
static const char SQL_GET_LOCK[] =
    "SELECT " PROGRAM_COLUMNS " FROM programs WHERE code = $1 FOR UPDATE";
static const char SQL_INSERT[] =
    "INSERT INTO programs (code, kind, year, name, description, enrollment_opens_at,"
    " enrollment_closes_at, requires, capacity, benefit_months, terms_version,"
    " voucher_validity_days)"
    " VALUES ($1, $2, nullif($3, '0')::int, $4::jsonb, $5::jsonb, $6::timestamptz,"
    " $7::timestamptz, string_to_array($8, ','), nullif($9, '0')::int, nullif($10, '0')::int,"
    " $11, nullif($12, '0')::int) RETURNING " PROGRAM_COLUMNS;
static const char SQL_UPDATE[] =
    "UPDATE programs SET name = $2::jsonb, description = $3::jsonb,"
    " enrollment_opens_at = $4::timestamptz, enrollment_closes_at = $5::timestamptz,"
    " requires = string_to_array($6, ','), capacity = nullif($7, '0')::int,"
    " benefit_months = nullif($8, '0')::int, terms_version = $9,"
    " voucher_validity_days = nullif($11, '0')::int, version = version + 1"
    " WHERE code = $1 AND version = $10::int RETURNING " PROGRAM_COLUMNS;
static const char SQL_MOVE[] =
    "UPDATE programs SET status = $2, status_changed_at = now(), version = version + 1"
    " WHERE code = $1 RETURNING " PROGRAM_COLUMNS;
static const char SQL_UNKNOWN[] =
    "SELECT coalesce(min(i) - 1, -1) FROM unnest(string_to_array($1, ',')) WITH ORDINALITY AS"
    " c(code, i) WHERE NOT EXISTS (SELECT 1 FROM programs p WHERE p.code = c.code)";

const struct page_sort store_program_sorts[STORE_PROGRAM_SORTS] = {
    {"created_at", "programs.created_at", "::timestamptz", SQL_TS_US("programs.created_at")},
    {"code", "programs.code", "", "programs.code"},
};

static json_t *json_or_null(const PGresult *res, int i, int col)
{
    return PQgetisnull(res, i, col) ? NULL : json_loads(PQgetvalue(res, i, col), 0, NULL);
}

static void read_row(const PGresult *res, int i, void *out)
{
    struct program_row *p = out;
    program_row_cleanup(p);
    memset(p, 0, sizeof *p);
    STORE_COPY(p->code, res, i, 0);
    if (!program_kind_parse(PQgetvalue(res, i, 1), &p->kind))
        p->kind = PROGRAM_STANDING; /* the column's CHECK allows no other value */
    p->year = atoi(PQgetvalue(res, i, 2));
    p->name = json_or_null(res, i, 3);
    p->description = json_or_null(res, i, 4);
    if (!program_status_parse(PQgetvalue(res, i, 5), &p->status))
        p->status = PROGRAM_ARCHIVED;
    STORE_COPY(p->opens_at, res, i, 6);
    STORE_COPY(p->closes_at, res, i, 7);
    char *requires = xstrdup(PQgetvalue(res, i, 8)), *save = NULL;
    for (char *c = strtok_r(requires, ",", &save); c && p->nrequires < PROGRAM_MAX_REQUIRES;
         c = strtok_r(NULL, ",", &save))
        snprintf(p->requires[p->nrequires++], sizeof p->requires[0], "%s", c);
    free(requires);
    p->capacity = atoi(PQgetvalue(res, i, 9));
    p->benefit_months = atoi(PQgetvalue(res, i, 10));
    STORE_COPY(p->terms_version, res, i, 11);
    p->voucher_validity_days = atoi(PQgetvalue(res, i, 12));
    p->version = atoi(PQgetvalue(res, i, 13));
    STORE_COPY(p->created_at, res, i, 14);
    STORE_COPY(p->updated_at, res, i, 15);
    STORE_COPY(p->status_changed_at, res, i, 16);
}

enum status store_program_get(PGconn *conn, const char *code, bool lock, struct program_row *out)
{
    const char *p[] = {code};
    return store_rows_one(conn, lock ? SQL_GET_LOCK : SQL_GET, 1, p, read_row, out);
}

/* The parameters of a program's fields, as texts (store_program_fields_free). */
struct fields {
    char year[12], capacity[12], months[12], days[12], *name, *description, *requires;
};

static void fields_of(const struct program_row *p, struct fields *f)
{
    snprintf(f->year, sizeof f->year, "%d", p->year);
    snprintf(f->capacity, sizeof f->capacity, "%d", p->capacity);
    snprintf(f->months, sizeof f->months, "%d", p->benefit_months);
    snprintf(f->days, sizeof f->days, "%d", p->voucher_validity_days);
    f->name = json_dumps(p->name, JSON_COMPACT);
    f->description = p->description ? json_dumps(p->description, JSON_COMPACT) : NULL;
    size_t len = 1;
    for (size_t i = 0; i < p->nrequires; i++)
        len += strlen(p->requires[i]) + 1;
    f->requires = xcalloc(1, len);
    for (size_t i = 0; i < p->nrequires; i++) {
        if (i > 0)
            strcat(f->requires, ",");
        strcat(f->requires, p->requires[i]);
    }
}

static void fields_free(struct fields *f)
{
    free(f->name);
    free(f->description);
    free(f->requires);
}

static const char *or_null(const char *s)
{
    return s[0] ? s : NULL;
}

enum status store_program_insert(PGconn *conn, const struct program_row *in,
                                 struct program_row *out)
{
    struct fields f;
    fields_of(in, &f);
    const char *p[] = {in->code,
                       program_kind_name(in->kind),
                       f.year,
                       f.name,
                       f.description,
                       or_null(in->opens_at),
                       or_null(in->closes_at),
                       f.requires,
                       f.capacity,
                       f.months,
                       in->terms_version,
                       f.days};
    enum status st = store_rows_one(conn, SQL_INSERT, 12, p, read_row, out);
    fields_free(&f);
    return st;
}

enum status store_program_update(PGconn *conn, struct program_row *row,
                                 const struct program_row *next)
{
    struct fields f;
    fields_of(next, &f);
    char version[16];
    snprintf(version, sizeof version, "%d", row->version);
    const char *p[] = {
        row->code,  f.name,     f.description, or_null(next->opens_at), or_null(next->closes_at),
        f.requires, f.capacity, f.months,      next->terms_version,     version,
        f.days};
    enum status st = store_rows_one(conn, SQL_UPDATE, 11, p, read_row, row);
    fields_free(&f);
    return st == ST_NOT_FOUND ? ST_STALE : st;
}

enum status store_program_move(PGconn *conn, struct program_row *row, const char *to)
{
    const char *p[] = {row->code, to};
    return store_rows_one(conn, SQL_MOVE, 2, p, read_row, row);
}

static void read_int(const PGresult *res, int i, void *out)
{
    *(int *)out = atoi(PQgetvalue(res, i, 0));
}

enum status store_program_unknown(PGconn *conn, const char (*codes)[PROGRAM_CODE_MAX + 1], size_t n,
                                  int *index)
{
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(codes[i]) + 1;
    char *list = xcalloc(1, len);
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            strcat(list, ",");
        strcat(list, codes[i]);
    }
    const char *p[] = {list};
    *index = -1;
    enum status st = n == 0 ? ST_OK : store_rows_one(conn, SQL_UNKNOWN, 1, p, read_int, index);
    free(list);
    return st;
}

enum status store_program_list(PGconn *conn, const struct page_query *q, struct page_result *out)
{
    char *select = xasprintf("SELECT " PROGRAM_COLUMNS ", %s AS cursor_value, code AS cursor_id"
                             " FROM programs",
                             q->page.sort->render);
    struct store_page sq = {
        .select = select,
        .where = q->full ? "WHERE ($1::jsonb IS NULL OR $1::jsonb ? kind)"
                           " AND ($2::jsonb IS NULL OR $2::jsonb ? status)"
                           " AND ($3::jsonb IS NULL OR $3::jsonb ? year::text)"
                           " AND ($4::timestamptz IS NULL OR updated_at >= $4::timestamptz)"
                         : "WHERE status <> 'draft' AND ($1::jsonb IS NULL OR $1::jsonb ? kind)"
                           " AND ($2::jsonb IS NULL OR $2::jsonb ? status)"
                           " AND ($3::jsonb IS NULL OR $3::jsonb ? year::text)"
                           " AND ($4::timestamptz IS NULL OR updated_at >= $4::timestamptz)",
        .id_expr = "programs.code",
        .page = &q->page,
        .nparams = 4,
        .params = {q->filters[STORE_PROGRAM_KIND], q->filters[STORE_PROGRAM_STATUS],
                   q->filters[STORE_PROGRAM_YEAR], q->page.updated_since},
    };
    enum status st = store_rows_page(conn, &sq, read_row, sizeof(struct program_row), out);
    free(select);
    return st;
}
