/* Enrollments (DOMAIN.md section 3): one registrar in one program. Their
 * status machine, the row, and eligibility: the one function that decides
 * whether a registrar may enroll, which enrollment runs and
 * GET /v1/programs/{code}/eligibility explains. Pure: no I/O.
 *
 *   action         who        from             to         effects
 *   approve        staff      pending          active     registrar, prerequisites
 *   reject (R)     staff      pending          rejected
 *   suspend (R)    staff      active           suspended  dependents
 *   reinstate      staff      suspended        active     registrar, prerequisites, capacity
 *   withdraw       registrar  pending, active  withdrawn  registrar, dependents
 *
 * staff: ROLE_STAFF or ROLE_ADMIN. (R): a reason is required. rejected and
 * withdrawn are final. In a call, staff select (approve, reject) once the
 * call is closed. Effects, run in the action's transaction: "registrar"
 * refuses when the registrar is not accredited; "prerequisites" when a
 * program it requires has no active enrollment of the registrar;
 * "capacity" when the program has no place left; "dependents" suspends the
 * registrar's active enrollments in programs that require this one. */
#ifndef PARCERIA_ENROLLMENT_H
#define PARCERIA_ENROLLMENT_H

#include "eligibility.h"
#include "program.h"
#include "registrar.h"
#include "status.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum enrollment_status {
    ENROLLMENT_PENDING,
    ENROLLMENT_ACTIVE,
    ENROLLMENT_REJECTED,
    ENROLLMENT_WITHDRAWN,
    ENROLLMENT_SUSPENDED,
};
#define ENROLLMENT_STATUS_COUNT 5

enum enrollment_action {
    ENROLLMENT_ACT_APPROVE,
    ENROLLMENT_ACT_REJECT,
    ENROLLMENT_ACT_SUSPEND,
    ENROLLMENT_ACT_REINSTATE,
    ENROLLMENT_ACT_WITHDRAW,
};
#define ENROLLMENT_ACTION_COUNT 5

enum enrollment_effect {
    ENROLLMENT_EFFECT_REGISTRAR = 1u << 0,
    ENROLLMENT_EFFECT_PREREQUISITES = 1u << 1,
    ENROLLMENT_EFFECT_CAPACITY = 1u << 2,
    ENROLLMENT_EFFECT_DEPENDENTS = 1u << 3,
};

struct machine;
extern const struct machine enrollment_machine;

struct enrollment_row {
    char id[37];
    char program[PROGRAM_CODE_MAX + 1];
    char registrar_id[37];
    enum enrollment_status status;
    char accepted_terms_version[81];
    json_t *application; /* owned, or NULL */
    char *reason;        /* owned, or NULL */
    enum program_kind program_kind;
    enum program_status program_status;
    int version;
    char created_at[32];
    char updated_at[32];
    char status_changed_at[32];
};
void enrollment_row_cleanup(struct enrollment_row *row);

const char *enrollment_status_name(enum enrollment_status status);
bool enrollment_status_parse(const char *name, enum enrollment_status *out) WARN_UNUSED;
/* The actions a rule outside the table rules out now (machine bits): in a
 * call still open (or a draft), no selection yet. */
unsigned enrollment_ruled_out(const struct enrollment_row *row);

#endif
