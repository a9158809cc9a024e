/* Eligibility over HTTP, for programs and events alike: who is asked
 * about, the explanation's JSON, and the problem a refusal answers (each
 * check's own type, its message, and the check's code). */
#ifndef PARCERIA_ELIGIBILITY_ANSWER_H
#define PARCERIA_ELIGIBILITY_ANSWER_H

#include "api.h"
#include "eligibility.h"
#include "service.h"

/* The registrar asked about: a registrar itself (naming another: 404), or
 * the one staff name in ?registrar_id= (required). NULL after answering. */
const char *eligibility_subject(struct _u_response *resp, struct req_ctx *ctx);

/* {"<key_name>": key, "registrar_id", "eligible", "checks": [{code, passed,
 * message}]} in the caller's language. A new reference. */
json_t *eligibility_json(const struct eligibility *e, enum eligibility_target target,
                         const char *key_name, const char *key, const char *registrar_id, bool pt);

/* Answers a refusal that names an eligibility check (outcome->conflict) with
 * its problem type, the check's message as detail, "check" and, for a
 * program required, "missing_program"; not_eligible_status is the status of
 * not-eligible (a program's prerequisite is a state that may change: 409;
 * an event's: 403). Returns RESOURCE_DEFAULT for any other refusal. */
int eligibility_refused(struct _u_response *resp, struct req_ctx *ctx, enum status st,
                        const struct service_outcome *outcome, enum eligibility_target target,
                        int not_eligible_status);

#endif
