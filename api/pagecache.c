/* The page cache (pagecache.h): sets of four ways under one mutex. A key
 * hashes to one set; a new key takes an empty way or the least recently used
 * one. Copies in and out, so no page is shared past the lock. */
#include "pagecache.h"

#include "util.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct slot {
    char *key; /* NULL: empty */
    long long version;
    char *body;
    size_t len;
    char etag[PAGECACHE_ETAG_MAX];
    unsigned long long used; /* the tick of its last use: the least recent way goes first */
};

/* Sets of PAGECACHE_WAYS slots: a key lives in one set, in any of its ways,
 * so a few hot keys that hash alike do not evict each other at every use
 * (one slot per key lost about a seventh of 300 registrars' records). */
#define PAGECACHE_WAYS 4
#define PAGECACHE_SETS (PAGECACHE_SLOTS / PAGECACHE_WAYS)

static struct slot slots[PAGECACHE_SLOTS];
static size_t bytes; /* the bodies kept, in all */
static unsigned long long tick;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static struct slot *set_of(const char *key)
{
    uint64_t h = 14695981039346656037u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 1099511628211u;
    return &slots[(h % PAGECACHE_SETS) * PAGECACHE_WAYS];
}

/* The way holding key in its set, or NULL. */
static struct slot *way_of(struct slot *set, const char *key)
{
    for (int i = 0; i < PAGECACHE_WAYS; i++)
        if (set[i].key != NULL && strcmp(set[i].key, key) == 0)
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
    pthread_mutex_lock(&lock);
    struct slot *s = way_of(set_of(key), key);
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
    pthread_mutex_lock(&lock);
    struct slot *set = set_of(key), *s = way_of(set, key);
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
