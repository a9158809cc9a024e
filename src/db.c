/* The connection pool: a fixed array of PGconn guarded by a mutex, handed to
 * waiters in arrival order. Broken connections are reset on the way out and on
 * the way in, so the service recovers by itself when PostgreSQL comes back.
 * Statements run asynchronously under a deadline, prepared once per connection. */
#include "db.h"

#include "db_conn.h"
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
#define DB_DEFAULT_MARGIN_MS 1000

/* One caller waiting for a connection; the pool hands slots to the oldest. */
struct waiter {
    pthread_cond_t wake;
    int slot; /* -1 until a slot is handed over */
    struct waiter *next;
};

struct db_pool {
    pthread_mutex_t lock;
    pthread_cond_t freed;
    unsigned size;
    unsigned wait_ms;
    unsigned in_use;
    unsigned waiting;
    unsigned deadline_ms;       /* statement timeout + margin: the service's own bound */
    struct waiter *head, *tail; /* FIFO of callers waiting for a slot */
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

/* A pooled connection: statements prepared once, every call under the deadline. */
static PGconn *open_pooled(struct db_pool *pool)
{
    PGconn *conn = open_conn(pool->url, pool->options);
    if (!db_conn_attach(conn, pool->deadline_ms))
        y_log_message(Y_LOG_LEVEL_WARNING, "database connection runs without a deadline");
    PQsetnonblocking(conn, 1);
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
    pool->deadline_ms = statement_timeout_ms + DB_DEFAULT_MARGIN_MS;
    pool->url = xstrdup(url);
    pool->options = xasprintf("-c statement_timeout=%u -c lock_timeout=%u", statement_timeout_ms,
                              statement_timeout_ms);
    pool->conns = xcalloc(size, sizeof *pool->conns);
    pool->busy = xcalloc(size, sizeof *pool->busy);
    return pool;
}

/* What a new backend would otherwise read from the catalogue during its first
 * requests: every table and view of the schema that the service may read, with
 * its columns and indexes, into the backend's caches. One round trip. */
static const char WARM_SQL[] =
    "DO $$DECLARE t regclass; BEGIN FOR t IN SELECT c.oid FROM pg_class c"
    " WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')"
    " AND has_table_privilege(c.oid, 'SELECT') LOOP"
    " EXECUTE format('SELECT * FROM %s LIMIT 0', t); END LOOP; END$$";

unsigned db_pool_open(struct db_pool *pool)
{
    unsigned open = 0;
    pthread_mutex_lock(&pool->lock);
    for (unsigned i = 0; i < pool->size; i++) {
        if (pool->busy[i])
            continue;
        if (pool->conns[i] == NULL)
            pool->conns[i] = open_pooled(pool);
        PGresult *res = NULL;
        if (PQstatus(pool->conns[i]) != CONNECTION_OK ||
            db_conn_run(pool->conns[i], WARM_SQL, 0, NULL, &res) != ST_OK) {
            PQclear(res); /* the database is not there: this one and the rest open on first use */
            PQfinish(pool->conns[i]);
            pool->conns[i] = NULL;
            break;
        }
        if (PQresultStatus(res) != PGRES_COMMAND_OK)
            y_log_message(Y_LOG_LEVEL_WARNING, "database connection opened cold: %s",
                          PQresultErrorMessage(res));
        PQclear(res);
        open++;
    }
    pthread_mutex_unlock(&pool->lock);
    return open;
}

void db_pool_set_deadline(struct db_pool *pool, unsigned deadline_ms)
{
    pool->deadline_ms = deadline_ms;
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

static int free_slot(struct db_pool *pool)
{
    for (unsigned i = 0; i < pool->size; i++)
        if (!pool->busy[i])
            return (int)i;
    return -1;
}

/* Takes a free slot, waiting up to the bound behind earlier callers: first
 * come, first served, so the wait a caller sees is bounded by the queue ahead
 * of it and not by luck. Returns the slot or -1. */
static int take_slot(struct db_pool *pool)
{
    struct timespec deadline;
    struct waiter me = {.slot = -1};
    int rc = 0;
    deadline_after(&deadline, pool->wait_ms);
    pthread_mutex_lock(&pool->lock);
    if (pool->head == NULL && pool->in_use < pool->size) {
        me.slot = free_slot(pool);
        pool->busy[me.slot] = true;
        pool->in_use++;
        pthread_mutex_unlock(&pool->lock);
        return me.slot;
    }
    pthread_cond_init(&me.wake, NULL);
    if (pool->tail != NULL)
        pool->tail->next = &me;
    else
        pool->head = &me;
    pool->tail = &me;
    pool->waiting++;
    while (me.slot < 0 && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&me.wake, &pool->lock, &deadline);
    if (me.slot < 0) { /* timed out: leave the queue */
        struct waiter **p = &pool->head, *prev = NULL;
        while (*p != &me) {
            prev = *p;
            p = &(*p)->next;
        }
        *p = me.next;
        if (pool->tail == &me)
            pool->tail = prev;
    }
    pool->waiting--;
    pthread_mutex_unlock(&pool->lock);
    pthread_cond_destroy(&me.wake);
    return me.slot;
}

/* Hands the slot to the oldest waiter, or frees it. */
static void give_slot(struct db_pool *pool, unsigned slot)
{
    pthread_mutex_lock(&pool->lock);
    struct waiter *w = pool->head;
    if (w != NULL) {
        pool->head = w->next;
        if (pool->head == NULL)
            pool->tail = NULL;
        w->slot = (int)slot;
        pthread_cond_signal(&w->wake);
    } else {
        pool->busy[slot] = false;
        pool->in_use--;
    }
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
        conn = open_pooled(pool);
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

/* Ends an open or failed transaction, under the same deadline as any call. */
static void rollback(PGconn *conn)
{
    db_conn_later_clear(conn); /* never sent: nothing of them to undo */
    if (PQstatus(conn) != CONNECTION_OK || db_conn_broken(conn) ||
        PQtransactionStatus(conn) == PQTRANS_IDLE)
        return;
    PGresult *res = NULL;
    if (db_conn_run(conn, "ROLLBACK", 0, NULL, &res) == ST_OK)
        PQclear(res);
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
    db_conn_guard_clear(conn);
    rollback(conn);             /* and forgets what was held back */
    if (db_conn_broken(conn)) { /* silent past its deadline: open a new one on next use */
        PQfinish(conn);
        pool->conns[slot] = NULL;
    } else if (PQstatus(conn) != CONNECTION_OK) {
        PQreset(conn);
    }
    give_slot(pool, slot);
}

enum status db_status_of(PGconn *conn, const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (state != NULL && strcmp(state, "23505") == 0)
        return ST_CONFLICT;
    if (state != NULL && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0))
        return ST_RETRY;
    if (state != NULL && strcmp(state, "26000") == 0)
        return ST_RETRY; /* prepared statements vanished mid-transaction: db_conn prepares again */
    if (state != NULL && strcmp(state, "PR401") == 0)
        return ST_REVOKED; /* a guard refused (db_guard) */
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

void db_guard(PGconn *conn, const char *sql, int nparams, const char *const *params)
{
    db_conn_guard(conn, sql, nparams, params);
}

enum status db_guard_verdict(PGconn *conn)
{
    return db_conn_guard_settle(conn);
}

enum status db_exec(PGconn *conn, const char *sql, int nparams, const char *const *params,
                    PGresult **out)
{
    if (out != NULL)
        *out = NULL;
    PGresult *res = NULL;
    enum status run = db_conn_run(conn, sql, nparams, params, &res);
    if (run != ST_OK) /* past the deadline, cancelled */
        return run;
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

enum status db_exec_later(PGconn *conn, const char *sql, int nparams, const char *const *params)
{
    return db_conn_later(conn, sql, nparams, params) ? ST_OK
                                                     : db_exec(conn, sql, nparams, params, NULL);
}

static const char *begin_sql(const struct db_tx_opts *opts)
{
    if (opts != NULL && opts->isolation == DB_SNAPSHOT)
        return "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
    return opts != NULL && opts->isolation == DB_SERIALIZABLE ? "BEGIN ISOLATION LEVEL SERIALIZABLE"
                                                              : "BEGIN";
}

static enum status run_once(PGconn *conn, const struct db_tx_opts *opts, db_tx_fn fn, void *arg)
{
    /* BEGIN travels with the transaction's first statement */
    enum status st = db_exec_later(conn, begin_sql(opts), 0, NULL);
    if (st == ST_OK && opts != NULL && opts->after_begin != NULL)
        st = opts->after_begin(conn, opts->after_begin_arg);
    if (st == ST_OK)
        st = fn(conn, arg);
    if (st == ST_OK && opts != NULL && opts->before_commit != NULL)
        st = opts->before_commit(conn, opts->before_commit_arg);
    if (st == ST_OK)
        st = db_exec(conn, "COMMIT", 0, NULL, NULL);
    /* A connection that died answers ST_UNAVAILABLE (a 503 the client may
     * retry); db_release resets it. db_acquire already replaced any found
     * closed before the transaction began. */
    if (st != ST_OK)
        rollback(conn);
    return st;
}

enum status db_tx(PGconn *conn, const struct db_tx_opts *opts, db_tx_fn fn, void *arg)
{
    enum status st = ST_RETRY;
    /* A pending guard travels with the next statement in one implicit
     * transaction, and BEGIN ISOLATION LEVEL must open its transaction: for
     * any isolation but the default, the guard speaks alone first. */
    if (opts != NULL && opts->isolation != DB_READ_COMMITTED) {
        st = db_guard_verdict(conn);
        if (st != ST_OK)
            return st;
        st = ST_RETRY;
    }
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
