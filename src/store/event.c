/* Events: all their SQL, no rules. */
#include "store_event.h"

#include "sql.h"
#include "store_rows.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EVENT_TIMES SQL_TS("starts_at") ", " SQL_TS("ends_at")
#define EVENT_WINDOW                                                                               \
    "coalesce(" SQL_TS("registration_opens_at") ", ''), coalesce(" SQL_TS(                         \
        "registration_closes_at") ", '')"
#define EVENT_WAITING                                                                              \
    "(SELECT count(*) FROM registrations w WHERE w.event_id = events.id"                           \
    " AND w.status = 'waitlisted')"
#define EVENT_STAMPS SQL_TS("created_at") ", " SQL_TS("updated_at") ", " SQL_TS("status_changed_at")
#define EVENT_COLUMNS                                                                              \
    "events.id::text, kind, title, description, location, " EVENT_TIMES                            \
    ", coalesce(capacity, 0), " EVENT_WINDOW ", eligibility, max_attendees_per_registrar,"         \
    " waitlist, check_in_closed, seats_taken, " EVENT_WAITING                                      \
    ", status, sequence, version, " EVENT_STAMPS

static const char SQL_GET[] = "SELECT " EVENT_COLUMNS " FROM events WHERE id = $1::uuid";
static const char SQL_GET_LOCK[] =
    "SELECT " EVENT_COLUMNS " FROM events WHERE id = $1::uuid FOR UPDATE";
static const char SQL_LOCK[] = "SELECT 1 FROM events WHERE id = $1::uuid FOR NO KEY UPDATE";
static const char SQL_INSERT[] =
    "INSERT INTO events (kind, title, description, location, starts_at, ends_at, capacity,"
    " registration_opens_at, registration_closes_at, eligibility, max_attendees_per_registrar,"
    " waitlist) VALUES ($1, $2, $3, $4, $5::timestamptz, $6::timestamptz, nullif($7, '0')::int,"
    " $8::timestamptz, $9::timestamptz, $10, $11::int, $12::boolean) RETURNING " EVENT_COLUMNS;
static const char SQL_UPDATE[] =
    "UPDATE events SET title = $2, description = $3, location = $4, starts_at = $5::timestamptz,"
    " ends_at = $6::timestamptz, capacity = nullif($7, '0')::int,"
    " registration_opens_at = $8::timestamptz, registration_closes_at = $9::timestamptz,"
    " eligibility = $10, max_attendees_per_registrar = $11::int, waitlist = $12::boolean,"
    " sequence = sequence + 1, version = version + 1"
    " WHERE id = $1::uuid AND version = $13::int RETURNING " EVENT_COLUMNS;
static const char SQL_MOVE[] =
    "UPDATE events SET status = $2, status_changed_at = now(), sequence = sequence + 1,"
    " version = version + 1 WHERE id = $1::uuid RETURNING " EVENT_COLUMNS;
static const char SQL_CLOSE_CHECK_IN[] =
    "UPDATE events SET check_in_closed = true, version = version + 1 WHERE id = $1::uuid";
/* One statement: the event, where the registrar stands, and the seats. */
static const char SQL_FACTS[] =
    "SELECT e.status = 'published', (extract(epoch FROM now()) * 1000000)::bigint,"
    " (extract(epoch FROM e.registration_opens_at) * 1000000)::bigint,"
    " (extract(epoch FROM e.registration_closes_at) * 1000000)::bigint,"
    " CASE WHEN e.eligibility = 'accredited' THEN '' ELSE e.eligibility END,"
    " EXISTS (SELECT 1 FROM enrollments x WHERE x.registrar_id = $2::uuid"
    " AND x.program_code = e.eligibility AND x.status = 'active'),"
    " coalesce(e.capacity, 0), e.seats_taken, e.waitlist,"
    " (SELECT count(*) FROM registrations w WHERE w.event_id = e.id AND w.status = 'waitlisted'),"
    " EXISTS (SELECT 1 FROM registrations x WHERE x.event_id = e.id AND x.registrar_id = $2::uuid"
    " AND x.status IN ('confirmed', 'waitlisted', 'attended')),"
    " (SELECT status FROM registrars WHERE id = $2::uuid)"
    " FROM events e WHERE e.id = $1::uuid";
static const char SQL_CALENDAR[] = "SELECT " EVENT_COLUMNS " FROM events WHERE status <> 'draft'"
                                   " AND ends_at >= now() - interval '365 days' ORDER BY "
                                   "events.starts_at, events.id LIMIT $1::int";

