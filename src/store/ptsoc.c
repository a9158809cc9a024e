/* PTSOC security contacts: all their SQL, no rules. */
#include "store_ptsoc.h"

#include "sql.h"
#include "store_rows.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROUND_COLUMNS                                                                              \
    "c.id, c.status, c.version, " SQL_TS("c.started_at") ", coalesce(" SQL_TS(                     \
        "c.finished_at") ", ''), (SELECT count(*) FILTER (WHERE v.status = 'pending')"             \
                         " || ',' || count(*) FILTER (WHERE v.status = 'verified')"                \
                         " || ',' || count(*) FILTER (WHERE v.status = 'unreachable')"             \
                         " FROM security_contact_verifications v WHERE v.check_id = c.id)"

static void read_round(const PGresult *res, int i, void *out)
{
    struct ptsoc_round_row *r = out;
    memset(r, 0, sizeof *r);
    STORE_COPY(r->id, res, i, 0);
    if (!ptsoc_round_status_parse(PQgetvalue(res, i, 1), &r->status))
        r->status = PTSOC_ROUND_RUNNING;
    r->version = atoi(PQgetvalue(res, i, 2));
    STORE_COPY(r->started_at, res, i, 3);
    STORE_COPY(r->finished_at, res, i, 4);
    if (sscanf(PQgetvalue(res, i, 5), "%lld,%lld,%lld", &r->pending, &r->verified,
               &r->unreachable) != 3)
        r->pending = r->verified = r->unreachable = 0;
}

enum status store_ptsoc_round_start(PGconn *conn, char id[37])
{
    PGresult *res = NULL;
    enum status st = db_exec(
        conn, "INSERT INTO security_contact_checks DEFAULT VALUES RETURNING id", 0, NULL, &res);
    if (st == ST_OK) {
        snprintf(id, 37, "%s", PQgetvalue(res, 0, 0));
        PQclear(res);
    }
    return st;
}

enum status store_ptsoc_round_get(PGconn *conn, const char *id, bool lock,
                                  struct ptsoc_round_row *out)
{
    const char *p[] = {id};
    return store_rows_one(conn,
                          lock ? "SELECT " ROUND_COLUMNS " FROM security_contact_checks c"
                                 " WHERE c.id = $1::uuid FOR UPDATE"
                               : "SELECT " ROUND_COLUMNS " FROM security_contact_checks c"
                                 " WHERE c.id = $1::uuid",
                          1, p, read_round, out);
}

void store_ptsoc_round_cleanup(void *row)
{
    (void)row; /* owns nothing */
}

const struct page_sort store_ptsoc_round_sorts[STORE_PTSOC_ROUND_SORTS] = {
    {"created_at", "c.created_at", "::timestamptz", SQL_TS_US("c.created_at")},
};

enum status store_ptsoc_round_list(PGconn *conn, const struct page_query *q,
                                   struct page_result *out)
{
    char *select = xasprintf("SELECT " ROUND_COLUMNS ", %s AS cursor_value, c.id::text AS"
                             " cursor_id FROM security_contact_checks c",
                             q->page.sort->render);
    struct store_page sq = {
        .select = select,
        .where = "WHERE ($1::timestamptz IS NULL OR c.created_at >= $1::timestamptz)",
        .id_expr = "c.id",
        .from = " FROM security_contact_checks c",
        .page = &q->page,
        .nparams = 1,
        .params = {q->page.updated_since},
    };
    enum status st = store_rows_page(conn, &sq, read_round, sizeof(struct ptsoc_round_row), out);
    free(select);
    return st;
}

/* Rows of sql into a malloc'd array of n items of size, by read. */
static enum status read_all(PGconn *conn, const char *sql, int np, const char *const *p,
                            size_t size, void (*read)(const PGresult *, int, void *), void **out,
                            int *n)
{
    PGresult *res = NULL;
    *out = NULL;
    *n = 0;
    enum status st = db_exec(conn, sql, np, p, &res);
    if (st != ST_OK)
        return st;
    int rows = PQntuples(res);
    char *items = xcalloc((size_t)(rows > 0 ? rows : 1), size);
    for (int i = 0; i < rows; i++)
        read(res, i, items + (size_t)i * size);
    PQclear(res);
    *out = items;
    *n = rows;
    return ST_OK;
}

static void read_target(const PGresult *res, int i, void *out)
{
    struct ptsoc_target *t = out;
    STORE_COPY(t->registrar_id, res, i, 0);
    STORE_COPY(t->type, res, i, 1);
    STORE_COPY(t->email, res, i, 2);
}

