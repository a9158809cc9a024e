/* Events: all their SQL, no rules. */
#ifndef PARCERIA_STORE_EVENT_H
#define PARCERIA_STORE_EVENT_H

#include "db.h"
#include "eligibility.h"
#include "event.h"
#include "page.h"

#include <stdbool.h>

/* The list's sort keys, and its filters' positions in page_query.filters.
 * page_query.full false: no drafts. */
#define STORE_EVENT_SORTS 2
extern const struct page_sort store_event_sorts[STORE_EVENT_SORTS];
enum {
    STORE_EVENT_KIND,   /* JSON array of kinds */
    STORE_EVENT_STATUS, /* JSON array of statuses */
    STORE_EVENT_FROM,   /* timestamp: starts at or after */
    STORE_EVENT_TO,     /* timestamp: starts before */
};

/* Reads one event; lock takes FOR UPDATE. ST_NOT_FOUND when absent. */
enum status store_event_get(PGconn *conn, const char *id, bool lock,
                            struct event_row *out) WARN_UNUSED;
/* Locks the event's row against every other change of its seats until the
 * end of the transaction (FOR NO KEY UPDATE). ST_NOT_FOUND when absent. */
enum status store_event_lock(PGconn *conn, const char *id) WARN_UNUSED;
/* Inserts e (status draft); out gets the stored row. */
enum status store_event_insert(PGconn *conn, const struct event_row *e,
                               struct event_row *out) WARN_UNUSED;
/* Writes next's editable fields over row when row->version is current
 * (ST_STALE otherwise); row gets the stored row. */
enum status store_event_update(PGconn *conn, struct event_row *row,
                               const struct event_row *next) WARN_UNUSED;
/* Sets the status (a name the domain gave). */
enum status store_event_move(PGconn *conn, struct event_row *row, const char *to) WARN_UNUSED;
/* Closes the event's check-in (a draw froze its pool). */
enum status store_event_close_check_in(PGconn *conn, const char *id) WARN_UNUSED;
/* The facts of eligibility for registrar_id at the event, at this
 * statement's snapshot (take the lock first). ST_NOT_FOUND when the event
 * is absent; an absent registrar is facts->registrar_found false. */
enum status store_event_facts(PGconn *conn, const char *id, const char *registrar_id,
                              struct eligibility_facts *facts) WARN_UNUSED;
/* A page of events (rows: struct event_row). */
enum status store_event_list(PGconn *conn, const struct page_query *q,
                             struct page_result *out) WARN_UNUSED;
/* The calendar feed: events not drafts that end within the last year or
 * later, by start (at most limit; rows: struct event_row). */
enum status store_event_calendar(PGconn *conn, int limit, struct page_result *out) WARN_UNUSED;

#endif
