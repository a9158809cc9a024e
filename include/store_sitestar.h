/* The Sitestar.pt contest: all its SQL, no rules. */
#ifndef PARCERIA_STORE_SITESTAR_H
#define PARCERIA_STORE_SITESTAR_H

#include "db.h"
#include "page.h"
#include "sitestar.h"

#include <stdbool.h>

#define STORE_EDITION_SORTS 2
extern const struct page_sort store_edition_sorts[STORE_EDITION_SORTS];
#define STORE_ENTRY_SORTS 2
extern const struct page_sort store_entry_sorts[STORE_ENTRY_SORTS];
enum {
    STORE_ENTRY_YEAR,   /* the edition's year (from the path) */
    STORE_ENTRY_STATUS, /* JSON array of statuses */
};

enum status store_edition_get(PGconn *conn, const char *year, bool lock,
                              struct edition_row *out) WARN_UNUSED;
/* Inserts the edition in (year, program, times, quota, months); out gets it.
 * ST_CONFLICT when the year is taken. */
enum status store_edition_insert(PGconn *conn, const struct edition_row *in,
                                 struct edition_row *out) WARN_UNUSED;
/* Writes next's times, quota and months when row->version is current. */
enum status store_edition_update(PGconn *conn, struct edition_row *row,
                                 const struct edition_row *next) WARN_UNUSED;
/* Marks it selected with the counts of the selection. */
enum status store_edition_selected(PGconn *conn, struct edition_row *row, int approved,
                                   int not_selected) WARN_UNUSED;
enum status store_edition_list(PGconn *conn, const struct page_query *q,
                               struct page_result *out) WARN_UNUSED;

/* An entry to insert (all lent; school and teacher validated JSON). */
struct entry_new {
    const char *year;
    const json_t *school, *teacher;
    int team_size;
    const char *title, *description, *proposed_domain;
};
enum status store_entry_insert(PGconn *conn, const struct entry_new *in,
                               struct entry_row *out) WARN_UNUSED;
enum status store_entry_get(PGconn *conn, const char *id, bool lock,
                            struct entry_row *out) WARN_UNUSED;
enum status store_entry_move(PGconn *conn, struct entry_row *row, const char *to,
                             const char *reason) WARN_UNUSED;
/* Writes site_url (NULL removes it) when row->version is current. */
enum status store_entry_set_site(PGconn *conn, struct entry_row *row,
                                 const char *site_url) WARN_UNUSED;
/* The juror's score of the entry (replacing theirs), and the entry's mean
 * and count anew; row gets the entry. */
enum status store_entry_score(PGconn *conn, struct entry_row *row, const char *juror,
                              int score) WARN_UNUSED;
/* The entry's scores as JSON items [{juror, score, updated_at}] (new). */
enum status store_entry_scores(PGconn *conn, const char *id, json_t **items) WARN_UNUSED;
/* The submitted entries of year, locked, as the selection ranks them; a
 * new array of *n (index is their order here). */
enum status store_entry_candidates(PGconn *conn, const char *year, struct entry_rank **out,
                                   size_t *n) WARN_UNUSED;
/* Moves entry id to approved with its voucher, or to not_selected. */
enum status store_entry_select(PGconn *conn, const char *id, const char *voucher_code) WARN_UNUSED;
/* The school's name and the teacher's email of entry id (new strings). */
enum status store_entry_contact(PGconn *conn, const char *id, char **school,
                                char **email) WARN_UNUSED;
enum status store_entry_list(PGconn *conn, const struct page_query *q,
                             struct page_result *out) WARN_UNUSED;

#endif
