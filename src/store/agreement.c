/* Data-processing agreements and their acceptances: all their SQL, no rules. */
#include "store_agreement.h"

#include "sql.h"
#include "store_rows.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AGREEMENT_COLUMNS                                                                          \
    "version, title, document_url, document_sha256, " SQL_TS("effective_at") ", " SQL_TS(          \
        "accept_by") ", " SQL_TS("created_at")

#define ACCEPTANCE_COLUMNS                                                                         \
    "version, registrar_id::text, " SQL_TS_US("accepted_at") ", accepted_by, address_hash,"        \
                                                             " document_sha256"

static const char SQL_GET[] = "SELECT " AGREEMENT_COLUMNS " FROM agreements WHERE version = $1";
static const char SQL_GET_LOCK[] =
    "SELECT " AGREEMENT_COLUMNS " FROM agreements WHERE version = $1 FOR SHARE";
static const char SQL_INSERT[] =
    "INSERT INTO agreements (version, title, document_url, document_sha256, effective_at,"
    " accept_by) VALUES ($1, $2, $3, $4, $5::timestamptz, $6::timestamptz)"
    " RETURNING " AGREEMENT_COLUMNS;

static const char SQL_ACCEPT[] =
    "INSERT INTO agreement_acceptances (registrar_id, version, accepted_by, address_hash,"
    " document_sha256) VALUES ($1::uuid, $2, $3, $4, $5)"
    " ON CONFLICT (registrar_id, version) DO NOTHING RETURNING " ACCEPTANCE_COLUMNS;
static const char SQL_ACCEPTANCE[] = "SELECT " ACCEPTANCE_COLUMNS " FROM agreement_acceptances"
                                     " WHERE registrar_id = $1::uuid AND version = $2";

/* The newest version past its accept_by ($2 true) or already effective
 * ($2 false) that the registrar has accepted neither itself nor through a
 * later version (a strictly later effective_at: two versions effective at
 * once are two documents, each to accept). */
static const char SQL_DUE[] = "SELECT a.version, " SQL_TS(
    "a.accept_by") " FROM agreements a"
                   " WHERE CASE WHEN $2::boolean THEN a.accept_by <= now() ELSE a.effective_at <= "
                   "now() END"
                   " AND NOT EXISTS (SELECT 1 FROM agreement_acceptances x JOIN agreements b"
                   " ON b.version = x.version WHERE x.registrar_id = $1::uuid"
                   " AND (b.version = a.version OR b.effective_at > a.effective_at))"
                   " ORDER BY a.effective_at DESC, a.version DESC LIMIT 1";

static const char SQL_STANDING[] =
    "SELECT coalesce(jsonb_agg(jsonb_build_object("
    "'agreement', jsonb_build_object('version', a.version, 'title', a.title,"
    " 'document_url', a.document_url, 'document_sha256', a.document_sha256,"
    " 'effective_at', " SQL_TS("a.effective_at") ", 'accept_by', " SQL_TS(
        "a.accept_by") ","
                       " 'created_at', " SQL_TS(
                           "a.created_at") "),"
                                           " 'acceptance', CASE WHEN x.version IS NULL THEN NULL "
                                           "ELSE jsonb_build_object("
                                           "'version', x.version, 'registrar_id', x.registrar_id,"
                                           " 'accepted_at', " SQL_TS_US(
                                               "x.accepted_at") ", 'accepted_by', x.accepted_by,"
                                                                " 'address_hash', x.address_hash, "
                                                                "'document_sha256', "
                                                                "x.document_sha256) END)"
                                                                " ORDER BY a.effective_at, "
                                                                "a.version), '[]'::jsonb)::text"
                                                                " FROM agreements a LEFT JOIN "
                                                                "agreement_acceptances x"
                                                                " ON x.version = a.version AND "
                                                                "x.registrar_id = $1::uuid";

const struct page_sort store_agreement_sorts[STORE_AGREEMENT_SORTS] = {
    {"effective_at", "agreements.effective_at", "::timestamptz",
     SQL_TS_US("agreements.effective_at")},
    {"created_at", "agreements.created_at", "::timestamptz", SQL_TS_US("agreements.created_at")},
};

