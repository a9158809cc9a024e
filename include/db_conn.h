/* What the pool keeps per connection: the statements prepared on it and the
 * deadline of every call. Used by src/db.c only; the store sees db_exec. */
#ifndef PARCERIA_DB_CONN_H
#define PARCERIA_DB_CONN_H

#include "status.h"

#include <libpq-fe.h>
#include <stdbool.h>

/* Most statements one connection keeps prepared; further ones run unnamed. */
#define DB_CONN_MAX_STATEMENTS 256
/* Most parameters of a guard statement. */
#define DB_CONN_MAX_GUARD_PARAMS 4
/* Most statements held back at once (db_conn_later). */
#define DB_CONN_MAX_LATER 16

/* Gives a pooled connection its state: calls on it then run asynchronously,
 * each bounded by deadline_ms, and statements are prepared on first use.
 * The state is forgotten on PQreset (PostgreSQL forgot the statements too)
 * and freed by PQfinish. Returns false if libpq refused the event hook. */
bool db_conn_attach(PGconn *conn, unsigned deadline_ms);

/* Whether conn is attached and a call on it missed its deadline: the pool
 * must drop it rather than reuse it. */
bool db_conn_broken(const PGconn *conn);

/* How many statements conn keeps prepared (tests and metrics). */
unsigned db_conn_prepared(const PGconn *conn);

/* Runs one statement, prepared by name when conn is attached, and waits at
 * most the connection's deadline for its result; past it, the statement is
 * cancelled and ST_UNAVAILABLE returned. A connection that is not attached
 * runs it with PQexecParams (migrations, tools). *res gets the result
 * (PGRES_COMMAND_OK / TUPLES_OK or an error) or NULL on a deadline. */
enum status db_conn_run(PGconn *conn, const char *sql, int nparams, const char *const *params,
                        PGresult **res) WARN_UNUSED;

/* Holds sql (static text; params are copied) back until the next
 * db_conn_run on conn, which sends both in one round trip, sql first. sql
 * refuses by raising SQLSTATE PR401 (and fails like any statement): then
 * PostgreSQL skips the call behind it, whose result is sql's error. A guard
 * already pending is replaced. */
void db_conn_guard(PGconn *conn, const char *sql, int nparams, const char *const *params);

/* The guard's verdict: ST_OK (it stands), ST_REVOKED (it refused) or another
 * failure. A guard still pending runs now, alone. ST_OK when none was set. */
enum status db_conn_guard_settle(PGconn *conn) WARN_UNUSED;

/* Forgets a pending guard and the last verdict (the connection goes back to
 * the pool). */
void db_conn_guard_clear(PGconn *conn);

/* Holds sql (text and params copied) back to travel with the next
 * db_conn_run on conn, in the same round trip, after the guard and the
 * statements held before it; false when conn cannot hold it (not attached,
 * broken, or DB_CONN_MAX_LATER held): run it now instead. Its result is
 * never seen: when it fails, PostgreSQL skips what follows it and that
 * db_conn_run answers its error. For statements inside a transaction. */
bool db_conn_later(PGconn *conn, const char *sql, int nparams, const char *const *params);

/* Forgets the statements held back (a rollback, or the connection goes back
 * to the pool). */
void db_conn_later_clear(PGconn *conn);

#endif
