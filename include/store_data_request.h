/* Data-subject requests: all their SQL, no rules. */
#ifndef PARCERIA_STORE_DATA_REQUEST_H
#define PARCERIA_STORE_DATA_REQUEST_H

#include "data_request.h"
#include "db.h"
#include "page.h"

#include <stdbool.h>

#define STORE_DATA_REQUEST_SORTS 3
extern const struct page_sort store_data_request_sorts[STORE_DATA_REQUEST_SORTS];
enum {
    STORE_DATA_REQUEST_STATUS, /* JSON array of statuses */
    STORE_DATA_REQUEST_KIND,   /* JSON array of kinds */
};

/* Reads one request; lock takes FOR UPDATE. ST_NOT_FOUND when absent. */
enum status store_data_request_get(PGconn *conn, const char *id, bool lock,
                                   struct data_request_row *out) WARN_UNUSED;
/* Inserts r (open; received_at empty: now; due one month after it) with
 * email_hash (the audit log's keyed hash of the lowercased email).
 * ST_NOT_FOUND (nothing written) when received_at is in the future. */
enum status store_data_request_insert(PGconn *conn, const struct data_request_row *r,
                                      const char *email_hash,
                                      struct data_request_row *out) WARN_UNUSED;
/* Sets the status (a name the domain gave) and a rejection's reason. */
enum status store_data_request_move(PGconn *conn, struct data_request_row *row, const char *to,
                                    const char *reason) WARN_UNUSED;
/* The one extension: extended, its reason, due_at two months later. */
enum status store_data_request_extend(PGconn *conn, struct data_request_row *row,
                                      const char *reason) WARN_UNUSED;
/* Keeps an erasure's report (lent) and rereads the row. */
enum status store_data_request_report(PGconn *conn, struct data_request_row *row,
                                      const json_t *report) WARN_UNUSED;
/* A page of requests (rows: struct data_request_row). */
enum status store_data_request_list(PGconn *conn, const struct page_query *q,
                                    struct page_result *out) WARN_UNUSED;

#endif
