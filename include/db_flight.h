/* Flights (flight.h) of database reads: one round trip for the requests
 * that wait for the same kind of read at once, run on a pooled connection by
 * whichever member leads. Each flight's statement sees every commit made
 * before any of its members arrived: the answer each would have had alone,
 * for one wake-up of PostgreSQL instead of one each. */
#ifndef PARCERIA_DB_FLIGHT_H
#define PARCERIA_DB_FLIGHT_H

#include "db.h"
#include "flight.h"

#include <stddef.h>

struct db_flight;

/* Runs one flight on conn: asks[0..n) as flight_fn's; fills what each asks. */
typedef enum status (*db_flight_fn)(PGconn *conn, void *const *asks, size_t n);

/* As flight_new: at most max_asks a trip, max_out trips at once (each on
 * a connection of the pool). */
struct db_flight *db_flight_new(struct db_pool *pool, db_flight_fn run, size_t max_asks,
                                unsigned max_out);
void db_flight_free(struct db_flight *f);
/* Waits for the flight that carries ask: the run's status (ST_OK: ask is
 * filled), or the pool's refusal when no connection came in its bound. */
enum status db_flight_join(struct db_flight *f, void *ask) WARN_UNUSED;
/* flight_stats of f; zeros for NULL. */
void db_flight_stats(struct db_flight *f, struct flight_stats *out);

#endif
