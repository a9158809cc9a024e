/* The page cache (pagecache.h): sets of sixteen ways under one mutex. A key
 * hashes to one set (SipHash, libsodium's crypto_shorthash, under a key drawn
 * at start: callers choose much of a key, and must not be able to aim many
 * at one set); a new key takes an empty way or the least recently used one.
 * Copies in and out, so no page is shared past the lock. */
#include "pagecache.h"

#include "util.h"

#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct slot {
    char *key;     /* NULL: empty */
    uint64_t hash; /* the key's */
    long long version;
    char *body;
    size_t len;
    char etag[PAGECACHE_ETAG_MAX];
    unsigned long long used; /* the tick of its last use: the least recent way goes first */
};

/* Sets of PAGECACHE_WAYS slots: a key lives in one set, in any of its ways,
 * so hot keys that hash alike do not evict each other at every use. Keys
 * land in sets at random, so a set must hold well past the mean: with four
 * ways, 300 registrars' records overflowed a set in about one start of six
 * (and FNV-1a, the hash before, put them in 140 of the 512 sets and lost a
 * seventh of them at every use); with sixteen ways and 128 sets, a set gets
 * 2.3 of them on average and more than sixteen about once in 10^7 starts. */
#define PAGECACHE_WAYS 16
#define PAGECACHE_SETS (PAGECACHE_SLOTS / PAGECACHE_WAYS)

static struct slot slots[PAGECACHE_SLOTS];
static size_t bytes; /* the bodies kept, in all */
static unsigned long long tick;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static unsigned char hash_key[crypto_shorthash_KEYBYTES];
static pthread_once_t hash_once = PTHREAD_ONCE_INIT;

static void hash_init(void)
{
    if (sodium_init() < 0)
        abort();
    randombytes_buf(hash_key, sizeof hash_key);
}

static uint64_t hash_of(const char *key)
{
    pthread_once(&hash_once, hash_init);
    unsigned char out[crypto_shorthash_BYTES];
    crypto_shorthash(out, (const unsigned char *)key, strlen(key), hash_key);
    uint64_t h;
    memcpy(&h, out, sizeof h);
    return h;
}

static struct slot *set_of(uint64_t hash)
{
    return &slots[(hash % PAGECACHE_SETS) * PAGECACHE_WAYS];
}

/* The way holding key (of that hash) in its set, or NULL. */
static struct slot *way_of(struct slot *set, const char *key, uint64_t hash)
{
    for (int i = 0; i < PAGECACHE_WAYS; i++)
        if (set[i].key != NULL && set[i].hash == hash && strcmp(set[i].key, key) == 0)
            return &set[i];
    return NULL;
}

static void slot_empty(struct slot *s)
{
    bytes -= s->len;
    free(s->key);
    free(s->body);
    memset(s, 0, sizeof *s);
}

bool pagecache_get(const char *key, long long version, struct pagecache_page *out)
{
    memset(out, 0, sizeof *out);
    uint64_t hash = hash_of(key);
    pthread_mutex_lock(&lock);
    struct slot *s = way_of(set_of(hash), key, hash);
    bool hit = s != NULL && s->version == version;
    if (hit) {
        out->body = xmalloc(s->len + 1);
        memcpy(out->body, s->body, s->len + 1);
        out->len = s->len;
        snprintf(out->etag, sizeof out->etag, "%s", s->etag);
        s->used = ++tick;
    } else if (s != NULL && s->version < version) {
        slot_empty(s); /* stale for everyone from now on */
    }
    pthread_mutex_unlock(&lock);
    return hit;
}

void pagecache_put(const char *key, long long version, const char *body, size_t len,
                   const char *etag)
{
    if (len > PAGECACHE_MAX_BODY)
        return;
    uint64_t hash = hash_of(key);
    pthread_mutex_lock(&lock);
    struct slot *set = set_of(hash), *s = way_of(set, key, hash);
    bool keep = s == NULL || s->version <= version;       /* never over a newer page of the key */
    for (int i = 0; s == NULL && i < PAGECACHE_WAYS; i++) /* an empty way, else the least recent */
        if (set[i].key == NULL)
            s = &set[i];
    if (s == NULL) {
        s = &set[0];
        for (int i = 1; i < PAGECACHE_WAYS; i++)
            if (set[i].used < s->used)
                s = &set[i];
    }
    if (keep && bytes - s->len + len <= PAGECACHE_MAX_BYTES) {
        slot_empty(s);
        bytes += len;
        s->key = xstrdup(key);
        s->hash = hash;
        s->version = version;
        s->body = xmalloc(len + 1);
        memcpy(s->body, body, len);
        s->body[len] = '\0';
        s->len = len;
        snprintf(s->etag, sizeof s->etag, "%s", etag);
        s->used = ++tick;
    }
    pthread_mutex_unlock(&lock);
}

void pagecache_clear(void)
{
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < PAGECACHE_SLOTS; i++)
        slot_empty(&slots[i]);
    pthread_mutex_unlock(&lock);
}

void pagecache_page_cleanup(struct pagecache_page *page)
{
    free(page->body);
    page->body = NULL;
}
