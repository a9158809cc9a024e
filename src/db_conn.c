/* Per-connection state of the pool: a bounded table of prepared statements
 * keyed by the SQL text, asynchronous execution under a deadline, and
 * statements held back to travel with the next call in one round trip (libpq
 * pipeline mode): a guard, and writes whose results nobody reads. The state hangs on the PGconn
 * through a libpq event hook, so PQreset (a new backend that knows no statements) clears it and
 * PQfinish frees it. */
#include "db_conn.h"

#include "util.h"

#include <errno.h>
#include <libpq-events.h>
#include <poll.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yder.h>

#define CANCEL_GRACE_MS 500
#define TABLE_SLOTS (2 * DB_CONN_MAX_STATEMENTS) /* open addressing, at most half full */
#define GUARD_SQLSTATE "PR401"                   /* a guard's refusal (migration 0008) */

struct stmt {
    uint64_t hash;
    char *sql; /* a copy: texts built at run time are freed by their caller */
    unsigned id;
};

/* A statement held back until the next call: its text is static, its
 * parameters are copies. */
struct guard {
    const char *sql; /* NULL: none pending */
    int nparams;
    char *params[DB_CONN_MAX_GUARD_PARAMS];
    enum status verdict; /* the last guard's, until db_conn_guard_clear */
};

/* A statement held back by db_conn_later: text and parameters are copies. */
struct later {
    char *sql;
    int nparams;
    char **params;
};

struct conn_state {
    unsigned deadline_ms;
    bool broken;
    unsigned count;
    unsigned next_id; /* never reused on this PGconn, so a name never clashes */
    struct guard guard;
    struct later later[DB_CONN_MAX_LATER];
    unsigned nlater;
    struct stmt table[TABLE_SLOTS];
};

enum wait_result { WAIT_READY, WAIT_TIMEOUT, WAIT_FAILED };

static void drop_guard(struct guard *g)
{
    for (int i = 0; i < g->nparams; i++) {
        free(g->params[i]);
        g->params[i] = NULL;
    }
    g->sql = NULL;
    g->nparams = 0;
}

static void drop_later(struct conn_state *cs)
{
    for (unsigned i = 0; i < cs->nlater; i++) {
        struct later *l = &cs->later[i];
        for (int k = 0; k < l->nparams; k++)
            if (l->params[k] != NULL) { /* a value may be a one-time token */
                sodium_memzero(l->params[k], strlen(l->params[k]));
                free(l->params[k]);
            }
        free(l->params);
        free(l->sql);
    }
    cs->nlater = 0;
}

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
    if (cs != NULL && id == PGEVT_CONNDESTROY) {
        drop_guard(&cs->guard);
        drop_later(cs);
        free(cs);
    }
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

/* Prepares sql on first use. *s is its table entry, or NULL when the table is
 * full (it then runs unnamed). A failed prepare leaves its result in *out. */
static enum status prepare(PGconn *conn, struct conn_state *cs, const char *sql, int nparams,
                           const struct timespec *deadline, struct stmt **s, PGresult **out)
{
    uint64_t h = hash_text(sql);
    *s = slot_for(cs, sql, h);
    if ((*s)->sql != NULL)
        return ST_OK;
    if (cs->count >= DB_CONN_MAX_STATEMENTS) {
        *s = NULL;
        return ST_OK;
    }
    char name[24];
    PGresult *res = NULL;
    snprintf(name, sizeof name, "p%u", cs->next_id);
    enum status st =
        PQsendPrepare(conn, name, sql, nparams, NULL) ? collect(conn, cs, deadline, &res) : ST_OK;
    if (st != ST_OK || PQresultStatus(res) != PGRES_COMMAND_OK) {
        *out = res; /* NULL or the error: db_exec maps it */
        return st;
    }
    PQclear(res);
    **s = (struct stmt){.hash = h, .sql = xstrdup(sql), .id = cs->next_id++};
    cs->count++;
    return ST_OK;
}

