/* Rendered answers kept in memory, shared by the process's threads: public
 * list pages and single reads (resource.version). A fixed number of slots,
 * each holding one answer's key (its route and normalized query, or the row
 * and the caller's view), the version its rows had when it was read, its
 * ETag and its body. A lookup hits only at the caller's current version, so
 * a change anywhere (through any replica) turns every older answer into a
 * miss. Memory is bounded: PAGECACHE_SLOTS answers of at most
 * PAGECACHE_MAX_BODY each, PAGECACHE_MAX_BYTES of bodies in all (past it, a
 * new answer is not kept until others are replaced). */
#ifndef PARCERIA_PAGECACHE_H
#define PARCERIA_PAGECACHE_H

#include <stdbool.h>
#include <stddef.h>

#define PAGECACHE_SLOTS 2048
#define PAGECACHE_MAX_BODY (128 * 1024)
#define PAGECACHE_MAX_BYTES (8 * 1024 * 1024)
#define PAGECACHE_ETAG_MAX 48 /* API_ETAG_MAX */

struct pagecache_page {
    char *body; /* owned */
    size_t len;
    char etag[PAGECACHE_ETAG_MAX];
};

/* Copies the page kept under key at version into out (cleaned up by the
 * caller); false on a miss. */
bool pagecache_get(const char *key, long long version, struct pagecache_page *out);
/* Keeps a copy of body under key, read at version; a page read at an older
 * version than one already kept for the key, or too large, is not kept. */
void pagecache_put(const char *key, long long version, const char *body, size_t len,
                   const char *etag);
/* Drops every page (shutdown). */
void pagecache_clear(void);
void pagecache_page_cleanup(struct pagecache_page *page);

#endif
