/* Programs' use cases: the kind whose actions (open, close, archive) and
 * edits the generic runner takes, and the creation. */
#ifndef PARCERIA_SERVICE_PROGRAM_H
#define PARCERIA_SERVICE_PROGRAM_H

#include "program.h"
#include "service.h"

extern const struct service_kind service_program_kind;

/* The rule a refusal names (service_outcome.conflict): a program required
 * that does not exist; outcome.subject is its JSON Pointer ("/requires/1"). */
extern const char SERVICE_PROGRAM_UNKNOWN_REQUIRED[]; /* "unknown_program" */

/* Creates the program p (status draft) in one transaction with its audit
 * event; out gets the stored row. ST_CONFLICT when the code is taken;
 * ST_INVALID (outcome names the rule) when a program it requires does not
 * exist. */
enum status service_program_create(const struct service_call *call, const struct program_row *p,
                                   struct program_row *out,
                                   struct service_outcome *outcome) WARN_UNUSED;

#endif
