/* The Sitestar.pt contest, pure: both machines, an edition's phase, and the
 * selection's ranking (scored first, higher first, earlier submission on a
 * tie, then id). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four above, which it needs */

#include "machine.h"
#include "role.h"
#include "sitestar.h"

#include <stdio.h>
#include <string.h>

static void machines(void **state)
{
    (void)state;
    int to;
    assert_int_equal(
        machine_transition(&entry_machine, ENTRY_SUBMITTED, ENTRY_ACT_DISQUALIFY, ROLE_STAFF, &to),
        ST_OK);
    assert_int_equal(to, ENTRY_DISQUALIFIED);
    assert_int_equal(machine_transition(&entry_machine, ENTRY_SUBMITTED, ENTRY_ACT_DISQUALIFY,
                                        ROLE_TEACHER, &to),
                     ST_FORBIDDEN);
    assert_int_equal(
        machine_transition(&entry_machine, ENTRY_SUBMITTED, ENTRY_ACT_WITHDRAW, ROLE_TEACHER, &to),
        ST_OK);
    assert_int_equal(to, ENTRY_WITHDRAWN);
    for (int s = ENTRY_APPROVED; s < ENTRY_STATUS_COUNT; s++) {
        assert_int_equal(
            machine_transition(&entry_machine, s, ENTRY_ACT_WITHDRAW, ROLE_TEACHER, &to),
            ST_INVALID_STATE);
        assert_int_equal(
            machine_transition(&entry_machine, s, ENTRY_ACT_DISQUALIFY, ROLE_ADMIN, &to),
            ST_INVALID_STATE);
    }
    assert_true(entry_machine.actions[ENTRY_ACT_DISQUALIFY].needs_reason);
    assert_int_equal(
        machine_transition(&edition_machine, EDITION_SELECTED, EDITION_ACT_EDIT, ROLE_STAFF, &to),
        ST_INVALID_STATE);
    assert_int_equal(
        machine_transition(&edition_machine, EDITION_OPEN, EDITION_ACT_EDIT, ROLE_REGISTRAR, &to),
        ST_FORBIDDEN);
}

static void ruled_out(void **state)
{
    (void)state;
    struct entry_row e = {.status = ENTRY_SUBMITTED};
    unsigned withdraw = MACHINE_BIT(ENTRY_ACT_WITHDRAW), edit = MACHINE_BIT(ENTRY_ACT_EDIT);
    assert_int_equal(entry_ruled_out(&e), edit);
    e.scores_count = 1;
    assert_int_equal(entry_ruled_out(&e), withdraw | edit);
    e = (struct entry_row){.status = ENTRY_APPROVED, .voucher_status = VOUCHER_ISSUED};
    snprintf(e.voucher_code, sizeof e.voucher_code, "ABCDEFGHJKMNPQ");
    assert_int_equal(entry_ruled_out(&e), edit);
    e.voucher_status = VOUCHER_REDEEMED;
    assert_int_equal(entry_ruled_out(&e), 0);
}

static void phases(void **state)
{
    (void)state;
    struct edition_row e = {.opens_us = 100, .closes_us = 200};
    e.now_us = 99;
    assert_int_equal(edition_phase(&e), PHASE_UPCOMING);
    e.now_us = 100;
    assert_int_equal(edition_phase(&e), PHASE_SUBMISSIONS);
    e.now_us = 199;
    assert_int_equal(edition_phase(&e), PHASE_SUBMISSIONS);
    e.now_us = 200;
    assert_int_equal(edition_phase(&e), PHASE_SCORING);
    e.status = EDITION_SELECTED;
    assert_int_equal(edition_phase(&e), PHASE_SELECTED);
    assert_string_equal(edition_phase_name(PHASE_SCORING), "scoring");
    /* an entry's key lasts benefit_months of 31 days after the close */
    e = (struct edition_row){.closes_us = 10000000, .now_us = 0, .benefit_months = 12};
    assert_int_equal(sitestar_key_seconds(&e), 10 + 12 * 31 * 86400);
    e.now_us = e.closes_us + 12LL * 31 * 86400 * 1000000;
    assert_int_equal(sitestar_key_seconds(&e), 1);
}

static void ranking(void **state)
{
    (void)state;
    struct entry_rank r[] = {
        {.index = 0, .scored = false, .submitted_us = 1, .id = "a"},
        {.index = 1, .scored = true, .score = 70, .submitted_us = 5, .id = "b"},
        {.index = 2, .scored = true, .score = 90, .submitted_us = 9, .id = "c"},
        {.index = 3, .scored = true, .score = 70, .submitted_us = 3, .id = "d"},
        {.index = 4, .scored = true, .score = 70, .submitted_us = 3, .id = "c2"},
        {.index = 5, .scored = false, .submitted_us = 0, .id = "e"},
    };
    sitestar_rank(r, 6);
    const size_t order[] = {2, 4, 3, 1, 5, 0};
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(r[i].index, order[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(machines),
        cmocka_unit_test(ruled_out),
        cmocka_unit_test(phases),
        cmocka_unit_test(ranking),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
