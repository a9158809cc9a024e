/* Idempotency records and rate-limit counters: their SQL only. Both are
 * single statements whose atomicity PostgreSQL provides (INSERT … ON
 * CONFLICT), so concurrent twins on any replica see one owner and one count;
 * what a record means is api/guard.c's to decide. */
#include "store_guard.h"

#include "store_rows.h"
#include "util.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An expired record, or a claim nobody will end: older than a minute, or
 * whose backend is gone (its change rolled back with the connection:
 * migration 0024). */
static const char SQL_FORGET[] =
    "DELETE FROM idempotency_keys WHERE scope = $1 AND method = $2 AND path = $3"
    " AND key_hash = $4 AND (created_at < now() - interval '24 hours'"
    " OR (status IS NULL AND (created_at < now() - interval '60 seconds'"
    " OR (owner_since IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a"
    " WHERE a.pid = owner_pid AND a.backend_start = owner_since)))))";
static const char SQL_SWEEP[] =
    "DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours'";
/* The claim names its backend, which runs the change next. */
static const char SQL_CLAIM[] =
    "INSERT INTO idempotency_keys (scope, method, path, key_hash, request_hash, owner_pid,"
    " owner_since) VALUES ($1, $2, $3, $4, $5, pg_backend_pid(),"
    " (SELECT backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid()))"
    " ON CONFLICT DO NOTHING RETURNING 1";
static const char SQL_READ[] =
    "SELECT request_hash, status IS NULL, coalesce(encode(response, 'hex'), '')"
    " FROM idempotency_keys WHERE scope = $1 AND method = $2 AND path = $3 AND key_hash = $4";
/* Only the claim's owner ends it: its own backend, or the request whose
 * backend died under it and that carried on from a new one, as long as no
 * twin has claimed the key since (that twin's backend is alive). */
#define NOT_ANOTHERS                                                                               \
    " AND status IS NULL AND (owner_since IS NULL OR NOT EXISTS (SELECT 1 FROM pg_stat_activity a" \
    " WHERE a.pid = owner_pid AND a.backend_start = owner_since AND a.pid <> pg_backend_pid()))"
static const char SQL_FINISH[] =
    "UPDATE idempotency_keys SET status = $5, response = decode($6, 'hex')"
    " WHERE scope = $1 AND method = $2 AND path = $3 AND key_hash = $4" NOT_ANOTHERS " RETURNING 1";
static const char SQL_ABANDON[] =
    "DELETE FROM idempotency_keys WHERE scope = $1 AND method = $2 AND path = $3"
    " AND key_hash = $4" NOT_ANOTHERS;

static const char SQL_RATE_HIT[] =
    "INSERT INTO rate_counters AS r (bucket, window_start, count)"
    " VALUES ($1, to_timestamp(floor(extract(epoch FROM now()) / $2::int) * $2::int), 1)"
    " ON CONFLICT (bucket, window_start) DO UPDATE SET count = r.count + 1"
    " RETURNING count, ceil(extract(epoch FROM r.window_start) + $2::int"
    " - extract(epoch FROM now()))::int";
/* $1: a text-array literal of buckets (their characters need no quoting). */
static const char SQL_RATE_HIT_MANY[] =
    "INSERT INTO rate_counters AS r (bucket, window_start, count)"
    " SELECT b, to_timestamp(floor(extract(epoch FROM now()) / $2::int) * $2::int), 1"
    " FROM unnest($1::text[]) AS b"
    " ON CONFLICT (bucket, window_start) DO UPDATE SET count = r.count + 1"
    " RETURNING bucket, count, ceil(extract(epoch FROM r.window_start) + $2::int"
    " - extract(epoch FROM now()))::int";
static const char SQL_RATE_PEEK_MANY[] =
    "SELECT b, coalesce((SELECT count FROM rate_counters WHERE bucket = b AND window_start ="
    " to_timestamp(floor(extract(epoch FROM now()) / $2::int) * $2::int)), 0),"
    " ceil(floor(extract(epoch FROM now()) / $2::int) * $2::int + $2::int"
    " - extract(epoch FROM now()))::int FROM unnest($1::text[]) AS b";
static const char SQL_RATE_PEEK[] =
    "SELECT coalesce((SELECT count FROM rate_counters WHERE bucket = $1 AND window_start ="
    " to_timestamp(floor(extract(epoch FROM now()) / $2::int) * $2::int)), 0),"
    " ceil(floor(extract(epoch FROM now()) / $2::int) * $2::int + $2::int"
    " - extract(epoch FROM now()))::int";
static const char SQL_RATE_SWEEP[] =
    "DELETE FROM rate_counters WHERE window_start < now() - interval '2 days'";

