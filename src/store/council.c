/* The Conselho Consultivo: all its SQL, no rules. */
#include "store_council.h"

#include "sql.h"
#include "store_rows.h"
#include "util.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TERM_COLUMNS                                                                               \
    "t.id::text, t.title, t.starts_on::text, t.ends_on::text, t.registrar_seats, t.status,"        \
    " (SELECT count(*) FROM council_nominations n WHERE n.term_id = t.id"                          \
    " AND n.status = 'accepted'),"                                                                 \
    " (SELECT count(*) FROM council_voters v WHERE v.term_id = t.id), t.version, " SQL_TS(         \
        "t.created_at") ", " SQL_TS("t.updated_at") ", " SQL_TS("t.status_changed_at")
#define TERM_FROM " FROM council_terms t"

static const char SQL_TERM_GET[] = "SELECT " TERM_COLUMNS TERM_FROM " WHERE t.id = $1::uuid";
static const char SQL_TERM_GET_LOCK[] =
    "SELECT " TERM_COLUMNS TERM_FROM " WHERE t.id = $1::uuid FOR UPDATE OF t";
static const char SQL_TERM_INSERT[] =
    "WITH t AS (INSERT INTO council_terms (title, starts_on, ends_on, registrar_seats)"
    " VALUES ($1, $2::date, $3::date, $4::int) RETURNING *) SELECT " TERM_COLUMNS " FROM t";
static const char SQL_TERM_UPDATE[] =
    "WITH t AS (UPDATE council_terms SET title = $2, starts_on = $3::date, ends_on = $4::date,"
    " registrar_seats = $5::int, version = version + 1"
    " WHERE id = $1::uuid AND version = $6::int RETURNING *) SELECT " TERM_COLUMNS " FROM t";
static const char SQL_TERM_MOVE[] =
    "WITH t AS (UPDATE council_terms SET status = $2, status_changed_at = now(),"
    " version = version + 1 WHERE id = $1::uuid RETURNING *) SELECT " TERM_COLUMNS " FROM t";

const struct page_sort store_council_term_sorts[STORE_COUNCIL_TERM_SORTS] = {
    {"created_at", "t.created_at", "::timestamptz", SQL_TS_US("t.created_at")},
    {"starts_on", "t.starts_on", "::date", "t.starts_on::text"},
};

static void read_term(const PGresult *res, int i, void *out)
{
    struct council_term_row *t = out;
    memset(t, 0, sizeof *t);
    STORE_COPY(t->id, res, i, 0);
    STORE_COPY(t->title, res, i, 1);
    STORE_COPY(t->starts_on, res, i, 2);
    STORE_COPY(t->ends_on, res, i, 3);
    t->registrar_seats = atoi(PQgetvalue(res, i, 4));
    if (!council_term_status_parse(PQgetvalue(res, i, 5), &t->status))
        t->status = TERM_CLOSED; /* the column's CHECK allows no other value */
    t->nominations = atoi(PQgetvalue(res, i, 6));
    t->voters = atoi(PQgetvalue(res, i, 7));
    t->version = atoi(PQgetvalue(res, i, 8));
    STORE_COPY(t->created_at, res, i, 9);
    STORE_COPY(t->updated_at, res, i, 10);
    STORE_COPY(t->status_changed_at, res, i, 11);
}

enum status store_council_term_get(PGconn *conn, const char *id, bool lock,
                                   struct council_term_row *out)
{
    const char *p[] = {id};
    return store_rows_one(conn, lock ? SQL_TERM_GET_LOCK : SQL_TERM_GET, 1, p, read_term, out);
}

enum status store_council_term_lock(PGconn *conn, const char *id, struct council_term_row *out)
{
    return store_council_term_get(conn, id, true, out);
}

enum status store_council_term_insert(PGconn *conn, const struct council_term_row *in,
                                      struct council_term_row *out)
{
    char seats[12];
    snprintf(seats, sizeof seats, "%d", in->registrar_seats);
    const char *p[] = {in->title, in->starts_on, in->ends_on, seats};
    return store_rows_one(conn, SQL_TERM_INSERT, 4, p, read_term, out);
}

