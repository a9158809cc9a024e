/* Accreditation applications. The open-application rule is a partial unique
 * index; the live-registrar rule is checked in a serializable transaction,
 * so neither can be raced. */
#include "store_accreditation.h"

#include "application.h"
#include "sql.h"
#include "store_clients.h"
#include "store_page.h"
#include "util.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const store_personal_fields[] = {"name", "email", "phone", NULL};

#define APP_COLUMNS                                                                                \
    "id::text, status, document::text, reason, coalesce(registrar_id::text, ''),"                  \
    " credentials_collected_at IS NOT NULL, version, " SQL_TS("submitted_at") ", " SQL_TS(         \
        "created_at") ", " SQL_TS("updated_at") ", " SQL_TS("status_changed_at")

static const char SQL_SERIALIZABLE[] = "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE";
static const char SQL_LIVE_REGISTRAR[] =
    "SELECT 1 FROM registrars WHERE tax_key = $1 AND status <> 'terminated'";
static const char SQL_OPEN_APPLICATION[] =
    "SELECT 1 FROM accreditation_applications WHERE tax_id = $1 AND id <> coalesce($2::uuid,"
    " '00000000-0000-0000-0000-000000000000') AND status IN ('submitted', 'under_review',"
    " 'changes_requested')";
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
static const char SQL_TRANSITION[] =
    "UPDATE accreditation_applications SET status = $2, reason = coalesce($3, reason),"
    " status_changed_at = now(), version = version + 1,"
    " submitted_at = CASE WHEN $4::bool THEN now() ELSE submitted_at END"
    " WHERE id = $1::uuid RETURNING " APP_COLUMNS;
static const char SQL_APPROVE[] =
    "UPDATE accreditation_applications SET status = 'approved', registrar_id = $2::uuid,"
    " reason = coalesce($3, reason), status_changed_at = now(), version = version + 1"
    " WHERE id = $1::uuid RETURNING " APP_COLUMNS;
static const char SQL_COLLECTED[] =
    "UPDATE accreditation_applications SET credentials_collected_at = now(), version = version + 1"
    " WHERE id = $1::uuid RETURNING " APP_COLUMNS;
static const char SQL_KEY_EXPIRES[] =
    "UPDATE access_keys SET expires_at = now() + $2::interval WHERE subject_id = $1::uuid";
static const char SQL_INSERT_REGISTRAR[] =
    "INSERT INTO registrars (handle, legal_name, trade_name, country, nif, vat_number, tax_key,"
    " website, address, contacts, application_id)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10::jsonb, $11::uuid)"
    " ON CONFLICT (handle) DO NOTHING RETURNING id::text";
static const char SQL_HANDLES[] =
    "SELECT handle FROM registrars WHERE handle LIKE left($1, 20) || '%'";

#define COPY(dst, res, i, col) snprintf((dst), sizeof(dst), "%s", PQgetvalue((res), (i), (col)))

void application_row_cleanup(struct application_row *row)
{
    json_decref(row->document);
    free(row->reason);
    row->document = NULL;
    row->reason = NULL;
}

void application_rows_free(struct application_row *rows, int count)
{
    for (int i = 0; rows != NULL && i < count; i++)
        application_row_cleanup(&rows[i]);
    free(rows);
}

static void row_from(const PGresult *res, int i, struct application_row *r)
{
    application_row_cleanup(r);
    COPY(r->id, res, i, 0);
    COPY(r->status, res, i, 1);
    r->document = json_loads(PQgetvalue(res, i, 2), 0, NULL);
    r->reason = PQgetisnull(res, i, 3) ? NULL : xstrdup(PQgetvalue(res, i, 3));
    COPY(r->registrar_id, res, i, 4);
    r->credentials_collected = strcmp(PQgetvalue(res, i, 5), "t") == 0;
    r->version = atoi(PQgetvalue(res, i, 6));
    COPY(r->submitted_at, res, i, 7);
    COPY(r->created_at, res, i, 8);
    COPY(r->updated_at, res, i, 9);
    COPY(r->status_changed_at, res, i, 10);
}

/* Runs sql expecting one row into *out; ST_NOT_FOUND on none. */
static enum status one_row(PGconn *conn, const char *sql, int n, const char *const *p,
                           struct application_row *out)
{
    PGresult *res = NULL;
    enum status st = db_exec(conn, sql, n, p, &res);
    if (st == ST_OK && PQntuples(res) == 0)
        st = ST_NOT_FOUND;
    if (st == ST_OK)
        row_from(res, 0, out);
    PQclear(res);
    return st;
}

static bool exists(PGconn *conn, const char *sql, int n, const char *const *p, enum status *st)
{
    PGresult *res = NULL;
    *st = db_exec(conn, sql, n, p, &res);
    bool found = *st == ST_OK && PQntuples(res) > 0;
    PQclear(res);
    return found;
}