static bool send_one(PGconn *conn, const struct stmt *s, const char *sql, int nparams,
                     const char *const *params)
{
    if (s == NULL)
        return PQsendQueryParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
    char name[24];
    snprintf(name, sizeof name, "p%u", s->id);
    return PQsendQueryPrepared(conn, name, nparams, params, NULL, NULL, 0);
}

/* What a guard's result says: it stands, it refused, or it could not tell. */
static enum status verdict_of(const PGresult *res)
{
    ExecStatusType t = PQresultStatus(res);
    if (t == PGRES_TUPLES_OK || t == PGRES_COMMAND_OK)
        return ST_OK;
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    return state != NULL && strcmp(state, GUARD_SQLSTATE) == 0 ? ST_REVOKED : ST_UNAVAILABLE;
}

/* Reads the pipeline's end. Anything else there, or a pipeline that will not
 * close, leaves the connection unfit: the pool drops it. */
static void end_pipeline(PGconn *conn, struct conn_state *cs, const struct timespec *deadline)
{
    while (!cs->broken && await_result(conn, deadline) == WAIT_READY) {
        PGresult *res = PQgetResult(conn);
        ExecStatusType t = PQresultStatus(res);
        PQclear(res);
        if (res == NULL || t == PGRES_PIPELINE_SYNC)
            break;
    }
    if (!PQexitPipelineMode(conn))
        cs->broken = true;
}

/* One statement of a pipeline. */
struct item {
    const char *sql;
    int nparams;
    const char *const *params;
    struct stmt *s;
};

static bool succeeded(const PGresult *res)
{
    ExecStatusType t = PQresultStatus(res);
    return t == PGRES_TUPLES_OK || t == PGRES_COMMAND_OK;
}

/* Sends items[0..n) in one round trip (one alone needs no pipeline) and
 * collects a result each into res. */
static enum status send_items(PGconn *conn, struct conn_state *cs, struct item *items, int n,
                              const struct timespec *deadline, PGresult **res)
{
    if (n == 1)
        return send_one(conn, items[0].s, items[0].sql, items[0].nparams, items[0].params)
                   ? collect(conn, cs, deadline, &res[0])
                   : ST_OK;
    if (!PQenterPipelineMode(conn))
        return ST_OK;
    enum status st = ST_OK;
    bool sent = true;
    for (int i = 0; i < n && sent; i++)
        sent = send_one(conn, items[i].s, items[i].sql, items[i].nparams, items[i].params);
    if (sent && PQpipelineSync(conn))
        for (int i = 0; i < n && st == ST_OK; i++)
            st = collect(conn, cs, deadline, &res[i]);
    if (st == ST_OK)
        end_pipeline(conn, cs, deadline);
    else
        cs->broken = true; /* past the deadline mid-pipeline: not worth unwinding */
    return st;
}

/* The pending guard, the statements held back, then sql, in one round trip.
 * *out is sql's result; or the guard's error when it refused or failed, or
 * the first failed held-back statement's (PostgreSQL skips what follows a
 * failure, up to the pipeline's end). */
