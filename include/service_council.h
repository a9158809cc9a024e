/* The Conselho Consultivo's use cases: terms and nominations as kinds for
 * the generic runner (actions, edits, lists), creating a term, nominating,
 * casting a secret ballot and the published results. */
#ifndef PARCERIA_SERVICE_COUNCIL_H
#define PARCERIA_SERVICE_COUNCIL_H

#include "council.h"
#include "service.h"

extern const struct service_kind service_council_term_kind;
extern const struct service_kind service_council_nomination_kind;

/* Creates t (draft) with its audit event. */
enum status service_council_term_create(const struct service_call *call,
                                        const struct council_term_row *t,
                                        struct council_term_row *out) WARN_UNUSED;

/* registrar_id nominates in->nominee_name with in->statement for the term:
 * ST_INVALID_STATE (outcome->current: the term's) unless it is nominating,
 * ST_NOT_ELIGIBLE (outcome->conflict "accredited" or "tenure"), ST_CONFLICT
 * when it has one already. */
enum status service_council_nominate(const struct service_call *call,
                                     const struct council_nomination_row *in,
                                     struct council_nomination_row *out,
                                     struct service_outcome *outcome) WARN_UNUSED;

/* registrar_id casts b (its choices; b->hash gets the receipt) in the term:
 * ST_INVALID_STATE unless voting, ST_NOT_ELIGIBLE ("accredited"),
 * ST_INVALID (/choices: too_many, unknown_nomination), ST_CONFLICT when it
 * voted. The audit records that it voted, nothing of the ballot. */
enum status service_council_vote(const struct service_call *call, const char *term_id,
                                 const char *registrar_id, struct council_ballot *b,
                                 struct service_outcome *outcome) WARN_UNUSED;

/* A closed term's results. */
struct council_results {
    struct council_term_row term;
    struct page_result nominations; /* accepted ones (struct council_nomination_row) */
    struct council_tally *tally;    /* nominations.count of them, by rank */
    struct council_ballot *ballots; /* by hash */
    size_t nballots;
    char ballots_hash[COUNCIL_HEX];
};
/* ST_INVALID_STATE (outcome->current) unless the term is closed. */
enum status service_council_results(const struct service_call *call, const char *term_id,
                                    struct council_results *out,
                                    struct service_outcome *outcome) WARN_UNUSED;
void service_council_results_cleanup(struct council_results *r);

#endif
