/* Registrars: all their SQL, no rules. The directory, each record, its
 * edits and status changes, the insert an approval makes, and the short form
 * the other areas check. */
#include "store_registrar.h"

#include "sql.h"
#include "store_rows.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The whole record, column by column (read_row). address and contacts are
 * stored JSON, read as their text. */
/* The codes of the registrar's active enrollments, comma-separated. */
#define REG_PROGRAMS                                                                               \
    "coalesce((SELECT string_agg(e.program_code, ',' ORDER BY e.program_code) FROM enrollments e"  \
    " WHERE e.registrar_id = registrars.id AND e.status = 'active'), '')"
/* The whole record, column by column (read_row). address and contacts are
 * stored JSON, read as their text. */
#define REG_COLUMNS                                                                                \
    "id::text, handle, trade_name, website, legal_name, nif, vat_number, country,"                 \
    " address::text, contacts::text, status, " SQL_TS(                                             \
        "accredited_at") ","                                                                       \
                         " coalesce(application_id::text, ''), version, " SQL_TS(                  \
                             "created_at") ","                                                     \
                                           " " SQL_TS("updated_at") ", " SQL_TS(                   \
                                               "status_changed_at") ", " REG_PROGRAMS
/* The public face: what the directory shows (read_public). */
#define REG_PUBLIC_COLUMNS                                                                         \
    "id::text, handle, trade_name, website, " SQL_TS("accredited_at") ", " REG_PROGRAMS

static const char SQL_BRIEF[] =
    "SELECT id::text, handle, trade_name, status FROM registrars WHERE id = $1::uuid";
static const char SQL_GET[] = "SELECT " REG_COLUMNS " FROM registrars WHERE id = $1::uuid";
static const char SQL_GET_LOCK[] =
    "SELECT " REG_COLUMNS " FROM registrars WHERE id = $1::uuid FOR UPDATE";
static const char SQL_UPDATE[] =
    "UPDATE registrars SET legal_name = $2, trade_name = $3, website = $4, address = $5::jsonb,"
    " contacts = $6::jsonb, version = version + 1 WHERE id = $1::uuid AND version = $7::int"
    " RETURNING " REG_COLUMNS;
static const char SQL_MOVE[] =
    "UPDATE registrars SET status = $2, status_changed_at = now(), version = version + 1"
    " WHERE id = $1::uuid RETURNING " REG_COLUMNS;
static const char SQL_INSERT[] =
    "INSERT INTO registrars (handle, legal_name, trade_name, country, nif, vat_number, tax_key,"
    " website, address, contacts, application_id)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10::jsonb, $11::uuid)"
    " ON CONFLICT (handle) DO NOTHING RETURNING id::text";
static const char SQL_HANDLES[] =
    "SELECT handle FROM registrars WHERE handle LIKE left($1, 20) || '%'";

/* Qualified, so ORDER BY binds to the table's columns (and their indexes),
 * never to an output column of the same name. */
const struct page_sort store_registrar_sorts[STORE_REGISTRAR_SORTS] = {
    {"created_at", "registrars.created_at", "::timestamptz", SQL_TS_US("registrars.created_at")},
    {"handle", "registrars.handle", "", "registrars.handle"},
};

static void read_brief(const PGresult *res, int i, void *out)
{
    struct registrar_brief *b = out;
    STORE_COPY(b->id, res, i, 0);
    STORE_COPY(b->handle, res, i, 1);
    STORE_COPY(b->trade_name, res, i, 2);
    if (!registrar_status_parse(PQgetvalue(res, i, 3), &b->status))
        b->status = REGISTRAR_TERMINATED;
}

enum status store_registrar_brief(PGconn *conn, const char *id, struct registrar_brief *out)
{
    const char *p[] = {id};
    return store_rows_one(conn, SQL_BRIEF, 1, p, read_brief, out);
}

static json_t *text_or_null(const PGresult *res, int i, int col)
{
    return PQgetisnull(res, i, col) ? json_null() : json_string(PQgetvalue(res, i, col));
}