/* Which duplicate a tax id would make, if any (except application self). */
static enum status find_duplicate(PGconn *conn, const char *tax_id, const char *self,
                                  enum duplicate_kind *dup)
{
    enum status st;
    const char *p1[] = {tax_id}, *p2[] = {tax_id, self};
    *dup = DUPLICATE_NONE;
    if (exists(conn, SQL_LIVE_REGISTRAR, 1, p1, &st))
        *dup = DUPLICATE_REGISTRAR;
    else if (st == ST_OK && exists(conn, SQL_OPEN_APPLICATION, 2, p2, &st))
        *dup = DUPLICATE_OPEN_APPLICATION;
    return st != ST_OK ? st : *dup != DUPLICATE_NONE ? ST_CONFLICT : ST_OK;
}

static enum status audit(PGconn *conn, const struct audit_actor *actor, const char *action,
                         const char *id, const char *from, const char *to, const char *reason,
                         const json_t *changes)
{
    struct audit_entry e = {.action = action,
                            .resource_type = "accreditation_application",
                            .resource_id = id,
                            .from_status = from,
                            .to_status = to,
                            .reason = reason,
                            .changes = changes,
                            .personal = store_personal_fields};
    return store_audit_record(conn, actor, &e);
}

enum status store_application_create(PGconn *conn, const json_t *doc, const char *tax_id,
                                     const char *contact_email, const char *key_hash,
                                     const struct audit_actor *actor, struct application_row *out,
                                     enum duplicate_kind *dup)
{
    enum status st = db_exec(conn, SQL_SERIALIZABLE, 0, NULL, NULL);
    if (st == ST_OK)
        st = find_duplicate(conn, tax_id, NULL, dup);
    if (st != ST_OK)
        return st;
    char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    const char *p[] = {tax_id, text, contact_email};
    st = one_row(conn, SQL_INSERT, 3, p, out);
    free(text);
    if (st == ST_CONFLICT)
        *dup = DUPLICATE_OPEN_APPLICATION; /* the partial unique index caught a twin */
    if (st == ST_OK)
        st = store_access_key_put(conn, out->id, "applicant", key_hash, NULL);
    if (st == ST_OK)
        st = audit(conn, actor, "create", out->id, NULL, "submitted", NULL, doc);
    return st;
}

enum status store_application_get(PGconn *conn, const char *id, bool lock,
                                  struct application_row *out)
{
    const char *p[] = {id};
    return one_row(conn, lock ? SQL_GET_LOCK : SQL_GET, 1, p, out);
}

enum status store_application_update(PGconn *conn, struct application_row *row, const json_t *doc,
                                     const char *tax_id, const char *contact_email,
                                     const json_t *changes, const struct audit_actor *actor,
                                     enum duplicate_kind *dup)
{
    enum status st = find_duplicate(conn, tax_id, row->id, dup);
    if (st != ST_OK)
        return st;
    char version[16];
    snprintf(version, sizeof version, "%d", row->version);
    char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    const char *p[] = {row->id, text, tax_id, contact_email, version};
    st = one_row(conn, SQL_UPDATE, 5, p, row);
    free(text);
    if (st == ST_NOT_FOUND)
        return ST_STALE;
    if (st == ST_CONFLICT)
        *dup = DUPLICATE_OPEN_APPLICATION;
    return st == ST_OK ? audit(conn, actor, "edit", row->id, NULL, NULL, NULL, changes) : st;
}

enum status store_application_transition(PGconn *conn, struct application_row *row,
                                         const char *action, const char *to, const char *reason,
                                         const struct audit_actor *actor)
{
    char from[24];
    snprintf(from, sizeof from, "%s", row->status);
    const char *p[] = {row->id, to, reason, strcmp(action, "resubmit") == 0 ? "true" : "false"};
    enum status st = one_row(conn, SQL_TRANSITION, 4, p, row);
    if (st == ST_OK && (strcmp(to, "rejected") == 0 || strcmp(to, "withdrawn") == 0))
        st = store_access_key_revoke(conn, row->id);
    return st == ST_OK ? audit(conn, actor, action, row->id, from, to, reason, NULL) : st;
}

static bool handle_taken(const PGresult *res, const char *handle)
{
    for (int i = 0; i < PQntuples(res); i++)
        if (strcmp(PQgetvalue(res, i, 0), handle) == 0)
            return true;
    return false;
}

/* The first free handle of base, base-2, base-3…, given the taken ones. */
static char *free_handle(const PGresult *taken, const char *base, unsigned *n)
{
    for (;; (*n)++) {
        char *h = *n < 2 ? xstrdup(base) : validate_handle_suffixed(base, *n);
        if (!handle_taken(taken, h))
            return h;
        free(h);
    }
}

static const char *text_of(const json_t *doc, const char *name)
{
    return json_string_value(json_object_get(doc, name));
}

