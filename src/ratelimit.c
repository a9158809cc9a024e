/* In-memory token buckets for per-client limits, in GCRA form: a bucket is
 * one "theoretical arrival time" (TAT), the moment it would be full again.
 * The table is set-associative with a fixed number of ways, so memory is
 * bounded; a new client evicts the fullest bucket of its set, which forgets
 * the least (a bucket whose TAT has passed is full and equal to no bucket). */
#include "ratelimit.h"

#include "util.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WAYS 8
#define STRIPES 16

struct bucket {
    uint64_t key; /* keyed hash of the client's name; 0 when empty */
    uint64_t tat; /* ms: when the bucket is full again */
};

struct ratelimit {
    pthread_mutex_t locks[STRIPES];
    unsigned nsets;
    unsigned replicas;
    ratelimit_clock clock;
    void *clock_arg;
    unsigned char hash_key[crypto_shorthash_KEYBYTES];
    struct bucket *buckets; /* nsets * WAYS */
};

static uint64_t monotonic_ms(void *arg)
{
    (void)arg;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

struct ratelimit *ratelimit_new(unsigned max_buckets, unsigned replicas, ratelimit_clock clock,
                                void *clock_arg)
{
    if (sodium_init() < 0)
        abort();
    struct ratelimit *rl = xcalloc(1, sizeof *rl);
    for (unsigned i = 0; i < STRIPES; i++)
        pthread_mutex_init(&rl->locks[i], NULL);
    rl->nsets = max_buckets < WAYS ? 1 : (max_buckets + WAYS - 1) / WAYS;
    rl->replicas = replicas ? replicas : 1;
    rl->clock = clock ? clock : monotonic_ms;
    rl->clock_arg = clock_arg;
    /* Keyed, so that no client can pick names that collide with another's. */
    randombytes_buf(rl->hash_key, sizeof rl->hash_key);
    rl->buckets = xcalloc((size_t)rl->nsets * WAYS, sizeof *rl->buckets);
    return rl;
}

void ratelimit_free(struct ratelimit *rl)
{
    if (rl == NULL)
        return;
    for (unsigned i = 0; i < STRIPES; i++)
        pthread_mutex_destroy(&rl->locks[i]);
    free(rl->buckets);
    free(rl);
}

/* key's bucket in its set: the one it had, an empty one, or the fullest. */
static struct bucket *find(struct bucket *set, uint64_t key, uint64_t now)
{
    struct bucket *victim = &set[0];
    for (unsigned i = 0; i < WAYS; i++) {
        if (set[i].key == key)
            return &set[i];
        if (set[i].key == 0 || (victim->key != 0 && set[i].tat < victim->tat))
            victim = &set[i];
    }
    victim->key = key;
    victim->tat = now;
    return victim;
}

static long ceil_s(uint64_t ms)
{
    return (long)((ms + 999) / 1000);
}

/* One token from key's bucket (consume), or only whether one is there. */
static void take(struct ratelimit *rl, const char *key, unsigned limit, unsigned window_s,
                 bool consume, struct ratelimit_result *out)
{
    unsigned share = limit / rl->replicas;
    if (share == 0)
        share = 1;
    uint64_t window = (uint64_t)(window_s ? window_s : 1) * 1000u;
    uint64_t interval = window / share; /* one token comes back every interval ms */
    if (interval == 0)
        interval = 1;
    unsigned char h[crypto_shorthash_BYTES];
    crypto_shorthash(h, (const unsigned char *)key, strlen(key), rl->hash_key);
    uint64_t k;
    memcpy(&k, h, sizeof k);
    k |= 1; /* 0 marks an empty way */
    unsigned set = (unsigned)(k >> 1) % rl->nsets;
    pthread_mutex_t *lock = &rl->locks[set % STRIPES];

    pthread_mutex_lock(lock);
    uint64_t now = rl->clock(rl->clock_arg);
    struct bucket *b = find(&rl->buckets[(size_t)set * WAYS], k, now);
    uint64_t tat = b->tat > now ? b->tat : now;
    uint64_t next = tat + interval;
    out->limit = share;
    out->allowed = next - now <= window;
    if (out->allowed && consume)
        b->tat = tat = next;
    pthread_mutex_unlock(lock);

    uint64_t owed = tat - now; /* ms of tokens taken and not yet back */
    out->remaining = owed >= window ? 0 : (long)((window - owed) / interval);
    out->reset_s = ceil_s(owed);
    out->retry_after = out->allowed ? 0 : ceil_s(next - now - window);
    if (!out->allowed && out->retry_after < 1)
        out->retry_after = 1;
}

void ratelimit_hit(struct ratelimit *rl, const char *key, unsigned limit, unsigned window_s,
                   struct ratelimit_result *out)
{
    take(rl, key, limit, window_s, true, out);
}

void ratelimit_peek(struct ratelimit *rl, const char *key, unsigned limit, unsigned window_s,
                    struct ratelimit_result *out)
{
    take(rl, key, limit, window_s, false, out);
}

unsigned ratelimit_size(struct ratelimit *rl)
{
    unsigned n = 0;
    for (unsigned s = 0; s < rl->nsets; s++) {
        pthread_mutex_lock(&rl->locks[s % STRIPES]);
        for (unsigned i = 0; i < WAYS; i++)
            n += rl->buckets[(size_t)s * WAYS + i].key != 0;
        pthread_mutex_unlock(&rl->locks[s % STRIPES]);
    }
    return n;
}