/* The columns both faces share: id, handle, trade_name, website. */
static void read_face(const PGresult *res, int i, struct registrar_row *r)
{
    registrar_row_cleanup(r);
    STORE_COPY(r->id, res, i, 0);
    STORE_COPY(r->handle, res, i, 1);
    STORE_COPY(r->trade_name, res, i, 2);
    r->website = PQgetisnull(res, i, 3) ? NULL : xstrdup(PQgetvalue(res, i, 3));
}

/* The comma-separated program codes of column col, as a JSON array. */
static json_t *programs(const PGresult *res, int i, int col)
{
    json_t *list = json_array();
    char *codes = xstrdup(PQgetvalue(res, i, col)), *save = NULL;
    for (char *c = strtok_r(codes, ",", &save); c != NULL; c = strtok_r(NULL, ",", &save))
        json_array_append_new(list, json_string(c));
    free(codes);
    return list;
}

static void read_public(const PGresult *res, int i, void *out)
{
    struct registrar_row *r = out;
    read_face(res, i, r);
    r->status = REGISTRAR_ACCREDITED; /* the directory's filter */
    STORE_COPY(r->accredited_at, res, i, 4);
    r->programs = programs(res, i, 5);
}

static void read_row(const PGresult *res, int i, void *out)
{
    struct registrar_row *r = out;
    read_face(res, i, r);
    r->fields =
        json_pack("{s:s, s:s, s:o, s:o, s:s, s:o, s:o?, s:o?}", "legal_name", PQgetvalue(res, i, 4),
                  "trade_name", r->trade_name, "nif", text_or_null(res, i, 5), "vat_number",
                  text_or_null(res, i, 6), "country", PQgetvalue(res, i, 7), "website",
                  text_or_null(res, i, 3), "address", json_loads(PQgetvalue(res, i, 8), 0, NULL),
                  "contacts", json_loads(PQgetvalue(res, i, 9), 0, NULL));
    if (!registrar_status_parse(PQgetvalue(res, i, 10), &r->status))
        r->status = REGISTRAR_TERMINATED; /* the column's CHECK allows no other value */
    STORE_COPY(r->accredited_at, res, i, 11);
    STORE_COPY(r->application_id, res, i, 12);
    r->version = atoi(PQgetvalue(res, i, 13));
    STORE_COPY(r->created_at, res, i, 14);
    STORE_COPY(r->updated_at, res, i, 15);
    STORE_COPY(r->status_changed_at, res, i, 16);
    r->programs = programs(res, i, 17);
}

enum status store_registrar_get(PGconn *conn, const char *id, bool lock, struct registrar_row *out)
{
    const char *p[] = {id};
    return store_rows_one(conn, lock ? SQL_GET_LOCK : SQL_GET, 1, p, read_row, out);
}

static const char *member(const json_t *o, const char *name)
{
    return json_string_value(json_object_get(o, name));
}

enum status store_registrar_update(PGconn *conn, struct registrar_row *row, const json_t *fields)
{
    char version[16];
    snprintf(version, sizeof version, "%d", row->version);
    char *address = json_dumps(json_object_get(fields, "address"), JSON_COMPACT);
    char *contacts = json_dumps(json_object_get(fields, "contacts"), JSON_COMPACT);
    const char *p[] = {row->id,
                       member(fields, "legal_name"),
                       member(fields, "trade_name"),
                       member(fields, "website"),
                       address,
                       contacts,
                       version};
    enum status st = store_rows_one(conn, SQL_UPDATE, 7, p, read_row, row);
    free(address);
    free(contacts);
    return st == ST_NOT_FOUND ? ST_STALE : st;
}

enum status store_registrar_move(PGconn *conn, struct registrar_row *row, const char *to)
{
    const char *p[] = {row->id, to};
    return store_rows_one(conn, SQL_MOVE, 2, p, read_row, row);
}

