/* SIGA proposals, their votes and their comments: all their SQL, no rules. */
#ifndef PARCERIA_STORE_SIGA_H
#define PARCERIA_STORE_SIGA_H

#include "db.h"
#include "page.h"
#include "siga.h"

#include <stdbool.h>

/* The proposals list's sort keys (created_at, updated_at, votes: votes ties
 * by created_at), and its filters' positions in page_query.filters. */
#define STORE_SIGA_SORTS 3
extern const struct page_sort store_siga_sorts[STORE_SIGA_SORTS];
enum {
    STORE_SIGA_STATUS, /* JSON array of statuses */
    STORE_SIGA_AREA,   /* JSON array of areas */
    STORE_SIGA_VOTER,  /* a registrar id: each row's voted_by_me is its vote; NULL: false */
};

/* Reads one proposal (voted_by_me false); lock takes FOR UPDATE. */
enum status store_siga_get(PGconn *conn, const char *id, bool lock,
                           struct siga_proposal_row *out) WARN_UNUSED;
/* Whether registrar_id has a vote on the proposal. */
enum status store_siga_voted(PGconn *conn, const char *id, const char *registrar_id,
                             bool *voted) WARN_UNUSED;
/* Inserts p (status open; author_registrar_id empty: staff's); out gets the stored row. */
enum status store_siga_insert(PGconn *conn, const struct siga_proposal_row *p,
                              struct siga_proposal_row *out) WARN_UNUSED;
/* Writes next's title, description and area over row when row->version is
 * current (ST_STALE otherwise); row gets the stored row. */
enum status store_siga_update(PGconn *conn, struct siga_proposal_row *row,
                              const struct siga_proposal_row *next) WARN_UNUSED;
/* Sets the status (a name the domain gave). */
enum status store_siga_move(PGconn *conn, struct siga_proposal_row *row,
                            const char *to) WARN_UNUSED;
/* Sets the status note; row gets the stored row. */
enum status store_siga_note(PGconn *conn, struct siga_proposal_row *row,
                            const char *note) WARN_UNUSED;
/* Casts (cast) or withdraws registrar_id's vote; *changed says whether a
 * row was inserted or deleted (the count follows by trigger). */
enum status store_siga_vote(PGconn *conn, const char *id, const char *registrar_id, bool cast,
                            bool *changed) WARN_UNUSED;
/* A page of proposals (rows: struct siga_proposal_row). */
enum status store_siga_list(PGconn *conn, const struct page_query *q,
                            struct page_result *out) WARN_UNUSED;

/* --- comments ------------------------------------------------------------ */

#define STORE_SIGA_COMMENT_SORTS 1
extern const struct page_sort store_siga_comment_sorts[STORE_SIGA_COMMENT_SORTS];
enum {
    STORE_SIGA_COMMENT_PROPOSAL, /* the proposal's id (the path's, never a query parameter) */
};

enum status store_siga_comment_get(PGconn *conn, const char *id, bool lock,
                                   struct siga_comment_row *out) WARN_UNUSED;
/* Inserts c (author_registrar_id empty: staff's); out gets the stored row. */
enum status store_siga_comment_insert(PGconn *conn, const struct siga_comment_row *c,
                                      struct siga_comment_row *out) WARN_UNUSED;
/* Writes next's body over row when row->version is current (edited now when
 * the body changed). */
enum status store_siga_comment_update(PGconn *conn, struct siga_comment_row *row,
                                      const struct siga_comment_row *next) WARN_UNUSED;
/* Sets the status and the reason it was hidden. */
enum status store_siga_comment_move(PGconn *conn, struct siga_comment_row *row, const char *to,
                                    const char *reason) WARN_UNUSED;
enum status store_siga_comment_list(PGconn *conn, const struct page_query *q,
                                    struct page_result *out) WARN_UNUSED;

#endif
