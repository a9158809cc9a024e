/* The Sitestar.pt contest's use cases: the two kinds (an edition's edits, an
 * entry's actions and its site), creating an edition with its program,
 * submitting an entry with its teacher's access key, a juror's score, and
 * the selection. */
#ifndef PARCERIA_SERVICE_SITESTAR_H
#define PARCERIA_SERVICE_SITESTAR_H

#include "service.h"
#include "sitestar.h"
#include "store_sitestar.h"

extern const struct service_kind service_edition_kind;
extern const struct service_kind service_entry_kind;

/* Creates the edition in and its contest program sitestar-YYYY in one
 * transaction. ST_CONFLICT when the year or the program's code is taken. */
enum status service_edition_create(const struct service_call *call, const struct edition_row *in,
                                   struct edition_row *out) WARN_UNUSED;

/* Submits an entry to its edition while submissions are open
 * (ST_WINDOW_CLOSED otherwise; ST_NOT_FOUND: no such edition), with the
 * teacher's access key (its hash). */
enum status service_entry_submit(const struct service_call *call, const struct entry_new *in,
                                 const char *key_hash, struct entry_row *out) WARN_UNUSED;

/* The caller's score of entry id: once submissions have closed
 * (ST_WINDOW_CLOSED before), while the edition is not selected and the entry
 * is submitted (ST_INVALID_STATE, outcome->current set). */
enum status service_entry_score(const struct service_call *call, const char *id, int score,
                                struct entry_row *out, struct service_outcome *outcome) WARN_UNUSED;

/* The jurors' scores of entry id (a new JSON array). */
enum status service_entry_scores(const struct service_call *call, const char *id,
                                 json_t **items) WARN_UNUSED;

/* Selects the edition: ranks its submitted entries (sitestar_rank), approves
 * the best approved_quota with a voucher each and marks the others
 * not_selected, in one transaction; once selected, changes nothing. Once
 * submissions have closed (ST_WINDOW_CLOSED before). out gets the edition. */
enum status service_edition_select(const struct service_call *call, const char *year,
                                   struct edition_row *out) WARN_UNUSED;

#endif
