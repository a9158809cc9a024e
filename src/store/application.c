/* Accreditation applications: their SQL only. One open application per tax
 * number is a partial unique index; the service serialises everything that
 * touches one tax number with store_application_lock_tax. */
#include "store_application.h"

#include "sql.h"
#include "store_rows.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define APP_COLUMNS                                                                                \
    "id::text, status, document::text, reason, coalesce(registrar_id::text, ''),"                  \
    " credentials_collected_at IS NOT NULL, version, " SQL_TS("submitted_at") ", " SQL_TS(         \
        "created_at") ", " SQL_TS("updated_at") ", " SQL_TS("status_changed_at")

static const char SQL_LOCK_TAX[] = "SELECT pg_advisory_xact_lock(hashtextextended($1, 7))";
static const char SQL_TAX_USERS[] =
    "SELECT EXISTS (SELECT 1 FROM registrars WHERE tax_key = $1 AND status <> 'terminated'),"
    " EXISTS (SELECT 1 FROM accreditation_applications WHERE tax_id = $1 AND id <>"
    " coalesce($2::uuid, '00000000-0000-0000-0000-000000000000') AND status IN ('submitted',"
    " 'under_review', 'changes_requested'))";
static const char SQL_INSERT[] =
    "INSERT INTO accreditation_applications (tax_id, document, contact_email)"
    " VALUES ($1, $2::jsonb, $3) RETURNING " APP_COLUMNS;
static const char SQL_GET[] =
    "SELECT " APP_COLUMNS " FROM accreditation_applications WHERE id = $1::uuid";
static const char SQL_GET_LOCK[] =
    "SELECT " APP_COLUMNS " FROM accreditation_applications WHERE id = $1::uuid FOR UPDATE";
static const char SQL_UPDATE[] =
    "UPDATE accreditation_applications SET document = $2::jsonb, tax_id = $3, contact_email = $4,"
    " version = version + 1 WHERE id = $1::uuid AND version = $5::int RETURNING " APP_COLUMNS;
static const char SQL_MOVE[] =
    "UPDATE accreditation_applications SET status = $2, reason = coalesce($3, reason),"
    " status_changed_at = now(), version = version + 1 WHERE id = $1::uuid RETURNING " APP_COLUMNS;
static const char SQL_RESTAMP[] =
    "UPDATE accreditation_applications SET submitted_at = now() WHERE id = $1::uuid"
    " RETURNING " APP_COLUMNS;
static const char SQL_LINK[] =
    "UPDATE accreditation_applications SET registrar_id = $2::uuid WHERE id = $1::uuid"
    " RETURNING " APP_COLUMNS;
static const char SQL_COLLECTED[] =
    "UPDATE accreditation_applications SET credentials_collected_at = now(), version = version + 1"
    " WHERE id = $1::uuid RETURNING " APP_COLUMNS;

const struct page_sort store_application_sorts[STORE_APPLICATION_SORTS] = {
    {"created_at", "created_at", "::timestamptz", SQL_TS_US("created_at")},
    {"submitted_at", "submitted_at", "::timestamptz", SQL_TS_US("submitted_at")},
};

static void read_row(const PGresult *res, int i, void *out)
{
    struct application_row *r = out;
    application_row_cleanup(r);
    STORE_COPY(r->id, res, i, 0);
    if (!application_status_parse(PQgetvalue(res, i, 1), &r->status))
        r->status = APPLICATION_SUBMITTED; /* the column's CHECK allows no other value */
    json_t *doc = json_loads(PQgetvalue(res, i, 2), 0, NULL);
    application_from_json(doc, &r->doc);
    json_decref(doc);
    r->reason = PQgetisnull(res, i, 3) ? NULL : xstrdup(PQgetvalue(res, i, 3));
    STORE_COPY(r->registrar_id, res, i, 4);
    r->credentials_collected = PQgetvalue(res, i, 5)[0] == 't';
    r->version = atoi(PQgetvalue(res, i, 6));
    STORE_COPY(r->submitted_at, res, i, 7);
    STORE_COPY(r->created_at, res, i, 8);
    STORE_COPY(r->updated_at, res, i, 9);
    STORE_COPY(r->status_changed_at, res, i, 10);
}

enum status store_application_lock_tax(PGconn *conn, const char *tax_id)
{
    const char *p[] = {tax_id};
    return db_exec_later(conn, SQL_LOCK_TAX, 1, p); /* taken with the check that follows */
}

