/* The route table against the state machines: every route the kit answers
 * with an action names an action of its resource's machine, and admits
 * exactly the roles that action allows (admin wherever staff is). PATCH
 * routes admit exactly the roles of the machine's edit action. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four above, which it needs */

#include "handlers.h"
#include "machine.h"
#include "resource.h"

#include <stdio.h>
#include <string.h>

/* A route's roles as the auth rule applies them: admin may do what staff may. */
static unsigned effective(unsigned roles)
{
    return roles & ROLE_STAFF ? roles | ROLE_ADMIN : roles;
}

static void action_routes_admit_the_machines_roles(void **state)
{
    (void)state;
    size_t checked = 0;
    for (const struct route *r = api_routes; r->method; r++) {
        int action = -1;
        if (r->handler == resource_act || r->handler == api_applications_credentials)
            action = resource_route_action(r);
        else if (r->handler == resource_patch)
            action = r->resource->kind->edit_action;
        else
            continue;
        if (r->handler == api_applications_credentials)
            action = machine_action(r->resource->kind->machine, "collect-credentials");
        if (action < 0)
            fail_msg("%s %s names no action of its machine", r->method, r->path);
        const struct machine_action *a = &r->resource->kind->machine->actions[action];
        if (effective(r->roles) != effective(a->roles))
            fail_msg("%s %s admits roles 0x%x, its action %s 0x%x", r->method, r->path,
                     effective(r->roles), a->name, effective(a->roles));
        checked++;
    }
    assert_true(checked >= 11); /* 8 application and 3 registrar actions, with edits */
}

static void every_machine_action_has_its_route(void **state)
{
    (void)state;
    const struct resource *resources[] = {&api_applications, &api_registrars};
    for (size_t i = 0; i < 2; i++) {
        const struct machine *m = resources[i]->kind->machine;
        for (size_t a = 0; a < m->nactions; a++) {
            bool found = a == (size_t)resources[i]->kind->edit_action;
            for (const struct route *r = api_routes; r->method && !found; r++)
                found = r->resource == resources[i] && resource_route_action(r) == (int)a;
            if (!found && strcmp(m->actions[a].name, "collect-credentials") != 0)
                fail_msg("action %s has no route", m->actions[a].name);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(action_routes_admit_the_machines_roles),
        cmocka_unit_test(every_machine_action_has_its_route),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
