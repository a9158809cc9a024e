/* The newsletter's issues and suggestions: all their SQL, no rules. */
#ifndef PARCERIA_STORE_NEWSLETTER_H
#define PARCERIA_STORE_NEWSLETTER_H

#include "db.h"
#include "newsletter.h"
#include "page.h"

#include <stdbool.h>

/* Issues' sort keys and filters. page_query.full false: published only. */
#define STORE_ISSUE_SORTS 3
extern const struct page_sort store_issue_sorts[STORE_ISSUE_SORTS];
enum {
    STORE_ISSUE_STATUS, /* JSON array of statuses */
};

/* Reads one issue; lock takes FOR UPDATE. ST_NOT_FOUND when absent. */
enum status store_issue_get(PGconn *conn, const char *id, bool lock,
                            struct newsletter_issue_row *out) WARN_UNUSED;
/* Inserts in (planned); ST_CONFLICT when its number is taken. */
enum status store_issue_insert(PGconn *conn, const struct newsletter_issue_row *in,
                               struct newsletter_issue_row *out) WARN_UNUSED;
/* Writes next's editable fields over row when row->version is current
 * (ST_STALE otherwise; ST_CONFLICT for a number taken). */
enum status store_issue_update(PGconn *conn, struct newsletter_issue_row *row,
                               const struct newsletter_issue_row *next) WARN_UNUSED;
/* Sets the status (published_at with "published"). */
enum status store_issue_move(PGconn *conn, struct newsletter_issue_row *row,
                             const char *to) WARN_UNUSED;
enum status store_issue_list(PGconn *conn, const struct page_query *q,
                             struct page_result *out) WARN_UNUSED;

/* Suggestions' sort keys and filters. */
#define STORE_SUGGESTION_SORTS 1
extern const struct page_sort store_suggestion_sorts[STORE_SUGGESTION_SORTS];
enum {
    STORE_SUGGESTION_STATUS,    /* JSON array of statuses */
    STORE_SUGGESTION_REGISTRAR, /* JSON array of registrar ids */
};

enum status store_suggestion_get(PGconn *conn, const char *id, bool lock,
                                 struct newsletter_suggestion_row *out) WARN_UNUSED;
enum status store_suggestion_insert(PGconn *conn, const struct newsletter_suggestion_row *in,
                                    struct newsletter_suggestion_row *out) WARN_UNUSED;
/* Sets the status and, when given (not NULL), the issue and the reason. */
enum status store_suggestion_move(PGconn *conn, struct newsletter_suggestion_row *row,
                                  const char *to, const char *issue_id,
                                  const char *reason) WARN_UNUSED;
enum status store_suggestion_list(PGconn *conn, const struct page_query *q,
                                  struct page_result *out) WARN_UNUSED;

#endif