enum status store_council_term_update(PGconn *conn, struct council_term_row *row,
                                      const struct council_term_row *next)
{
    char seats[12], version[12];
    snprintf(seats, sizeof seats, "%d", next->registrar_seats);
    snprintf(version, sizeof version, "%d", row->version);
    const char *p[] = {row->id, next->title, next->starts_on, next->ends_on, seats, version};
    enum status st = store_rows_one(conn, SQL_TERM_UPDATE, 6, p, read_term, row);
    return st == ST_NOT_FOUND ? ST_STALE : st;
}

enum status store_council_term_move(PGconn *conn, struct council_term_row *row, const char *to)
{
    const char *p[] = {row->id, to};
    return store_rows_one(conn, SQL_TERM_MOVE, 2, p, read_term, row);
}

enum status store_council_term_list(PGconn *conn, const struct page_query *q,
                                    struct page_result *out)
{
    char *select = xasprintf("SELECT " TERM_COLUMNS ", %s AS cursor_value,"
                             " t.id::text AS cursor_id" TERM_FROM,
                             q->page.sort->render);
    struct store_page sq = {
        .select = select,
        .where = q->full
                     ? "WHERE ($1::jsonb IS NULL OR $1::jsonb ? t.status)"
                       " AND ($2::timestamptz IS NULL OR t.updated_at >= $2::timestamptz)"
                     : "WHERE t.status <> 'draft' AND ($1::jsonb IS NULL OR $1::jsonb ? t.status)"
                       " AND ($2::timestamptz IS NULL OR t.updated_at >= $2::timestamptz)",
        .id_expr = "t.id",
        .from = TERM_FROM,
        .page = &q->page,
        .nparams = 2,
        .params = {q->filters[STORE_COUNCIL_TERM_STATUS], q->page.updated_since},
    };
    enum status st = store_rows_page(conn, &sq, read_term, sizeof(struct council_term_row), out);
    free(select);
    return st;
}

/* --- nominations ---------------------------------------------------------- */

#define NOMINATION_COLUMNS                                                                         \
    "n.id::text, n.term_id::text, n.registrar_id::text, r.trade_name, n.nominee_name,"             \
    " n.statement, n.status, n.reason, t.status, n.version, " SQL_TS("n.created_at") ", " SQL_TS(  \
        "n.updated_at") ", " SQL_TS("n.status_changed_at")
#define NOMINATION_FROM                                                                            \
    " FROM council_nominations n JOIN council_terms t ON t.id = n.term_id"                         \
    " JOIN registrars r ON r.id = n.registrar_id"

static const char SQL_NOMINATION_GET[] =
    "SELECT " NOMINATION_COLUMNS NOMINATION_FROM " WHERE n.id = $1::uuid";
static const char SQL_NOMINATION_GET_LOCK[] =
    "SELECT " NOMINATION_COLUMNS NOMINATION_FROM
    " WHERE n.id = $1::uuid FOR UPDATE OF n FOR SHARE OF t";
static const char SQL_NOMINATION_INSERT[] =
    "WITH n AS (INSERT INTO council_nominations (term_id, registrar_id, nominee_name, statement)"
    " VALUES ($1::uuid, $2::uuid, $3, $4) RETURNING *) SELECT " NOMINATION_COLUMNS
    " FROM n JOIN council_terms t ON t.id = n.term_id JOIN registrars r ON r.id = n.registrar_id";
static const char SQL_NOMINATION_MOVE[] =
    "WITH n AS (UPDATE council_nominations SET status = $2, reason = $3,"
    " status_changed_at = now(), version = version + 1 WHERE id = $1::uuid RETURNING *)"
    " SELECT " NOMINATION_COLUMNS
    " FROM n JOIN council_terms t ON t.id = n.term_id JOIN registrars r ON r.id = n.registrar_id";
static const char SQL_STANDING[] =
    "SELECT status = 'accredited', accredited_at <= now() - interval '12 months'"
    " FROM registrars WHERE id = $1::uuid";
static const char SQL_ACCEPTED_COUNT[] =
    "SELECT count(*) FROM council_nominations WHERE term_id = $1::uuid AND status = 'accepted'"
    " AND id = ANY (ARRAY(SELECT jsonb_array_elements_text($2::jsonb))::uuid[])";
static const char SQL_ACCEPTED[] = "SELECT " NOMINATION_COLUMNS NOMINATION_FROM
                                   " WHERE n.term_id = $1::uuid AND n.status = 'accepted'"
                                   " ORDER BY n.id";

