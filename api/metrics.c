/* Metrics: per-route request counters and latency histograms in relaxed C11
 * atomics (one slot per route of the table, plus "unmatched"), written by
 * hand in the Prometheus text format together with the pool gauges, the
 * database error and rate-limit counters and the build version. Also the
 * small listener that serves /metrics alone when PARCERIA_METRICS_BIND asks. */
#include "metrics.h"

#include "handlers.h"
#include "problem.h"
#include "service_outbox.h"
#include "util.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yder.h>

#ifndef PARCERIA_VERSION
#define PARCERIA_VERSION "0.0.0"
#endif

#define STATUS_MIN 100
#define STATUS_SPAN 500 /* statuses 100 to 599, each its own counter */

/* Histogram bounds: the microseconds compared and the `le` label written. */
static const struct {
    uint64_t us;
    const char *le;
} buckets[] = {
    {1000, "0.001"},  {2500, "0.0025"}, {5000, "0.005"},  {10000, "0.01"}, {25000, "0.025"},
    {50000, "0.05"},  {100000, "0.1"},  {250000, "0.25"}, {500000, "0.5"}, {1000000, "1"},
    {2500000, "2.5"}, {5000000, "5"},   {10000000, "10"},
};
#define NBUCKETS (sizeof buckets / sizeof buckets[0])

struct route_stats {
    atomic_ulong status[STATUS_SPAN];
    atomic_ulong bucket[NBUCKETS + 1]; /* not cumulative; the last is above every bound */
    atomic_ullong sum_us;
};

/* nroutes entries for the route table, then one for "unmatched". */
static struct route_stats *stats;
static size_t nroutes;
static atomic_ulong rate_limited;

void metrics_init(void)
{
    nroutes = 0;
    while (api_routes[nroutes].method != NULL)
        nroutes++;
    stats = xcalloc(nroutes + 1, sizeof *stats);
    for (size_t r = 0; r <= nroutes; r++) {
        for (size_t i = 0; i < STATUS_SPAN; i++)
            atomic_init(&stats[r].status[i], 0);
        for (size_t b = 0; b <= NBUCKETS; b++)
            atomic_init(&stats[r].bucket[b], 0);
        atomic_init(&stats[r].sum_us, 0);
    }
    atomic_store(&rate_limited, 0);
}

void metrics_cleanup(void)
{
    free(stats);
    stats = NULL;
    nroutes = 0;
}

/* The slot of a route: the table's entry with this method and template. A
 * template pointer usually is the table's own, so compare pointers first. */
static size_t slot_of(const char *method, const char *route)
{
    for (size_t i = 0; i < nroutes; i++) {
        const struct route *r = &api_routes[i];
        if ((r->path == route || strcmp(r->path, route) == 0) && strcmp(r->method, method) == 0)
            return i;
    }
    return nroutes;
}

void metrics_record(const char *method, const char *route, unsigned status, uint64_t duration_us)
{
    if (stats == NULL || method == NULL || route == NULL)
        return;
    struct route_stats *s = &stats[slot_of(method, route)];
    if (status >= STATUS_MIN && status < STATUS_MIN + STATUS_SPAN)
        atomic_fetch_add_explicit(&s->status[status - STATUS_MIN], 1, memory_order_relaxed);
    size_t b = 0;
    while (b < NBUCKETS && duration_us > buckets[b].us)
        b++;
    atomic_fetch_add_explicit(&s->bucket[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->sum_us, duration_us, memory_order_relaxed);
}

void metrics_rate_limited(void)
{
    atomic_fetch_add_explicit(&rate_limited, 1, memory_order_relaxed);
}

struct buf {
    char *data;
    size_t len;
    size_t cap;
};

static void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= b->cap - b->len) {
        while ((size_t)n >= b->cap - b->len)
            b->cap *= 2;
        b->data = xrealloc(b->data, b->cap);
        va_start(ap, fmt);
        vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
    }
    b->len += (size_t)n;
}

/* The labels naming a slot. Templates hold no quote, backslash or newline
 * (they are the table's literals), so they need no escaping. */
static void slot_labels(size_t slot, char *out, size_t size)
{
    if (slot == nroutes)
        snprintf(out, size, "route=\"unmatched\"");
    else
        snprintf(out, size, "method=\"%s\",route=\"%s\"", api_routes[slot].method,
                 api_routes[slot].path);
}

