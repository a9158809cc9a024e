/* Registrars' news items: all their SQL, no rules. */
#ifndef PARCERIA_STORE_NEWS_H
#define PARCERIA_STORE_NEWS_H

#include "db.h"
#include "news.h"
#include "page.h"

#include <stdbool.h>

/* Staff's and a registrar's list: its sort keys and its filters' positions
 * in page_query.filters. */
#define STORE_NEWS_SORTS 2
extern const struct page_sort store_news_sorts[STORE_NEWS_SORTS];
enum {
    STORE_NEWS_STATUS,    /* JSON array of statuses */
    STORE_NEWS_REGISTRAR, /* JSON array of registrar ids */
};
/* The public list: published items by published_at only. */
#define STORE_NEWS_PUBLIC_SORTS 1
extern const struct page_sort store_news_public_sorts[STORE_NEWS_PUBLIC_SORTS];

/* Reads one item with its registrar's trade name; lock takes FOR UPDATE.
 * ST_NOT_FOUND when absent. */
enum status store_news_get(PGconn *conn, const char *id, bool lock,
                           struct news_row *out) WARN_UNUSED;
/* Inserts in (status submitted) for in->registrar_id; out gets the stored row. */
enum status store_news_insert(PGconn *conn, const struct news_row *in,
                              struct news_row *out) WARN_UNUSED;
/* Writes next's editable fields (title, summary, body, link, channels) over
 * row when row->version is current (ST_STALE otherwise); row gets the
 * stored row. */
enum status store_news_update(PGconn *conn, struct news_row *row,
                              const struct news_row *next) WARN_UNUSED;
/* Sets the status (a name the domain gave) and the reason (NULL: none);
 * stamp_published sets published_at to now. */
enum status store_news_move(PGconn *conn, struct news_row *row, const char *to, const char *reason,
                            bool stamp_published) WARN_UNUSED;
/* A page of items (rows: struct news_row), filtered as the enum says. */
enum status store_news_list(PGconn *conn, const struct page_query *q,
                            struct page_result *out) WARN_UNUSED;
/* A page of published items. */
enum status store_news_public_list(PGconn *conn, const struct page_query *q,
                                   struct page_result *out) WARN_UNUSED;
/* The newest limit published items, newest published first. */
enum status store_news_feed(PGconn *conn, int limit, struct page_result *out) WARN_UNUSED;

#endif