const struct page_sort store_council_nomination_sorts[STORE_COUNCIL_NOMINATION_SORTS] = {
    {"created_at", "n.created_at", "::timestamptz", SQL_TS_US("n.created_at")},
};

static void read_nomination(const PGresult *res, int i, void *out)
{
    struct council_nomination_row *n = out;
    council_nomination_row_cleanup(n);
    memset(n, 0, sizeof *n);
    STORE_COPY(n->id, res, i, 0);
    STORE_COPY(n->term_id, res, i, 1);
    STORE_COPY(n->registrar_id, res, i, 2);
    STORE_COPY(n->registrar_name, res, i, 3);
    STORE_COPY(n->nominee_name, res, i, 4);
    n->statement = store_rows_text(res, i, 5);
    if (!council_nomination_status_parse(PQgetvalue(res, i, 6), &n->status))
        n->status = NOMINATION_REJECTED;
    n->reason = store_rows_text(res, i, 7);
    if (!council_term_status_parse(PQgetvalue(res, i, 8), &n->term_status))
        n->term_status = TERM_CLOSED;
    n->version = atoi(PQgetvalue(res, i, 9));
    STORE_COPY(n->created_at, res, i, 10);
    STORE_COPY(n->updated_at, res, i, 11);
    STORE_COPY(n->status_changed_at, res, i, 12);
}

enum status store_council_nomination_get(PGconn *conn, const char *id, bool lock,
                                         struct council_nomination_row *out)
{
    const char *p[] = {id};
    return store_rows_one(conn, lock ? SQL_NOMINATION_GET_LOCK : SQL_NOMINATION_GET, 1, p,
                          read_nomination, out);
}

enum status store_council_nomination_insert(PGconn *conn, const struct council_nomination_row *in,
                                            struct council_nomination_row *out)
{
    const char *p[] = {in->term_id, in->registrar_id, in->nominee_name, in->statement};
    return store_rows_one(conn, SQL_NOMINATION_INSERT, 4, p, read_nomination, out);
}

enum status store_council_nomination_move(PGconn *conn, struct council_nomination_row *row,
                                          const char *to, const char *reason)
{
    const char *p[] = {row->id, to, reason};
    return store_rows_one(conn, SQL_NOMINATION_MOVE, 3, p, read_nomination, row);
}

enum status store_council_nomination_list(PGconn *conn, const struct page_query *q,
                                          struct page_result *out)
{
    char *select = xasprintf("SELECT " NOMINATION_COLUMNS ", %s AS cursor_value,"
                             " n.id::text AS cursor_id" NOMINATION_FROM,
                             q->page.sort->render);
    struct store_page sq = {
        .select = select,
        .where = q->full
                     ? "WHERE n.term_id = $1::uuid AND ($2::jsonb IS NULL OR $2::jsonb ? n.status)"
                       " AND ($3::uuid IS NULL OR true)"
                       " AND ($4::timestamptz IS NULL OR n.updated_at >= $4::timestamptz)"
                     : "WHERE n.term_id = $1::uuid AND ($2::jsonb IS NULL OR $2::jsonb ? n.status)"
                       " AND (n.status = 'accepted' OR n.registrar_id = $3::uuid)"
                       " AND ($4::timestamptz IS NULL OR n.updated_at >= $4::timestamptz)",
        .id_expr = "n.id",
        .from = NOMINATION_FROM,
        .page = &q->page,
        .nparams = 4,
        .params = {q->filters[STORE_COUNCIL_NOMINATION_TERM],
                   q->filters[STORE_COUNCIL_NOMINATION_STATUS],
                   q->filters[STORE_COUNCIL_NOMINATION_VIEWER], q->page.updated_since},
    };
    enum status st =
        store_rows_page(conn, &sq, read_nomination, sizeof(struct council_nomination_row), out);
    free(select);
    return st;
}

static void read_standing(const PGresult *res, int i, void *out)
{
    struct council_standing *s = out;
    s->found = true;
    s->accredited = PQgetvalue(res, i, 0)[0] == 't';
    s->tenure = PQgetvalue(res, i, 1)[0] == 't';
}

