/* The connection pool: a fixed array of PGconn guarded by a mutex and a
 * condition variable. Broken connections are reset on the way out and on the
 * way in, so the service recovers by itself when PostgreSQL comes back. */
#include "db.h"

#include "util.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yder.h>

#define DB_TX_ATTEMPTS 5

struct db_pool {
    pthread_mutex_t lock;
    pthread_cond_t freed;
    unsigned size;
    unsigned wait_ms;
    unsigned in_use;
    unsigned waiting;
    char *url;
    char *options;
    PGconn **conns; /* size entries; NULL when never opened */
    bool *busy;
};

static atomic_ulong db_errors;

unsigned long db_error_count(void)
{
    return atomic_load(&db_errors);
}

/* Server notices (and the FATAL a server sends before closing an idle
 * connection) go through our log, not straight to stderr. */
static void log_notice(void *arg, const char *message)
{
    (void)arg;
    int len = (int)strcspn(message, "\n");
    y_log_message(Y_LOG_LEVEL_WARNING, "database says: %.*s", len, message);
}

static PGconn *open_conn(const char *url, const char *options)
{
    const char *keys[] = {"dbname", "connect_timeout", "options", "application_name", NULL};
    const char *vals[] = {url, "3", options, "parceria", NULL};
    PGconn *conn = PQconnectdbParams(keys, vals, 1);
    PQsetNoticeProcessor(conn, log_notice, NULL);
    return conn;
}

/* An idle connection has nothing to read. When its socket is readable the
 * server has most likely closed it (a restart, a terminated backend): read
 * what is there, which marks the connection bad if it is. One poll(2), no
 * round trip; a connection that died silently fails its next statement. */
static bool still_open(PGconn *conn)
{
    for (int i = 0; i < 4 && PQstatus(conn) == CONNECTION_OK; i++) {
        struct pollfd p = {.fd = PQsocket(conn), .events = POLLIN};
        if (poll(&p, 1, 0) == 0)
            return true;
        if (!PQconsumeInput(conn))
            return false;
    }
    return PQstatus(conn) == CONNECTION_OK;
}

PGconn *db_connect(const char *url, unsigned statement_timeout_ms)
{
    char *options = xasprintf("-c statement_timeout=%u -c lock_timeout=%u", statement_timeout_ms,
                              statement_timeout_ms);
    PGconn *conn = open_conn(url, options);
    free(options);
    if (PQstatus(conn) != CONNECTION_OK) {
        fprintf(stderr, "parceria: cannot connect to the database: %s", PQerrorMessage(conn));
        PQfinish(conn);
        return NULL;
    }
    return conn;
}

struct db_pool *db_pool_new(const char *url, unsigned size, unsigned wait_ms,
                            unsigned statement_timeout_ms)
{
    struct db_pool *pool = xcalloc(1, sizeof *pool);
    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->freed, NULL);
    pool->size = size;
    pool->wait_ms = wait_ms;
    pool->url = xstrdup(url);
    pool->options = xasprintf("-c statement_timeout=%u -c lock_timeout=%u", statement_timeout_ms,
                              statement_timeout_ms);
    pool->conns = xcalloc(size, sizeof *pool->conns);
    pool->busy = xcalloc(size, sizeof *pool->busy);
    return pool;
}

void db_pool_free(struct db_pool *pool)
{
    if (pool == NULL)
        return;
    for (unsigned i = 0; i < pool->size; i++)
        if (pool->conns[i] != NULL)
            PQfinish(pool->conns[i]);
    free(pool->conns);
    free(pool->busy);
    free(pool->url);
    free(pool->options);
    pthread_cond_destroy(&pool->freed);
    pthread_mutex_destroy(&pool->lock);
    free(pool);
}

void db_pool_stats(struct db_pool *pool, struct db_pool_stats *out)
{
    pthread_mutex_lock(&pool->lock);
    out->size = pool->size;
    out->in_use = pool->in_use;
    out->waiting = pool->waiting;
    pthread_mutex_unlock(&pool->lock);
}

