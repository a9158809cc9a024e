/* Request guards kept in PostgreSQL so they hold across replicas:
 * idempotency records and fixed-window rate-limit counters. */
#ifndef PARCERIA_STORE_GUARD_H
#define PARCERIA_STORE_GUARD_H

#include "db.h"

#include <stdbool.h>
#include <stddef.h>

struct idem_key {
    const char *scope; /* the caller: sub, or the address for anonymous callers */
    const char *method;
    const char *path;
    const char *key_hash;     /* hex SHA-256 of the Idempotency-Key */
    const char *request_hash; /* hex SHA-256 of the body */
};

/* Claims the key for this request (*claimed), after forgetting its record
 * when older than 24 h, or in flight and abandoned for a minute. */
enum status store_guard_idem_claim(PGconn *conn, const struct idem_key *k,
                                   bool *claimed) WARN_UNUSED;
/* Deletes every caller's records older than 24 h. */
enum status store_guard_idem_sweep(PGconn *conn) WARN_UNUSED;

/* The record that holds a key. */
struct idem_record {
    bool found;
    char request_hash[65];   /* of the body that claimed it */
    bool in_flight;          /* no answer stored yet */
    unsigned char *response; /* the stored answer (owned; free it), len bytes */
    size_t len;
};
enum status store_guard_idem_read(PGconn *conn, const struct idem_key *k,
                                  struct idem_record *out) WARN_UNUSED;
/* Stores the answer of the request that owns the key; ST_STALE when the
 * claim is no longer this request's (a twin took it over after this
 * request's backend died). */
enum status store_guard_idem_finish(PGconn *conn, const struct idem_key *k, int status,
                                    const unsigned char *response, size_t len) WARN_UNUSED;
/* Forgets the claim (the answer was a 5xx or 429: the client may retry). */
enum status store_guard_idem_abandon(PGconn *conn, const struct idem_key *k) WARN_UNUSED;

/* Counts one hit in bucket's current window of window_s seconds; *count is
 * the hits so far including this one, *reset_s the seconds left. */
enum status store_guard_rate_hit(PGconn *conn, const char *bucket, unsigned window_s, long *count,
                                 long *reset_s) WARN_UNUSED;
/* Counts one hit in each of n distinct buckets (hit), or reads their counts
 * (not hit), in one statement; counts[i] and resets_s[i] answer for
 * buckets[i], whose characters must need no quoting in an array literal (no
 * ',', '{', '}', '"', '\\' or space). */
enum status store_guard_rate_many(PGconn *conn, bool hit, const char *const *buckets, size_t n,
                                  unsigned window_s, long *counts, long *resets_s) WARN_UNUSED;
/* Deletes counters of windows over two days old. */
enum status store_guard_rate_sweep(PGconn *conn) WARN_UNUSED;
/* Reads the count without adding a hit. */
enum status store_guard_rate_peek(PGconn *conn, const char *bucket, unsigned window_s, long *count,
                                  long *reset_s) WARN_UNUSED;

#endif
