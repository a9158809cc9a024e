/* Contact mailboxes: all their SQL, no rules. */
#include "store_contact_mailbox.h"

#include "sql.h"
#include "store_rows.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAILBOX_COLUMNS                                                                            \
    "topic, name::text, email, description::text, position, active, version, " SQL_TS(             \
        "created_at") ", " SQL_TS("updated_at")

static const char SQL_GET[] = "SELECT " MAILBOX_COLUMNS " FROM contact_mailboxes WHERE topic = $1";
static const char SQL_GET_LOCK[] =
    "SELECT " MAILBOX_COLUMNS " FROM contact_mailboxes WHERE topic = $1 FOR UPDATE";
static const char SQL_INSERT[] =
    "INSERT INTO contact_mailboxes (topic, name, email, description, position, active)"
    " VALUES ($1, $2::jsonb, $3, $4::jsonb, $5::int, $6::boolean) RETURNING " MAILBOX_COLUMNS;
static const char SQL_UPDATE[] =
    "UPDATE contact_mailboxes SET name = $2::jsonb, email = $3, description = $4::jsonb,"
    " position = $5::int, active = $6::boolean, version = version + 1"
    " WHERE topic = $1 AND version = $7::int RETURNING " MAILBOX_COLUMNS;

const struct page_sort store_contact_mailbox_sorts[STORE_CONTACT_MAILBOX_SORTS] = {
    {"position", "contact_mailboxes.position", "::int", "contact_mailboxes.position::text"},
    {"created_at", "contact_mailboxes.created_at", "::timestamptz",
     SQL_TS_US("contact_mailboxes.created_at")},
    {"updated_at", "contact_mailboxes.updated_at", "::timestamptz",
     SQL_TS_US("contact_mailboxes.updated_at")},
};

static void read_row(const PGresult *res, int i, void *out)
{
    struct contact_mailbox_row *m = out;
    contact_mailbox_row_cleanup(m);
    memset(m, 0, sizeof *m);
    STORE_COPY(m->topic, res, i, 0);
    m->name = json_loads(PQgetvalue(res, i, 1), 0, NULL);
    STORE_COPY(m->email, res, i, 2);
    m->description = PQgetisnull(res, i, 3) ? NULL : json_loads(PQgetvalue(res, i, 3), 0, NULL);
    m->position = atoi(PQgetvalue(res, i, 4));
    m->active = PQgetvalue(res, i, 5)[0] == 't';
    m->version = atoi(PQgetvalue(res, i, 6));
    STORE_COPY(m->created_at, res, i, 7);
    STORE_COPY(m->updated_at, res, i, 8);
}

enum status store_contact_mailbox_get(PGconn *conn, const char *topic, bool lock,
                                      struct contact_mailbox_row *out)
{
    const char *p[] = {topic};
    return store_rows_one(conn, lock ? SQL_GET_LOCK : SQL_GET, 1, p, read_row, out);
}

/* The editable fields as parameters $2 to $6 (texts owned by f). */
struct fields {
    char *name, *description;
    char position[12];
    const char *p[5];
};

static void fields_of(const struct contact_mailbox_row *m, struct fields *f)
{
    f->name = json_dumps(m->name, JSON_COMPACT);
    f->description = m->description ? json_dumps(m->description, JSON_COMPACT) : NULL;
    snprintf(f->position, sizeof f->position, "%d", m->position);
    const char *p[] = {f->name, m->email, f->description, f->position,
                       m->active ? "true" : "false"};
    memcpy(f->p, p, sizeof p);
}

static void fields_cleanup(struct fields *f)
{
    free(f->name);
    free(f->description);
}

enum status store_contact_mailbox_insert(PGconn *conn, const struct contact_mailbox_row *in,
                                         struct contact_mailbox_row *out)
{
    struct fields f;
    fields_of(in, &f);
    const char *p[6] = {in->topic};
    memcpy(&p[1], f.p, sizeof f.p);
    enum status st = store_rows_one(conn, SQL_INSERT, 6, p, read_row, out);
    fields_cleanup(&f);
    return st;
}

enum status store_contact_mailbox_update(PGconn *conn, struct contact_mailbox_row *row,
                                         const struct contact_mailbox_row *next)
{
    struct fields f;
    fields_of(next, &f);
    char version[16];
    snprintf(version, sizeof version, "%d", row->version);
    const char *p[7] = {row->topic};
    memcpy(&p[1], f.p, sizeof f.p);
    p[6] = version;
    enum status st = store_rows_one(conn, SQL_UPDATE, 7, p, read_row, row);
    fields_cleanup(&f);
    return st == ST_NOT_FOUND ? ST_STALE : st;
}

enum status store_contact_mailbox_list(PGconn *conn, const struct page_query *q,
                                       struct page_result *out)
{
    char *select = xasprintf("SELECT " MAILBOX_COLUMNS ", %s AS cursor_value,"
                             " contact_mailboxes.topic AS cursor_id FROM contact_mailboxes",
                             q->page.sort->render);
    struct store_page sq = {
        .select = select,
        .where = q->full ? "WHERE ($1::timestamptz IS NULL OR updated_at >= $1::timestamptz)"
                         : "WHERE active AND ($1::timestamptz IS NULL"
                           " OR updated_at >= $1::timestamptz)",
        .id_expr = "contact_mailboxes.topic",
        .page = &q->page,
        .nparams = 1,
        .params = {q->page.updated_since},
    };
    enum status st = store_rows_page(conn, &sq, read_row, sizeof(struct contact_mailbox_row), out);
    free(select);
    return st;
}
