/* Incidents and their timeline updates: all their SQL, no rules. The CNCS
 * deadlines are computed here from detected_at in UTC (a month is a
 * calendar month there, whatever the session's time zone). */
#include "store_incident.h"

#include "sql.h"
#include "store_rows.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UTC_PLUS(col, interval)                                                                    \
    "to_char((" col " AT TIME ZONE 'UTC') + interval '" interval                                   \
    "', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
#define INCIDENT_OVERDUE "(status = 'reported' AND acknowledge_due_at < now())"
#define INCIDENT_COLUMNS                                                                                             \
    "incidents.id::text, coalesce(registrar_id::text, ''), title, description, category,"                            \
    " severity, tlp, affected_domains::text, " SQL_TS("detected_at") ", " SQL_TS("reported_at") ", " SQL_TS(         \
        "acknowledge_due_at") ", " INCIDENT_OVERDUE                                                                  \
                              ", reportable_to_cncs, " UTC_PLUS(                                                     \
                                  "detected_at",                                                                     \
                                  "24 hours") ", " UTC_PLUS("detected_at",                                           \
                                                            "72 hours") ", " UTC_PLUS("detected_"                    \
                                                                                      "at",                          \
                                                                                      "1 month") ", status, "        \
                                                                                                 "version, " SQL_TS( \
                                                                                                     "create"        \
                                                                                                     "d_at") ", " SQL_TS("updated_at") ", " SQL_TS("status_changed_at")

static const char SQL_GET[] = "SELECT " INCIDENT_COLUMNS " FROM incidents WHERE id = $1::uuid";
static const char SQL_GET_LOCK[] =
    "SELECT " INCIDENT_COLUMNS " FROM incidents WHERE id = $1::uuid FOR UPDATE";
static const char SQL_INSERT[] =
    "INSERT INTO incidents (registrar_id, title, description, category, severity, tlp,"
    " affected_domains, detected_at, reportable_to_cncs, acknowledge_due_at)"
    " VALUES ($1::uuid, $2, $3, $4, $5, $6, $7::jsonb, $8::timestamptz, $9::boolean,"
    " now() + $10::int * interval '1 hour') RETURNING " INCIDENT_COLUMNS;
static const char SQL_UPDATE[] =
    "UPDATE incidents SET registrar_id = $2::uuid, title = $3, description = $4, category = $5,"
    " severity = $6, tlp = $7, affected_domains = $8::jsonb, detected_at = $9::timestamptz,"
    " reportable_to_cncs = $10::boolean,"
    " acknowledge_due_at = reported_at + $11::int * interval '1 hour', version = version + 1"
    " WHERE id = $1::uuid AND version = $12::int RETURNING " INCIDENT_COLUMNS;
static const char SQL_MOVE[] =
    "UPDATE incidents SET status = $2, status_changed_at = now(), version = version + 1,"
    " acknowledged_at = CASE WHEN $2 = 'acknowledged' THEN now() ELSE acknowledged_at END"
    " WHERE id = $1::uuid RETURNING " INCIDENT_COLUMNS;

static const char SQL_UPDATE_INSERT[] =
    "INSERT INTO incident_updates (incident_id, registrar_id, body)"
    " VALUES ($1::uuid, $2::uuid, $3) RETURNING id::text, incident_id::text,"
    " coalesce(registrar_id::text, ''), body, " SQL_TS("created_at");
static const char SQL_UPDATES[] =
    "SELECT id::text, incident_id::text, coalesce(registrar_id::text, ''), body, " SQL_TS(
        "created_at") " FROM incident_updates WHERE incident_id = $1::uuid"
                      " ORDER BY arrival LIMIT $2::int";

const struct page_sort store_incident_sorts[STORE_INCIDENT_SORTS] = {
    {"created_at", "incidents.created_at", "::timestamptz", SQL_TS_US("incidents.created_at")},
};

static void read_row(const PGresult *res, int i, void *out)
{
    struct incident_row *r = out;
    incident_row_cleanup(r);
    memset(r, 0, sizeof *r);
    STORE_COPY(r->id, res, i, 0);
    STORE_COPY(r->registrar_id, res, i, 1);
    STORE_COPY(r->title, res, i, 2);
    r->description = store_rows_text(res, i, 3);
    STORE_COPY(r->category, res, i, 4);
    STORE_COPY(r->severity, res, i, 5);
    STORE_COPY(r->tlp, res, i, 6);
    r->affected_domains = json_loads(PQgetvalue(res, i, 7), 0, NULL);
    if (r->affected_domains == NULL)
        r->affected_domains = json_array();
    STORE_COPY(r->detected_at, res, i, 8);
    STORE_COPY(r->reported_at, res, i, 9);
    STORE_COPY(r->acknowledge_due_at, res, i, 10);
    r->overdue = PQgetvalue(res, i, 11)[0] == 't';
    r->reportable_to_cncs = PQgetvalue(res, i, 12)[0] == 't';
    STORE_COPY(r->early_warning_due_at, res, i, 13);
    STORE_COPY(r->notification_due_at, res, i, 14);
    STORE_COPY(r->final_report_due_at, res, i, 15);
    if (!incident_status_parse(PQgetvalue(res, i, 16), &r->status))
        r->status = INCIDENT_CLOSED; /* the column's CHECK allows no other value */
    r->version = atoi(PQgetvalue(res, i, 17));
    STORE_COPY(r->created_at, res, i, 18);
    STORE_COPY(r->updated_at, res, i, 19);
    STORE_COPY(r->status_changed_at, res, i, 20);
}

