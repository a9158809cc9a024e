/* SIGA proposals' and comments' use cases: the kinds whose actions (the
 * status changes with their note, votes, hiding) and edits the generic
 * runner takes, and creating a proposal or a comment. */
#ifndef PARCERIA_SERVICE_SIGA_H
#define PARCERIA_SERVICE_SIGA_H

#include "service.h"
#include "siga.h"

extern const struct service_kind service_siga_kind;
extern const struct service_kind service_siga_comment_kind;

/* What a vote or its withdrawal answers: the extra of the vote and unvote
 * actions (service_act), filled by their effects. */
struct siga_vote_result {
    bool voted;
    int votes;
};

/* Creates p (open) with its audit event; the author is the caller (a
 * registrar, or staff as one). */
enum status service_siga_create(const struct service_call *call, const struct siga_proposal_row *p,
                                struct siga_proposal_row *out) WARN_UNUSED;
/* Creates c on its proposal with its audit event; the author is the caller. */
enum status service_siga_comment_create(const struct service_call *call,
                                        const struct siga_comment_row *c,
                                        struct siga_comment_row *out) WARN_UNUSED;

#endif
