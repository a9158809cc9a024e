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

#define REG_COLUMNS                                                                                \
    "id::text, handle, json_build_object('legal_name', legal_name, 'trade_name', trade_name,"      \
    " 'nif', nif, 'vat_number', vat_number, 'country', country, 'website', website,"               \
    " 'address', address, 'contacts', contacts)::text, status, " SQL_TS(                           \
        "accredited_at") ","                                                                       \
                         " coalesce(application_id::text, ''), version, " SQL_TS(                  \
                             "created_at") ", " SQL_TS("updated_at") ", " SQL_TS("status_changed_" \
                                                                                 "at")

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

const struct page_sort store_registrar_sorts[STORE_REGISTRAR_SORTS] = {
    {"created_at", "created_at", "::timestamptz", SQL_TS_US("created_at")},
    {"handle", "handle", "", "handle"},
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

static void read_row(const PGresult *res, int i, void *out)
{
    struct registrar_row *r = out;
    registrar_row_cleanup(r);
    STORE_COPY(r->id, res, i, 0);
    STORE_COPY(r->handle, res, i, 1);
    r->fields = json_loads(PQgetvalue(res, i, 2), 0, NULL);
    if (!registrar_status_parse(PQgetvalue(res, i, 3), &r->status))
        r->status = REGISTRAR_TERMINATED; /* the column's CHECK allows no other value */
    STORE_COPY(r->accredited_at, res, i, 4);
    STORE_COPY(r->application_id, res, i, 5);
    r->version = atoi(PQgetvalue(res, i, 6));
    STORE_COPY(r->created_at, res, i, 7);
    STORE_COPY(r->updated_at, res, i, 8);
    STORE_COPY(r->status_changed_at, res, i, 9);
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

enum status store_registrar_list(PGconn *conn, const struct page_query *q, struct page_result *out)
{
    char *select = xasprintf("SELECT " REG_COLUMNS ", %s AS cursor_value, id::text AS cursor_id"
                             " FROM registrars",
                             q->page.sort->render);
    /* Programs arrive with the programs area: until then no registrar is in one. */
    struct store_page sq = {
        .select = select,
        .where = "WHERE ($1::bool IS NOT TRUE OR status = 'accredited')"
                 " AND ($2::jsonb IS NULL OR $2::jsonb ? status)"
                 " AND ($3::jsonb IS NULL OR false)"
                 /* the public searches public fields; staff also names and tax numbers */
                 " AND ($4::text IS NULL OR trade_name ILIKE '%' || $4 || '%'"
                 " OR handle ILIKE '%' || $4 || '%' OR ($1::bool IS NOT TRUE AND"
                 " (legal_name ILIKE '%' || $4 || '%' OR tax_key ILIKE '%' || $4 || '%'"
                 " OR coalesce(nif, '') ILIKE '%' || $4 || '%'"
                 " OR coalesce(vat_number, '') ILIKE '%' || $4 || '%')))"
                 " AND ($5::timestamptz IS NULL OR updated_at >= $5::timestamptz)",
        .id_expr = "id",
        .page = &q->page,
        .nparams = 5,
        .params = {q->full ? "false" : "true", q->filters[STORE_REGISTRAR_STATUS],
                   q->filters[STORE_REGISTRAR_PROGRAM], q->filters[STORE_REGISTRAR_Q],
                   q->page.updated_since},
    };
    enum status st = store_rows_page(conn, &sq, read_row, sizeof(struct registrar_row), out);
    free(select);
    return st;
}
