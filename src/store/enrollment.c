/* Enrollments: all their SQL, no rules. */
#include "store_enrollment.h"

#include "sql.h"
#include "store_rows.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ENROLLMENT_COLUMNS                                                                         \
    "e.id::text, e.program_code, e.registrar_id::text, e.status, e.accepted_terms_version,"        \
    " e.application::text, e.reason, p.kind, p.status, e.version, " SQL_TS(                        \
        "e.created_at") ", " SQL_TS("e.updated_at") ", " SQL_TS("e.status_changed_at")
#define ENROLLMENT_FROM " FROM enrollments e JOIN programs p ON p.code = e.program_code"

static const char SQL_GET[] = "SELECT " ENROLLMENT_COLUMNS ENROLLMENT_FROM " WHERE e.id = $1::uuid";
static const char SQL_GET_LOCK[] =
    "SELECT " ENROLLMENT_COLUMNS ENROLLMENT_FROM " WHERE e.id = $1::uuid FOR UPDATE OF e";
static const char SQL_INSERT[] =
    "WITH e AS (INSERT INTO enrollments (program_code, registrar_id, accepted_terms_version,"
    " application) VALUES ($1, $2::uuid, $3, $4::jsonb) RETURNING *)"
    " SELECT " ENROLLMENT_COLUMNS " FROM e JOIN programs p ON p.code = e.program_code";
static const char SQL_MOVE[] =
    "WITH e AS (UPDATE enrollments SET status = $2, reason = coalesce($3, reason),"
    " status_changed_at = now(), version = version + 1 WHERE id = $1::uuid RETURNING *)"
    " SELECT " ENROLLMENT_COLUMNS " FROM e JOIN programs p ON p.code = e.program_code";
static const char SQL_LOCK_PROGRAM[] = "SELECT 1 FROM programs WHERE code = $1 FOR NO KEY UPDATE";
/* One statement: what the program is, where the registrar stands, and the
 * program's seats, all at one snapshot. */
static const char SQL_FACTS[] =
    "SELECT p.kind, p.status, (extract(epoch FROM now()) * 1000000)::bigint,"
    " (extract(epoch FROM p.enrollment_opens_at) * 1000000)::bigint,"
    " (extract(epoch FROM p.enrollment_closes_at) * 1000000)::bigint,"
    " array_to_string(p.requires, ','),"
    " array_to_string(ARRAY(SELECT r FROM unnest(p.requires) r WHERE EXISTS (SELECT 1 FROM"
    " enrollments x WHERE x.registrar_id = $2::uuid AND x.program_code = r"
    " AND x.status = 'active')), ','),"
    " coalesce(p.capacity, 0),"
    " (SELECT count(*) FROM enrollments x WHERE x.program_code = p.code"
    " AND x.status IN ('pending', 'active')),"
    " EXISTS (SELECT 1 FROM enrollments x WHERE x.program_code = p.code"
    " AND x.registrar_id = $2::uuid AND x.status IN ('pending', 'active', 'suspended')),"
    " (SELECT status FROM registrars WHERE id = $2::uuid)"
    " FROM programs p WHERE p.code = $1";
static const char SQL_DEPENDENTS[] =
    "SELECT e.id::text FROM enrollments e JOIN programs p ON p.code = e.program_code"
    " WHERE e.registrar_id = $1::uuid AND e.status = 'active' AND $2 = ANY (p.requires)"
    " ORDER BY e.id FOR UPDATE OF e";
static const char SQL_COUNTS[] =
    "SELECT status, count(*) FROM enrollments WHERE program_code = $1 GROUP BY status";

const struct page_sort store_enrollment_sorts[STORE_ENROLLMENT_SORTS] = {
    {"created_at", "e.created_at", "::timestamptz", SQL_TS_US("e.created_at")},
    {"updated_at", "e.updated_at", "::timestamptz", SQL_TS_US("e.updated_at")},
};

