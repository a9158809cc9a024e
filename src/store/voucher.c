/* Vouchers: all their SQL, no rules. */
#include "store_voucher.h"

#include "sql.h"
#include "store_rows.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* expired as read: issued and past expires_at, whatever a sweep did. */
#define VOUCHER_STATUS_AS_READ                                                                     \
    "CASE WHEN v.status = 'issued' AND v.expires_at <= now() THEN 'expired' ELSE v.status END"
/* The times of a row, as text (SQL_TS), named apart so that the column
 * list reads as one. */
#define V_EXPIRES_AT SQL_TS("v.expires_at")
#define V_REDEEMED_AT SQL_TS("v.redeemed_at")
#define V_SERVICE_ENDS_AT SQL_TS("v.service_ends_at")
#define V_CREATED_AT SQL_TS("v.created_at")
#define V_UPDATED_AT SQL_TS("v.updated_at")
#define V_STATUS_CHANGED_AT SQL_TS("v.status_changed_at")
#define VOUCHER_COLUMNS                                                                            \
    "v.code, v.program_code, p.kind, " VOUCHER_STATUS_AS_READ                                      \
    ", v.beneficiary::text, " V_EXPIRES_AT                                                         \
    ", coalesce(v.registrar_id::text, ''), coalesce(v.domain, ''),"                                \
    " v.domain_unicode, coalesce(" V_REDEEMED_AT ", ''),"                                          \
    " coalesce(" V_SERVICE_ENDS_AT ", ''), v.reason, v.version, " V_CREATED_AT ", " V_UPDATED_AT   \
    ", " V_STATUS_CHANGED_AT
#define VOUCHER_FROM " FROM vouchers v JOIN programs p ON p.code = v.program_code"
/* The same from a CTE v of the rows a statement changed (RETURNING *). */
#define VOUCHER_FROM_CHANGED " FROM v JOIN programs p ON p.code = v.program_code"

static const char SQL_GET[] = "SELECT " VOUCHER_COLUMNS VOUCHER_FROM " WHERE v.code = $1";
static const char SQL_GET_LOCK[] =
    "SELECT " VOUCHER_COLUMNS VOUCHER_FROM " WHERE v.code = $1 FOR UPDATE OF v";
/* $3: the items, [{code, beneficiary, expires_at}], in order. RETURNING
 * and the join keep no order: the rows come back in the items' order
 * through their codes, so that the caller's rows[i] is its in[i]. */
static const char SQL_INSERT[] =
    "WITH v AS (INSERT INTO vouchers (code, program_code, beneficiary, expires_at, batch_id)"
    " SELECT x.item->>'code', p.code, x.item->'beneficiary',"
    " coalesce((x.item->>'expires_at')::timestamptz,"
    " now() + make_interval(days => coalesce(p.voucher_validity_days, $4::int))), $2::uuid"
    " FROM programs p, jsonb_array_elements($3::jsonb) WITH ORDINALITY AS x(item, n)"
    " WHERE p.code = $1 ORDER BY x.n RETURNING *)"
    " SELECT " VOUCHER_COLUMNS VOUCHER_FROM_CHANGED
    " JOIN jsonb_array_elements($3::jsonb) WITH ORDINALITY AS o(item, n)"
    " ON o.item->>'code' = v.code ORDER BY o.n";
static const char SQL_REDEEMER[] =
    "SELECT (SELECT status FROM registrars WHERE id = $1::uuid), EXISTS (SELECT 1 FROM"
    " enrollments e WHERE e.registrar_id = $1::uuid AND e.program_code = $2"
    " AND e.status = 'active')";
static const char SQL_REDEEM[] =
    "WITH v AS (UPDATE vouchers x SET status = 'redeemed', registrar_id = $2::uuid, domain = $3,"
    " domain_unicode = $4, redeemed_at = now(), service_ends_at = now() + make_interval(months =>"
    " coalesce((SELECT benefit_months FROM programs WHERE code = x.program_code), 12)),"
    " status_changed_at = now(), version = version + 1 WHERE code = $1 RETURNING *)"
    " SELECT " VOUCHER_COLUMNS VOUCHER_FROM_CHANGED;
static const char SQL_MOVE[] =
    "WITH v AS (UPDATE vouchers SET status = $2, reason = $3, status_changed_at = now(),"
    " version = version + 1 WHERE code = $1 RETURNING *) SELECT " VOUCHER_COLUMNS
        VOUCHER_FROM_CHANGED;
static const char SQL_COUNTS[] = "SELECT " VOUCHER_STATUS_AS_READ ", count(*) FROM vouchers v"
                                 " WHERE v.program_code = $1 GROUP BY 1";
static const char SQL_BY_REGISTRAR[] =
    "SELECT coalesce(jsonb_object_agg(registrar_id::text, n), '{}')::text FROM (SELECT"
    " registrar_id, count(*) AS n FROM vouchers WHERE program_code = $1 AND status = 'redeemed'"
    " GROUP BY registrar_id) r";

const struct page_sort store_voucher_sorts[STORE_VOUCHER_SORTS] = {
    {"created_at", "v.created_at", "::timestamptz", SQL_TS_US("v.created_at")},
    {"expires_at", "v.expires_at", "::timestamptz", SQL_TS_US("v.expires_at")},
};

