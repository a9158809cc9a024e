/* Draws: all their SQL, no rules. Lists of registrar ids travel as
 * comma-separated text. */
#include "store_draw.h"

#include "sql.h"
#include "store_rows.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The lists of ids as comma-separated text. */
#define DRAW_LISTS                                                                                 \
    "array_to_string(draw_order, ','), array_to_string(winners, ','),"                             \
    " array_to_string(alternates, ','), array_to_string(declined, ','),"                           \
    " array_to_string(representatives, ',')"
#define DRAW_FROZEN_AT "coalesce(" SQL_TS("frozen_at") ", '')"
#define DRAW_DRAWN_AT "coalesce(" SQL_TS("drawn_at") ", '')"
#define DRAW_CREATED SQL_TS("created_at") ", " SQL_TS("updated_at")
#define DRAW_COLUMNS                                                                               \
    "id::text, title, source_event_id::text, target_event_id::text, winner_count,"                 \
    " seed_commitment, status, pool IS NOT NULL, array_to_string(pool, ','), seed,"                \
    " public_entropy, " DRAW_FROZEN_AT ", " DRAW_DRAWN_AT ", " DRAW_LISTS                          \
    ", version, " DRAW_CREATED ", " SQL_TS("status_changed_at")

static const char SQL_GET[] = "SELECT " DRAW_COLUMNS " FROM draws WHERE id = $1::uuid";
static const char SQL_GET_LOCK[] =
    "SELECT " DRAW_COLUMNS " FROM draws WHERE id = $1::uuid FOR UPDATE";
static const char SQL_INSERT[] =
    "INSERT INTO draws (title, source_event_id, target_event_id, winner_count, seed_commitment)"
    " VALUES ($1, $2::uuid, $3::uuid, $4::int, $5) RETURNING " DRAW_COLUMNS;
static const char SQL_MOVE[] =
    "UPDATE draws SET status = $2, status_changed_at = now(), version = version + 1"
    " WHERE id = $1::uuid RETURNING " DRAW_COLUMNS;
static const char SQL_FREEZE[] =
    "UPDATE draws d SET pool = ARRAY(SELECT DISTINCT r.registrar_id FROM registrations r"
    " WHERE r.event_id = d.source_event_id AND r.status = 'attended' ORDER BY 1),"
    " frozen_at = now() WHERE id = $1::uuid RETURNING " DRAW_COLUMNS;
static const char SQL_RECORD[] =
    "UPDATE draws SET seed = $2, public_entropy = $3,"
    " draw_order = coalesce(string_to_array(nullif($4, ''), ',')::uuid[], '{}'),"
    " winners = coalesce(string_to_array(nullif($5, ''), ',')::uuid[], '{}'),"
    " alternates = coalesce(string_to_array(nullif($6, ''), ',')::uuid[], '{}'),"
    " representatives = coalesce(string_to_array(nullif($7, ''), ',')::uuid[], '{}'),"
    " drawn_at = now() WHERE id = $1::uuid RETURNING " DRAW_COLUMNS;
static const char SQL_RECORD_DECLINE[] =
    "UPDATE draws SET declined = coalesce(string_to_array(nullif($2, ''), ',')::uuid[], '{}'),"
    " representatives = coalesce(string_to_array(nullif($3, ''), ',')::uuid[], '{}'),"
    " version = version + 1 WHERE id = $1::uuid RETURNING " DRAW_COLUMNS;

const struct page_sort store_draw_sorts[STORE_DRAW_SORTS] = {
    {"created_at", "draws.created_at", "::timestamptz", SQL_TS_US("draws.created_at")},
};

static void read_ids(const PGresult *res, int i, int col, struct draw_ids *out)
{
    char *list = xstrdup(PQgetvalue(res, i, col)), *save = NULL;
    for (char *c = strtok_r(list, ",", &save); c != NULL; c = strtok_r(NULL, ",", &save))
        draw_ids_push(out, c);
    free(list);
}

/* A list of ids as comma-separated text (a new string). */
static char *ids_text(const struct draw_ids *l)
{
    char *out = xcalloc(l->n + 1, DRAW_ID_SIZE);
    for (size_t i = 0; i < l->n; i++) {
        if (i > 0)
            strcat(out, ",");
        strcat(out, l->ids[i]);
    }
    return out;
}