enum status store_incident_get(PGconn *conn, const char *id, bool lock, struct incident_row *out)
{
    const char *p[] = {id};
    return store_rows_one(conn, lock ? SQL_GET_LOCK : SQL_GET, 1, p, read_row, out);
}

/* The parameters of an incident's writable fields, as texts: $1 to $9 of
 * the insert, $2 to $10 of the update. */
struct fields {
    char *domains;
    const char *p[9];
};

static void fields_of(const struct incident_row *r, struct fields *f)
{
    f->domains = json_dumps(r->affected_domains ? r->affected_domains : json_array(), JSON_COMPACT);
    const char *p[] = {r->registrar_id[0] ? r->registrar_id : NULL,
                       r->title,
                       r->description,
                       r->category,
                       r->severity,
                       r->tlp,
                       f->domains,
                       r->detected_at,
                       r->reportable_to_cncs ? "true" : "false"};
    memcpy(f->p, p, sizeof p);
}

enum status store_incident_insert(PGconn *conn, const struct incident_row *in, int ack_hours,
                                  struct incident_row *out)
{
    struct fields f;
    fields_of(in, &f);
    char hours[12];
    snprintf(hours, sizeof hours, "%d", ack_hours);
    const char *p[10];
    memcpy(p, f.p, sizeof f.p);
    p[9] = hours;
    enum status st = store_rows_one(conn, SQL_INSERT, 10, p, read_row, out);
    free(f.domains);
    return st;
}

enum status store_incident_update(PGconn *conn, struct incident_row *row,
                                  const struct incident_row *next, int ack_hours)
{
    struct fields f;
    fields_of(next, &f);
    char hours[12], version[16];
    snprintf(hours, sizeof hours, "%d", ack_hours);
    snprintf(version, sizeof version, "%d", row->version);
    const char *p[12] = {row->id};
    memcpy(&p[1], f.p, sizeof f.p);
    p[10] = hours;
    p[11] = version;
    enum status st = store_rows_one(conn, SQL_UPDATE, 12, p, read_row, row);
    free(f.domains);
    return st == ST_NOT_FOUND ? ST_STALE : st;
}

enum status store_incident_move(PGconn *conn, struct incident_row *row, const char *to)
{
    const char *p[] = {row->id, to};
    return store_rows_one(conn, SQL_MOVE, 2, p, read_row, row);
}

enum status store_incident_list(PGconn *conn, const struct page_query *q, struct page_result *out)
{
    char *select = xasprintf("SELECT " INCIDENT_COLUMNS ", %s AS cursor_value,"
                             " incidents.id::text AS cursor_id FROM incidents",
                             q->page.sort->render);
    struct store_page sq = {
        .select = select,
        .where = "WHERE ($1::jsonb IS NULL OR $1::jsonb ? status)"
                 " AND ($2::jsonb IS NULL OR $2::jsonb ? severity)"
                 " AND ($3::jsonb IS NULL OR $3::jsonb ? tlp)"
                 " AND ($4::jsonb IS NULL OR $4::jsonb ? registrar_id::text)"
                 " AND ($5::jsonb IS NULL OR $5::jsonb ? " INCIDENT_OVERDUE "::text)"
                 " AND ($6::timestamptz IS NULL OR updated_at >= $6::timestamptz)",
        .id_expr = "incidents.id",
        .page = &q->page,
        .nparams = 6,
        .params = {q->filters[STORE_INCIDENT_STATUS], q->filters[STORE_INCIDENT_SEVERITY],
                   q->filters[STORE_INCIDENT_TLP], q->filters[STORE_INCIDENT_REGISTRAR],
                   q->filters[STORE_INCIDENT_OVERDUE], q->page.updated_since},
    };
    enum status st = store_rows_page(conn, &sq, read_row, sizeof(struct incident_row), out);
    free(select);
    return st;
}

void incident_update_row_cleanup(struct incident_update_row *row)
{
    free(row->body);
    row->body = NULL;
}

static void read_update(const PGresult *res, int i, void *out)
{
    struct incident_update_row *u = out;
    incident_update_row_cleanup(u);
    memset(u, 0, sizeof *u);
    STORE_COPY(u->id, res, i, 0);
    STORE_COPY(u->incident_id, res, i, 1);
    STORE_COPY(u->registrar_id, res, i, 2);
    u->body = store_rows_text(res, i, 3);
    STORE_COPY(u->created_at, res, i, 4);
}

enum status store_incident_update_insert(PGconn *conn, const char *incident_id,
                                         const char *registrar_id, const char *body,
                                         struct incident_update_row *out)
{
    const char *p[] = {incident_id, registrar_id, body};
    return store_rows_one(conn, SQL_UPDATE_INSERT, 3, p, read_update, out);
}

enum status store_incident_updates(PGconn *conn, const char *incident_id, int limit,
                                   struct incident_update_row **rows, int *count)
{
    char n[12];
    snprintf(n, sizeof n, "%d", limit);
    const char *p[] = {incident_id, n};
    PGresult *res = NULL;
    *rows = NULL;
    *count = 0;
    enum status st = db_exec(conn, SQL_UPDATES, 2, p, &res);
    if (st == ST_OK) {
        *count = PQntuples(res);
        *rows = xcalloc((size_t)*count + 1, sizeof **rows);
        for (int i = 0; i < *count; i++)
            read_update(res, i, &(*rows)[i]);
    }
    PQclear(res);
    return st;
}
