/* The table-driven state machine engine of machine.h: one place that decides
 * "who may do what from where", so every machine answers alike. Pure. */
#include "machine.h"

#include <string.h>

enum status machine_transition(const struct machine *m, int from, int action, unsigned role,
                               int *to)
{
    if (from < 0 || (size_t)from >= m->nstates || action < 0 || (size_t)action >= m->nactions)
        return ST_INVALID;
    const struct machine_action *a = &m->actions[action];
    if ((a->roles & role) == 0)
        return ST_FORBIDDEN;
    if ((a->from & MACHINE_BIT(from)) == 0)
        return ST_INVALID_STATE;
    *to = a->to == MACHINE_SAME ? from : a->to;
    return ST_OK;
}

size_t machine_allowed(const struct machine *m, int state, unsigned role, unsigned skip,
                       const char **out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < m->nactions && n < cap; i++) {
        int to;
        if ((skip & MACHINE_BIT(i)) == 0 &&
            machine_transition(m, state, (int)i, role, &to) == ST_OK)
            out[n++] = m->actions[i].name;
    }
    return n;
}

int machine_state(const struct machine *m, const char *name)
{
    for (size_t i = 0; name != NULL && i < m->nstates; i++)
        if (strcmp(m->states[i], name) == 0)
            return (int)i;
    return -1;
}

int machine_action(const struct machine *m, const char *name)
{
    for (size_t i = 0; name != NULL && i < m->nactions; i++)
        if (strcmp(m->actions[i].name, name) == 0)
            return (int)i;
    return -1;
}
