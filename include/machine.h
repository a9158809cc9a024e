/* The engine the domain's state machines share: a machine is a table of
 * actions, each naming the roles that may take it, the states it may leave
 * and the state it leads to, and the side effects it has (as data: the
 * service layer runs them). application.c and registrar.c wrap it in typed
 * functions; later machines (enrollments, vouchers, entries…) are one table. */
#ifndef PARCERIA_MACHINE_H
#define PARCERIA_MACHINE_H

#include "status.h"

#include <stdbool.h>
#include <stddef.h>

#define MACHINE_BIT(state) (1u << (state))
#define MACHINE_SAME (-1) /* the action leaves the state as it is */

struct machine_action {
    const char *name;  /* as in the URL and in allowed_actions: "start-review" */
    unsigned roles;    /* enum api_role bits that may take it */
    unsigned from;     /* MACHINE_BIT of every state it may leave */
    int to;            /* the state it leads to, or MACHINE_SAME */
    bool needs_reason; /* the body must carry a reason */
    unsigned effects;  /* what else the action does, as the machine's own effect bits:
                          the service runs each one in the action's transaction */
};

struct machine {
    const char *const *states; /* state names, indexed by state */
    size_t nstates;
    const struct machine_action *actions; /* indexed by action */
    size_t nactions;
};

/* ST_OK with *to set when role may take action in state from; ST_FORBIDDEN
 * when no role in role may ever take it (checked first: a role question is
 * answered before a state one); ST_INVALID_STATE when it may, but not from
 * this state; ST_INVALID for a state or action outside the machine. */
enum status machine_transition(const struct machine *m, int from, int action, unsigned role,
                               int *to) WARN_UNUSED;

/* Lends the names of the actions role may take in state, in table order,
 * leaving out those whose bit is set in skip (actions a rule outside the
 * table rules out). Writes at most cap names; returns how many it wrote. */
size_t machine_allowed(const struct machine *m, int state, unsigned role, unsigned skip,
                       const char **out, size_t cap);

/* Index of the state (or action) called name, or -1. */
int machine_state(const struct machine *m, const char *name);
int machine_action(const struct machine *m, const char *name);

#endif