enum status store_application_tax_users(PGconn *conn, const char *tax_id, const char *self,
                                        bool *live_registrar, bool *open_application)
{
    const char *p[] = {tax_id, self};
    PGresult *res = NULL;
    enum status st = db_exec(conn, SQL_TAX_USERS, 2, p, &res);
    *live_registrar = st == ST_OK && PQgetvalue(res, 0, 0)[0] == 't';
    *open_application = st == ST_OK && PQgetvalue(res, 0, 1)[0] == 't';
    PQclear(res);
    return st;
}

/* The document column's text. Returns a new string. */
static char *document_text(const struct application *a)
{
    json_t *doc = application_to_json(a);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return text;
}

enum status store_application_insert(PGconn *conn, const struct application *doc,
                                     const char *tax_id, const char *contact_email,
                                     struct application_row *out)
{
    char *text = document_text(doc);
    const char *p[] = {tax_id, text, contact_email};
    enum status st = store_rows_one(conn, SQL_INSERT, 3, p, read_row, out);
    free(text);
    return st;
}

enum status store_application_get(PGconn *conn, const char *id, bool lock,
                                  struct application_row *out)
{
    const char *p[] = {id};
    return store_rows_one(conn, lock ? SQL_GET_LOCK : SQL_GET, 1, p, read_row, out);
}

enum status store_application_update(PGconn *conn, struct application_row *row,
                                     const struct application *doc, const char *tax_id,
                                     const char *contact_email)
{
    char version[16];
    snprintf(version, sizeof version, "%d", row->version);
    char *text = document_text(doc);
    const char *p[] = {row->id, text, tax_id, contact_email, version};
    enum status st = store_rows_one(conn, SQL_UPDATE, 5, p, read_row, row);
    free(text);
    return st == ST_NOT_FOUND ? ST_STALE : st;
}

/* Runs one of the single-row updates keyed by the row's id. */
static enum status update_one(PGconn *conn, const char *sql, struct application_row *row,
                              const char *p2, const char *p3)
{
    const char *p[] = {row->id, p2, p3};
    int n = p3 != NULL ? 3 : p2 != NULL ? 2 : 1;
    return store_rows_one(conn, sql, n, p, read_row, row);
}

enum status store_application_move(PGconn *conn, struct application_row *row, const char *to,
                                   const char *reason)
{
    const char *p[] = {row->id, to, reason};
    return store_rows_one(conn, SQL_MOVE, 3, p, read_row, row);
}

enum status store_application_restamp(PGconn *conn, struct application_row *row)
{
    return update_one(conn, SQL_RESTAMP, row, NULL, NULL);
}

enum status store_application_link(PGconn *conn, struct application_row *row,
                                   const char *registrar_id)
{
    return update_one(conn, SQL_LINK, row, registrar_id, NULL);
}

enum status store_application_mark_collected(PGconn *conn, struct application_row *row)
{
    return update_one(conn, SQL_COLLECTED, row, NULL, NULL);
}

enum status store_application_list(PGconn *conn, const struct page_query *q,
                                   struct page_result *out)
{
    char *select = xasprintf("SELECT " APP_COLUMNS ", %s AS cursor_value, id::text AS cursor_id"
                             " FROM accreditation_applications",
                             q->page.sort->render);
    struct store_page sq = {
        .select = select,
        .where =
            "WHERE ($1::jsonb IS NULL OR $1::jsonb ? status)"
            " AND ($2::text IS NULL OR document->>'legal_name' ILIKE '%' || $2 || '%'"
            " OR document->>'trade_name' ILIKE '%' || $2 || '%' OR tax_id ILIKE '%' || $2 || '%')"
            " AND ($3::timestamptz IS NULL OR submitted_at >= $3::timestamptz)"
            " AND ($4::timestamptz IS NULL OR submitted_at < $4::timestamptz)"
            " AND ($5::timestamptz IS NULL OR updated_at >= $5::timestamptz)",
        .id_expr = "id",
        .page = &q->page,
        .nparams = 5,
        .params = {q->filters[STORE_APPLICATION_STATUS], q->filters[STORE_APPLICATION_Q],
                   q->filters[STORE_APPLICATION_SUBMITTED_FROM],
                   q->filters[STORE_APPLICATION_SUBMITTED_TO], q->page.updated_since},
    };
    enum status st = store_rows_page(conn, &sq, read_row, sizeof(struct application_row), out);
    free(select);
    return st;
}