static void read_row(const PGresult *res, int i, void *out)
{
    struct draw_row *d = out;
    draw_row_cleanup(d);
    memset(d, 0, sizeof *d);
    STORE_COPY(d->id, res, i, 0);
    STORE_COPY(d->title, res, i, 1);
    STORE_COPY(d->source_event_id, res, i, 2);
    STORE_COPY(d->target_event_id, res, i, 3);
    d->winner_count = atoi(PQgetvalue(res, i, 4));
    STORE_COPY(d->seed_commitment, res, i, 5);
    if (!draw_status_parse(PQgetvalue(res, i, 6), &d->status))
        d->status = DRAW_DRAWN; /* the column's CHECK allows no other value */
    d->frozen = PQgetvalue(res, i, 7)[0] == 't';
    read_ids(res, i, 8, &d->pool);
    d->seed = store_rows_text(res, i, 9);
    d->public_entropy = store_rows_text(res, i, 10);
    d->drawn = d->seed != NULL;
    STORE_COPY(d->frozen_at, res, i, 11);
    STORE_COPY(d->drawn_at, res, i, 12);
    read_ids(res, i, 13, &d->order);
    read_ids(res, i, 14, &d->winners);
    read_ids(res, i, 15, &d->alternates);
    read_ids(res, i, 16, &d->declined);
    read_ids(res, i, 17, &d->representatives);
    d->version = atoi(PQgetvalue(res, i, 18));
    STORE_COPY(d->created_at, res, i, 19);
    STORE_COPY(d->updated_at, res, i, 20);
    STORE_COPY(d->status_changed_at, res, i, 21);
}

enum status store_draw_get(PGconn *conn, const char *id, bool lock, struct draw_row *out)
{
    const char *p[] = {id};
    return store_rows_one(conn, lock ? SQL_GET_LOCK : SQL_GET, 1, p, read_row, out);
}

enum status store_draw_insert(PGconn *conn, const struct draw_row *d, struct draw_row *out)
{
    char count[12];
    snprintf(count, sizeof count, "%d", d->winner_count);
    const char *p[] = {d->title, d->source_event_id, d->target_event_id, count, d->seed_commitment};
    return store_rows_one(conn, SQL_INSERT, 5, p, read_row, out);
}

enum status store_draw_move(PGconn *conn, struct draw_row *row, const char *to)
{
    const char *p[] = {row->id, to};
    return store_rows_one(conn, SQL_MOVE, 2, p, read_row, row);
}

enum status store_draw_freeze(PGconn *conn, struct draw_row *row)
{
    const char *p[] = {row->id};
    return store_rows_one(conn, SQL_FREEZE, 1, p, read_row, row);
}

enum status store_draw_record(PGconn *conn, struct draw_row *row)
{
    char *order = ids_text(&row->order), *winners = ids_text(&row->winners),
         *alternates = ids_text(&row->alternates), *reps = ids_text(&row->representatives);
    const char *p[] = {row->id, row->seed, row->public_entropy, order, winners, alternates, reps};
    enum status st = store_rows_one(conn, SQL_RECORD, 7, p, read_row, row);
    free(order);
    free(winners);
    free(alternates);
    free(reps);
    return st;
}

enum status store_draw_record_decline(PGconn *conn, struct draw_row *row)
{
    char *declined = ids_text(&row->declined), *reps = ids_text(&row->representatives);
    const char *p[] = {row->id, declined, reps};
    enum status st = store_rows_one(conn, SQL_RECORD_DECLINE, 3, p, read_row, row);
    free(declined);
    free(reps);
    return st;
}

enum status store_draw_list(PGconn *conn, const struct page_query *q, struct page_result *out)
{
    char *select = xasprintf("SELECT " DRAW_COLUMNS ", %s AS cursor_value,"
                             " draws.id::text AS cursor_id FROM draws",
                             q->page.sort->render);
    struct store_page sq = {
        .select = select,
        .where = "WHERE ($1::jsonb IS NULL OR $1::jsonb ? status)"
                 " AND ($2::timestamptz IS NULL OR updated_at >= $2::timestamptz)",
        .id_expr = "draws.id",
        .page = &q->page,
        .nparams = 2,
        .params = {q->filters[STORE_DRAW_STATUS], q->page.updated_since},
    };
    enum status st = store_rows_page(conn, &sq, read_row, sizeof(struct draw_row), out);
    free(select);
    return st;
}
