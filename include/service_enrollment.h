/* Enrollments' use cases: the kind whose actions (approve, reject, suspend,
 * reinstate, withdraw) the generic runner takes; enrolling; eligibility,
 * which enrolling runs too; and a program's counts. */
#ifndef PARCERIA_SERVICE_ENROLLMENT_H
#define PARCERIA_SERVICE_ENROLLMENT_H

#include "enrollment.h"
#include "service.h"
#include "store_enrollment.h"

extern const struct service_kind service_enrollment_kind;

/* The rule a refusal names (service_outcome.conflict) when enrollment's
 * terms version is not the program's: outcome.subject is the pointer. */
extern const char SERVICE_ENROLLMENT_TERMS[]; /* "terms_version" */

/* Whether registrar_id may enroll in program now, every check explained
 * (no lock: an answer for a person). ST_NOT_FOUND when the program or the
 * registrar does not exist. */
enum status service_enrollment_eligibility(const struct service_call *call, const char *program,
                                           const char *registrar_id,
                                           struct eligibility *out) WARN_UNUSED;

/* Enrolls in->registrar_id in in->program, in one transaction: the
 * program's row locked, eligibility judged by the same function, the
 * terms version checked, the insert, the audit event. A refusal names its
 * check in outcome (conflict: eligibility_code_name; subject: the program
 * required) with the status eligibility_status gives. */
enum status service_enrollment_create(const struct service_call *call,
                                      const struct enrollment_new *in, struct enrollment_row *out,
                                      struct service_outcome *outcome) WARN_UNUSED;

/* The program's enrollments by status. */
enum status service_enrollment_counts(const struct service_call *call, const char *program,
                                      long long counts[ENROLLMENT_STATUS_COUNT]) WARN_UNUSED;

#endif
