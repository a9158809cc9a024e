/* Rate limits (per client in memory, public submissions in PostgreSQL) and
 * idempotency around handlers. Stored answers are encrypted
 * with a key derived from the caller's Idempotency-Key, so the secrets some
 * answers carry once (client secrets, access keys) stay unreadable at rest. */
#include "guard.h"

#include "auth.h"

#include "metrics.h"

#include "body.h"
#include "problem.h"
#include "ratelimit.h"
#include "store_guard.h"
#include "util.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yder.h>

#define IDEM_WAIT_STEP_US 50000
#define IDEM_WAIT_STEPS 200 /* ten seconds */
#define IDEM_MAX_STORED (256 * 1024)

static const char *const replayed_headers[] = {"Content-Type",     "Location",      "ETag",
                                               "Content-Language", "Cache-Control", NULL};

/* Counts the hit: per-client buckets in this replica's memory (no write per
 * request), public-submission counters in PostgreSQL (rare, shared by all). */
static enum status count_hit(struct req_ctx *ctx, const char *bucket, unsigned *limit,
                             unsigned window_s, long *count, long *reset, long *retry)
{
    if (strncmp(bucket, "client:", 7) == 0 && ctx->app->limiter != NULL) {
        struct ratelimit_result r;
        ratelimit_hit(ctx->app->limiter, bucket, *limit, window_s, &r);
        *limit = r.limit;
        *count = r.allowed ? (long)r.limit - r.remaining : (long)r.limit + 1;
        *reset = r.reset_s;
        *retry = r.retry_after;
        return ST_OK;
    }
    PGconn *conn = NULL;
    enum status st = api_conn(ctx, &conn);
    if (st == ST_OK)
        st = store_guard_rate_hit(conn, bucket, window_s, count, reset);
    if (st == ST_OK && randombytes_uniform(1000) == 0)
        st = store_guard_rate_sweep(conn); /* now and then, old windows of every bucket */
    *retry = *reset;
    return st;
}

static bool state_headers(struct _u_response *resp, const char *name, unsigned limit,
                          unsigned window_s, long count, long reset, long retry_s);

bool guard_rate_limit(struct _u_response *resp, struct req_ctx *ctx, const char *bucket,
                      unsigned limit, unsigned window_s)
{
    long count = 0, reset = 0, retry_s = 0;
    enum status st = count_hit(ctx, bucket, &limit, window_s, &count, &reset, &retry_s);
    if (st != ST_OK) {
        problem_send_status(resp, ctx, st);
        return false;
    }
    const char *name = strncmp(bucket, "client:", 7) == 0 ? "client" : "public";
    if (state_headers(resp, name, limit, window_s, count, reset, retry_s))
        return true;
    problem_send(resp, ctx, PROBLEM_RATE_LIMITED, PROBLEM_NO_DETAIL, NULL);
    return false;
}

/* Sets RateLimit-Policy and RateLimit for a count in a window; over the
 * limit, Retry-After too. Returns whether the request may go on. */
static bool state_headers(struct _u_response *resp, const char *name, unsigned limit,
                          unsigned window_s, long count, long reset, long retry_s)
{
    char policy[64], state[64], retry[24];
    long remaining = count >= (long)limit ? 0 : (long)limit - count;
    snprintf(policy, sizeof policy, "\"%s\";q=%u;w=%u", name, limit, window_s);
    snprintf(state, sizeof state, "\"%s\";r=%ld;t=%ld", name, remaining, reset);
    u_map_put(resp->map_header, "RateLimit-Policy", policy);
    u_map_put(resp->map_header, "RateLimit", state);
    if (count <= (long)limit)
        return true;
    snprintf(retry, sizeof retry, "%ld", retry_s > 0 ? retry_s : 1);
    u_map_put(resp->map_header, "Retry-After", retry);
    metrics_rate_limited();
    return false;
}