const struct page_sort store_event_sorts[STORE_EVENT_SORTS] = {
    {"created_at", "events.created_at", "::timestamptz", SQL_TS_US("events.created_at")},
    {"starts_at", "events.starts_at", "::timestamptz", SQL_TS_US("events.starts_at")},
};

static void read_row(const PGresult *res, int i, void *out)
{
    struct event_row *e = out;
    event_row_cleanup(e);
    memset(e, 0, sizeof *e);
    STORE_COPY(e->id, res, i, 0);
    if (!event_kind_parse(PQgetvalue(res, i, 1), &e->kind))
        e->kind = EVENT_CONFERENCE; /* the column's CHECK allows no other value */
    STORE_COPY(e->title, res, i, 2);
    e->description = store_rows_text(res, i, 3);
    STORE_COPY(e->location, res, i, 4);
    STORE_COPY(e->starts_at, res, i, 5);
    STORE_COPY(e->ends_at, res, i, 6);
    e->capacity = atoi(PQgetvalue(res, i, 7));
    STORE_COPY(e->opens_at, res, i, 8);
    STORE_COPY(e->closes_at, res, i, 9);
    STORE_COPY(e->eligibility, res, i, 10);
    e->max_attendees = atoi(PQgetvalue(res, i, 11));
    e->waitlist = PQgetvalue(res, i, 12)[0] == 't';
    e->check_in_closed = PQgetvalue(res, i, 13)[0] == 't';
    e->seats_taken = atoi(PQgetvalue(res, i, 14));
    e->waitlist_length = atoi(PQgetvalue(res, i, 15));
    if (!event_status_parse(PQgetvalue(res, i, 16), &e->status))
        e->status = EVENT_CANCELLED;
    e->sequence = atoi(PQgetvalue(res, i, 17));
    e->version = atoi(PQgetvalue(res, i, 18));
    STORE_COPY(e->created_at, res, i, 19);
    STORE_COPY(e->updated_at, res, i, 20);
    STORE_COPY(e->status_changed_at, res, i, 21);
}

enum status store_event_get(PGconn *conn, const char *id, bool lock, struct event_row *out)
{
    const char *p[] = {id};
    return store_rows_one(conn, lock ? SQL_GET_LOCK : SQL_GET, 1, p, read_row, out);
}

enum status store_event_lock(PGconn *conn, const char *id)
{
    const char *p[] = {id};
    bool found = false;
    enum status st = store_rows_exists(conn, SQL_LOCK, 1, p, &found);
    return st == ST_OK && !found ? ST_NOT_FOUND : st;
}

static const char *or_null(const char *s)
{
    return s[0] ? s : NULL;
}

/* The parameters of an event's editable fields, as texts: $2 to $12 of
 * the insert and the update. */
struct fields {
    char capacity[12], max[12];
    const char *p[11];
};

static void fields_of(const struct event_row *e, struct fields *f)
{
    snprintf(f->capacity, sizeof f->capacity, "%d", e->capacity);
    snprintf(f->max, sizeof f->max, "%d", e->max_attendees);
    const char *p[] = {e->title,
                       e->description,
                       e->location,
                       e->starts_at,
                       e->ends_at,
                       f->capacity,
                       or_null(e->opens_at),
                       or_null(e->closes_at),
                       e->eligibility,
                       f->max,
                       e->waitlist ? "true" : "false"};
    memcpy(f->p, p, sizeof p);
}

enum status store_event_insert(PGconn *conn, const struct event_row *in, struct event_row *out)
{
    struct fields f;
    fields_of(in, &f);
    const char *p[12] = {event_kind_name(in->kind)};
    memcpy(&p[1], f.p, sizeof f.p);
    return store_rows_one(conn, SQL_INSERT, 12, p, read_row, out);
}

enum status store_event_update(PGconn *conn, struct event_row *row, const struct event_row *next)
{
    struct fields f;
    fields_of(next, &f);
    char version[16];
    snprintf(version, sizeof version, "%d", row->version);
    const char *p[13] = {row->id};
    memcpy(&p[1], f.p, sizeof f.p);
    p[12] = version;
    enum status st = store_rows_one(conn, SQL_UPDATE, 13, p, read_row, row);
    return st == ST_NOT_FOUND ? ST_STALE : st;
}