static void read_row(const PGresult *res, int i, void *out)
{
    struct voucher_row *v = out;
    voucher_row_cleanup(v);
    memset(v, 0, sizeof *v);
    STORE_COPY(v->code, res, i, 0);
    STORE_COPY(v->program, res, i, 1);
    if (!program_kind_parse(PQgetvalue(res, i, 2), &v->program_kind))
        v->program_kind = PROGRAM_STANDING;
    if (!voucher_status_parse(PQgetvalue(res, i, 3), &v->status))
        v->status = VOUCHER_REVOKED; /* the column's CHECK allows no other value */
    v->beneficiary = json_loads(PQgetvalue(res, i, 4), 0, NULL);
    STORE_COPY(v->expires_at, res, i, 5);
    STORE_COPY(v->registrar_id, res, i, 6);
    STORE_COPY(v->domain, res, i, 7);
    v->domain_unicode = store_rows_text(res, i, 8);
    STORE_COPY(v->redeemed_at, res, i, 9);
    STORE_COPY(v->service_ends_at, res, i, 10);
    v->reason = store_rows_text(res, i, 11);
    v->version = atoi(PQgetvalue(res, i, 12));
    STORE_COPY(v->created_at, res, i, 13);
    STORE_COPY(v->updated_at, res, i, 14);
    STORE_COPY(v->status_changed_at, res, i, 15);
}

enum status store_voucher_get(PGconn *conn, const char *code, bool lock, struct voucher_row *out)
{
    const char *p[] = {code};
    return store_rows_one(conn, lock ? SQL_GET_LOCK : SQL_GET, 1, p, read_row, out);
}

enum status store_voucher_insert(PGconn *conn, const char *program, const struct voucher_new *in,
                                 size_t n, struct voucher_row *rows)
{
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items,
                              json_pack("{s:s, s:O, s:s?}", "code", in[i].code, "beneficiary",
                                        in[i].beneficiary, "expires_at", in[i].expires_at));
    char *text = json_dumps(items, JSON_COMPACT);
    json_decref(items);
    char batch[UTIL_UUID_LEN + 1], days[12];
    util_uuid_v4(batch);
    snprintf(days, sizeof days, "%d", PROGRAM_VOUCHER_DAYS);
    const char *p[] = {program, batch, text, days};
    PGresult *res = NULL;
    enum status st = db_exec(conn, SQL_INSERT, 4, p, &res);
    free(text);
    if (st == ST_OK && (size_t)PQntuples(res) != n)
        st = ST_NOT_FOUND; /* no such program */
    for (size_t i = 0; st == ST_OK && i < n; i++)
        read_row(res, (int)i, &rows[i]);
    PQclear(res);
    return st;
}

static void read_redeemer(const PGresult *res, int i, void *out)
{
    struct voucher_redeemer *r = out;
    r->registrar_found = !PQgetisnull(res, i, 0) &&
                         registrar_status_parse(PQgetvalue(res, i, 0), &r->registrar_status);
    r->enrolled = PQgetvalue(res, i, 1)[0] == 't';
}

enum status store_voucher_redeemer(PGconn *conn, const char *registrar_id, const char *program,
                                   struct voucher_redeemer *out)
{
    const char *p[] = {registrar_id, program};
    memset(out, 0, sizeof *out);
    return store_rows_one(conn, SQL_REDEEMER, 2, p, read_redeemer, out);
}

enum status store_voucher_redeem(PGconn *conn, struct voucher_row *row, const char *registrar_id,
                                 const char *ascii, const char *unicode)
{
    const char *p[] = {row->code, registrar_id, ascii, unicode};
    return store_rows_one(conn, SQL_REDEEM, 4, p, read_row, row);
}

enum status store_voucher_move(PGconn *conn, struct voucher_row *row, const char *to,
                               const char *reason)
{
    const char *p[] = {row->code, to, reason};
    return store_rows_one(conn, SQL_MOVE, 3, p, read_row, row);
}

enum status store_voucher_stats(PGconn *conn, const char *program,
                                long long counts[VOUCHER_STATUS_COUNT], json_t **by_registrar)
{
    const char *p[] = {program};
    PGresult *res = NULL;
    *by_registrar = NULL;
    memset(counts, 0, sizeof(long long) * VOUCHER_STATUS_COUNT);
    enum status st = db_exec(conn, SQL_COUNTS, 1, p, &res);
    for (int i = 0; st == ST_OK && i < PQntuples(res); i++) {
        enum voucher_status s;
        if (voucher_status_parse(PQgetvalue(res, i, 0), &s))
            counts[s] = atoll(PQgetvalue(res, i, 1));
    }
    PQclear(res);
    return st == ST_OK
               ? store_rows_one(conn, SQL_BY_REGISTRAR, 1, p, store_rows_read_json, by_registrar)
               : st;
}

enum status store_voucher_list(PGconn *conn, const struct page_query *q, struct page_result *out)
{
    char *select = xasprintf("SELECT " VOUCHER_COLUMNS ", %s AS cursor_value,"
                             " v.code AS cursor_id" VOUCHER_FROM,
                             q->page.sort->render);
    struct store_page sq = {
        .select = select,
        .where = "WHERE ($1::jsonb IS NULL OR $1::jsonb ? v.program_code)"
                 " AND ($2::jsonb IS NULL OR $2::jsonb ? (" VOUCHER_STATUS_AS_READ "))"
                 " AND ($3::jsonb IS NULL OR v.registrar_id = ANY (ARRAY(SELECT"
                 " jsonb_array_elements_text($3::jsonb))::uuid[]))"
                 " AND ($4::timestamptz IS NULL OR v.updated_at >= $4::timestamptz)",
        .id_expr = "v.code",
        .page = &q->page,
        .nparams = 4,
        .params = {q->filters[STORE_VOUCHER_PROGRAM], q->filters[STORE_VOUCHER_STATUS],
                   q->filters[STORE_VOUCHER_REGISTRAR], q->page.updated_since},
    };
    enum status st = store_rows_page(conn, &sq, read_row, sizeof(struct voucher_row), out);
    free(select);
    return st;
}
