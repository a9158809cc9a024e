/* The registrar status machine: every state × action × role against the
 * machine written out edge by edge here, allowed_actions and the names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four above, which it needs */

#include "registrar.h"
#include "role.h"

/* DOMAIN.md section 2, apart from the code under test. */
static const struct edge {
    enum registrar_status from;
    enum registrar_action action;
    enum registrar_status to;
} edges[] = {
    {REGISTRAR_ACCREDITED, REGISTRAR_ACT_SUSPEND, REGISTRAR_SUSPENDED},
    {REGISTRAR_SUSPENDED, REGISTRAR_ACT_REINSTATE, REGISTRAR_ACCREDITED},
    {REGISTRAR_ACCREDITED, REGISTRAR_ACT_TERMINATE, REGISTRAR_TERMINATED},
    {REGISTRAR_SUSPENDED, REGISTRAR_ACT_TERMINATE, REGISTRAR_TERMINATED},
    {REGISTRAR_ACCREDITED, REGISTRAR_ACT_EDIT, REGISTRAR_ACCREDITED},
    {REGISTRAR_SUSPENDED, REGISTRAR_ACT_EDIT, REGISTRAR_SUSPENDED},
};

static const unsigned roles[] = {ROLE_PUBLIC,    ROLE_ADMIN,     ROLE_STAFF,
                                 ROLE_REGISTRAR, ROLE_APPLICANT, ROLE_TEACHER};

static unsigned who(enum registrar_action action)
{
    if (action == REGISTRAR_ACT_EDIT)
        return ROLE_STAFF | ROLE_ADMIN | ROLE_REGISTRAR;
    return ROLE_STAFF | ROLE_ADMIN;
}

static enum status expected(enum registrar_status from, enum registrar_action action, unsigned role,
                            enum registrar_status *to)
{
    if ((who(action) & role) == 0)
        return ST_FORBIDDEN;
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
        if (edges[i].from == from && edges[i].action == action) {
            *to = edges[i].to;
            return ST_OK;
        }
    return ST_INVALID_STATE;
}

static void every_transition(void **state)
{
    (void)state;
    size_t allowed = 0;
    for (int from = 0; from < REGISTRAR_STATUS_COUNT; from++)
        for (int action = 0; action < REGISTRAR_ACTION_COUNT; action++)
            for (size_t r = 0; r < sizeof roles / sizeof roles[0]; r++) {
                enum registrar_status want_to = REGISTRAR_TERMINATED, to = 99;
                enum status want = expected(from, action, roles[r], &want_to);
                enum status got = registrar_transition(from, action, roles[r], &to);
                if (got != want)
                    fail_msg("%s from %s by role %u: %d, want %d", registrar_action_name(action),
                             registrar_status_name(from), roles[r], got, want);
                if (want == ST_OK) {
                    assert_int_equal(to, want_to);
                    allowed++;
                } else {
                    assert_int_equal(to, 99);
                }
            }
    /* 6 edges for staff and for admin, 2 (edits) for the registrar. */
    assert_int_equal(allowed, 6 + 6 + 2);
}

static void allowed_actions_match_transitions(void **state)
{
    (void)state;
    for (int st = 0; st < REGISTRAR_STATUS_COUNT; st++)
        for (size_t r = 0; r < sizeof roles / sizeof roles[0]; r++) {
            const char *got[REGISTRAR_ACTION_COUNT];
            size_t n = registrar_allowed_actions(st, roles[r], got, REGISTRAR_ACTION_COUNT);
            size_t k = 0;
            for (int a = 0; a < REGISTRAR_ACTION_COUNT; a++) {
                enum registrar_status to;
                if (expected(st, a, roles[r], &to) != ST_OK)
                    continue;
                assert_true(k < n);
                assert_string_equal(got[k++], registrar_action_name(a));
            }
            assert_int_equal(n, k);
        }
}