static void deadline_after(struct timespec *ts, unsigned ms)
{
    clock_gettime(CLOCK_REALTIME, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

/* Takes a free slot, waiting up to the bound. Returns the slot or -1. */
static int take_slot(struct db_pool *pool)
{
    struct timespec deadline;
    int slot = -1, rc = 0;
    deadline_after(&deadline, pool->wait_ms);
    pthread_mutex_lock(&pool->lock);
    pool->waiting++;
    while (pool->in_use == pool->size && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&pool->freed, &pool->lock, &deadline);
    pool->waiting--;
    if (pool->in_use < pool->size) {
        for (unsigned i = 0; i < pool->size; i++)
            if (!pool->busy[i]) {
                slot = (int)i;
                break;
            }
        pool->busy[slot] = true;
        pool->in_use++;
    }
    pthread_mutex_unlock(&pool->lock);
    return slot;
}

static void give_slot(struct db_pool *pool, unsigned slot)
{
    pthread_mutex_lock(&pool->lock);
    pool->busy[slot] = false;
    pool->in_use--;
    pthread_cond_signal(&pool->freed);
    pthread_mutex_unlock(&pool->lock);
}

enum status db_acquire(struct db_pool *pool, PGconn **out)
{
    *out = NULL;
    int slot = take_slot(pool);
    if (slot < 0) {
        y_log_message(Y_LOG_LEVEL_WARNING, "database pool exhausted after %u ms", pool->wait_ms);
        return ST_UNAVAILABLE;
    }
    PGconn *conn = pool->conns[slot];
    if (conn == NULL) {
        conn = open_conn(pool->url, pool->options);
        pool->conns[slot] = conn;
    } else if (!still_open(conn)) {
        PQreset(conn);
    }
    if (PQstatus(conn) != CONNECTION_OK) {
        atomic_fetch_add(&db_errors, 1);
        y_log_message(Y_LOG_LEVEL_ERROR, "database connection failed: %s", PQerrorMessage(conn));
        give_slot(pool, (unsigned)slot);
        return ST_UNAVAILABLE;
    }
    *out = conn;
    return ST_OK;
}

void db_release(struct db_pool *pool, PGconn *conn)
{
    if (conn == NULL)
        return;
    unsigned slot;
    for (slot = 0; slot < pool->size; slot++)
        if (pool->conns[slot] == conn)
            break;
    if (slot == pool->size)
        return;
    if (PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) != PQTRANS_IDLE) {
        PGresult *res = PQexec(conn, "ROLLBACK");
        PQclear(res);
    }
    if (PQstatus(conn) != CONNECTION_OK)
        PQreset(conn);
    give_slot(pool, slot);
}

enum status db_status_of(PGconn *conn, const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (state != NULL && strcmp(state, "23505") == 0)
        return ST_CONFLICT;
    if (state != NULL && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0))
        return ST_RETRY;
    if (state != NULL && strncmp(state, "22", 2) == 0)
        return ST_BAD_VALUE; /* data exception: a value from the client does not fit */
    atomic_fetch_add(&db_errors, 1);
    char *msg = xstrdup(res ? PQresultErrorMessage(res) : PQerrorMessage(conn));
    for (char *c = msg; *c; c++) /* one event, one line */
        *c = (*c == '\n' || *c == '\r') ? ' ' : *c;
    y_log_message(Y_LOG_LEVEL_ERROR, "database error %s: %s", state ? state : "(none)", msg);
    free(msg);
    return ST_UNAVAILABLE;
}

enum status db_exec(PGconn *conn, const char *sql, int nparams, const char *const *params,
                    PGresult **out)
{
    if (out != NULL)
        *out = NULL;
    PGresult *res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        enum status s = db_status_of(conn, res);
        PQclear(res);
        return s;
    }
    if (out != NULL)
        *out = res;
    else
        PQclear(res);
    return ST_OK;
}

static const char *begin_sql(const struct db_tx_opts *opts)
{
    return opts != NULL && opts->isolation == DB_SERIALIZABLE ? "BEGIN ISOLATION LEVEL SERIALIZABLE"
                                                              : "BEGIN";
}

static enum status run_once(PGconn *conn, const struct db_tx_opts *opts, db_tx_fn fn, void *arg)
{
    enum status st = db_exec(conn, begin_sql(opts), 0, NULL, NULL);
    if (st != ST_OK) { /* nothing ran: a broken connection is reset, then tried again */
        if (PQstatus(conn) != CONNECTION_BAD)
            return st;
        PQreset(conn);
        return PQstatus(conn) == CONNECTION_OK ? ST_RETRY : ST_UNAVAILABLE;
    }
    st = fn(conn, arg);
    if (st == ST_OK && opts != NULL && opts->before_commit != NULL)
        st = opts->before_commit(conn, opts->before_commit_arg);
    if (st == ST_OK)
        st = db_exec(conn, "COMMIT", 0, NULL, NULL);
    if (st != ST_OK && PQstatus(conn) == CONNECTION_OK &&
        PQtransactionStatus(conn) != PQTRANS_IDLE) {
        PGresult *res = PQexec(conn, "ROLLBACK");
        PQclear(res);
    }
    return st;
}

enum status db_tx(PGconn *conn, const struct db_tx_opts *opts, db_tx_fn fn, void *arg)
{
    enum status st = ST_RETRY;
    for (int attempt = 0; attempt < DB_TX_ATTEMPTS && st == ST_RETRY; attempt++)
        st = run_once(conn, opts, fn, arg);
    return st == ST_RETRY ? ST_UNAVAILABLE : st;
}

enum status db_transaction(struct db_pool *pool, db_tx_fn fn, void *arg)
{
    PGconn *conn = NULL;
    enum status st = db_acquire(pool, &conn);
    if (st != ST_OK)
        return st;
    st = db_tx(conn, NULL, fn, arg);
    db_release(pool, conn);
    return st;
}

enum status db_with_conn(struct db_pool *pool, db_tx_fn fn, void *arg)
{
    PGconn *conn = NULL;
    enum status st = db_acquire(pool, &conn);
    if (st != ST_OK)
        return st;
    st = fn(conn, arg);
    db_release(pool, conn);
    return st;
}