enum status guard_public_limits(PGconn *conn, bool hit, struct _u_response *resp,
                                struct req_ctx *ctx, const char *what, const char *const *kinds,
                                const char *const *values, size_t n)
{
    if (principal_is_staff(&ctx->who) || n == 0)
        return ST_OK;
    char buckets[GUARD_MAX_PUBLIC][160];
    const char *names[GUARD_MAX_PUBLIC];
    long counts[GUARD_MAX_PUBLIC] = {0}, resets[GUARD_MAX_PUBLIC] = {0};
    n = n < GUARD_MAX_PUBLIC ? n : GUARD_MAX_PUBLIC;
    for (size_t i = 0; i < n; i++) {
        char digest[65];
        util_sha256_hex(values[i], strlen(values[i]), digest); /* any value: a bounded key */
        snprintf(buckets[i], sizeof buckets[i], "public:%s:%s:%s", what, kinds[i], digest);
        names[i] = buckets[i];
    }
    unsigned window = 3600, limit = ctx->app->cfg->public_rate_limit;
    enum status st = store_guard_rate_many(conn, hit, names, n, window, counts, resets);
    if (st != ST_OK)
        return st;
    size_t worst = 0; /* the headers speak of the bucket nearest its limit */
    for (size_t i = 1; i < n; i++)
        if (counts[i] > counts[worst])
            worst = i;
    bool ok =
        state_headers(resp, "public", limit, window, counts[worst], resets[worst], resets[worst]);
    return ok ? ST_OK : ST_RATE_LIMITED;
}

/* The caller's bucket of misses of what: a registrar's, whichever of its
 * API clients asks (API.md: "missed voucher lookups per registrar"); any
 * other caller's own. */
static void miss_bucket(const struct req_ctx *ctx, const char *what, char out[160])
{
    char caller[65];
    if (ctx->who.role == ROLE_REGISTRAR && ctx->who.registrar_id[0] != '\0')
        snprintf(caller, sizeof caller, "registrar:%s", ctx->who.registrar_id);
    else
        auth_caller_key(ctx, caller);
    snprintf(out, 160, "miss:%s:%s", what, caller);
}

#define MISS_WINDOW_S 3600

bool guard_misses_left(struct _u_response *resp, struct req_ctx *ctx, const char *what)
{
    if (ctx->app->limiter == NULL || principal_is_staff(&ctx->who))
        return true;
    char bucket[160], retry[24];
    struct ratelimit_result r;
    miss_bucket(ctx, what, bucket);
    ratelimit_peek(ctx->app->limiter, bucket, ctx->app->cfg->voucher_miss_limit, MISS_WINDOW_S, &r);
    if (r.allowed)
        return true;
    snprintf(retry, sizeof retry, "%ld", r.reset_s > 0 ? r.reset_s : 1);
    u_map_put(resp->map_header, "Retry-After", retry);
    metrics_rate_limited();
    problem_send(resp, ctx, PROBLEM_RATE_LIMITED,
                 (struct problem_text){"Too many codes that match nothing: try again later.",
                                       "Demasiados códigos sem correspondência: tente mais tarde."},
                 NULL);
    return false;
}

void guard_miss(struct req_ctx *ctx, const char *what)
{
    if (ctx->app->limiter == NULL || principal_is_staff(&ctx->who))
        return;
    char bucket[160];
    struct ratelimit_result r;
    miss_bucket(ctx, what, bucket);
    ratelimit_hit(ctx->app->limiter, bucket, ctx->app->cfg->voucher_miss_limit, MISS_WINDOW_S, &r);
}

static bool valid_key(const char *key)
{
    size_t n = key ? strlen(key) : 0;
    if (n == 0 || n > 255)
        return false;
    for (; *key; key++)
        if (*key < 0x21 || *key > 0x7e)
            return false;
    return true;
}

/* Fills the key hash, the request hash and the encryption secret. */
static void derive(const struct _u_request *req, struct req_ctx *ctx, const char *key)
{
    const char *ct = u_map_get_case(req->map_header, "Content-Type");
    crypto_hash_sha256_state h;
    unsigned char digest[crypto_hash_sha256_BYTES];
    util_sha256_hex(key, strlen(key), ctx->idem_key_hash);
    crypto_hash_sha256_init(&h);
    crypto_hash_sha256_update(&h, (const unsigned char *)(ct ? ct : ""), ct ? strlen(ct) : 0);
    crypto_hash_sha256_update(&h, (const unsigned char *)"\n", 1);
    crypto_hash_sha256_update(&h, req->binary_body, req->binary_body_length);
    crypto_hash_sha256_final(&h, digest);
    util_hex(digest, sizeof digest, ctx->idem_request_hash);
    snprintf(ctx->idem_path, sizeof ctx->idem_path, "%s", req->url_path);
    char caller[65];
    auth_caller_key(ctx, caller); /* issuer and subject */
    if (ctx->who.role)
        snprintf(ctx->idem_scope, sizeof ctx->idem_scope, "caller:%s", caller);
    else
        snprintf(ctx->idem_scope, sizeof ctx->idem_scope, "ip:%s", ctx->client_ip);
    crypto_generichash_state g;
    crypto_generichash_init(&g, NULL, 0, sizeof ctx->idem_secret);
    crypto_generichash_update(&g, (const unsigned char *)"parceria-idempotency\0", 21);
    crypto_generichash_update(&g, (const unsigned char *)ctx->idem_scope,
                              strlen(ctx->idem_scope) + 1);
    crypto_generichash_update(&g, (const unsigned char *)key, strlen(key));
    crypto_generichash_final(&g, ctx->idem_secret, sizeof ctx->idem_secret);
}

