/* PTSOC security contacts' use cases (src/service/ptsoc.c): check rounds,
 * the public confirmation by token, the day-7 reminder and day-14
 * unreachable chores, a registrar's contacts' status, the registrars with
 * no reachable security contact. */
#ifndef PARCERIA_SERVICE_PTSOC_H
#define PARCERIA_SERVICE_PTSOC_H

#include "service.h"
#include "store_ptsoc.h"

/* The rounds as the kit reads them (get, list). */
extern const struct service_kind service_ptsoc_round_kind;

/* Starts a round: one verification per security and abuse contact of every
 * registrar not terminated, each emailed a one-time token (stored only as
 * its SHA-256). ST_CONFLICT when a round runs already. */
enum status service_ptsoc_start(const struct service_call *call,
                                struct ptsoc_round_row *out) WARN_UNUSED;

/* Confirms the pending verification a token (first or reminder) names.
 * Unknown, used or expired, alike: ST_OK with *found false, the transaction
 * committing all the same so that the caller's bookkeeping (the public
 * limit) counts a miss: guessing tokens pays. */
enum status service_ptsoc_confirm(const struct service_call *call, const char *token,
                                  struct ptsoc_verification_row *out, bool *found) WARN_UNUSED;

/* Chores (service_chores.h): the reminder with a new token at day 7, and
 * unreachable at day 14 (finishing rounds with nothing pending). */
enum status service_ptsoc_remind(PGconn *conn, const char *at, long long *count);
enum status service_ptsoc_expire(PGconn *conn, const char *at, long long *count);

/* A registrar's security and abuse contacts with their latest
 * verification (*out: free()). */
enum status service_ptsoc_contacts(const struct service_call *call, const char *registrar_id,
                                   struct ptsoc_verification_row **out, int *n) WARN_UNUSED;

/* The registrars with no reachable security contact (a list's fetch). */
enum status service_ptsoc_unreachable(const struct service_call *call, const struct page_query *q,
                                      struct page_result *out) WARN_UNUSED;

#endif