enum status store_event_move(PGconn *conn, struct event_row *row, const char *to)
{
    const char *p[] = {row->id, to};
    return store_rows_one(conn, SQL_MOVE, 2, p, read_row, row);
}

enum status store_event_close_check_in(PGconn *conn, const char *id)
{
    const char *p[] = {id};
    return db_exec(conn, SQL_CLOSE_CHECK_IN, 1, p, NULL);
}

static void read_facts(const PGresult *res, int i, void *out)
{
    struct eligibility_facts *f = out;
    memset(f, 0, sizeof *f);
    f->target = ELIGIBILITY_FOR_EVENT;
    f->accepting = PQgetvalue(res, i, 0)[0] == 't';
    f->now_us = atoll(PQgetvalue(res, i, 1));
    f->has_opens = !PQgetisnull(res, i, 2);
    f->opens_us = atoll(PQgetvalue(res, i, 2));
    f->has_closes = !PQgetisnull(res, i, 3);
    f->closes_us = atoll(PQgetvalue(res, i, 3));
    if (PQgetvalue(res, i, 4)[0] != '\0') {
        f->nrequires = 1;
        STORE_COPY(f->requires[0], res, i, 4);
        f->requires_active[0] = PQgetvalue(res, i, 5)[0] == 't';
    }
    f->capacity = atoi(PQgetvalue(res, i, 6));
    f->taken = atoi(PQgetvalue(res, i, 7));
    f->waitlist = PQgetvalue(res, i, 8)[0] == 't';
    f->waiting = atoi(PQgetvalue(res, i, 9));
    f->duplicate = PQgetvalue(res, i, 10)[0] == 't';
    f->registrar_found = !PQgetisnull(res, i, 11) &&
                         registrar_status_parse(PQgetvalue(res, i, 11), &f->registrar_status);
}

enum status store_event_facts(PGconn *conn, const char *id, const char *registrar_id,
                              struct eligibility_facts *facts)
{
    const char *p[] = {id, registrar_id};
    return store_rows_one(conn, SQL_FACTS, 2, p, read_facts, facts);
}

enum status store_event_list(PGconn *conn, const struct page_query *q, struct page_result *out)
{
    char *select = xasprintf("SELECT " EVENT_COLUMNS ", %s AS cursor_value,"
                             " events.id::text AS cursor_id FROM events",
                             q->page.sort->render);
    struct store_page sq = {
        .select = select,
        .where = q->full ? "WHERE ($1::jsonb IS NULL OR $1::jsonb ? kind)"
                           " AND ($2::jsonb IS NULL OR $2::jsonb ? status)"
                           " AND ($3::timestamptz IS NULL OR starts_at >= $3::timestamptz)"
                           " AND ($4::timestamptz IS NULL OR starts_at < $4::timestamptz)"
                           " AND ($5::timestamptz IS NULL OR updated_at >= $5::timestamptz)"
                         : "WHERE status <> 'draft' AND ($1::jsonb IS NULL OR $1::jsonb ? kind)"
                           " AND ($2::jsonb IS NULL OR $2::jsonb ? status)"
                           " AND ($3::timestamptz IS NULL OR starts_at >= $3::timestamptz)"
                           " AND ($4::timestamptz IS NULL OR starts_at < $4::timestamptz)"
                           " AND ($5::timestamptz IS NULL OR updated_at >= $5::timestamptz)",
        .id_expr = "events.id",
        .from = " FROM events",
        .page = &q->page,
        .nparams = 5,
        .params = {q->filters[STORE_EVENT_KIND], q->filters[STORE_EVENT_STATUS],
                   q->filters[STORE_EVENT_FROM], q->filters[STORE_EVENT_TO], q->page.updated_since},
    };
    enum status st = store_rows_page(conn, &sq, read_row, sizeof(struct event_row), out);
    free(select);
    return st;
}

enum status store_event_calendar(PGconn *conn, int limit, struct page_result *out)
{
    char n[12];
    snprintf(n, sizeof n, "%d", limit);
    const char *p[] = {n};
    PGresult *res = NULL;
    memset(out, 0, sizeof *out);
    enum status st = db_exec(conn, SQL_CALENDAR, 1, p, &res);
    if (st != ST_OK)
        return st;
    out->count = PQntuples(res);
    out->rows = xcalloc((size_t)out->count + 1, sizeof(struct event_row));
    for (int i = 0; i < out->count; i++)
        read_row(res, i, (struct event_row *)out->rows + i);
    PQclear(res);
    return ST_OK;
}
