/* PTSOC security contacts, pure: the names of the states, which contact
 * types a round checks, when a pending verification is reminded (day 7,
 * once) and unreachable (day 14), when a round is done, and why a registrar
 * has no reachable security contact. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four above, which it needs */

#include "ptsoc.h"

#include <string.h>

#define DAY (24LL * 60 * 60)

static void test_names_round_trip(void **state)
{
    (void)state;
    for (int i = 0; i < 3; i++) {
        enum ptsoc_status s;
        assert_true(ptsoc_status_parse(ptsoc_status_name((enum ptsoc_status)i), &s));
        assert_int_equal(s, i);
    }
    for (int i = 0; i < 2; i++) {
        enum ptsoc_round_status s;
        assert_true(
            ptsoc_round_status_parse(ptsoc_round_status_name((enum ptsoc_round_status)i), &s));
        assert_int_equal(s, i);
    }
    enum ptsoc_status s;
    assert_false(ptsoc_status_parse("Pending", &s));
    assert_false(ptsoc_status_parse("", &s));
    assert_string_equal(ptsoc_status_name(PTSOC_UNREACHABLE), "unreachable");
    assert_string_equal(ptsoc_round_status_name(PTSOC_ROUND_FINISHED), "finished");
}

static void test_types_checked(void **state)
{
    (void)state;
    assert_true(ptsoc_type_checked("security"));
    assert_true(ptsoc_type_checked("abuse"));
    assert_false(ptsoc_type_checked("admin"));
    assert_false(ptsoc_type_checked("technical"));
    assert_false(ptsoc_type_checked("Security"));
    assert_false(ptsoc_type_checked(NULL));
}

static void test_remind_at_day_seven_once(void **state)
{
    (void)state;
    assert_false(ptsoc_remind_due(PTSOC_PENDING, 0, false));
    assert_false(ptsoc_remind_due(PTSOC_PENDING, 6 * DAY, false));
    assert_false(ptsoc_remind_due(PTSOC_PENDING, 7 * DAY - 1, false));
    assert_true(ptsoc_remind_due(PTSOC_PENDING, 7 * DAY, false));
    assert_true(ptsoc_remind_due(PTSOC_PENDING, 10 * DAY, false));
    assert_false(ptsoc_remind_due(PTSOC_PENDING, 7 * DAY, true)); /* never twice */
    assert_false(ptsoc_remind_due(PTSOC_VERIFIED, 7 * DAY, false));
    assert_false(ptsoc_remind_due(PTSOC_UNREACHABLE, 7 * DAY, false));
}

static void test_unreachable_at_day_fourteen(void **state)
{
    (void)state;
    assert_false(ptsoc_expire_due(PTSOC_PENDING, 7 * DAY));
    assert_false(ptsoc_expire_due(PTSOC_PENDING, 14 * DAY - 1));
    assert_true(ptsoc_expire_due(PTSOC_PENDING, 14 * DAY));
    assert_true(ptsoc_expire_due(PTSOC_PENDING, 30 * DAY));
    assert_false(ptsoc_expire_due(PTSOC_VERIFIED, 30 * DAY));
    assert_false(ptsoc_expire_due(PTSOC_UNREACHABLE, 30 * DAY));
}

static void test_round_done(void **state)
{
    (void)state;
    assert_true(ptsoc_round_done(PTSOC_ROUND_RUNNING, 0));
    assert_false(ptsoc_round_done(PTSOC_ROUND_RUNNING, 1));
    assert_false(ptsoc_round_done(PTSOC_ROUND_FINISHED, 0));
}

static void test_unreachable_reason(void **state)
{
    (void)state;
    assert_string_equal(ptsoc_unreachable_reason(false, false), "no_security_contact");
    assert_string_equal(ptsoc_unreachable_reason(false, true), "no_security_contact");
    assert_string_equal(ptsoc_unreachable_reason(true, false), "not_verified");
    assert_null(ptsoc_unreachable_reason(true, true));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_round_trip),
        cmocka_unit_test(test_types_checked),
        cmocka_unit_test(test_remind_at_day_seven_once),
        cmocka_unit_test(test_unreachable_at_day_fourteen),
        cmocka_unit_test(test_round_done),
        cmocka_unit_test(test_unreachable_reason),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
