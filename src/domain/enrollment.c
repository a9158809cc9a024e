/* Enrollments: the status machine (tabled in enrollment.h) as data for the
 * machine engine, and eligibility. Pure. */
#include "enrollment.h"

#include "machine.h"
#include "role.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STAFF (ROLE_STAFF | ROLE_ADMIN)
#define B(s) MACHINE_BIT(ENROLLMENT_##s)
#define E(e) ENROLLMENT_EFFECT_##e

static const char *const states[ENROLLMENT_STATUS_COUNT] = {
    [ENROLLMENT_PENDING] = "pending",     [ENROLLMENT_ACTIVE] = "active",
    [ENROLLMENT_REJECTED] = "rejected",   [ENROLLMENT_WITHDRAWN] = "withdrawn",
    [ENROLLMENT_SUSPENDED] = "suspended",
};

static const struct machine_action actions[ENROLLMENT_ACTION_COUNT] = {
    [ENROLLMENT_ACT_APPROVE] = {"approve", STAFF, B(PENDING), ENROLLMENT_ACTIVE, false,
                                E(REGISTRAR) | E(PREREQUISITES)},
    [ENROLLMENT_ACT_REJECT] = {"reject", STAFF, B(PENDING), ENROLLMENT_REJECTED, true, 0},
    [ENROLLMENT_ACT_SUSPEND] = {"suspend", STAFF, B(ACTIVE), ENROLLMENT_SUSPENDED, true,
                                E(DEPENDENTS)},
    [ENROLLMENT_ACT_REINSTATE] = {"reinstate", STAFF, B(SUSPENDED), ENROLLMENT_ACTIVE, false,
                                  E(REGISTRAR) | E(PREREQUISITES) | E(CAPACITY)},
    [ENROLLMENT_ACT_WITHDRAW] = {"withdraw", ROLE_REGISTRAR, B(PENDING) | B(ACTIVE),
                                 ENROLLMENT_WITHDRAWN, false, E(REGISTRAR) | E(DEPENDENTS)},
};

const struct machine enrollment_machine = {states, ENROLLMENT_STATUS_COUNT, actions,
                                           ENROLLMENT_ACTION_COUNT};

void enrollment_row_cleanup(struct enrollment_row *row)
{
    json_decref(row->application);
    row->application = NULL;
    free(row->reason);
    row->reason = NULL;
}

const char *enrollment_status_name(enum enrollment_status status)
{
    return (unsigned)status < ENROLLMENT_STATUS_COUNT ? states[status] : NULL;
}

bool enrollment_status_parse(const char *name, enum enrollment_status *out)
{
    int i = machine_state(&enrollment_machine, name);
    if (i >= 0)
        *out = (enum enrollment_status)i;
    return i >= 0;
}

unsigned enrollment_ruled_out(const struct enrollment_row *row)
{
    bool selecting = row->program_kind != PROGRAM_CALL || row->program_status == PROGRAM_CLOSED ||
                     row->program_status == PROGRAM_ARCHIVED;
    return selecting ? 0 : MACHINE_BIT(ENROLLMENT_ACT_APPROVE) | MACHINE_BIT(ENROLLMENT_ACT_REJECT);
}
