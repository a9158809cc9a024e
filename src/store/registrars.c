/* Registrar rows: the short form and the status the other areas check. */
#include "store_registrars.h"

#include "sql.h"
#include "store_accreditation.h"
#include "store_page.h"
#include "util.h"

#include <stdlib.h>

#include <stdio.h>
#include <string.h>

static const char SQL_BRIEF[] =
    "SELECT id::text, handle, trade_name, status FROM registrars WHERE id = $1::uuid";

enum status store_registrar_brief(PGconn *conn, const char *id, struct registrar_brief *out)
{
    const char *p[] = {id};
    PGresult *res = NULL;
    enum status st = db_exec(conn, SQL_BRIEF, 1, p, &res);
    if (st == ST_OK && PQntuples(res) == 0)
        st = ST_NOT_FOUND;
    if (st == ST_OK) {
        snprintf(out->id, sizeof out->id, "%s", PQgetvalue(res, 0, 0));
        snprintf(out->handle, sizeof out->handle, "%s", PQgetvalue(res, 0, 1));
        snprintf(out->trade_name, sizeof out->trade_name, "%s", PQgetvalue(res, 0, 2));
        snprintf(out->status, sizeof out->status, "%s", PQgetvalue(res, 0, 3));
    }
    PQclear(res);
    return st;
}

enum status store_registrar_status(PGconn *conn, const char *registrar_id, char *status,
                                   size_t size)
{
    struct registrar_brief b;
    enum status st = store_registrar_brief(conn, registrar_id, &b);
    if (st == ST_OK)
        snprintf(status, size, "%s", b.status);
    return st;
}

#define REG_COLUMNS                                                                                \
    "id::text, handle, json_build_object('legal_name', legal_name, 'trade_name', trade_name,"      \
    " 'nif', nif, 'vat_number', vat_number, 'country', country, 'website', website,"               \
    " 'address', address, 'contacts', contacts)::text, status, " SQL_TS(                           \
        "accredited_at") ","                                                                       \
                         " coalesce(application_id::text, ''), version, " SQL_TS(                  \
                             "created_at") ", " SQL_TS("updated_at") ", " SQL_TS("status_changed_" \
                                                                                 "at")

static const char SQL_GET[] = "SELECT " REG_COLUMNS " FROM registrars WHERE id = $1::uuid";
static const char SQL_GET_LOCK[] =
    "SELECT " REG_COLUMNS " FROM registrars WHERE id = $1::uuid FOR UPDATE";
static const char SQL_UPDATE[] =
    "UPDATE registrars SET legal_name = $2, trade_name = $3, website = $4, address = $5::jsonb,"
    " contacts = $6::jsonb, version = version + 1 WHERE id = $1::uuid AND version = $7::int"
    " RETURNING " REG_COLUMNS;
static const char SQL_TRANSITION[] =
    "UPDATE registrars SET status = $2, status_changed_at = now(), version = version + 1"
    " WHERE id = $1::uuid RETURNING " REG_COLUMNS;
static const char SQL_REVOKE_CLIENTS[] =
    "UPDATE api_clients SET status = 'revoked', status_changed_at = now()"
    " WHERE registrar_id = $1::uuid AND status = 'active' RETURNING client_id";

void registrar_row_cleanup(struct registrar_row *row)
{
    json_decref(row->fields);
    row->fields = NULL;
}

void registrar_rows_free(struct registrar_row *rows, int count)
{
    for (int i = 0; rows != NULL && i < count; i++)
        registrar_row_cleanup(&rows[i]);
    free(rows);
}

#define COPY(dst, res, i, col) snprintf((dst), sizeof(dst), "%s", PQgetvalue((res), (i), (col)))

static void reg_from(const PGresult *res, int i, struct registrar_row *r)
{
    registrar_row_cleanup(r);
    COPY(r->id, res, i, 0);
    COPY(r->handle, res, i, 1);
    r->fields = json_loads(PQgetvalue(res, i, 2), 0, NULL);
    COPY(r->status, res, i, 3);
    COPY(r->accredited_at, res, i, 4);
    COPY(r->application_id, res, i, 5);
    r->version = atoi(PQgetvalue(res, i, 6));
    COPY(r->created_at, res, i, 7);
    COPY(r->updated_at, res, i, 8);
    COPY(r->status_changed_at, res, i, 9);
}

static enum status reg_one(PGconn *conn, const char *sql, int n, const char *const *p,
                           struct registrar_row *out)
{
    PGresult *res = NULL;
    enum status st = db_exec(conn, sql, n, p, &res);
    if (st == ST_OK && PQntuples(res) == 0)
        st = ST_NOT_FOUND;
    if (st == ST_OK)
        reg_from(res, 0, out);
    PQclear(res);
    return st;
}

