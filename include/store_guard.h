/* Request guards kept in PostgreSQL so they hold across replicas:
 * idempotency records and fixed-window rate-limit counters. */
#ifndef PARCERIA_STORE_GUARD_H
#define PARCERIA_STORE_GUARD_H

#include "db.h"

#include <stddef.h>

enum idem_outcome {
    IDEM_PROCEED,  /* this request owns the key: run it, then finish or abandon */
    IDEM_REPLAY,   /* a stored answer exists: *response is filled */
    IDEM_MISMATCH, /* the key was used with another body */
    IDEM_IN_FLIGHT /* a twin is running: wait and ask again */
};

struct idem_key {
    const char *scope; /* the caller: sub, or the address for anonymous callers */
    const char *method;
    const char *path;
    const char *key_hash;     /* hex SHA-256 of the Idempotency-Key */
    const char *request_hash; /* hex SHA-256 of the body */
};

/* Claims the key or reports what holds it. Records older than 24 h, and
 * in-flight records abandoned for a minute, are forgotten first. On
 * IDEM_REPLAY, *response (a new buffer) and *len hold the stored bytes. */
enum status store_guard_idem_begin(PGconn *conn, const struct idem_key *k, enum idem_outcome *out,
                                   unsigned char **response, size_t *len) WARN_UNUSED;
/* Stores the answer of the request that owns the key. */
enum status store_guard_idem_finish(PGconn *conn, const struct idem_key *k, int status,
                                    const unsigned char *response, size_t len) WARN_UNUSED;
/* Forgets the claim (the answer was a 5xx or 429: the client may retry). */
enum status store_guard_idem_abandon(PGconn *conn, const struct idem_key *k) WARN_UNUSED;

/* Counts one hit in bucket's current window of window_s seconds; *count is
 * the hits so far including this one, *reset_s the seconds left. */
enum status store_guard_rate_hit(PGconn *conn, const char *bucket, unsigned window_s, long *count,
                                 long *reset_s) WARN_UNUSED;
/* Reads the count without adding a hit. */
enum status store_guard_rate_peek(PGconn *conn, const char *bucket, unsigned window_s, long *count,
                                  long *reset_s) WARN_UNUSED;

#endif