static enum status run(PGconn *conn, struct conn_state *cs, const char *sql, int nparams,
                       const char *const *params, const struct timespec *deadline, PGresult **out)
{
    struct item items[2 + DB_CONN_MAX_LATER];
    PGresult *res[2 + DB_CONN_MAX_LATER] = {0};
    int n = 0;
    struct guard *g = &cs->guard;
    bool guarded = g->sql != NULL;
    if (guarded) {
        g->verdict = ST_UNAVAILABLE; /* until the guard's own result says otherwise */
        items[n++] = (struct item){g->sql, g->nparams, (const char *const *)g->params, NULL};
    }
    for (unsigned i = 0; i < cs->nlater; i++)
        items[n++] = (struct item){cs->later[i].sql, cs->later[i].nparams,
                                   (const char *const *)cs->later[i].params, NULL};
    items[n++] = (struct item){sql, nparams, params, NULL};
    for (int i = 0; i < n; i++) {
        enum status st =
            prepare(conn, cs, items[i].sql, items[i].nparams, deadline, &items[i].s, out);
        if (st != ST_OK || *out != NULL)
            return st; /* a failed prepare's error stands for the whole */
    }
    enum status st = send_items(conn, cs, items, n, deadline, res);
    bool whole = st == ST_OK;
    for (int i = 0; i < n; i++)
        whole = whole && res[i] != NULL;
    int pick = n - 1;
    if (whole && guarded) {
        g->verdict = verdict_of(res[0]);
        if (g->verdict != ST_OK)
            pick = 0;
    }
    for (int i = guarded ? 1 : 0; whole && pick == n - 1 && i < n - 1; i++)
        if (!succeeded(res[i]))
            pick = i;
    for (int i = 0; i < n; i++)
        if (!whole || i != pick)
            PQclear(res[i]);
    if (whole)
        *out = res[pick];
    return st;
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
    bool guarded = cs->guard.sql != NULL, held = cs->nlater > 0;
    enum status st = run(conn, cs, sql, nparams, params, &deadline, res);
    drop_later(cs); /* sent, or failed with the call: never twice */
    if (guarded && (st != ST_OK || !vanished(*res)))
        drop_guard(&cs->guard); /* it has spoken, or the call failed: no second try */
    if (st != ST_OK || !vanished(*res))
        return st;
    /* Someone ran DEALLOCATE or DISCARD on this session: prepare again. Inside
     * a transaction the error aborted it, so the caller retries the whole. */
    forget(cs);
    if (held || PQtransactionStatus(conn) != PQTRANS_IDLE)
        return st;
    PQclear(*res);
    *res = NULL;
    return run(conn, cs, sql, nparams, params, &deadline, res);
}

void db_conn_guard(PGconn *conn, const char *sql, int nparams, const char *const *params)
{
    struct conn_state *cs = state_of(conn);
    if (cs == NULL || nparams > DB_CONN_MAX_GUARD_PARAMS)
        abort(); /* a programming error: guards are for pooled connections */
    drop_guard(&cs->guard);
    cs->guard.sql = sql;
    cs->guard.nparams = nparams;
    for (int i = 0; i < nparams; i++)
        cs->guard.params[i] = params[i] ? xstrdup(params[i]) : NULL;
    cs->guard.verdict = ST_OK;
}

enum status db_conn_guard_settle(PGconn *conn)
{
    struct conn_state *cs = state_of(conn);
    if (cs == NULL)
        return ST_OK;
    if (cs->guard.sql == NULL)
        return cs->guard.verdict;
    PGresult *res = NULL;
    /* the guard alone: its own text as the call, no guard in front */
    struct guard g = cs->guard;
    cs->guard.sql = NULL;
    enum status st = db_conn_run(conn, g.sql, g.nparams, (const char *const *)g.params, &res);
    cs->guard = g;
    cs->guard.verdict = st == ST_OK ? verdict_of(res) : st;
    PQclear(res);
    drop_guard(&cs->guard);
    return cs->guard.verdict;
}

void db_conn_guard_clear(PGconn *conn)
{
    struct conn_state *cs = state_of(conn);
    if (cs == NULL)
        return;
    drop_guard(&cs->guard);
    cs->guard.verdict = ST_OK;
}

bool db_conn_later(PGconn *conn, const char *sql, int nparams, const char *const *params)
{
    struct conn_state *cs = state_of(conn);
    if (cs == NULL || cs->broken || cs->nlater == DB_CONN_MAX_LATER)
        return false;
    /* Only inside a transaction (or one whose BEGIN is held), where a later
     * call is certain: the COMMIT at the latest. */
    bool in_tx = PQtransactionStatus(conn) == PQTRANS_INTRANS || cs->nlater > 0 ||
                 strncmp(sql, "BEGIN", 5) == 0;
    if (!in_tx)
        return false;
    struct later *l = &cs->later[cs->nlater++];
    l->sql = xstrdup(sql);
    l->nparams = nparams;
    l->params = nparams > 0 ? xcalloc((size_t)nparams, sizeof *l->params) : NULL;
    for (int i = 0; i < nparams; i++)
        l->params[i] = params[i] ? xstrdup(params[i]) : NULL;
    return true;
}

void db_conn_later_clear(PGconn *conn)
{
    struct conn_state *cs = state_of(conn);
    if (cs != NULL)
        drop_later(cs);
}