enum status store_council_standing(PGconn *conn, const char *registrar_id,
                                   struct council_standing *out)
{
    const char *p[] = {registrar_id};
    memset(out, 0, sizeof *out);
    enum status st = store_rows_one(conn, SQL_STANDING, 1, p, read_standing, out);
    return st == ST_NOT_FOUND ? ST_OK : st;
}

enum status store_council_accepted_count(PGconn *conn, const char *term_id, const char *ids_json,
                                         int *count)
{
    const char *p[] = {term_id, ids_json};
    PGresult *res = NULL;
    enum status st = db_exec(conn, SQL_ACCEPTED_COUNT, 2, p, &res);
    if (st == ST_OK) {
        *count = atoi(PQgetvalue(res, 0, 0));
        PQclear(res);
    }
    return st;
}

enum status store_council_accepted(PGconn *conn, const char *term_id, struct page_result *out)
{
    const char *p[] = {term_id};
    PGresult *res = NULL;
    memset(out, 0, sizeof *out);
    enum status st = db_exec(conn, SQL_ACCEPTED, 1, p, &res);
    if (st != ST_OK)
        return st;
    out->count = PQntuples(res);
    out->rows = xcalloc((size_t)out->count + 1, sizeof(struct council_nomination_row));
    for (int i = 0; i < out->count; i++)
        read_nomination(res, i, (struct council_nomination_row *)out->rows + i);
    PQclear(res);
    return ST_OK;
}

/* --- ballots --------------------------------------------------------------- */

static const char SQL_VOTER[] =
    "INSERT INTO council_voters (term_id, registrar_id) VALUES ($1::uuid, $2::uuid)";
/* The whole box again, in hash order: every ballot of the term gets this
 * transaction's xmin, a place in hash order and a new random key, so
 * neither tells which one came with which voter, and no key follows a
 * ballot from one version of the box to the next. */
static const char SQL_BOX[] =
    "WITH old AS (DELETE FROM council_ballots WHERE term_id = $1::uuid RETURNING hash, choices),"
    " box AS (SELECT hash, choices FROM old UNION ALL SELECT $2, $3::uuid[])"
    " INSERT INTO council_ballots (id, term_id, hash, choices)"
    " SELECT gen_random_uuid(), $1::uuid, hash, choices FROM box ORDER BY hash";
static const char SQL_BALLOTS[] =
    "SELECT hash, array_to_json(choices)::text FROM council_ballots WHERE term_id = $1::uuid"
    " ORDER BY hash";

enum status store_council_ballot_cast(PGconn *conn, const char *term_id, const char *registrar_id,
                                      const struct council_ballot *b)
{
    const char *voter[] = {term_id, registrar_id};
    enum status st = db_exec(conn, SQL_VOTER, 2, voter, NULL);
    if (st != ST_OK)
        return st;
    size_t cap = 2 + b->count * 38;
    char *choices = xmalloc(cap);
    size_t len = 0;
    choices[len++] = '{';
    for (size_t i = 0; i < b->count; i++)
        len += (size_t)snprintf(choices + len, cap - len, "%s%s", i ? "," : "", b->choices[i]);
    snprintf(choices + len, cap - len, "}");
    const char *p[] = {term_id, b->hash, choices};
    st = db_exec(conn, SQL_BOX, 3, p, NULL);
    free(choices);
    return st;
}

enum status store_council_ballots(PGconn *conn, const char *term_id, struct council_ballot **out,
                                  size_t *count)
{
    const char *p[] = {term_id};
    PGresult *res = NULL;
    *out = NULL;
    *count = 0;
    enum status st = db_exec(conn, SQL_BALLOTS, 1, p, &res);
    if (st != ST_OK)
        return st;
    size_t n = (size_t)PQntuples(res);
    struct council_ballot *b = xcalloc(n + 1, sizeof *b);
    for (size_t i = 0; i < n; i++) {
        STORE_COPY(b[i].hash, res, (int)i, 0);
        json_t *ids = json_loads(PQgetvalue(res, (int)i, 1), 0, NULL);
        for (size_t c = 0; c < json_array_size(ids) && c < COUNCIL_SEATS_MAX; c++)
            snprintf(b[i].choices[b[i].count++], sizeof b[i].choices[0], "%s",
                     json_string_value(json_array_get(ids, c)) ?: "");
        json_decref(ids);
    }
    PQclear(res);
    *out = b;
    *count = n;
    return ST_OK;
}