enum status store_guard_idem_claim(PGconn *conn, const struct idem_key *k, bool *claimed)
{
    const char *p[] = {k->scope, k->method, k->path, k->key_hash, k->request_hash};
    enum status st = db_exec(conn, SQL_FORGET, 4, p, NULL);
    return st == ST_OK ? store_rows_exists(conn, SQL_CLAIM, 5, p, claimed) : st;
}

enum status store_guard_idem_sweep(PGconn *conn)
{
    return db_exec(conn, SQL_SWEEP, 0, NULL, NULL);
}

enum status store_guard_idem_read(PGconn *conn, const struct idem_key *k, struct idem_record *out)
{
    const char *p[] = {k->scope, k->method, k->path, k->key_hash};
    PGresult *res = NULL;
    memset(out, 0, sizeof *out);
    enum status st = db_exec(conn, SQL_READ, 4, p, &res);
    if (st == ST_OK && PQntuples(res) == 1) {
        out->found = true;
        STORE_COPY(out->request_hash, res, 0, 0);
        out->in_flight = PQgetvalue(res, 0, 1)[0] == 't';
        const char *hex = PQgetvalue(res, 0, 2);
        size_t hlen = strlen(hex);
        out->response = xmalloc(hlen / 2 + 1);
        sodium_hex2bin(out->response, hlen / 2 + 1, hex, hlen, NULL, &out->len, NULL);
    }
    PQclear(res);
    return st;
}

enum status store_guard_idem_finish(PGconn *conn, const struct idem_key *k, int status,
                                    const unsigned char *response, size_t len)
{
    char code[16];
    snprintf(code, sizeof code, "%d", status);
    char *hex = xmalloc(2 * len + 1);
    util_hex(response, len, hex);
    const char *p[] = {k->scope, k->method, k->path, k->key_hash, code, hex};
    bool mine = false;
    enum status st = store_rows_exists(conn, SQL_FINISH, 6, p, &mine);
    free(hex);
    return st == ST_OK && !mine ? ST_STALE : st;
}

enum status store_guard_idem_abandon(PGconn *conn, const struct idem_key *k)
{
    const char *p[] = {k->scope, k->method, k->path, k->key_hash};
    return db_exec(conn, SQL_ABANDON, 4, p, NULL);
}

static enum status rate_query(PGconn *conn, const char *sql, const char *bucket, unsigned window_s,
                              long *count, long *reset_s)
{
    char w[16];
    snprintf(w, sizeof w, "%u", window_s);
    const char *p[] = {bucket, w};
    PGresult *res = NULL;
    enum status st = db_exec(conn, sql, 2, p, &res);
    if (st == ST_OK) {
        *count = atol(PQgetvalue(res, 0, 0));
        *reset_s = atol(PQgetvalue(res, 0, 1));
    }
    PQclear(res);
    return st;
}

enum status store_guard_rate_hit(PGconn *conn, const char *bucket, unsigned window_s, long *count,
                                 long *reset_s)
{
    return rate_query(conn, SQL_RATE_HIT, bucket, window_s, count, reset_s);
}

enum status store_guard_rate_many(PGconn *conn, bool hit, const char *const *buckets, size_t n,
                                  unsigned window_s, long *counts, long *resets_s)
{
    size_t cap = 3;
    for (size_t i = 0; i < n; i++)
        cap += strlen(buckets[i]) + 1;
    char *list = xmalloc(cap), w[16], *end = list;
    *end++ = '{';
    for (size_t i = 0; i < n; i++)
        end += sprintf(end, "%s%s", i ? "," : "", buckets[i]);
    strcpy(end, "}");
    snprintf(w, sizeof w, "%u", window_s);
    const char *p[] = {list, w};
    PGresult *res = NULL;
    enum status st = db_exec(conn, hit ? SQL_RATE_HIT_MANY : SQL_RATE_PEEK_MANY, 2, p, &res);
    for (int r = 0; st == ST_OK && r < PQntuples(res); r++)
        for (size_t i = 0; i < n; i++)
            if (strcmp(PQgetvalue(res, r, 0), buckets[i]) == 0) {
                counts[i] = atol(PQgetvalue(res, r, 1));
                resets_s[i] = atol(PQgetvalue(res, r, 2));
            }
    PQclear(res);
    free(list);
    return st;
}

enum status store_guard_rate_sweep(PGconn *conn)
{
    return db_exec(conn, SQL_RATE_SWEEP, 0, NULL, NULL);
}

enum status store_guard_rate_peek(PGconn *conn, const char *bucket, unsigned window_s, long *count,
                                  long *reset_s)
{
    return rate_query(conn, SQL_RATE_PEEK, bucket, window_s, count, reset_s);
}
