/* Database flights (db_flight.h): a flight whose run takes a pooled
 * connection for the statement and gives it back at once. */
#include "db_flight.h"

#include "util.h"

#include <stdlib.h>

struct db_flight {
    struct flight *flight;
    struct db_pool *pool;
    db_flight_fn run;
};

struct trip {
    const struct db_flight *f;
    void *const *asks;
    size_t n;
};

static enum status on_conn(PGconn *conn, void *arg)
{
    const struct trip *t = arg;
    return t->f->run(conn, t->asks, t->n);
}

static enum status fly(void *arg, void *const *asks, size_t n)
{
    struct db_flight *f = arg;
    struct trip t = {f, asks, n};
    return db_with_conn(f->pool, on_conn, &t);
}

struct db_flight *db_flight_new(struct db_pool *pool, db_flight_fn run, size_t max_asks,
                                unsigned max_out)
{
    struct db_flight *f = xcalloc(1, sizeof *f);
    f->pool = pool;
    f->run = run;
    f->flight = flight_new(fly, f, max_asks, max_out);
    return f;
}

void db_flight_free(struct db_flight *f)
{
    if (f == NULL)
        return;
    flight_free(f->flight);
    free(f);
}

void db_flight_stats(struct db_flight *f, struct flight_stats *out)
{
    if (f == NULL)
        *out = (struct flight_stats){0};
    else
        flight_stats(f->flight, out);
}

enum status db_flight_join(struct db_flight *f, void *ask)
{
    return flight_join(f->flight, ask);
}