static void render_requests(struct buf *b)
{
    buf_printf(b, "# HELP parceria_http_requests_total HTTP requests answered, by route "
                  "template and status.\n"
                  "# TYPE parceria_http_requests_total counter\n");
    char labels[320];
    for (size_t r = 0; r <= nroutes; r++) {
        slot_labels(r, labels, sizeof labels);
        for (size_t i = 0; i < STATUS_SPAN; i++) {
            unsigned long n = atomic_load_explicit(&stats[r].status[i], memory_order_relaxed);
            if (n > 0)
                buf_printf(b, "parceria_http_requests_total{%s,status=\"%zu\"} %lu\n", labels,
                           i + STATUS_MIN, n);
        }
    }
}

/* Every route is written, requested or not, so that rates start at zero. */
static void render_latency(struct buf *b)
{
    static const char name[] = "parceria_http_request_duration_seconds";
    buf_printf(b,
               "# HELP %s Time from reading the request to answering it, by route template.\n"
               "# TYPE %s histogram\n",
               name, name);
    char labels[320];
    for (size_t r = 0; r <= nroutes; r++) {
        slot_labels(r, labels, sizeof labels);
        unsigned long cumulative = 0;
        for (size_t i = 0; i <= NBUCKETS; i++) {
            cumulative += atomic_load_explicit(&stats[r].bucket[i], memory_order_relaxed);
            buf_printf(b, "%s_bucket{%s,le=\"%s\"} %lu\n", name, labels,
                       i < NBUCKETS ? buckets[i].le : "+Inf", cumulative);
        }
        unsigned long long sum = atomic_load_explicit(&stats[r].sum_us, memory_order_relaxed);
        buf_printf(b, "%s_sum{%s} %llu.%06llu\n", name, labels, sum / 1000000, sum % 1000000);
        buf_printf(b, "%s_count{%s} %lu\n", name, labels, cumulative);
    }
}

static void render_service(struct buf *b, struct db_pool *pool, struct db_flight *state)
{
    if (state != NULL) {
        struct flight_stats fs;
        db_flight_stats(state, &fs);
        buf_printf(b,
                   "# HELP parceria_state_flights_total Statements that read the state kept "
                   "answers rest on, each for the requests that waited at once.\n"
                   "# TYPE parceria_state_flights_total counter\nparceria_state_flights_total %lu\n"
                   "# HELP parceria_state_asks_total Requests those statements answered.\n"
                   "# TYPE parceria_state_asks_total counter\nparceria_state_asks_total %lu\n",
                   fs.runs, fs.asks);
    }
    if (pool != NULL) {
        struct db_pool_stats ps;
        db_pool_stats(pool, &ps);
        buf_printf(b,
                   "# HELP parceria_db_pool_size Database connections the pool may hold.\n"
                   "# TYPE parceria_db_pool_size gauge\nparceria_db_pool_size %u\n"
                   "# HELP parceria_db_pool_in_use Database connections lent to requests now.\n"
                   "# TYPE parceria_db_pool_in_use gauge\nparceria_db_pool_in_use %u\n"
                   "# HELP parceria_db_pool_waiting Requests waiting for a database connection "
                   "now.\n"
                   "# TYPE parceria_db_pool_waiting gauge\nparceria_db_pool_waiting %u\n",
                   ps.size, ps.in_use, ps.waiting);
    }
    buf_printf(b,
               "# HELP parceria_db_errors_total Failed connections and statements.\n"
               "# TYPE parceria_db_errors_total counter\nparceria_db_errors_total %lu\n"
               "# HELP parceria_rate_limited_total Requests refused by a rate limit.\n"
               "# TYPE parceria_rate_limited_total counter\nparceria_rate_limited_total %lu\n"
               "# HELP parceria_build_info The running build.\n"
               "# TYPE parceria_build_info gauge\nparceria_build_info{version=\"%s\"} 1\n",
               db_error_count(), atomic_load_explicit(&rate_limited, memory_order_relaxed),
               PARCERIA_VERSION);
}

/* The outbox as the database holds it now (every worker's work): nothing
 * when the database does not answer. */
static void render_outbox(struct buf *b, struct db_pool *pool)
{
    struct outbox_stats s;
    if (pool == NULL || service_outbox_stats(pool, &s) != ST_OK)
        return;
    buf_printf(b,
               "# HELP parceria_outbox_pending Messages waiting to be delivered (the queue).\n"
               "# TYPE parceria_outbox_pending gauge\nparceria_outbox_pending %lld\n"
               "# HELP parceria_outbox_oldest_pending_seconds Age of the oldest message waiting.\n"
               "# TYPE parceria_outbox_oldest_pending_seconds gauge\n"
               "parceria_outbox_oldest_pending_seconds %.3f\n"
               "# HELP parceria_outbox_messages Messages by the outcome of their delivery.\n"
               "# TYPE parceria_outbox_messages gauge\n"
               "parceria_outbox_messages{status=\"pending\"} %lld\n"
               "parceria_outbox_messages{status=\"sent\"} %lld\n"
               "parceria_outbox_messages{status=\"failed\"} %lld\n",
               s.pending, s.oldest_pending_s, s.pending, s.sent, s.failed);
}