static struct idem_key key_of(const struct req_ctx *ctx)
{
    return (struct idem_key){.scope = ctx->idem_scope,
                             .method = ctx->method,
                             .path = ctx->idem_path,
                             .key_hash = ctx->idem_key_hash,
                             .request_hash = ctx->idem_request_hash};
}

/* Decrypts and sends a stored answer. */
static bool replay(struct _u_response *resp, struct req_ctx *ctx, const unsigned char *box,
                   size_t len)
{
    size_t plain_len = len > crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES
                           ? len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES
                           : 0;
    unsigned char *plain = xmalloc(plain_len + 1);
    json_t *doc = NULL;
    if (plain_len > 0 &&
        crypto_secretbox_open_easy(plain, box + crypto_secretbox_NONCEBYTES,
                                   len - crypto_secretbox_NONCEBYTES, box, ctx->idem_secret) == 0)
        doc = json_loadb((const char *)plain, plain_len, 0, NULL);
    free(plain);
    json_t *headers = json_object_get(doc, "headers"), *value;
    const char *name, *body64 = json_string_value(json_object_get(doc, "body"));
    if (doc == NULL || body64 == NULL) {
        json_decref(doc);
        problem_send(resp, ctx, PROBLEM_SERVICE_UNAVAILABLE, PROBLEM_NO_DETAIL, NULL);
        return false;
    }
    size_t blen = strlen(body64), out_len = 0;
    unsigned char *body = xmalloc(blen + 1);
    sodium_base642bin(body, blen + 1, body64, blen, NULL, &out_len, NULL,
                      sodium_base64_VARIANT_ORIGINAL);
    json_object_foreach(headers, name, value)
        u_map_put(resp->map_header, name, json_string_value(value));
    u_map_put(resp->map_header, "Idempotent-Replayed", "true");
    ulfius_set_binary_body_response(resp,
                                    (unsigned)json_integer_value(json_object_get(doc, "status")),
                                    (const char *)body, out_len);
    free(body);
    json_decref(doc);
    api_finish(ctx, resp);
    return false;
}

bool guard_idem_begin(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)
{
    const char *key = u_map_get_case(req->map_header, "Idempotency-Key");
    if (key == NULL || strcmp(ctx->method, "POST") != 0)
        return true;
    /* A wrong Content-Type is answered before anything about the body,
     * including whether the key was used with another one. */
    if (req->binary_body_length > 0 && !body_is_json(req, SCHEMA_CREATE)) {
        problem_send(resp, ctx, PROBLEM_UNSUPPORTED_MEDIA_TYPE, PROBLEM_NO_DETAIL, NULL);
        return false;
    }
    if (!valid_key(key)) {
        problem_send(
            resp, ctx, PROBLEM_INVALID_REQUEST,
            (struct problem_text){"Idempotency-Key must be 1 to 255 visible ASCII characters.",
                                  "Idempotency-Key deve ter 1 a 255 carateres ASCII visíveis."},
            NULL);
        return false;
    }
    derive(req, ctx, key);
    struct idem_key k = key_of(ctx);
    for (int step = 0; step < IDEM_WAIT_STEPS; step++) {
        PGconn *conn = NULL;
        struct idem_record rec = {0};
        bool claimed = false;
        enum status st = api_conn(ctx, &conn);
        if (st == ST_OK && randombytes_uniform(100) == 0)
            st = store_guard_idem_sweep(conn); /* now and then, every caller's old records */
        if (st == ST_OK)
            st = store_guard_idem_claim(conn, &k, &claimed);
        if (st == ST_OK && !claimed)
            st = store_guard_idem_read(conn, &k, &rec);
        if (st != ST_OK)
            return problem_send_status(resp, ctx, st), false;
        if (claimed)
            return ctx->idem_owned = true;
        bool mismatch = rec.found && strcmp(rec.request_hash, k.request_hash) != 0;
        if (mismatch)
            problem_send(resp, ctx, PROBLEM_IDEMPOTENCY_KEY_REUSED, PROBLEM_NO_DETAIL, NULL);
        else if (rec.found && !rec.in_flight)
            replay(resp, ctx, rec.response, rec.len); /* answers, even when it cannot decrypt */
        free(rec.response);
        if (rec.found && (mismatch || !rec.in_flight))
            return false;
        /* in flight, or gone between the two statements: ask again */
        api_conn_release(ctx); /* a twin may wait long: hold no connection meanwhile */
        usleep(IDEM_WAIT_STEP_US);
    }
    problem_send(resp, ctx, PROBLEM_SERVICE_UNAVAILABLE,
                 (struct problem_text){"An identical request is still running.",
                                       "Um pedido idêntico ainda está em curso."},
                 NULL);
    return false;
}