static void read_row(const PGresult *res, int i, void *out)
{
    struct agreement_row *a = out;
    memset(a, 0, sizeof *a);
    STORE_COPY(a->version, res, i, 0);
    STORE_COPY(a->title, res, i, 1);
    STORE_COPY(a->document_url, res, i, 2);
    STORE_COPY(a->document_sha256, res, i, 3);
    STORE_COPY(a->effective_at, res, i, 4);
    STORE_COPY(a->accept_by, res, i, 5);
    STORE_COPY(a->created_at, res, i, 6);
}

static void read_acceptance(const PGresult *res, int i, void *out)
{
    struct agreement_acceptance *x = out;
    memset(x, 0, sizeof *x);
    STORE_COPY(x->version, res, i, 0);
    STORE_COPY(x->registrar_id, res, i, 1);
    STORE_COPY(x->accepted_at, res, i, 2);
    STORE_COPY(x->accepted_by, res, i, 3);
    STORE_COPY(x->address_hash, res, i, 4);
    STORE_COPY(x->document_sha256, res, i, 5);
}

static void read_due(const PGresult *res, int i, void *out)
{
    struct agreement_due *d = out;
    d->due = true;
    STORE_COPY(d->version, res, i, 0);
    STORE_COPY(d->accept_by, res, i, 1);
}

enum status store_agreement_get(PGconn *conn, const char *version, bool lock,
                                struct agreement_row *out)
{
    const char *p[] = {version};
    return store_rows_one(conn, lock ? SQL_GET_LOCK : SQL_GET, 1, p, read_row, out);
}

enum status store_agreement_insert(PGconn *conn, const struct agreement_row *a,
                                   struct agreement_row *out)
{
    const char *p[] = {a->version,         a->title,        a->document_url,
                       a->document_sha256, a->effective_at, a->accept_by};
    return store_rows_one(conn, SQL_INSERT, 6, p, read_row, out);
}

enum status store_agreement_list(PGconn *conn, const struct page_query *q, struct page_result *out)
{
    char *select = xasprintf("SELECT " AGREEMENT_COLUMNS ", %s AS cursor_value,"
                             " agreements.version AS cursor_id FROM agreements",
                             q->page.sort->render);
    struct store_page sq = {
        .select = select,
        .where = "WHERE ($1::timestamptz IS NULL OR created_at >= $1::timestamptz)",
        .id_expr = "agreements.version",
        .page = &q->page,
        .nparams = 1,
        .params = {q->page.updated_since},
    };
    enum status st = store_rows_page(conn, &sq, read_row, sizeof(struct agreement_row), out);
    free(select);
    return st;
}

enum status store_agreement_accept(PGconn *conn, const struct agreement_acceptance *in,
                                   struct agreement_acceptance *out, bool *created)
{
    const char *p[] = {in->registrar_id, in->version, in->accepted_by, in->address_hash,
                       in->document_sha256};
    enum status st = store_rows_one(conn, SQL_ACCEPT, 5, p, read_acceptance, out);
    *created = st == ST_OK;
    if (st == ST_NOT_FOUND) /* accepted before: the first acceptance stands */
        st = store_rows_one(conn, SQL_ACCEPTANCE, 2, p, read_acceptance, out);
    return st;
}

enum status store_agreement_due(PGconn *conn, const char *registrar_id, bool binding,
                                struct agreement_due *out)
{
    memset(out, 0, sizeof *out);
    const char *p[] = {registrar_id, binding ? "true" : "false"};
    enum status st = store_rows_one(conn, SQL_DUE, 2, p, read_due, out);
    return st == ST_NOT_FOUND ? ST_OK : st;
}

enum status store_agreement_standing(PGconn *conn, const char *registrar_id, json_t **out)
{
    const char *p[] = {registrar_id};
    *out = NULL;
    return store_rows_one(conn, SQL_STANDING, 1, p, store_rows_read_json, out);
}