enum status store_registrar_get(PGconn *conn, const char *id, bool lock, struct registrar_row *out)
{
    const char *p[] = {id};
    return reg_one(conn, lock ? SQL_GET_LOCK : SQL_GET, 1, p, out);
}

static enum status reg_audit(PGconn *conn, const struct audit_actor *actor, const char *action,
                             const char *id, const char *from, const char *to, const char *reason,
                             const json_t *changes)
{
    struct audit_entry e = {.action = action,
                            .resource_type = "registrar",
                            .resource_id = id,
                            .from_status = from,
                            .to_status = to,
                            .reason = reason,
                            .changes = changes,
                            .personal = store_personal_fields};
    return store_audit_record(conn, actor, &e);
}

enum status store_registrar_update(PGconn *conn, struct registrar_row *row, const json_t *fields,
                                   const json_t *changes, const struct audit_actor *actor)
{
    char version[16];
    snprintf(version, sizeof version, "%d", row->version);
    char *address = json_dumps(json_object_get(fields, "address"), JSON_COMPACT);
    char *contacts = json_dumps(json_object_get(fields, "contacts"), JSON_COMPACT);
    const char *p[] = {row->id,
                       json_string_value(json_object_get(fields, "legal_name")),
                       json_string_value(json_object_get(fields, "trade_name")),
                       json_string_value(json_object_get(fields, "website")),
                       address,
                       contacts,
                       version};
    enum status st = reg_one(conn, SQL_UPDATE, 7, p, row);
    free(address);
    free(contacts);
    if (st == ST_NOT_FOUND)
        return ST_STALE;
    return st == ST_OK ? reg_audit(conn, actor, "edit", row->id, NULL, NULL, NULL, changes) : st;
}

enum status store_registrar_transition(PGconn *conn, struct registrar_row *row, const char *action,
                                       const char *to, const char *reason,
                                       const struct audit_actor *actor)
{
    char from[16];
    snprintf(from, sizeof from, "%s", row->status);
    const char *p[] = {row->id, to};
    enum status st = reg_one(conn, SQL_TRANSITION, 2, p, row);
    if (st == ST_OK)
        st = reg_audit(conn, actor, action, row->id, from, to, reason, NULL);
    if (st != ST_OK || strcmp(to, "terminated") != 0)
        return st;
    PGresult *res = NULL;
    const char *rp[] = {row->id};
    st = db_exec(conn, SQL_REVOKE_CLIENTS, 1, rp, &res);
    for (int i = 0; st == ST_OK && i < PQntuples(res); i++) {
        struct audit_entry e = {.action = "revoke",
                                .resource_type = "api_client",
                                .resource_id = PQgetvalue(res, i, 0),
                                .from_status = "active",
                                .to_status = "revoked",
                                .reason = "registrar terminated"};
        st = store_audit_record(conn, actor, &e);
    }
    PQclear(res);
    return st;
}

static const struct store_sort registrar_sorts[] = {
    {"created_at", "::timestamptz", SQL_TS_US("created_at")},
    {"handle", "", "handle"},
};

enum status store_registrar_list(PGconn *conn, const struct registrar_filter *f,
                                 const struct page_req *page, struct registrar_row **rows,
                                 int *count, char **next, long long *total)
{
    char *statuses = f->statuses ? json_dumps(f->statuses, 0) : NULL;
    char *programs = f->programs ? json_dumps(f->programs, 0) : NULL;
    const struct store_sort *sort = &registrar_sorts[page->sort_column];
    char *select = xasprintf("SELECT " REG_COLUMNS ", %s AS cursor_value, id::text AS cursor_id"
                             " FROM registrars",
                             sort->render);
    /* Programs arrive with the programs area: until then no registrar is in one. */
    struct store_page q = {
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
        .sort = sort,
        .page = page,
        .nparams = 5,
        .params = {f->public_only ? "true" : "false", statuses, programs, f->q,
                   page->updated_since},
    };
    PGresult *res = NULL;
    *rows = NULL;
    enum status st = store_page_run(conn, &q, &res, count, next, total);
    if (st == ST_OK) {
        *rows = xcalloc((size_t)*count + 1, sizeof **rows);
        for (int i = 0; i < *count; i++)
            reg_from(res, i, &(*rows)[i]);
    }
    PQclear(res);
    free(select);
    free(statuses);
    free(programs);
    return st;
}
