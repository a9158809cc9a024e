/* Per-connection state of the pool: a bounded table of prepared statements
 * keyed by the SQL text, and asynchronous execution under a deadline. The
 * state hangs on the PGconn through a libpq event hook, so PQreset (a new
 * backend that knows no statements) clears it and PQfinish frees it. */
#include "db_conn.h"

#include "util.h"

#include <errno.h>
#include <libpq-events.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yder.h>

#define CANCEL_GRACE_MS 500
#define TABLE_SLOTS (2 * DB_CONN_MAX_STATEMENTS) /* open addressing, at most half full */

struct stmt {
    uint64_t hash;
    char *sql; /* a copy: texts built at run time are freed by their caller */
    unsigned id;
};

struct conn_state {
    unsigned deadline_ms;
    bool broken;
    unsigned count;
    unsigned next_id; /* never reused on this PGconn, so a name never clashes */
    struct stmt table[TABLE_SLOTS];
};

enum wait_result { WAIT_READY, WAIT_TIMEOUT, WAIT_FAILED };

static void forget(struct conn_state *cs)
{
    for (unsigned i = 0; i < TABLE_SLOTS; i++) {
        free(cs->table[i].sql);
        cs->table[i].sql = NULL;
    }
    cs->count = 0;
    cs->broken = false;
}

static int on_event(PGEventId id, void *info, void *pass)
{
    (void)pass;
    struct conn_state *cs = NULL;
    if (id == PGEVT_CONNRESET)
        cs = PQinstanceData(((PGEventConnReset *)info)->conn, on_event);
    else if (id == PGEVT_CONNDESTROY)
        cs = PQinstanceData(((PGEventConnDestroy *)info)->conn, on_event);
    if (cs != NULL)
        forget(cs);
    if (cs != NULL && id == PGEVT_CONNDESTROY)
        free(cs);
    return 1;
}

bool db_conn_attach(PGconn *conn, unsigned deadline_ms)
{
    if (!PQregisterEventProc(conn, on_event, "parceria", NULL))
        return false;
    struct conn_state *cs = xcalloc(1, sizeof *cs);
    cs->deadline_ms = deadline_ms;
    PQsetInstanceData(conn, on_event, cs);
    return true;
}

static struct conn_state *state_of(const PGconn *conn)
{
    return PQinstanceData(conn, on_event);
}

bool db_conn_broken(const PGconn *conn)
{
    const struct conn_state *cs = state_of(conn);
    return cs != NULL && cs->broken;
}

unsigned db_conn_prepared(const PGconn *conn)
{
    const struct conn_state *cs = state_of(conn);
    return cs ? cs->count : 0;
}

static uint64_t hash_text(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a: the texts are ours, not the client's */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* The slot holding sql, or the empty slot where it would go. */
static struct stmt *slot_for(struct conn_state *cs, const char *sql, uint64_t h)
{
    unsigned i = (unsigned)(h % TABLE_SLOTS);
    while (cs->table[i].sql != NULL &&
           (cs->table[i].hash != h || strcmp(cs->table[i].sql, sql) != 0))
        i = (i + 1) % TABLE_SLOTS;
    return &cs->table[i];
}

static void deadline_in(struct timespec *ts, unsigned ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

static int ms_until(const struct timespec *deadline)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long ms =
        (deadline->tv_sec - now.tv_sec) * 1000L + (deadline->tv_nsec - now.tv_nsec) / 1000000L;
    return ms < 0 ? 0 : (int)ms;
}

/* Sends what libpq has queued and reads until a whole result is there. */
static enum wait_result await_result(PGconn *conn, const struct timespec *deadline)
{
    for (;;) {
        int pending = PQflush(conn);
        if (pending < 0)
            return WAIT_FAILED;
        if (pending == 0 && !PQisBusy(conn))
            return WAIT_READY;
        struct pollfd p = {.fd = PQsocket(conn), .events = POLLIN | (pending ? POLLOUT : 0)};
        int n = poll(&p, 1, ms_until(deadline));
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0)
            return WAIT_TIMEOUT;
        if (n < 0 || ((p.revents & POLLIN) && !PQconsumeInput(conn)))
            return WAIT_FAILED;
    }
}

