/* The Conselho Consultivo: all its SQL, no rules. */
#ifndef PARCERIA_STORE_COUNCIL_H
#define PARCERIA_STORE_COUNCIL_H

#include "council.h"
#include "db.h"
#include "page.h"

#include <stdbool.h>

#define STORE_COUNCIL_TERM_SORTS 2
extern const struct page_sort store_council_term_sorts[STORE_COUNCIL_TERM_SORTS];
enum {
    STORE_COUNCIL_TERM_STATUS, /* JSON array of statuses */
};

#define STORE_COUNCIL_NOMINATION_SORTS 1
extern const struct page_sort store_council_nomination_sorts[STORE_COUNCIL_NOMINATION_SORTS];
enum {
    STORE_COUNCIL_NOMINATION_TERM,   /* the term's id (set by the scope) */
    STORE_COUNCIL_NOMINATION_STATUS, /* JSON array of statuses */
    STORE_COUNCIL_NOMINATION_VIEWER, /* not full: this registrar's own besides the accepted */
};

/* Terms. lock takes FOR UPDATE. ST_NOT_FOUND when absent. */
enum status store_council_term_get(PGconn *conn, const char *id, bool lock,
                                   struct council_term_row *out) WARN_UNUSED;
/* Takes the term's row lock for a ballot or a nomination (exclusive: ballots
 * of one term are written one at a time) and reads it. */
enum status store_council_term_lock(PGconn *conn, const char *id,
                                    struct council_term_row *out) WARN_UNUSED;
enum status store_council_term_insert(PGconn *conn, const struct council_term_row *in,
                                      struct council_term_row *out) WARN_UNUSED;
/* ST_STALE when row->version is not current. */
enum status store_council_term_update(PGconn *conn, struct council_term_row *row,
                                      const struct council_term_row *next) WARN_UNUSED;
enum status store_council_term_move(PGconn *conn, struct council_term_row *row,
                                    const char *to) WARN_UNUSED;
enum status store_council_term_list(PGconn *conn, const struct page_query *q,
                                    struct page_result *out) WARN_UNUSED;

/* Nominations. lock takes FOR UPDATE of the nomination and FOR SHARE of its term. */
enum status store_council_nomination_get(PGconn *conn, const char *id, bool lock,
                                         struct council_nomination_row *out) WARN_UNUSED;
/* ST_CONFLICT when the registrar has one for the term. */
enum status store_council_nomination_insert(PGconn *conn, const struct council_nomination_row *in,
                                            struct council_nomination_row *out) WARN_UNUSED;
enum status store_council_nomination_move(PGconn *conn, struct council_nomination_row *row,
                                          const char *to, const char *reason) WARN_UNUSED;
enum status store_council_nomination_list(PGconn *conn, const struct page_query *q,
                                          struct page_result *out) WARN_UNUSED;
/* The registrar's standing now (the transaction's clock). */
enum status store_council_standing(PGconn *conn, const char *registrar_id,
                                   struct council_standing *out) WARN_UNUSED;
/* How many of the n ids are accepted nominations of the term. */
enum status store_council_accepted_count(PGconn *conn, const char *term_id, const char *ids_json,
                                         int *count) WARN_UNUSED;

/* Records that registrar_id voted (ST_CONFLICT when it had), then writes the
 * term's ballot box again with b in it, every ballot in hash order (see the
 * migration: physical order and xmin tell nothing of who voted when).
 * Take store_council_term_lock first. */
enum status store_council_ballot_cast(PGconn *conn, const char *term_id, const char *registrar_id,
                                      const struct council_ballot *b) WARN_UNUSED;
/* The term's ballots, ordered by hash (*out: count of them, owned). */
enum status store_council_ballots(PGconn *conn, const char *term_id, struct council_ballot **out,
                                  size_t *count) WARN_UNUSED;
/* The term's accepted nominations (rows: struct council_nomination_row). */
enum status store_council_accepted(PGconn *conn, const char *term_id,
                                   struct page_result *out) WARN_UNUSED;

#endif