static void read_row(const PGresult *res, int i, void *out)
{
    struct enrollment_row *r = out;
    enrollment_row_cleanup(r);
    memset(r, 0, sizeof *r);
    STORE_COPY(r->id, res, i, 0);
    STORE_COPY(r->program, res, i, 1);
    STORE_COPY(r->registrar_id, res, i, 2);
    if (!enrollment_status_parse(PQgetvalue(res, i, 3), &r->status))
        r->status = ENROLLMENT_WITHDRAWN; /* the column's CHECK allows no other value */
    STORE_COPY(r->accepted_terms_version, res, i, 4);
    r->application = PQgetisnull(res, i, 5) ? NULL : json_loads(PQgetvalue(res, i, 5), 0, NULL);
    r->reason = PQgetisnull(res, i, 6) ? NULL : xstrdup(PQgetvalue(res, i, 6));
    if (!program_kind_parse(PQgetvalue(res, i, 7), &r->program_kind))
        r->program_kind = PROGRAM_STANDING;
    if (!program_status_parse(PQgetvalue(res, i, 8), &r->program_status))
        r->program_status = PROGRAM_ARCHIVED;
    r->version = atoi(PQgetvalue(res, i, 9));
    STORE_COPY(r->created_at, res, i, 10);
    STORE_COPY(r->updated_at, res, i, 11);
    STORE_COPY(r->status_changed_at, res, i, 12);
}

enum status store_enrollment_get(PGconn *conn, const char *id, bool lock,
                                 struct enrollment_row *out)
{
    const char *p[] = {id};
    return store_rows_one(conn, lock ? SQL_GET_LOCK : SQL_GET, 1, p, read_row, out);
}

enum status store_enrollment_insert(PGconn *conn, const struct enrollment_new *in,
                                    struct enrollment_row *out)
{
    char *application = in->application ? json_dumps(in->application, JSON_COMPACT) : NULL;
    const char *p[] = {in->program, in->registrar_id, in->accepted_terms_version, application};
    enum status st = store_rows_one(conn, SQL_INSERT, 4, p, read_row, out);
    free(application);
    return st;
}

enum status store_enrollment_move(PGconn *conn, struct enrollment_row *row, const char *to,
                                  const char *reason)
{
    const char *p[] = {row->id, to, reason};
    return store_rows_one(conn, SQL_MOVE, 3, p, read_row, row);
}

enum status store_enrollment_lock_program(PGconn *conn, const char *program)
{
    const char *p[] = {program};
    bool found = false;
    enum status st = store_rows_exists(conn, SQL_LOCK_PROGRAM, 1, p, &found);
    return st == ST_OK && !found ? ST_NOT_FOUND : st;
}

static void split(const char *list, char (*out)[PROGRAM_CODE_MAX + 1], size_t *n)
{
    char *copy = xstrdup(list), *save = NULL;
    *n = 0;
    for (char *c = strtok_r(copy, ",", &save); c && *n < PROGRAM_MAX_REQUIRES;
         c = strtok_r(NULL, ",", &save))
        snprintf(out[(*n)++], PROGRAM_CODE_MAX + 1, "%s", c);
    free(copy);
}

