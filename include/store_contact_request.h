/* Contact requests: all their SQL, no rules. */
#ifndef PARCERIA_STORE_CONTACT_REQUEST_H
#define PARCERIA_STORE_CONTACT_REQUEST_H

#include "contact.h"
#include "db.h"
#include "page.h"

#include <stdbool.h>

/* The list's sort keys, and its filters' positions in page_query.filters. */
#define STORE_CONTACT_REQUEST_SORTS 2
extern const struct page_sort store_contact_request_sorts[STORE_CONTACT_REQUEST_SORTS];
enum {
    STORE_CONTACT_REQUEST_STATUS,    /* JSON array of statuses */
    STORE_CONTACT_REQUEST_TOPIC,     /* JSON array of topics */
    STORE_CONTACT_REQUEST_REGISTRAR, /* JSON array of registrar ids */
};

/* Reads one request; lock takes FOR UPDATE. ST_NOT_FOUND when absent. */
enum status store_contact_request_get(PGconn *conn, const char *id, bool lock,
                                      struct contact_request_row *out) WARN_UNUSED;
/* Inserts r (open) when its topic names an active mailbox, and with the
 * admin contact of r's registrar for an empty name or email; out gets the
 * stored row. ST_NOT_FOUND when the topic is no active mailbox. */
enum status store_contact_request_insert(PGconn *conn, const struct contact_request_row *r,
                                         struct contact_request_row *out) WARN_UNUSED;
/* Sets the status (a name the domain gave). */
enum status store_contact_request_move(PGconn *conn, struct contact_request_row *row,
                                       const char *to) WARN_UNUSED;
/* Keeps the answer's note (NULL: none). */
enum status store_contact_request_note(PGconn *conn, struct contact_request_row *row,
                                       const char *note) WARN_UNUSED;
/* A page of requests (rows: struct contact_request_row). */
enum status store_contact_request_list(PGconn *conn, const struct page_query *q,
                                       struct page_result *out) WARN_UNUSED;

#endif
