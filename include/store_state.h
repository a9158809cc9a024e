/* What every kept answer rests on, read for many requests in one statement
 * (a db_flight, db_flight.h): the versions of the cached pages, and whether
 * the credential behind each caller's token still stands. */
#ifndef PARCERIA_STORE_STATE_H
#define PARCERIA_STORE_STATE_H

#include "db.h"
#include "principal.h"

#include <stddef.h>

/* Versions that any replica's commit moves (migrations 0005 and 0015). */
struct store_state {
    long long directory;   /* the registrars' directory and records */
    long long news_public; /* what the public sees of news: it names registrars */
};

/* One request's ask. */
struct store_state_ask {
    /* The caller whose token's credential to check (lent), or NULL. */
    const struct principal *who;
    /* Filled: ST_OK (it stands, or nothing to check), ST_REVOKED, or
     * ST_UNAVAILABLE for a subject no credential can have. */
    enum status verdict;
    struct store_state state; /* filled */
};

/* The most asks one read may carry: a flight's bound (db_flight_new). */
#define STORE_STATE_MAX_ASKS 64

/* A db_flight_fn: asks are struct store_state_ask *, at most
 * STORE_STATE_MAX_ASKS. One statement for all (two when some are keys). */
enum status store_state_read(PGconn *conn, void *const *asks, size_t n) WARN_UNUSED;

#endif