enum status store_ptsoc_targets(PGconn *conn, struct ptsoc_target **out, int *n)
{
    return read_all(conn,
                    "SELECT r.id, c->>'type', c->>'email' FROM registrars r"
                    " CROSS JOIN jsonb_array_elements(r.contacts) c"
                    " WHERE r.status <> 'terminated' AND c->>'type' IN ('security', 'abuse')"
                    " AND coalesce(c->>'email', '') <> '' ORDER BY r.id, c->>'type', c->>'email'",
                    0, NULL, sizeof **out, read_target, (void **)out, n);
}

enum status store_ptsoc_verification_add(PGconn *conn, const char *check_id,
                                         const struct ptsoc_target *t, const char *hash,
                                         char id[37])
{
    const char *p[] = {check_id, t->registrar_id, t->type, t->email, hash};
    PGresult *res = NULL;
    enum status st = db_exec(conn,
                             "INSERT INTO security_contact_verifications (check_id, registrar_id,"
                             " type, email, token_hash, sent_at) VALUES ($1::uuid, $2::uuid, $3,"
                             " $4, $5, now()) RETURNING id",
                             5, p, &res);
    if (st == ST_OK) {
        snprintf(id, 37, "%s", PQgetvalue(res, 0, 0));
        PQclear(res);
    }
    return st;
}

#define VERIFICATION_COLUMNS                                                                       \
    "coalesce(v.id::text, ''), r.id, r.trade_name, x.type, x.email, coalesce(v.status, ''),"       \
    " coalesce(v.check_id::text, ''), coalesce(" SQL_TS("v.sent_at") ", ''), coalesce(" SQL_TS(    \
        "v.reminded_at") ", ''), coalesce(" SQL_TS("v.verified_at") ", '')"

static void read_verification(const PGresult *res, int i, void *out)
{
    struct ptsoc_verification_row *r = out;
    memset(r, 0, sizeof *r);
    STORE_COPY(r->id, res, i, 0);
    STORE_COPY(r->registrar_id, res, i, 1);
    STORE_COPY(r->trade_name, res, i, 2);
    STORE_COPY(r->type, res, i, 3);
    STORE_COPY(r->email, res, i, 4);
    if (!ptsoc_status_parse(PQgetvalue(res, i, 5), &r->status))
        r->status = PTSOC_PENDING;
    STORE_COPY(r->check_id, res, i, 6);
    STORE_COPY(r->sent_at, res, i, 7);
    STORE_COPY(r->reminded_at, res, i, 8);
    STORE_COPY(r->verified_at, res, i, 9);
}

enum status store_ptsoc_verify(PGconn *conn, const char *hash, struct ptsoc_verification_row *out)
{
    const char *p[] = {hash};
    return store_rows_one(
        conn,
        "WITH v AS (UPDATE security_contact_verifications SET status = 'verified',"
        " verified_at = now() WHERE status = 'pending' AND (token_hash = $1 OR"
        " reminder_token_hash = $1) RETURNING *), x AS (SELECT v.type, v.email FROM v)"
        " SELECT " VERIFICATION_COLUMNS " FROM v JOIN registrars r ON r.id = v.registrar_id"
        " CROSS JOIN x",
        1, p, read_verification, out);
}

static void read_pending(const PGresult *res, int i, void *out)
{
    struct ptsoc_pending *r = out;
    STORE_COPY(r->id, res, i, 0);
    STORE_COPY(r->registrar_id, res, i, 1);
    r->age_s = atoll(PQgetvalue(res, i, 2));
    r->reminded = PQgetvalue(res, i, 3)[0] == 't';
}

enum status store_ptsoc_pending(PGconn *conn, const char *at, struct ptsoc_pending **out, int *n)
{
    const char *p[] = {at};
    return read_all(conn,
                    "SELECT v.id, v.registrar_id, floor(extract(epoch FROM $1::timestamptz -"
                    " v.sent_at))::bigint, v.reminded_at IS NOT NULL FROM"
                    " security_contact_verifications v WHERE v.status = 'pending' AND"
                    " v.sent_at <= $1::timestamptz ORDER BY v.sent_at, v.id FOR UPDATE",
                    1, p, sizeof **out, read_pending, (void **)out, n);
}

enum status store_ptsoc_remind(PGconn *conn, const char *id, const char *hash, const char *at)
{
    const char *p[] = {id, hash, at};
    return db_exec(conn,
                   "UPDATE security_contact_verifications SET reminder_token_hash = $2,"
                   " reminded_at = $3::timestamptz WHERE id = $1::uuid",
                   3, p, NULL);
}

