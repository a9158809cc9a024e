/* Registrations: all their SQL, no rules. */
#include "store_registration.h"

#include "sql.h"
#include "store_event.h"
#include "store_rows.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* waitlist_position: the registration's place among the event's waitlisted
 * ones, by arrival (registrations_waitlist serves it). */
#define REGISTRATION_COLUMNS                                                                       \
    "r.id::text, r.event_id::text, r.registrar_id::text, r.status, r.attendees::text, r.seats,"    \
    " CASE WHEN r.status = 'waitlisted' THEN (SELECT count(*) FROM registrations w"                \
    " WHERE w.event_id = r.event_id AND w.status = 'waitlisted' AND w.arrival <= r.arrival)"       \
    " ELSE 0 END, r.covered_expenses, coalesce(r.draw_id::text, ''), r.reason, e.status,"          \
    " e.check_in_closed, e.max_attendees_per_registrar, r.version, " SQL_TS(                       \
        "r.created_at") ", " SQL_TS("r.updated_at") ", " SQL_TS("r.status_changed_at")
#define REGISTRATION_FROM " FROM registrations r JOIN events e ON e.id = r.event_id"

static const char SQL_GET[] =
    "SELECT " REGISTRATION_COLUMNS REGISTRATION_FROM " WHERE r.id = $1::uuid";
static const char SQL_GET_LOCK[] =
    "SELECT " REGISTRATION_COLUMNS REGISTRATION_FROM " WHERE r.id = $1::uuid FOR UPDATE OF r";
static const char SQL_EVENT_OF[] = "SELECT event_id::text FROM registrations WHERE id = $1::uuid";
/* The waitlist position is counted over the statement's snapshot, which a
 * change's own statement does not see: a new or moved row is read again by
 * id after the change (the second statement of insert, move and update). */
static const char SQL_INSERT[] =
    "INSERT INTO registrations (event_id, registrar_id, status, attendees, covered_expenses,"
    " draw_id) VALUES ($1::uuid, $2::uuid, $3, $4::jsonb, $5::boolean, $6::uuid)"
    " RETURNING id::text";
static const char SQL_MOVE[] =
    "UPDATE registrations SET status = $2, reason = coalesce($3, reason),"
    " status_changed_at = now(), version = version + 1 WHERE id = $1::uuid";
static const char SQL_UPDATE[] =
    "UPDATE registrations SET attendees = $2::jsonb, version = version + 1"
    " WHERE id = $1::uuid AND version = $3::int";
static const char SQL_WAITLIST[] =
    "SELECT id::text, seats FROM registrations WHERE event_id = $1::uuid"
    " AND status = 'waitlisted' ORDER BY arrival";
static const char SQL_LIVE[] = "SELECT id::text FROM registrations WHERE event_id = $1::uuid"
                               " AND status IN ('confirmed', 'waitlisted') ORDER BY arrival";
static const char SQL_OF[] =
    "SELECT id::text FROM registrations WHERE event_id = $1::uuid AND registrar_id = $2::uuid"
    " AND status IN ('confirmed', 'waitlisted', 'attended')";
static const char SQL_COVER[] =
    "UPDATE registrations SET covered_expenses = true, draw_id = $2::uuid,"
    " version = version + 1 WHERE id = $1::uuid";

const struct page_sort store_registration_sorts[STORE_REGISTRATION_SORTS] = {
    {"created_at", "r.created_at", "::timestamptz", SQL_TS_US("r.created_at")},
    {"updated_at", "r.updated_at", "::timestamptz", SQL_TS_US("r.updated_at")},
};

static void read_row(const PGresult *res, int i, void *out)
{
    struct registration_row *r = out;
    registration_row_cleanup(r);
    memset(r, 0, sizeof *r);
    STORE_COPY(r->id, res, i, 0);
    STORE_COPY(r->event_id, res, i, 1);
    STORE_COPY(r->registrar_id, res, i, 2);
    if (!registration_status_parse(PQgetvalue(res, i, 3), &r->status))
        r->status = REGISTRATION_CANCELLED; /* the column's CHECK allows no other value */
    r->attendees = json_loads(PQgetvalue(res, i, 4), 0, NULL);
    r->seats = atoi(PQgetvalue(res, i, 5));
    r->waitlist_position = atoi(PQgetvalue(res, i, 6));
    r->covered_expenses = PQgetvalue(res, i, 7)[0] == 't';
    STORE_COPY(r->draw_id, res, i, 8);
    r->reason = store_rows_text(res, i, 9);
    if (!event_status_parse(PQgetvalue(res, i, 10), &r->event_status))
        r->event_status = EVENT_CANCELLED;
    r->event_check_in_closed = PQgetvalue(res, i, 11)[0] == 't';
    r->event_max_attendees = atoi(PQgetvalue(res, i, 12));
    r->version = atoi(PQgetvalue(res, i, 13));
    STORE_COPY(r->created_at, res, i, 14);
    STORE_COPY(r->updated_at, res, i, 15);
    STORE_COPY(r->status_changed_at, res, i, 16);
}

static void read_text(const PGresult *res, int i, void *out)
{
    snprintf(out, 37, "%s", PQgetvalue(res, i, 0));
}

