/* Draws: all their SQL, no rules. */
#ifndef PARCERIA_STORE_DRAW_H
#define PARCERIA_STORE_DRAW_H

#include "db.h"
#include "draw.h"
#include "page.h"

#include <stdbool.h>

#define STORE_DRAW_SORTS 1
extern const struct page_sort store_draw_sorts[STORE_DRAW_SORTS];
enum {
    STORE_DRAW_STATUS, /* JSON array of statuses */
};

/* Reads one draw; lock takes FOR UPDATE. ST_NOT_FOUND when absent. */
enum status store_draw_get(PGconn *conn, const char *id, bool lock,
                           struct draw_row *out) WARN_UNUSED;
/* Inserts d (committed); out gets the stored row. ST_CONFLICT when its
 * source event has a draw already. */
enum status store_draw_insert(PGconn *conn, const struct draw_row *d,
                              struct draw_row *out) WARN_UNUSED;
/* Sets the status (a name the domain gave). */
enum status store_draw_move(PGconn *conn, struct draw_row *row, const char *to) WARN_UNUSED;
/* Fixes the pool: the registrars with an attended registration at the
 * source event, ascending; row gets the stored row. */
enum status store_draw_freeze(PGconn *conn, struct draw_row *row) WARN_UNUSED;
/* Records row's seed, public entropy, order, winners, alternates and
 * representatives; row gets the stored row. */
enum status store_draw_record(PGconn *conn, struct draw_row *row) WARN_UNUSED;
/* Records row's declined and representatives; row gets the stored row. */
enum status store_draw_record_decline(PGconn *conn, struct draw_row *row) WARN_UNUSED;
/* A page of draws (rows: struct draw_row). */
enum status store_draw_list(PGconn *conn, const struct page_query *q,
                            struct page_result *out) WARN_UNUSED;

#endif
