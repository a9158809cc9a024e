/* Contact mailboxes: all their SQL, no rules. */
#ifndef PARCERIA_STORE_CONTACT_MAILBOX_H
#define PARCERIA_STORE_CONTACT_MAILBOX_H

#include "contact.h"
#include "db.h"
#include "page.h"

#include <stdbool.h>

/* The list's sort keys (position first: the page's order). page_query.full
 * false: active mailboxes only. */
#define STORE_CONTACT_MAILBOX_SORTS 3
extern const struct page_sort store_contact_mailbox_sorts[STORE_CONTACT_MAILBOX_SORTS];

/* Reads one mailbox by topic; lock takes FOR UPDATE. ST_NOT_FOUND when absent. */
enum status store_contact_mailbox_get(PGconn *conn, const char *topic, bool lock,
                                      struct contact_mailbox_row *out) WARN_UNUSED;
/* Inserts m; out gets the stored row. ST_CONFLICT when its topic exists. */
enum status store_contact_mailbox_insert(PGconn *conn, const struct contact_mailbox_row *m,
                                         struct contact_mailbox_row *out) WARN_UNUSED;
/* Writes next's editable fields over row when row->version is current
 * (ST_STALE otherwise); row gets the stored row. */
enum status store_contact_mailbox_update(PGconn *conn, struct contact_mailbox_row *row,
                                         const struct contact_mailbox_row *next) WARN_UNUSED;
/* A page of mailboxes (rows: struct contact_mailbox_row). */
enum status store_contact_mailbox_list(PGconn *conn, const struct page_query *q,
                                       struct page_result *out) WARN_UNUSED;

#endif