static void allowed_actions_examples(void **state)
{
    (void)state;
    const char *got[REGISTRAR_ACTION_COUNT];
    assert_int_equal(registrar_allowed_actions(REGISTRAR_ACCREDITED, ROLE_STAFF, got, 4), 3);
    assert_string_equal(got[0], "suspend");
    assert_string_equal(got[1], "terminate");
    assert_string_equal(got[2], "edit");
    assert_int_equal(registrar_allowed_actions(REGISTRAR_SUSPENDED, ROLE_ADMIN, got, 4), 3);
    assert_string_equal(got[0], "reinstate");
    assert_string_equal(got[1], "terminate");
    assert_string_equal(got[2], "edit");
    assert_int_equal(registrar_allowed_actions(REGISTRAR_SUSPENDED, ROLE_REGISTRAR, got, 4), 1);
    assert_string_equal(got[0], "edit");
    assert_int_equal(registrar_allowed_actions(REGISTRAR_TERMINATED, ROLE_STAFF, got, 4), 0);
    assert_int_equal(registrar_allowed_actions(REGISTRAR_TERMINATED, ROLE_REGISTRAR, got, 4), 0);
    assert_int_equal(registrar_allowed_actions(REGISTRAR_ACCREDITED, ROLE_PUBLIC, got, 4), 0);
    assert_int_equal(registrar_allowed_actions(REGISTRAR_ACCREDITED, ROLE_STAFF, got, 1), 1);
    assert_string_equal(got[0], "suspend");
}

static void names_and_bad_values(void **state)
{
    (void)state;
    static const char *const statuses[] = {"accredited", "suspended", "terminated"};
    static const char *const actions[] = {"suspend", "reinstate", "terminate", "edit"};
    for (int i = 0; i < REGISTRAR_STATUS_COUNT; i++) {
        enum registrar_status s;
        assert_string_equal(registrar_status_name(i), statuses[i]);
        assert_true(registrar_status_parse(statuses[i], &s));
        assert_int_equal(s, i);
    }
    for (int i = 0; i < REGISTRAR_ACTION_COUNT; i++) {
        enum registrar_action a;
        assert_string_equal(registrar_action_name(i), actions[i]);
        assert_true(registrar_action_parse(actions[i], &a));
        assert_int_equal(a, i);
        assert_int_equal(registrar_action_needs_reason(i), i != REGISTRAR_ACT_EDIT);
    }
    enum registrar_status s = REGISTRAR_SUSPENDED;
    assert_false(registrar_status_parse("Accredited", &s));
    assert_false(registrar_status_parse("active", &s));
    assert_false(registrar_status_parse(NULL, &s));
    assert_int_equal(s, REGISTRAR_SUSPENDED);
    enum registrar_action a = REGISTRAR_ACT_EDIT;
    assert_false(registrar_action_parse("suspended", &a));
    assert_false(registrar_action_parse("", &a));
    assert_int_equal(a, REGISTRAR_ACT_EDIT);
    assert_null(registrar_status_name((enum registrar_status)3));
    assert_null(registrar_action_name((enum registrar_action)4));
    assert_false(registrar_action_needs_reason((enum registrar_action)4));
    enum registrar_status to;
    assert_int_equal(
        registrar_transition((enum registrar_status)3, REGISTRAR_ACT_EDIT, ROLE_STAFF, &to),
        ST_INVALID);
    assert_int_equal(
        registrar_transition(REGISTRAR_ACCREDITED, (enum registrar_action)4, ROLE_STAFF, &to),
        ST_INVALID);
    /* Terminated is final, and a registrar may never change its own status. */
    assert_int_equal(
        registrar_transition(REGISTRAR_TERMINATED, REGISTRAR_ACT_REINSTATE, ROLE_ADMIN, &to),
        ST_INVALID_STATE);
    assert_int_equal(
        registrar_transition(REGISTRAR_SUSPENDED, REGISTRAR_ACT_REINSTATE, ROLE_REGISTRAR, &to),
        ST_FORBIDDEN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_transition),
        cmocka_unit_test(allowed_actions_match_transitions),
        cmocka_unit_test(allowed_actions_examples),
        cmocka_unit_test(names_and_bad_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