/* Past the deadline: asks the server to cancel, then waits briefly for the
 * statement to end. A connection that stays silent is marked broken. */
static void cancel(PGconn *conn, struct conn_state *cs)
{
    char why[256];
    PGcancel *c = PQgetCancel(conn);
    if (c == NULL || !PQcancel(c, why, sizeof why))
        cs->broken = true;
    PQfreeCancel(c);
    struct timespec grace;
    deadline_in(&grace, CANCEL_GRACE_MS);
    while (!cs->broken) {
        if (await_result(conn, &grace) != WAIT_READY) {
            cs->broken = true;
            break;
        }
        PGresult *res = PQgetResult(conn);
        if (res == NULL)
            break;
        PQclear(res);
    }
}

/* Collects the statement's result: the first one, the rest drained. */
static enum status collect(PGconn *conn, struct conn_state *cs, const struct timespec *deadline,
                           PGresult **out)
{
    PGresult *first = NULL;
    for (;;) {
        enum wait_result w = await_result(conn, deadline);
        if (w == WAIT_TIMEOUT) {
            y_log_message(Y_LOG_LEVEL_ERROR, "database call passed its %u ms deadline: cancelled",
                          cs->deadline_ms);
            PQclear(first);
            cancel(conn, cs);
            return ST_UNAVAILABLE;
        }
        PGresult *res = PQgetResult(conn); /* does not block on a failed connection */
        if (res == NULL)
            break;
        if (first == NULL)
            first = res;
        else
            PQclear(res);
        if (w == WAIT_FAILED && PQstatus(conn) == CONNECTION_BAD)
            break;
    }
    *out = first;
    return ST_OK;
}

static enum status run(PGconn *conn, struct conn_state *cs, const char *sql, int nparams,
                       const char *const *params, const struct timespec *deadline, PGresult **out)
{
    uint64_t h = hash_text(sql);
    struct stmt *s = slot_for(cs, sql, h);
    char name[24];
    if (s->sql == NULL && cs->count < DB_CONN_MAX_STATEMENTS) {
        PGresult *res = NULL;
        snprintf(name, sizeof name, "p%u", cs->next_id);
        enum status st = PQsendPrepare(conn, name, sql, nparams, NULL)
                             ? collect(conn, cs, deadline, &res)
                             : ST_OK;
        if (st != ST_OK || PQresultStatus(res) != PGRES_COMMAND_OK) {
            *out = res; /* NULL or the error: db_exec maps it */
            return st;
        }
        PQclear(res);
        *s = (struct stmt){.hash = h, .sql = xstrdup(sql), .id = cs->next_id++};
        cs->count++;
    }
    int sent;
    if (s->sql != NULL) {
        snprintf(name, sizeof name, "p%u", s->id);
        sent = PQsendQueryPrepared(conn, name, nparams, params, NULL, NULL, 0);
    } else { /* the table is full: plan it each time rather than grow */
        sent = PQsendQueryParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
    }
    if (!sent)
        return ST_OK;
    return collect(conn, cs, deadline, out);
}

static bool vanished(const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    return state != NULL && strcmp(state, "26000") == 0; /* invalid_sql_statement_name */
}

enum status db_conn_run(PGconn *conn, const char *sql, int nparams, const char *const *params,
                        PGresult **res)
{
    *res = NULL;
    struct conn_state *cs = state_of(conn);
    if (cs == NULL) {
        *res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
        return ST_OK;
    }
    if (cs->broken)
        return ST_UNAVAILABLE;
    struct timespec deadline;
    deadline_in(&deadline, cs->deadline_ms);
    enum status st = run(conn, cs, sql, nparams, params, &deadline, res);
    if (st != ST_OK || !vanished(*res))
        return st;
    /* Someone ran DEALLOCATE or DISCARD on this session: prepare again. Inside
     * a transaction the error aborted it, so the caller retries the whole. */
    forget(cs);
    if (PQtransactionStatus(conn) != PQTRANS_IDLE)
        return st;
    PQclear(*res);
    *res = NULL;
    return run(conn, cs, sql, nparams, params, &deadline, res);
}