static void read_facts(const PGresult *res, int i, void *out)
{
    struct eligibility_facts *f = out;
    memset(f, 0, sizeof *f);
    f->target = ELIGIBILITY_FOR_PROGRAM;
    f->contest = strcmp(PQgetvalue(res, i, 0), program_kind_name(PROGRAM_STANDING)) != 0 &&
                 strcmp(PQgetvalue(res, i, 0), program_kind_name(PROGRAM_CALL)) != 0;
    f->accepting = strcmp(PQgetvalue(res, i, 1), program_status_name(PROGRAM_OPEN)) == 0;
    f->now_us = atoll(PQgetvalue(res, i, 2));
    f->has_opens = !PQgetisnull(res, i, 3);
    f->opens_us = atoll(PQgetvalue(res, i, 3));
    f->has_closes = !PQgetisnull(res, i, 4);
    f->closes_us = atoll(PQgetvalue(res, i, 4));
    split(PQgetvalue(res, i, 5), f->requires, &f->nrequires);
    char active[PROGRAM_MAX_REQUIRES][PROGRAM_CODE_MAX + 1];
    size_t nactive;
    split(PQgetvalue(res, i, 6), active, &nactive);
    for (size_t r = 0; r < f->nrequires; r++)
        for (size_t a = 0; a < nactive; a++)
            if (strcmp(f->requires[r], active[a]) == 0)
                f->requires_active[r] = true;
    f->capacity = atoi(PQgetvalue(res, i, 7));
    f->taken = atoi(PQgetvalue(res, i, 8));
    f->duplicate = PQgetvalue(res, i, 9)[0] == 't';
    f->registrar_found = !PQgetisnull(res, i, 10) &&
                         registrar_status_parse(PQgetvalue(res, i, 10), &f->registrar_status);
}

enum status store_enrollment_facts(PGconn *conn, const char *program, const char *registrar_id,
                                   struct eligibility_facts *facts)
{
    const char *p[] = {program, registrar_id};
    return store_rows_one(conn, SQL_FACTS, 2, p, read_facts, facts);
}

enum status store_enrollment_dependents(PGconn *conn, const char *registrar_id, const char *program,
                                        char ***ids)
{
    const char *p[] = {registrar_id, program};
    PGresult *res = NULL;
    *ids = NULL;
    enum status st = db_exec(conn, SQL_DEPENDENTS, 2, p, &res);
    if (st != ST_OK)
        return st;
    int n = PQntuples(res);
    *ids = xcalloc((size_t)n + 1, sizeof **ids);
    for (int i = 0; i < n; i++)
        (*ids)[i] = xstrdup(PQgetvalue(res, i, 0));
    PQclear(res);
    return ST_OK;
}

enum status store_enrollment_counts(PGconn *conn, const char *program,
                                    long long counts[ENROLLMENT_STATUS_COUNT])
{
    const char *p[] = {program};
    PGresult *res = NULL;
    memset(counts, 0, sizeof(long long) * ENROLLMENT_STATUS_COUNT);
    enum status st = db_exec(conn, SQL_COUNTS, 1, p, &res);
    if (st != ST_OK)
        return st;
    for (int i = 0; i < PQntuples(res); i++) {
        enum enrollment_status s;
        if (enrollment_status_parse(PQgetvalue(res, i, 0), &s))
            counts[s] = atoll(PQgetvalue(res, i, 1));
    }
    PQclear(res);
    return ST_OK;
}

enum status store_enrollment_list(PGconn *conn, const struct page_query *q, struct page_result *out)
{
    char *select = xasprintf("SELECT " ENROLLMENT_COLUMNS ", %s AS cursor_value,"
                             " e.id::text AS cursor_id" ENROLLMENT_FROM,
                             q->page.sort->render);
    struct store_page sq = {
        .select = select,
        .where = "WHERE ($1::jsonb IS NULL OR $1::jsonb ? e.program_code)"
                 " AND ($2::jsonb IS NULL OR e.registrar_id = ANY (ARRAY(SELECT"
                 " jsonb_array_elements_text($2::jsonb))::uuid[]))"
                 " AND ($3::jsonb IS NULL OR $3::jsonb ? e.status)"
                 " AND ($4::timestamptz IS NULL OR e.updated_at >= $4::timestamptz)",
        .id_expr = "e.id",
        .page = &q->page,
        .nparams = 4,
        .params = {q->filters[STORE_ENROLLMENT_PROGRAM], q->filters[STORE_ENROLLMENT_REGISTRAR],
                   q->filters[STORE_ENROLLMENT_STATUS], q->page.updated_since},
    };
    enum status st = store_rows_page(conn, &sq, read_row, sizeof(struct enrollment_row), out);
    free(select);
    return st;
}