enum status store_registration_get(PGconn *conn, const char *id, bool lock,
                                   struct registration_row *out)
{
    const char *p[] = {id};
    if (lock) { /* the event first: every change of a registration takes it first */
        char event_id[37];
        enum status st = store_rows_one(conn, SQL_EVENT_OF, 1, p, read_text, event_id);
        if (st == ST_OK)
            st = store_event_lock(conn, event_id);
        if (st != ST_OK)
            return st;
    }
    return store_rows_one(conn, lock ? SQL_GET_LOCK : SQL_GET, 1, p, read_row, out);
}

enum status store_registration_insert(PGconn *conn, const struct registration_new *in,
                                      struct registration_row *out)
{
    char *attendees = json_dumps(in->attendees, JSON_COMPACT);
    const char *p[] = {in->event_id,
                       in->registrar_id,
                       registration_status_name(in->status),
                       attendees,
                       in->covered_expenses ? "true" : "false",
                       in->draw_id};
    char id[37];
    enum status st = store_rows_one(conn, SQL_INSERT, 6, p, read_text, id);
    free(attendees);
    return st == ST_OK ? store_registration_get(conn, id, false, out) : st;
}

enum status store_registration_move(PGconn *conn, struct registration_row *row, const char *to,
                                    const char *reason)
{
    const char *p[] = {row->id, to, reason};
    enum status st = db_exec(conn, SQL_MOVE, 3, p, NULL);
    return st == ST_OK ? store_registration_get(conn, row->id, false, row) : st;
}

enum status store_registration_update(PGconn *conn, struct registration_row *row,
                                      const struct registration_row *next)
{
    char *attendees = json_dumps(next->attendees, JSON_COMPACT);
    char version[16];
    snprintf(version, sizeof version, "%d", row->version);
    const char *p[] = {row->id, attendees, version};
    PGresult *res = NULL;
    enum status st = db_exec(conn, SQL_UPDATE, 3, p, &res);
    free(attendees);
    if (st == ST_OK && atoi(PQcmdTuples(res)) == 0)
        st = ST_STALE;
    PQclear(res);
    return st == ST_OK ? store_registration_get(conn, row->id, false, row) : st;
}

/* The first column of every row as a NULL-terminated array of new strings,
 * and (when seats is not NULL) the second as ints. */
static enum status column(PGconn *conn, const char *sql, int n, const char *const *p, char ***ids,
                          int **seats)
{
    PGresult *res = NULL;
    *ids = NULL;
    enum status st = db_exec(conn, sql, n, p, &res);
    if (st != ST_OK)
        return st;
    int rows = PQntuples(res);
    *ids = xcalloc((size_t)rows + 1, sizeof **ids);
    if (seats != NULL)
        *seats = xcalloc((size_t)rows + 1, sizeof **seats);
    for (int i = 0; i < rows; i++) {
        (*ids)[i] = xstrdup(PQgetvalue(res, i, 0));
        if (seats != NULL)
            (*seats)[i] = atoi(PQgetvalue(res, i, 1));
    }
    PQclear(res);
    return ST_OK;
}

enum status store_registration_waitlist(PGconn *conn, const char *event_id, char ***ids,
                                        int **seats)
{
    const char *p[] = {event_id};
    return column(conn, SQL_WAITLIST, 1, p, ids, seats);
}

enum status store_registration_live(PGconn *conn, const char *event_id, char ***ids)
{
    const char *p[] = {event_id};
    return column(conn, SQL_LIVE, 1, p, ids, NULL);
}

enum status store_registration_of(PGconn *conn, const char *event_id, const char *registrar_id,
                                  char found[37])
{
    const char *p[] = {event_id, registrar_id};
    found[0] = '\0';
    enum status st = store_rows_one(conn, SQL_OF, 2, p, read_text, found);
    return st == ST_NOT_FOUND ? ST_OK : st;
}

enum status store_registration_cover(PGconn *conn, const char *id, const char *draw_id)
{
    const char *p[] = {id, draw_id};
    return db_exec(conn, SQL_COVER, 2, p, NULL);
}

enum status store_registration_list(PGconn *conn, const struct page_query *q,
                                    struct page_result *out)
{
    char *select = xasprintf("SELECT " REGISTRATION_COLUMNS ", %s AS cursor_value,"
                             " r.id::text AS cursor_id" REGISTRATION_FROM,
                             q->page.sort->render);
    struct store_page sq = {
        .select = select,
        .where = "WHERE r.event_id = $1::uuid"
                 " AND ($2::jsonb IS NULL OR r.registrar_id = ANY (ARRAY(SELECT"
                 " jsonb_array_elements_text($2::jsonb))::uuid[]))"
                 " AND ($3::jsonb IS NULL OR $3::jsonb ? r.status)"
                 " AND ($4::timestamptz IS NULL OR r.updated_at >= $4::timestamptz)",
        .id_expr = "r.id",
        .from = REGISTRATION_FROM,
        .page = &q->page,
        .nparams = 4,
        .params = {q->filters[STORE_REGISTRATION_EVENT], q->filters[STORE_REGISTRATION_REGISTRAR],
                   q->filters[STORE_REGISTRATION_STATUS], q->page.updated_since},
    };
    enum status st = store_rows_page(conn, &sq, read_row, sizeof(struct registration_row), out);
    free(select);
    return st;
}