/* Serialises and encrypts the answer: nonce || secretbox({status, headers, body}). */
static unsigned char *seal(const struct _u_response *resp, const struct req_ctx *ctx, size_t *len)
{
    json_t *headers = json_object();
    for (const char *const *h = replayed_headers; *h; h++) {
        const char *v = u_map_get_case(resp->map_header, *h);
        if (v != NULL)
            json_object_set_new(headers, *h, json_string(v));
    }
    size_t cap =
        sodium_base64_encoded_len(resp->binary_body_length, sodium_base64_VARIANT_ORIGINAL);
    char *body64 = xmalloc(cap);
    sodium_bin2base64(body64, cap, resp->binary_body, resp->binary_body_length,
                      sodium_base64_VARIANT_ORIGINAL);
    json_t *doc = json_pack("{s:i, s:o, s:s}", "status", (int)resp->status, "headers", headers,
                            "body", body64);
    free(body64);
    char *plain = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    size_t plen = strlen(plain);
    *len = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plen;
    unsigned char *box = xmalloc(*len);
    randombytes_buf(box, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, (const unsigned char *)plain, plen,
                          box, ctx->idem_secret);
    sodium_memzero(plain, plen);
    free(plain);
    return box;
}

enum status guard_idem_record(PGconn *conn, const struct _u_response *resp, struct req_ctx *ctx)
{
    if (!ctx->idem_owned)
        return ST_OK;
    struct idem_key k = key_of(ctx);
    size_t len = 0;
    unsigned char *box = seal(resp, ctx, &len);
    enum status st = store_guard_idem_finish(conn, &k, (int)resp->status, box, len);
    free(box);
    ctx->idem_recorded = st == ST_OK;
    if (st == ST_STALE) { /* the change must not commit: a twin runs it (503, then replay) */
        y_log_message(Y_LOG_LEVEL_WARNING, "idempotency claim taken over (request_id=%s)",
                      ctx->request_id);
        st = ST_UNAVAILABLE;
    }
    return st;
}

void guard_idem_finish(const struct _u_response *resp, struct req_ctx *ctx)
{
    if (!ctx->idem_owned)
        return;
    ctx->idem_owned = false;
    /* A change's answer was stored in its own transaction, which committed. */
    bool committed = ctx->idem_recorded && resp->status >= 200 && resp->status < 300;
    /* A 5xx or 429 is worth retrying; an answer too big to keep is not kept.
     * Nothing changed for any answer stored here, so a lost record costs
     * only a repeated refusal. */
    bool keep = resp->status >= 200 && resp->status < 500 && resp->status != 429 &&
                resp->binary_body_length <= IDEM_MAX_STORED;
    struct idem_key k = key_of(ctx);
    PGconn *conn = NULL;
    enum status st = committed ? ST_OK : api_conn(ctx, &conn);
    if (!committed && st == ST_OK && keep) {
        size_t len = 0;
        unsigned char *box = seal(resp, ctx, &len);
        st = store_guard_idem_finish(conn, &k, (int)resp->status, box, len);
        free(box);
    } else if (!committed && st == ST_OK) {
        st = store_guard_idem_abandon(conn, &k);
    }
    if (st != ST_OK)
        y_log_message(Y_LOG_LEVEL_ERROR, "idempotency record not stored (request_id=%s)",
                      ctx->request_id);
    sodium_memzero(ctx->idem_secret, sizeof ctx->idem_secret);
}