/* Inserts the registrar under a unique handle; *id receives its id. */
static enum status insert_registrar(PGconn *conn, const struct application_row *row, char id[37])
{
    const json_t *doc = row->document;
    char *base = validate_handle_from(text_of(doc, "trade_name"));
    char *address = json_dumps(json_object_get(doc, "address"), JSON_COMPACT);
    char *contacts = json_dumps(json_object_get(doc, "contacts"), JSON_COMPACT);
    char *tax_key = application_tax_id(doc);
    const char *hp[] = {base};
    PGresult *taken = NULL;
    enum status st = db_exec(conn, SQL_HANDLES, 1, hp, &taken);
    unsigned n = 1;
    for (int attempt = 0; st == ST_OK && attempt < 20; attempt++, n++) {
        char *handle = free_handle(taken, base, &n);
        const char *p[] = {handle,
                           text_of(doc, "legal_name"),
                           text_of(doc, "trade_name"),
                           text_of(doc, "country"),
                           text_of(doc, "nif"),
                           text_of(doc, "vat_number"),
                           tax_key,
                           text_of(doc, "website"),
                           address,
                           contacts,
                           row->id};
        PGresult *res = NULL;
        st = db_exec(conn, SQL_INSERT_REGISTRAR, 11, p, &res);
        bool inserted = st == ST_OK && PQntuples(res) == 1;
        if (inserted)
            snprintf(id, 37, "%s", PQgetvalue(res, 0, 0));
        PQclear(res);
        free(handle);
        if (inserted)
            break;
    }
    PQclear(taken);
    free(base);
    free(address);
    free(contacts);
    free(tax_key);
    return st == ST_OK && id[0] == '\0' ? ST_RETRY : st;
}

enum status store_application_approve(PGconn *conn, struct application_row *row, const char *reason,
                                      const struct audit_actor *actor, enum duplicate_kind *dup)
{
    char id[37] = "", from[24];
    snprintf(from, sizeof from, "%s", row->status);
    *dup = DUPLICATE_NONE;
    enum status st = insert_registrar(conn, row, id);
    if (st == ST_CONFLICT)
        *dup = DUPLICATE_REGISTRAR; /* a live registrar has this tax number */
    const char *p[] = {row->id, id, reason};
    if (st == ST_OK)
        st = one_row(conn, SQL_APPROVE, 3, p, row);
    const char *kp[] = {row->id, "30 days"};
    if (st == ST_OK)
        st = db_exec(conn, SQL_KEY_EXPIRES, 2, kp, NULL);
    if (st == ST_OK)
        st = audit(conn, actor, "approve", row->id, from, "approved", reason, NULL);
    json_t *changes = json_pack("{s:s}", "application_id", row->id);
    struct audit_entry e = {.action = "create",
                            .resource_type = "registrar",
                            .resource_id = id,
                            .to_status = "accredited",
                            .changes = changes};
    if (st == ST_OK)
        st = store_audit_record(conn, actor, &e);
    json_decref(changes);
    return st;
}

enum status store_application_mark_collected(PGconn *conn, struct application_row *row,
                                             const struct audit_actor *actor)
{
    const char *p[] = {row->id};
    enum status st = one_row(conn, SQL_COLLECTED, 1, p, row);
    const char *kp[] = {row->id, "0 seconds"};
    if (st == ST_OK)
        st = db_exec(conn, SQL_KEY_EXPIRES, 2, kp, NULL);
    return st == ST_OK ? audit(conn, actor, "collect-credentials", row->id, NULL, NULL, NULL, NULL)
                       : st;
}

static const struct store_sort application_sorts[] = {
    {"created_at", "::timestamptz", SQL_TS_US("created_at")},
    {"submitted_at", "::timestamptz", SQL_TS_US("submitted_at")},
};

enum status store_application_list(PGconn *conn, const struct application_filter *f,
                                   const struct page_req *page, struct application_row **rows,
                                   int *count, char **next, long long *total)
{
    char *statuses = f->statuses ? json_dumps(f->statuses, 0) : NULL;
    const struct store_sort *sort = &application_sorts[page->sort_column];
    char *select = xasprintf("SELECT " APP_COLUMNS ", %s AS cursor_value, id::text AS cursor_id"
                             " FROM accreditation_applications",
                             sort->render);
    struct store_page q = {
        .select = select,
        .where =
            "WHERE ($1::jsonb IS NULL OR $1::jsonb ? status)"
            " AND ($2::text IS NULL OR document->>'legal_name' ILIKE '%' || $2 || '%'"
            " OR document->>'trade_name' ILIKE '%' || $2 || '%' OR tax_id ILIKE '%' || $2 || '%')"
            " AND ($3::timestamptz IS NULL OR submitted_at >= $3::timestamptz)"
            " AND ($4::timestamptz IS NULL OR submitted_at < $4::timestamptz)"
            " AND ($5::timestamptz IS NULL OR updated_at >= $5::timestamptz)",
        .id_expr = "id",
        .sort = sort,
        .page = page,
        .nparams = 5,
        .params = {statuses, f->q, f->submitted_from, f->submitted_to, page->updated_since},
    };
    PGresult *res = NULL;
    *rows = NULL;
    enum status st = store_page_run(conn, &q, &res, count, next, total);
    if (st == ST_OK) {
        *rows = xcalloc((size_t)*count + 1, sizeof **rows);
        for (int i = 0; i < *count; i++)
            row_from(res, i, &(*rows)[i]);
    }
    PQclear(res);
    free(select);
    free(statuses);
    return st;
}
