/* The registrar status machine (tabled in registrar.h) as data for the
 * machine engine. Pure. */
#include "registrar.h"

#include "machine.h"
#include "role.h"

#include <stdlib.h>

#define STAFF (ROLE_STAFF | ROLE_ADMIN)
#define LIVE (MACHINE_BIT(REGISTRAR_ACCREDITED) | MACHINE_BIT(REGISTRAR_SUSPENDED))

static const char *const states[REGISTRAR_STATUS_COUNT] = {
    [REGISTRAR_ACCREDITED] = "accredited",
    [REGISTRAR_SUSPENDED] = "suspended",
    [REGISTRAR_TERMINATED] = "terminated",
};

static const struct machine_action actions[REGISTRAR_ACTION_COUNT] = {
    [REGISTRAR_ACT_SUSPEND] = {"suspend", STAFF, MACHINE_BIT(REGISTRAR_ACCREDITED),
                               REGISTRAR_SUSPENDED, true, 0},
    [REGISTRAR_ACT_REINSTATE] = {"reinstate", STAFF, MACHINE_BIT(REGISTRAR_SUSPENDED),
                                 REGISTRAR_ACCREDITED, true, 0},
    [REGISTRAR_ACT_TERMINATE] = {"terminate", STAFF, LIVE, REGISTRAR_TERMINATED, true,
                                 REGISTRAR_EFFECT_REVOKE_CLIENTS},
    [REGISTRAR_ACT_EDIT] = {"edit", STAFF | ROLE_REGISTRAR, LIVE, MACHINE_SAME, false, 0},
};

const struct machine registrar_machine = {states, REGISTRAR_STATUS_COUNT, actions,
                                          REGISTRAR_ACTION_COUNT};

void registrar_row_cleanup(struct registrar_row *row)
{
    json_decref(row->fields);
    row->fields = NULL;
    json_decref(row->programs);
    row->programs = NULL;
    free(row->website);
    row->website = NULL;
}

const char *registrar_status_name(enum registrar_status status)
{
    return (unsigned)status < REGISTRAR_STATUS_COUNT ? states[status] : NULL;
}

bool registrar_status_parse(const char *name, enum registrar_status *out)
{
    int i = machine_state(&registrar_machine, name);
    if (i >= 0)
        *out = (enum registrar_status)i;
    return i >= 0;
}

const char *registrar_action_name(enum registrar_action action)
{
    return (unsigned)action < REGISTRAR_ACTION_COUNT ? actions[action].name : NULL;
}

bool registrar_action_parse(const char *name, enum registrar_action *out)
{
    int i = machine_action(&registrar_machine, name);
    if (i >= 0)
        *out = (enum registrar_action)i;
    return i >= 0;
}

bool registrar_action_needs_reason(enum registrar_action action)
{
    return (unsigned)action < REGISTRAR_ACTION_COUNT && actions[action].needs_reason;
}

enum status registrar_transition(enum registrar_status from, enum registrar_action action,
                                 unsigned role, enum registrar_status *to)
{
    int next;
    enum status st = machine_transition(&registrar_machine, (int)from, (int)action, role, &next);
    if (st == ST_OK)
        *to = (enum registrar_status)next;
    return st;
}

size_t registrar_allowed_actions(enum registrar_status status, unsigned role, const char **out,
                                 size_t cap)
{
    return machine_allowed(&registrar_machine, (int)status, role, 0, out, cap);
}
