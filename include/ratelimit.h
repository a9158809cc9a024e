/* Per-client rate limits kept in this process's memory: token buckets in a
 * bounded, set-associative table, so counting a request writes nothing
 * durable. Each replica enforces its share (limit / replicas) of the limit. */
#ifndef PARCERIA_RATELIMIT_H
#define PARCERIA_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct ratelimit;

/* Milliseconds on a monotonic clock; tests pass their own. */
typedef uint64_t (*ratelimit_clock)(void *arg);

struct ratelimit_result {
    bool allowed;
    unsigned limit;   /* this replica's share of the limit: the bucket's size */
    long remaining;   /* whole tokens left after this request */
    long reset_s;     /* seconds until the bucket is full again */
    long retry_after; /* when refused: seconds until one token is back */
};

/* Returns a new limiter holding at most max_buckets clients (rounded up to a
 * multiple of the set size). replicas (at least 1) divides every limit.
 * clock NULL means CLOCK_MONOTONIC. */
struct ratelimit *ratelimit_new(unsigned max_buckets, unsigned replicas, ratelimit_clock clock,
                                void *clock_arg);
void ratelimit_free(struct ratelimit *rl);

/* Takes one token from key's bucket, which holds limit / replicas tokens
 * (at least one) and refills completely over window_s seconds. Thread-safe. */
void ratelimit_hit(struct ratelimit *rl, const char *key, unsigned limit, unsigned window_s,
                   struct ratelimit_result *out);

/* Whether a token is there, taking none (a limit on failures: look first,
 * count only what fails). */
void ratelimit_peek(struct ratelimit *rl, const char *key, unsigned limit, unsigned window_s,
                    struct ratelimit_result *out);

/* How many buckets are in use (tests, metrics). */
unsigned ratelimit_size(struct ratelimit *rl);

#endif