enum status store_ptsoc_expire(PGconn *conn, const char *id, const char *at)
{
    const char *p[] = {id, at};
    return db_exec(conn,
                   "UPDATE security_contact_verifications SET status = 'unreachable',"
                   " unreachable_at = $2::timestamptz WHERE id = $1::uuid",
                   2, p, NULL);
}

static void read_id(const PGresult *res, int i, void *out)
{
    snprintf(out, 37, "%s", PQgetvalue(res, i, 0));
}

enum status store_ptsoc_finish(PGconn *conn, const char *at, char (**out)[37], int *n)
{
    const char *p[] = {at};
    return read_all(conn,
                    "UPDATE security_contact_checks c SET status = 'finished', finished_at ="
                    " greatest($1::timestamptz, c.started_at), version = c.version + 1"
                    " WHERE c.status = 'running' AND c.started_at <= $1::timestamptz AND NOT EXISTS"
                    " (SELECT 1 FROM security_contact_verifications v WHERE v.check_id = c.id"
                    " AND v.status = 'pending') RETURNING c.id",
                    1, p, 37, read_id, (void **)out, n);
}

enum status store_ptsoc_contacts(PGconn *conn, const char *registrar_id,
                                 struct ptsoc_verification_row **out, int *n)
{
    const char *p[] = {registrar_id};
    return read_all(
        conn,
        "SELECT " VERIFICATION_COLUMNS " FROM registrars r"
        " CROSS JOIN LATERAL (SELECT c->>'type' AS type, c->>'email' AS email, o"
        " FROM jsonb_array_elements(r.contacts) WITH ORDINALITY AS e(c, o)"
        " WHERE c->>'type' IN ('security', 'abuse')) x"
        " LEFT JOIN LATERAL (SELECT * FROM security_contact_verifications w"
        " WHERE w.registrar_id = r.id AND w.type = x.type AND lower(w.email) = lower(x.email)"
        " ORDER BY w.sent_at DESC, w.id LIMIT 1) v ON true"
        " WHERE r.id = $1::uuid ORDER BY x.o",
        1, p, sizeof **out, read_verification, (void **)out, n);
}

static void read_unreachable(const PGresult *res, int i, void *out)
{
    struct ptsoc_unreachable_row *r = out;
    memset(r, 0, sizeof *r);
    STORE_COPY(r->registrar_id, res, i, 0);
    STORE_COPY(r->trade_name, res, i, 1);
    const char *why = ptsoc_unreachable_reason(PQgetvalue(res, i, 2)[0] == 't', false);
    snprintf(r->reason, sizeof r->reason, "%s", why ? why : "");
    STORE_COPY(r->check_id, res, i, 3);
    STORE_COPY(r->created_at, res, i, 4);
}

/* Every registrar not terminated, whether it has a security contact and
 * whether one was verified in the latest round. */
#define UNREACHABLE_FROM                                                                           \
    " FROM (SELECT r.id, r.trade_name, r.created_at, (SELECT id FROM security_contact_checks"      \
    " ORDER BY created_at DESC, id DESC LIMIT 1) AS latest, EXISTS (SELECT 1 FROM"                 \
    " jsonb_array_elements(r.contacts) c WHERE c->>'type' = 'security') AS has_security"           \
    " FROM registrars r WHERE r.status <> 'terminated') u"

const struct page_sort store_ptsoc_unreachable_sorts[STORE_PTSOC_UNREACHABLE_SORTS] = {
    {"created_at", "u.created_at", "::timestamptz", SQL_TS_US("u.created_at")},
};

void store_ptsoc_unreachable_cleanup(void *row)
{
    (void)row; /* owns nothing */
}

enum status store_ptsoc_unreachable_list(PGconn *conn, const struct page_query *q,
                                         struct page_result *out)
{
    char *select = xasprintf(
        "SELECT u.id, u.trade_name, u.has_security, coalesce(u.latest::text, ''), " SQL_TS(
            "u.created_at") ", %s AS cursor_value, u.id::text AS cursor_id" UNREACHABLE_FROM,
        q->page.sort->render);
    struct store_page sq = {
        .select = select,
        .where = "WHERE NOT (u.has_security AND EXISTS (SELECT 1 FROM"
                 " security_contact_verifications v WHERE v.check_id = u.latest AND"
                 " v.registrar_id = u.id AND v.type = 'security' AND v.status = 'verified'))"
                 " AND ($1::timestamptz IS NULL OR u.created_at >= $1::timestamptz)",
        .id_expr = "u.id",
        .from = UNREACHABLE_FROM,
        .page = &q->page,
        .nparams = 1,
        .params = {q->page.updated_since},
    };
    enum status st =
        store_rows_page(conn, &sq, read_unreachable, sizeof(struct ptsoc_unreachable_row), out);
    free(select);
    return st;
}
