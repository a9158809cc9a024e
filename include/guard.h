/* Guards around handlers: rate limits (headers and 429; per-client buckets in
 * memory, public counters in PostgreSQL) and idempotency keys (claim, replay,
 * store, in PostgreSQL). */
#ifndef PARCERIA_GUARD_H
#define PARCERIA_GUARD_H

#include "api.h"

/* Counts one hit in bucket (limit per window_s seconds; a "client:" bucket
 * counts in this replica's memory against limit / PARCERIA_REPLICAS), sets RateLimit and
 * RateLimit-Policy, and answers 429 with Retry-After when over the limit.
 * Returns true when the request may go on. */
bool guard_rate_limit(struct _u_response *resp, struct req_ctx *ctx, const char *bucket,
                      unsigned limit, unsigned window_s);

/* A public submission's limits, inside its own transaction on conn:
 * PARCERIA_PUBLIC_RATE_LIMIT per hour for each of n values (an address, an
 * email) of what ("application"), kinds[i] naming values[i] ("ip", "email");
 * staff tokens are exempt. Without hit, a look (first in the transaction: a
 * caller over its limit is turned away before any work); with hit, the count
 * itself (last, just before COMMIT, so the counter rows are locked only
 * briefly and the count commits with the submission). Sets the RateLimit
 * headers; ST_RATE_LIMITED (Retry-After set) when one is over. */
#define GUARD_MAX_PUBLIC 4
enum status guard_public_limits(PGconn *conn, bool hit, struct _u_response *resp,
                                struct req_ctx *ctx, const char *what, const char *const *kinds,
                                const char *const *values, size_t n) WARN_UNUSED;

/* For a POST with an Idempotency-Key: claims the key, or replays the stored
 * answer, or answers 400/422/503. Returns true when the handler should run. */
bool guard_idem_begin(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx);
/* Inside a change's transaction, before COMMIT: stores the answer already
 * rendered into resp under the request's key (nothing when the request owns
 * none), so a committed change always has its stored answer. */
enum status guard_idem_record(PGconn *conn, const struct _u_response *resp,
                              struct req_ctx *ctx) WARN_UNUSED;
/* After the handler: stores a 2xx or 4xx answer (not a 429) for replay, or
 * releases the claim so that the client may retry. */
void guard_idem_finish(const struct _u_response *resp, struct req_ctx *ctx);

/* Limits on what a caller gets wrong (voucher codes that match nothing), so
 * guessing does not pay: guard_misses_left looks before the lookup (false
 * after answering 429 with Retry-After when the caller has missed
 * PARCERIA_VOUCHER_MISS_LIMIT times in the hour), guard_miss counts one
 * miss after it. In memory, per replica; staff are exempt. */
bool guard_misses_left(struct _u_response *resp, struct req_ctx *ctx, const char *what);
void guard_miss(struct req_ctx *ctx, const char *what);

#endif
