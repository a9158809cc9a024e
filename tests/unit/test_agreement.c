/* Data-processing agreements, pure: the version key's and the document
 * hash's shapes, the evidence rule (an acceptance names the version's very
 * document), the dates, and the gate as an eligibility check: judged right
 * after accredited, answering agreement-required, its message naming the
 * version. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four above, which it needs */

#include "agreement.h"
#include "eligibility.h"

#include <stdio.h>
#include <string.h>

#define SHA_A "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

static void versions(void **state)
{
    (void)state;
    const char *good[] = {"1", "2026.1", "v2_pt-PT", "A.b-c_9", "12345678901234567890"};
    const char *bad[] = {NULL,   "",    "123456789012345678901", "2026 1", "v/1", "v1?x=1", "é1",
                         "v1\n", "../x"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        assert_true(agreement_version_valid(good[i]));
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_false(agreement_version_valid(bad[i]));
}

static void hashes(void **state)
{
    (void)state;
    assert_true(agreement_sha256_valid(SHA_A));
    char upper[65];
    snprintf(upper, sizeof upper, "%s", SHA_A);
    upper[0] = 'F';
    assert_false(agreement_sha256_valid(upper)); /* lowercase only */
    assert_false(agreement_sha256_valid(NULL));
    assert_false(agreement_sha256_valid(""));
    assert_false(agreement_sha256_valid(SHA_A "0"));
    char shorter[65];
    memcpy(shorter, SHA_A, 63);
    shorter[63] = '\0';
    assert_false(agreement_sha256_valid(shorter));
    char g[65];
    snprintf(g, sizeof g, "%s", SHA_A);
    g[10] = 'g';
    assert_false(agreement_sha256_valid(g));
}

static void evidence(void **state)
{
    (void)state;
    struct agreement_row a = {.version = "2026.1"};
    snprintf(a.document_sha256, sizeof a.document_sha256, "%s", SHA_A);
    assert_true(agreement_document_matches(&a, SHA_A));
    char other[65];
    snprintf(other, sizeof other, "%s", SHA_A);
    other[63] = '9';
    assert_false(agreement_document_matches(&a, other));
    assert_false(agreement_document_matches(&a, NULL));
    assert_false(agreement_document_matches(&a, ""));
}

static void dates(void **state)
{
    (void)state;
    struct agreement_row a = {.effective_at = "2026-01-01T00:00:00Z",
                              .accept_by = "2026-03-01T00:00:00Z"};
    assert_true(agreement_dates_valid(&a));
    snprintf(a.accept_by, sizeof a.accept_by, "%s", a.effective_at);
    assert_false(agreement_dates_valid(&a)); /* equal: not after */
    snprintf(a.accept_by, sizeof a.accept_by, "%s", "2025-12-31T23:59:59Z");
    assert_false(agreement_dates_valid(&a));
}

static struct eligibility_facts eligible(void)
{
    return (struct eligibility_facts){.registrar_found = true,
                                      .registrar_status = REGISTRAR_ACCREDITED,
                                      .accepting = true,
                                      .now_us = 1000,
                                      .adding = 1};
}

static void gate(void **state)
{
    (void)state;
    struct eligibility e;
    struct eligibility_facts f = eligible();
    eligibility_judge(&f, ELIGIBILITY_ALL, &e);
    assert_true(e.eligible);
    assert_int_equal(e.checks[1].code, ELIGIBILITY_AGREEMENT); /* right after accredited */
    assert_true(e.checks[1].passed);

    f.agreement = (struct agreement_due){
        .due = true, .version = "2026.1", .accept_by = "2026-03-01T00:00:00Z"};
    eligibility_judge(&f, ELIGIBILITY_ALL, &e);
    assert_false(e.eligible);
    const struct eligibility_check *c = eligibility_refusal(&e);
    assert_non_null(c);
    assert_int_equal(c->code, ELIGIBILITY_AGREEMENT);
    assert_string_equal(c->subject, "2026.1");
    assert_int_equal(eligibility_status(&f, c), ST_AGREEMENT_REQUIRED);
    char text[80], msg[200];
    eligibility_code_text(c, text, sizeof text);
    assert_string_equal(text, "agreement");
    eligibility_message(c->code, ELIGIBILITY_FOR_EVENT, c->subject, false, false, msg, sizeof msg);
    assert_non_null(strstr(msg, "2026.1"));
    eligibility_message(c->code, ELIGIBILITY_FOR_PROGRAM, c->subject, false, true, msg, sizeof msg);
    assert_non_null(strstr(msg, "2026.1"));
    eligibility_message(c->code, ELIGIBILITY_FOR_PROGRAM, "", true, false, msg, sizeof msg);
    assert_null(strchr(msg, '%'));

    /* suspended comes first: the registrar's state, then its agreement */
    f.registrar_status = REGISTRAR_SUSPENDED;
    eligibility_judge(&f, ELIGIBILITY_ALL, &e);
    assert_int_equal(eligibility_refusal(&e)->code, ELIGIBILITY_ACCREDITED);

    /* a judgement that does not ask for it ignores it */
    f.registrar_status = REGISTRAR_ACCREDITED;
    eligibility_judge(&f, ELIGIBILITY_BIT(ELIGIBILITY_CAPACITY), &e);
    assert_true(e.eligible);

    enum eligibility_code code;
    assert_true(eligibility_code_parse("agreement", &code));
    assert_int_equal(code, ELIGIBILITY_AGREEMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(versions), cmocka_unit_test(hashes), cmocka_unit_test(evidence),
        cmocka_unit_test(dates),    cmocka_unit_test(gate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
