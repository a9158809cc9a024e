/* PTSOC security contacts: all their SQL (src/store/ptsoc.c). */
#ifndef PARCERIA_STORE_PTSOC_H
#define PARCERIA_STORE_PTSOC_H

#include "db.h"
#include "page.h"
#include "ptsoc.h"

#include <stdbool.h>

/* Inserts a running round as of now; ST_CONFLICT when one runs already. */
enum status store_ptsoc_round_start(PGconn *conn, char id[37]) WARN_UNUSED;
/* One round with its counts. */
enum status store_ptsoc_round_get(PGconn *conn, const char *id, bool lock,
                                  struct ptsoc_round_row *out) WARN_UNUSED;
void store_ptsoc_round_cleanup(void *row);
#define STORE_PTSOC_ROUND_SORTS 1
extern const struct page_sort store_ptsoc_round_sorts[STORE_PTSOC_ROUND_SORTS];
enum status store_ptsoc_round_list(PGconn *conn, const struct page_query *q,
                                   struct page_result *out) WARN_UNUSED;

/* A contact a round checks. */
struct ptsoc_target {
    char registrar_id[37];
    char type[16];
    char email[256];
};
/* Every security and abuse contact of every registrar not terminated
 * (*out: malloc'd, *n of them). */
enum status store_ptsoc_targets(PGconn *conn, struct ptsoc_target **out, int *n) WARN_UNUSED;
/* A pending verification of t in round check_id, sent now, its token's hash. */
enum status store_ptsoc_verification_add(PGconn *conn, const char *check_id,
                                         const struct ptsoc_target *t, const char *hash,
                                         char id[37]) WARN_UNUSED;

/* The pending verification whose first or reminder token hashes to hash,
 * made verified as of now: out gets it (registrar, trade_name, type,
 * verified_at). ST_NOT_FOUND: no such pending one. */
enum status store_ptsoc_verify(PGconn *conn, const char *hash,
                               struct ptsoc_verification_row *out) WARN_UNUSED;

/* A pending verification as the chores see it as of a time. */
struct ptsoc_pending {
    char id[37];
    char registrar_id[37];
    long long age_s; /* seconds since it was sent */
    bool reminded;
};
/* Every verification pending and sent at or before at, locked. */
enum status store_ptsoc_pending(PGconn *conn, const char *at, struct ptsoc_pending **out,
                                int *n) WARN_UNUSED;
enum status store_ptsoc_remind(PGconn *conn, const char *id, const char *hash,
                               const char *at) WARN_UNUSED;
enum status store_ptsoc_expire(PGconn *conn, const char *id, const char *at) WARN_UNUSED;
/* Finishes, as of at, every running round with nothing pending: ids of
 * those finished in *out (malloc'd 37-byte strings), *n. */
enum status store_ptsoc_finish(PGconn *conn, const char *at, char (**out)[37], int *n) WARN_UNUSED;

/* A registrar's security and abuse contacts, each with its latest
 * verification (*out malloc'd). */
enum status store_ptsoc_contacts(PGconn *conn, const char *registrar_id,
                                 struct ptsoc_verification_row **out, int *n) WARN_UNUSED;

/* Registrars not terminated with no reachable security contact. */
#define STORE_PTSOC_UNREACHABLE_SORTS 1
extern const struct page_sort store_ptsoc_unreachable_sorts[STORE_PTSOC_UNREACHABLE_SORTS];
void store_ptsoc_unreachable_cleanup(void *row);
enum status store_ptsoc_unreachable_list(PGconn *conn, const struct page_query *q,
                                         struct page_result *out) WARN_UNUSED;

#endif
