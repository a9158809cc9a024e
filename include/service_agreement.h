/* Data-processing agreements: publishing versions, accepting one as
 * evidence, a registrar's standing, and the gate every program action of a
 * registrar passes (enroll, redeem, register, submit news). */
#ifndef PARCERIA_SERVICE_AGREEMENT_H
#define PARCERIA_SERVICE_AGREEMENT_H

#include "agreement.h"
#include "eligibility.h"
#include "service.h"

extern const struct service_kind service_agreement_kind;

/* The rule a refusal of the gate names (service_outcome.conflict). */
extern const char SERVICE_AGREEMENT_RULE[];

/* Publishes a version (ST_CONFLICT when it exists). */
enum status service_agreement_create(const struct service_call *call,
                                     const struct agreement_row *in,
                                     struct agreement_row *out) WARN_UNUSED;

/* The calling registrar accepts version, whose document must have
 * document_sha256 (else ST_INVALID, 422 mismatch at /document_sha256);
 * client_address is kept only as its keyed hash. *created: false when it
 * was accepted before (out: that acceptance; nothing written). */
enum status service_agreement_accept(const struct service_call *call, const char *version,
                                     const char *document_sha256, const char *client_address,
                                     struct agreement_acceptance *out, bool *created,
                                     struct service_outcome *outcome) WARN_UNUSED;

/* {"registrar_id", "agreements": [{"agreement", "acceptance"}], "required":
 * {"version", "accept_by", "gated"} or null} (a new reference in *out):
 * required is the version that gates the registrar (gated true), else the
 * newest effective version it has not accepted (nor a later one). */
enum status service_agreement_standing(const struct service_call *call, const char *registrar_id,
                                       json_t **out) WARN_UNUSED;

/* The gate, in the caller's transaction: ST_AGREEMENT_REQUIRED (outcome:
 * conflict "agreement", subject the version, due_at its accept_by) when a
 * version past its accept_by is not accepted by registrar_id, nor a later
 * one; ST_OK otherwise. */
enum status service_agreement_gate(PGconn *conn, const char *registrar_id,
                                   struct service_outcome *outcome) WARN_UNUSED;
/* The same facts for an eligibility judgement (f->agreement). */
enum status service_agreement_facts(PGconn *conn, const char *registrar_id,
                                    struct eligibility_facts *f) WARN_UNUSED;
/* Fills outcome with a due agreement's refusal, returns ST_AGREEMENT_REQUIRED. */
enum status service_agreement_refusal(const struct agreement_due *due,
                                      struct service_outcome *outcome);

#endif