char *metrics_render(struct db_pool *pool, struct db_flight *state, size_t *len)
{
    struct buf b = {.data = xmalloc(16384), .len = 0, .cap = 16384};
    b.data[0] = '\0';
    if (stats != NULL) {
        render_requests(&b);
        render_latency(&b);
    }
    render_service(&b, pool, state);
    render_outbox(&b, pool);
    *len = b.len;
    return b.data;
}

bool metrics_separate(const struct config *cfg)
{
    return cfg->metrics_bind != NULL &&
           (strcmp(cfg->metrics_bind, cfg->bind_address) != 0 || cfg->metrics_port != cfg->port);
}

int api_metrics_get(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)
{
    (void)req;
    if (metrics_separate(ctx->app->cfg))
        return problem_send(resp, ctx, PROBLEM_NOT_FOUND, PROBLEM_NO_DETAIL, NULL);
    size_t len = 0;
    char *text = metrics_render(ctx->app->pool, ctx->app->state, &len);
    int rc = api_send_text(resp, ctx, 200, METRICS_CONTENT_TYPE, text, len);
    free(text);
    return rc;
}

struct metrics_server {
    struct _u_instance instance;
    struct sockaddr_in addr;
};

/* The whole of the separate listener: GET /metrics, 405 for another method,
 * 404 for another path. It passes no prelude: nothing here reads input. */
static int serve_metrics_only(const struct _u_request *req, struct _u_response *resp,
                              void *user_data)
{
    const struct app *app = user_data;
    if (strcmp(req->url_path, "/metrics") != 0) {
        ulfius_set_string_body_response(resp, 404, "not found\n");
    } else if (strcmp(req->http_verb, "GET") != 0 && strcmp(req->http_verb, "HEAD") != 0) {
        u_map_put(resp->map_header, "Allow", "GET, HEAD");
        ulfius_set_string_body_response(resp, 405, "method not allowed\n");
    } else {
        size_t len = 0;
        char *text = metrics_render(app->pool, app->state, &len);
        ulfius_set_binary_body_response(resp, 200, text, len);
        free(text);
        u_map_put(resp->map_header, "Content-Type", METRICS_CONTENT_TYPE);
        return U_CALLBACK_COMPLETE;
    }
    u_map_put(resp->map_header, "Content-Type", "text/plain; charset=utf-8");
    return U_CALLBACK_COMPLETE;
}

struct metrics_server *metrics_server_start(const struct app *app)
{
    const struct config *cfg = app->cfg;
    struct metrics_server *s = xcalloc(1, sizeof *s);
    s->addr.sin_family = AF_INET;
    s->addr.sin_port = htons((uint16_t)cfg->metrics_port);
    inet_pton(AF_INET, cfg->metrics_bind, &s->addr.sin_addr);
    if (ulfius_init_instance(&s->instance, cfg->metrics_port, NULL, NULL) != U_OK) {
        free(s);
        return NULL;
    }
    s->instance.allowed_post_processor = U_POST_PROCESS_NONE;
    s->instance.max_post_body_size = 1024;
    /* One polling thread: scrapes are rare and rendering is quick. */
    struct MHD_OptionItem ops[] = {
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)mhd_request_completed, NULL},
        {MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)ulfius_uri_logger, NULL},
        {MHD_OPTION_SOCK_ADDR, 0, &s->addr},
        {MHD_OPTION_CONNECTION_TIMEOUT, 10, NULL},
        {MHD_OPTION_CONNECTION_LIMIT, 32, NULL},
        {MHD_OPTION_END, 0, NULL},
    };
    if (ulfius_add_endpoint_by_val(&s->instance, "*", NULL, "*", 0, serve_metrics_only,
                                   (void *)app) != U_OK ||
        ulfius_start_framework_with_mhd_options(
            &s->instance, MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, ops) != U_OK) {
        y_log_message(Y_LOG_LEVEL_ERROR, "cannot listen for metrics on %s:%u", cfg->metrics_bind,
                      cfg->metrics_port);
        ulfius_clean_instance(&s->instance);
        free(s);
        return NULL;
    }
    return s;
}

void metrics_server_stop(struct metrics_server *s)
{
    if (s == NULL)
        return;
    ulfius_stop_framework(&s->instance);
    ulfius_clean_instance(&s->instance);
    free(s);
}
