/* Service metrics in the Prometheus text format, kept in C11 atomics so that
 * recording a request takes no lock. Routes are the route table's templates
 * plus "unmatched", so the counters are sized once at start-up. */
#ifndef PARCERIA_METRICS_H
#define PARCERIA_METRICS_H

#include "api.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* Sizes the counters from the route table. Call once before serving;
 * metrics_cleanup frees them once no request can arrive any more. */
void metrics_init(void);
void metrics_cleanup(void);

/* Counts one answered request. route is a template of the route table (or
 * anything else, counted as "unmatched"); never a concrete path. */
void metrics_record(const char *method, const char *route, unsigned status, uint64_t duration_us);

/* Counts one request refused by a rate limit. */
void metrics_rate_limited(void);

/* The exposition text; pool may be NULL (no pool gauges), state too (no
 * flight counters). Returns a new string the caller frees; *len receives
 * its length. */
char *metrics_render(struct db_pool *pool, struct db_flight *state, size_t *len);

/* True when PARCERIA_METRICS_BIND puts /metrics on its own listener, so the
 * API's port answers 404 there. */
bool metrics_separate(const struct config *cfg);

/* The listener that serves only GET /metrics on cfg->metrics_bind:port.
 * NULL (logged) when it cannot listen. */
struct metrics_server;
struct metrics_server *metrics_server_start(const struct app *app);
void metrics_server_stop(struct metrics_server *server);

#endif
