/* Registrations: all their SQL, no rules. Every change of a registration
 * is made under its event's row lock (store_event_lock), taken first: the
 * seats (the trigger of migration 0010) and the waitlist's order are the
 * event's. */
#ifndef PARCERIA_STORE_REGISTRATION_H
#define PARCERIA_STORE_REGISTRATION_H

#include "db.h"
#include "event.h"
#include "page.h"

#include <stdbool.h>

#define STORE_REGISTRATION_SORTS 2
extern const struct page_sort store_registration_sorts[STORE_REGISTRATION_SORTS];
enum {
    STORE_REGISTRATION_EVENT,     /* the event's id (the path's) */
    STORE_REGISTRATION_REGISTRAR, /* JSON array of registrar ids */
    STORE_REGISTRATION_STATUS,    /* JSON array of statuses */
};

/* Reads one registration with its event's state; lock first locks the
 * event (store_event_lock), then the registration (FOR UPDATE).
 * ST_NOT_FOUND when absent. */
enum status store_registration_get(PGconn *conn, const char *id, bool lock,
                                   struct registration_row *out) WARN_UNUSED;

struct registration_new {
    const char *event_id, *registrar_id;
    enum registration_status status;
    const json_t *attendees; /* an array, lent */
    bool covered_expenses;
    const char *draw_id; /* or NULL */
};
/* Inserts a registration at the end of the event's arrival order; out gets
 * it. ST_CONFLICT when the registrar has a live one at the event. */
enum status store_registration_insert(PGconn *conn, const struct registration_new *in,
                                      struct registration_row *out) WARN_UNUSED;
/* Sets the status (a name the domain gave) and the reason (may be NULL). */
enum status store_registration_move(PGconn *conn, struct registration_row *row, const char *to,
                                    const char *reason) WARN_UNUSED;
/* Writes next's attendees over row when row->version is current (ST_STALE
 * otherwise); row gets the stored row. */
enum status store_registration_update(PGconn *conn, struct registration_row *row,
                                      const struct registration_row *next) WARN_UNUSED;
/* The event's waitlist in arrival order: ids (a NULL-terminated array of
 * new strings) and each one's seats (new array). */
enum status store_registration_waitlist(PGconn *conn, const char *event_id, char ***ids,
                                        int **seats) WARN_UNUSED;
/* The event's live (confirmed and waitlisted) registrations' ids (a
 * NULL-terminated array of new strings). */
enum status store_registration_live(PGconn *conn, const char *event_id, char ***ids) WARN_UNUSED;
/* The id of registrar_id's live registration at the event, in found (37
 * bytes; empty when none). */
enum status store_registration_of(PGconn *conn, const char *event_id, const char *registrar_id,
                                  char found[37]) WARN_UNUSED;
/* Marks a registration covered by draw_id (travel and accommodation). */
enum status store_registration_cover(PGconn *conn, const char *id, const char *draw_id) WARN_UNUSED;
/* A page of registrations (rows: struct registration_row). */
enum status store_registration_list(PGconn *conn, const struct page_query *q,
                                    struct page_result *out) WARN_UNUSED;

#endif
