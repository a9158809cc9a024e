/* The page cache (pagecache.h): direct-mapped slots under one mutex. A key
 * hashes to one slot; a newer page for another key in the same slot takes
 * it. Copies in and out, so no page is shared past the lock. */
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
};

static struct slot slots[PAGECACHE_SLOTS];
static size_t bytes; /* the bodies kept, in all */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static struct slot *slot_of(const char *key)
{
    uint64_t h = 14695981039346656037u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 1099511628211u;
    return &slots[h % PAGECACHE_SLOTS];
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
    struct slot *s = slot_of(key);
    bool hit = s->key != NULL && s->version == version && strcmp(s->key, key) == 0;
    if (hit) {
        out->body = xmalloc(s->len + 1);
        memcpy(out->body, s->body, s->len + 1);
        out->len = s->len;
        snprintf(out->etag, sizeof out->etag, "%s", s->etag);
    } else if (s->key != NULL && s->version < version) {
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
    struct slot *s = slot_of(key);
    if ((s->key == NULL || s->version <= version) && bytes - s->len + len <= PAGECACHE_MAX_BYTES) {
        slot_empty(s);
        bytes += len;
        s->key = xstrdup(key);
        s->version = version;
        s->body = xmalloc(len + 1);
        memcpy(s->body, body, len);
        s->body[len] = '\0';
        s->len = len;
        snprintf(s->etag, sizeof s->etag, "%s", etag);
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
