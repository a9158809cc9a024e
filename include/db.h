/* The PostgreSQL connection pool and the transaction helper. Fixed size; a
 * caller waits a bounded time for a connection and otherwise gets
 * ST_UNAVAILABLE (a 503). Timeouts live in the connection options, so a
 * reconnect after a database restart keeps them. */
#ifndef PARCERIA_DB_H
#define PARCERIA_DB_H

#include "status.h"

#include <libpq-fe.h>
#include <stdbool.h>

struct db_pool;

struct db_pool_stats {
    unsigned size;
    unsigned in_use;
    unsigned waiting;
};

/* Returns a new pool; connections are opened on first use (or by
 * db_pool_open), so start-up survives a database that is not up yet. */
struct db_pool *db_pool_new(const char *url, unsigned size, unsigned wait_ms,
                            unsigned statement_timeout_ms);
/* Sets the longest any one database call may take before it is cancelled and
 * answered ST_UNAVAILABLE (default: the statement timeout + 1 s). Call before
 * the first db_acquire. */
void db_pool_set_deadline(struct db_pool *pool, unsigned deadline_ms);
/* Opens every connection of the pool now, and has each backend read the
 * schema's catalogue entries, so that the first requests after start-up do not
 * wait for either (a cold pool doubled the POST's p99 in bench/run). Stops at
 * the first connection that fails: those open on first use. Returns how many
 * are open. Call before serving. */
unsigned db_pool_open(struct db_pool *pool);
void db_pool_free(struct db_pool *pool);
void db_pool_stats(struct db_pool *pool, struct db_pool_stats *out);

/* Lends a healthy connection, or ST_UNAVAILABLE after the wait bound. */
enum status db_acquire(struct db_pool *pool, PGconn **out) WARN_UNUSED;
/* Gives a connection back; rolls back an open transaction, resets a broken one. */
void db_release(struct db_pool *pool, PGconn *conn);

/* Opens one connection outside the pool (migrations, tools). NULL on failure,
 * with the reason written to stderr. */
PGconn *db_connect(const char *url, unsigned statement_timeout_ms);

/* Maps a result's SQLSTATE to a status: 23505 → ST_CONFLICT, 40001/40P01 →
 * ST_RETRY, PR401 (a guard's refusal) → ST_REVOKED, class 22 (data exceptions) → ST_BAD_VALUE,
 * 57014 and connection failures → ST_UNAVAILABLE, anything else is logged and ST_UNAVAILABLE. res
 * may be NULL. */
enum status db_status_of(PGconn *conn, const PGresult *res) WARN_UNUSED;

/* Runs a parameterised statement; *out (when not NULL) receives the result on
 * ST_OK, which the caller PQclear()s. Text parameters only. On a pooled
 * connection the statement is prepared once (keyed by its text) and every call
 * is bounded by the pool's deadline; past it the statement is cancelled and
 * ST_UNAVAILABLE returned. */
enum status db_exec(PGconn *conn, const char *sql, int nparams, const char *const *params,
                    PGresult **out) WARN_UNUSED;

/* Holds a write whose result the caller does not read back to travel with
 * the next db_exec on conn, in the same round trip (sql and params are
 * copied). Inside a transaction only: if it fails, PostgreSQL skips what
 * follows it and that db_exec (at the latest the COMMIT) answers its error,
 * so the transaction fails as if this call had. A rollback forgets it. Runs
 * it at once where it cannot be held (not a pooled connection). */
enum status db_exec_later(PGconn *conn, const char *sql, int nparams,
                          const char *const *params) WARN_UNUSED;

/* Holds a check back to travel with the next db_exec on conn, in one round
 * trip: sql (static text, at most 4 parameters, copied) refuses by raising
 * SQLSTATE PR401 (credential_refused(), migration 0006), and PostgreSQL then
 * skips the statement behind it, which gets ST_REVOKED. Pooled connections only. */
void db_guard(PGconn *conn, const char *sql, int nparams, const char *const *params);
/* The guard's verdict since the connection was lent: ST_OK (it stands, or
 * none was set), ST_REVOKED, or another failure. A guard no statement
 * carried runs now, alone. */
enum status db_guard_verdict(PGconn *conn) WARN_UNUSED;

typedef enum status (*db_tx_fn)(PGconn *conn, void *arg);

/* DB_SNAPSHOT: REPEATABLE READ READ ONLY, one snapshot for several reads
 * that must agree (an export's pages). */
enum db_isolation { DB_READ_COMMITTED = 0, DB_SERIALIZABLE, DB_SNAPSHOT };

/* How a use case wants its transaction: the isolation level (the service
 * chooses it), and a hook that runs inside the transaction after fn has
 * succeeded, just before COMMIT: the HTTP layer records the request's answer
 * there, so a committed change always has its stored answer. A failing hook
 * rolls everything back. before_commit may be NULL. */
struct db_tx_opts {
    enum db_isolation isolation;
    db_tx_fn before_commit;
    void *before_commit_arg;
    /* Runs first, right after BEGIN (the HTTP layer counts a public
     * submission there, so the count commits with the change); may be NULL. */
    db_tx_fn after_begin;
    void *after_begin_arg;
};

/* Runs fn inside BEGIN … COMMIT on conn, a connection the caller holds (the
 * request's). fn returns ST_OK to commit; anything else rolls back and is
 * returned. On a serialization failure or a deadlock the transaction is
 * rolled back and run again (up to 5 times): fn and before_commit MAY RUN
 * MORE THAN ONCE, so they must not keep state from a failed attempt. BEGIN
 * is held back (db_exec_later) to travel with the first statement. A
 * connection that breaks answers ST_UNAVAILABLE (db_acquire replaces one
 * found closed before). opts may be NULL (READ COMMITTED, no hook). */
enum status db_tx(PGconn *conn, const struct db_tx_opts *opts, db_tx_fn fn, void *arg) WARN_UNUSED;

/* The same on a connection taken from the pool for the call (start-up tasks
 * and tools; requests use their own connection and db_tx). */
enum status db_transaction(struct db_pool *pool, db_tx_fn fn, void *arg) WARN_UNUSED;

/* Runs fn on a pooled connection with no explicit transaction (health checks). */
enum status db_with_conn(struct db_pool *pool, db_tx_fn fn, void *arg) WARN_UNUSED;

/* Counts database errors seen (for metrics). */
unsigned long db_error_count(void);

#endif