static void read_id(const PGresult *res, int i, void *out)
{
    snprintf(out, 37, "%s", PQgetvalue(res, i, 0));
}

enum status store_registrar_insert(PGconn *conn, const struct registrar_new *r, char id[37])
{
    char *address = json_dumps(r->address, JSON_COMPACT);
    char *contacts = json_dumps(r->contacts, JSON_COMPACT);
    const char *p[] = {r->handle, r->legal_name, r->trade_name,    r->country,
                       r->nif,    r->vat_number, r->tax_key,       r->website,
                       address,   contacts,      r->application_id};
    enum status st = store_rows_one(conn, SQL_INSERT, 11, p, read_id, id);
    free(address);
    free(contacts);
    return st;
}

enum status store_registrar_handles(PGconn *conn, const char *base, char ***handles, int *count)
{
    const char *p[] = {base};
    PGresult *res = NULL;
    *handles = NULL;
    *count = 0;
    enum status st = db_exec(conn, SQL_HANDLES, 1, p, &res);
    if (st != ST_OK)
        return st;
    *count = PQntuples(res);
    *handles = xcalloc((size_t)*count + 1, sizeof **handles);
    for (int i = 0; i < *count; i++)
        (*handles)[i] = xstrdup(PQgetvalue(res, i, 0));
    PQclear(res);
    return ST_OK;
}

/* The public directory: accredited registrars, searched by public fields.
 * status = 'accredited' is written out so the partial indexes of 0005 serve
 * every sort, in generic plans too. A program filter finds registrars with
 * an active enrollment in any of the programs. */
#define HAS_PROGRAM                                                                                \
    "EXISTS (SELECT 1 FROM enrollments e WHERE e.registrar_id = registrars.id"                     \
    " AND e.status = 'active' AND $1::jsonb ? e.program_code)"
static const char WHERE_PUBLIC[] =
    "WHERE status = 'accredited' AND ($1::jsonb IS NULL OR " HAS_PROGRAM ")"
    " AND ($2::text IS NULL OR trade_name ILIKE '%' || $2 || '%' OR handle ILIKE '%' || $2 || '%')"
    " AND ($3::timestamptz IS NULL OR updated_at >= $3::timestamptz)";
/* Staff: every status, searched by names and tax numbers too. */
static const char WHERE_FULL[] =
    "WHERE ($1::jsonb IS NULL OR " HAS_PROGRAM
    ") AND ($2::text IS NULL OR trade_name ILIKE '%' || $2 || '%'"
    " OR handle ILIKE '%' || $2 || '%' OR legal_name ILIKE '%' || $2 || '%'"
    " OR tax_key ILIKE '%' || $2 || '%' OR coalesce(nif, '') ILIKE '%' || $2 || '%'"
    " OR coalesce(vat_number, '') ILIKE '%' || $2 || '%')"
    " AND ($3::timestamptz IS NULL OR updated_at >= $3::timestamptz)"
    " AND ($4::jsonb IS NULL OR $4::jsonb ? status)";

enum status store_registrar_list(PGconn *conn, const struct page_query *q, struct page_result *out)
{
    char *select = xasprintf("SELECT %s, %s AS cursor_value, id::text AS cursor_id"
                             " FROM registrars",
                             q->full ? REG_COLUMNS : REG_PUBLIC_COLUMNS, q->page.sort->render);
    struct store_page sq = {
        .select = select,
        .where = q->full ? WHERE_FULL : WHERE_PUBLIC,
        .id_expr = "registrars.id",
        .page = &q->page,
        .nparams = q->full ? 4 : 3,
        .params = {q->filters[STORE_REGISTRAR_PROGRAM], q->filters[STORE_REGISTRAR_Q],
                   q->page.updated_since, q->filters[STORE_REGISTRAR_STATUS]},
    };
    enum status st = store_rows_page(conn, &sq, q->full ? read_row : read_public,
                                     sizeof(struct registrar_row), out);
    free(select);
    return st;
}
