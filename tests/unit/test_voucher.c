/* Vouchers, pure: the machine edge by edge, and the redemption rule (who
 * may redeem is judged before the voucher's state; its own voucher again
 * for the same domain changes nothing). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four above, which it needs */

#include "machine.h"
#include "role.h"
#include "voucher.h"

#include <stdio.h>
#include <string.h>

static const unsigned roles[] = {ROLE_PUBLIC,    ROLE_ADMIN,     ROLE_STAFF,
                                 ROLE_REGISTRAR, ROLE_APPLICANT, ROLE_TEACHER};

static void machine_edges(void **state)
{
    (void)state;
    for (int s = 0; s < VOUCHER_STATUS_COUNT; s++)
        for (int a = 0; a < VOUCHER_ACTION_COUNT; a++)
            for (size_t r = 0; r < sizeof roles / sizeof *roles; r++) {
                unsigned who = a == VOUCHER_ACT_REDEEM ? ROLE_REGISTRAR : (ROLE_STAFF | ROLE_ADMIN);
                int to = -1;
                enum status want = (who & roles[r]) == 0 ? ST_FORBIDDEN
                                   : s == VOUCHER_ISSUED ? ST_OK
                                                         : ST_INVALID_STATE;
                assert_int_equal(machine_transition(&voucher_machine, s, a, roles[r], &to), want);
                if (want == ST_OK)
                    assert_int_equal(to,
                                     a == VOUCHER_ACT_REDEEM ? VOUCHER_REDEEMED : VOUCHER_REVOKED);
            }
    assert_true(voucher_machine.actions[VOUCHER_ACT_REVOKE].needs_reason);
    enum voucher_status st;
    assert_true(voucher_status_parse("expired", &st) && st == VOUCHER_EXPIRED);
    assert_false(voucher_status_parse("used", &st));
}

#define ME "11111111-1111-4111-8111-111111111111"
#define OTHER "22222222-2222-4222-8222-222222222222"

static struct voucher_row voucher(enum voucher_status status)
{
    struct voucher_row v = {.status = status, .program_kind = PROGRAM_STANDING};
    snprintf(v.program, sizeof v.program, "3em1-comercio");
    if (status == VOUCHER_REDEEMED) {
        snprintf(v.registrar_id, sizeof v.registrar_id, ME);
        snprintf(v.domain, sizeof v.domain, "loja.pt");
    }
    return v;
}

static const struct voucher_redeemer able = {true, REGISTRAR_ACCREDITED, true};

static void redemption(void **state)
{
    (void)state;
    bool same;
    struct voucher_row v = voucher(VOUCHER_ISSUED);
    assert_int_equal(voucher_redeem_judge(&v, &able, ME, "loja.pt", &same), ST_OK);
    assert_false(same);
    v = voucher(VOUCHER_REDEEMED);
    assert_int_equal(voucher_redeem_judge(&v, &able, ME, "loja.pt", &same), ST_OK);
    assert_true(same); /* again, the same: nothing changes */
    assert_int_equal(voucher_redeem_judge(&v, &able, ME, "outra.pt", &same), ST_VOUCHER_REDEEMED);
    assert_false(same);
    assert_int_equal(voucher_redeem_judge(&v, &able, OTHER, "loja.pt", &same), ST_VOUCHER_REDEEMED);
    v = voucher(VOUCHER_EXPIRED);
    assert_int_equal(voucher_redeem_judge(&v, &able, ME, "loja.pt", &same), ST_VOUCHER_EXPIRED);
    v = voucher(VOUCHER_REVOKED);
    assert_int_equal(voucher_redeem_judge(&v, &able, ME, "loja.pt", &same), ST_VOUCHER_REVOKED);
}

static void who_first(void **state)
{
    (void)state;
    bool same;
    struct voucher_redeemer w = able;
    for (int s = 0; s < VOUCHER_STATUS_COUNT; s++) {
        struct voucher_row v = voucher((enum voucher_status)s);
        w = able;
        w.enrolled = false;
        assert_int_equal(voucher_redeem_judge(&v, &w, ME, "loja.pt", &same), ST_NOT_ELIGIBLE);
        w = able;
        w.registrar_status = REGISTRAR_SUSPENDED;
        assert_int_equal(voucher_redeem_judge(&v, &w, ME, "loja.pt", &same),
                         ST_REGISTRAR_SUSPENDED);
        w.registrar_status = REGISTRAR_TERMINATED;
        assert_int_equal(voucher_redeem_judge(&v, &w, ME, "loja.pt", &same), ST_FORBIDDEN);
        w = able;
        w.registrar_found = false;
        assert_int_equal(voucher_redeem_judge(&v, &w, ME, "loja.pt", &same), ST_FORBIDDEN);
    }
}

static void builders(void **state)
{
    (void)state;
    struct voucher_row v = voucher(VOUCHER_ISSUED);
    assert_string_equal(voucher_builders_program(&v), "3em1-comercio");
    snprintf(v.program, sizeof v.program, "sitestar-2027");
    v.program_kind = PROGRAM_CONTEST;
    assert_string_equal(voucher_builders_program(&v), "3em1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(machine_edges),
        cmocka_unit_test(redemption),
        cmocka_unit_test(who_first),
        cmocka_unit_test(builders),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
