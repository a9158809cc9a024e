/* Contact requests: all their SQL, no rules. */
#include "store_contact_request.h"

#include "sql.h"
#include "store_rows.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQUEST_COLUMNS                                                                            \
    "id::text, topic, subject, message, name, email, coalesce(registrar_id::text, ''), status,"    \
    " note, version, " SQL_TS("created_at") ", " SQL_TS("updated_at") ", " SQL_TS(                 \
        "status_changed_at")

/* A registrar's admin contact's member $m (name or email). */
#define ADMIN_CONTACT(m)                                                                           \
    "(SELECT c->>'" m "' FROM registrars r, jsonb_array_elements(r.contacts) c"                    \
    " WHERE r.id = $6::uuid AND c->>'type' = 'admin' LIMIT 1)"

static const char SQL_GET[] =
    "SELECT " REQUEST_COLUMNS " FROM contact_requests WHERE id = $1::uuid";
static const char SQL_GET_LOCK[] =
    "SELECT " REQUEST_COLUMNS " FROM contact_requests WHERE id = $1::uuid FOR UPDATE";
/* The mailbox's row is locked (FOR KEY SHARE) by the foreign key. */
static const char SQL_INSERT[] =
    "INSERT INTO contact_requests (topic, subject, message, name, email, registrar_id)"
    " SELECT m.topic, $2, $3, coalesce(nullif($4, ''), " ADMIN_CONTACT(
        "name") "),"
                " coalesce(nullif($5, ''), " ADMIN_CONTACT(
                    "email") "), $6::uuid"
                             " FROM contact_mailboxes m WHERE m.topic = $1 AND m.active "
                             "RETURNING " REQUEST_COLUMNS;
static const char SQL_MOVE[] =
    "UPDATE contact_requests SET status = $2, status_changed_at = now(), version = version + 1"
    " WHERE id = $1::uuid RETURNING " REQUEST_COLUMNS;
static const char SQL_NOTE[] =
    "UPDATE contact_requests SET note = $2 WHERE id = $1::uuid RETURNING " REQUEST_COLUMNS;

const struct page_sort store_contact_request_sorts[STORE_CONTACT_REQUEST_SORTS] = {
    {"created_at", "q.created_at", "::timestamptz", SQL_TS_US("q.created_at")},
    {"updated_at", "q.updated_at", "::timestamptz", SQL_TS_US("q.updated_at")},
};

static void read_row(const PGresult *res, int i, void *out)
{
    struct contact_request_row *r = out;
    contact_request_row_cleanup(r);
    memset(r, 0, sizeof *r);
    STORE_COPY(r->id, res, i, 0);
    STORE_COPY(r->topic, res, i, 1);
    STORE_COPY(r->subject, res, i, 2);
    r->message = xstrdup(PQgetvalue(res, i, 3));
    STORE_COPY(r->name, res, i, 4);
    STORE_COPY(r->email, res, i, 5);
    STORE_COPY(r->registrar_id, res, i, 6);
    if (!contact_request_status_parse(PQgetvalue(res, i, 7), &r->status))
        r->status = CONTACT_REQUEST_CLOSED; /* the column's CHECK allows no other value */
    r->note = store_rows_text(res, i, 8);
    r->version = atoi(PQgetvalue(res, i, 9));
    STORE_COPY(r->created_at, res, i, 10);
    STORE_COPY(r->updated_at, res, i, 11);
    STORE_COPY(r->status_changed_at, res, i, 12);
}

enum status store_contact_request_get(PGconn *conn, const char *id, bool lock,
                                      struct contact_request_row *out)
{
    const char *p[] = {id};
    return store_rows_one(conn, lock ? SQL_GET_LOCK : SQL_GET, 1, p, read_row, out);
}

enum status store_contact_request_insert(PGconn *conn, const struct contact_request_row *in,
                                         struct contact_request_row *out)
{
    const char *p[] = {in->topic, in->subject, in->message,
                       in->name,  in->email,   in->registrar_id[0] ? in->registrar_id : NULL};
    return store_rows_one(conn, SQL_INSERT, 6, p, read_row, out);
}

enum status store_contact_request_move(PGconn *conn, struct contact_request_row *row,
                                       const char *to)
{
    const char *p[] = {row->id, to};
    return store_rows_one(conn, SQL_MOVE, 2, p, read_row, row);
}

enum status store_contact_request_note(PGconn *conn, struct contact_request_row *row,
                                       const char *note)
{
    const char *p[] = {row->id, note};
    return store_rows_one(conn, SQL_NOTE, 2, p, read_row, row);
}

enum status store_contact_request_list(PGconn *conn, const struct page_query *q,
                                       struct page_result *out)
{
    char *select = xasprintf("SELECT " REQUEST_COLUMNS ", %s AS cursor_value,"
                             " q.id::text AS cursor_id FROM contact_requests q",
                             q->page.sort->render);
    struct store_page sq = {
        .select = select,
        .where = "WHERE ($1::jsonb IS NULL OR $1::jsonb ? q.status)"
                 " AND ($2::jsonb IS NULL OR $2::jsonb ? q.topic)"
                 " AND ($3::jsonb IS NULL OR $3::jsonb ? q.registrar_id::text)"
                 " AND ($4::timestamptz IS NULL OR q.updated_at >= $4::timestamptz)",
        .id_expr = "q.id",
        .page = &q->page,
        .nparams = 4,
        .params = {q->filters[STORE_CONTACT_REQUEST_STATUS],
                   q->filters[STORE_CONTACT_REQUEST_TOPIC],
                   q->filters[STORE_CONTACT_REQUEST_REGISTRAR], q->page.updated_since},
    };
    enum status st = store_rows_page(conn, &sq, read_row, sizeof(struct contact_request_row), out);
    free(select);
    return st;
}
