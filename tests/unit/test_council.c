/* The Conselho Consultivo's pure parts: the machines, dates, who may
 * nominate or vote, and the election's arithmetic against vectors computed
 * with Python's hashlib (the one-liners are beside them). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four above, which it needs */

#include "council.h"
#include "machine.h"
#include "role.h"

#include <stdio.h>
#include <string.h>

static const char TERM[] = "11111111-2222-4333-8444-555555555555";
static const char A[] = "aaaaaaaa-0000-4000-8000-000000000001";
static const char B[] = "bbbbbbbb-0000-4000-8000-000000000002";
static const char C[] = "cccccccc-0000-4000-8000-000000000003";

static void machines(void **state)
{
    (void)state;
    int to = -1;
    assert_int_equal(machine_transition(&council_term_machine, TERM_DRAFT,
                                        TERM_ACT_OPEN_NOMINATIONS, ROLE_STAFF, &to),
                     ST_OK);
    assert_int_equal(to, TERM_NOMINATING);
    assert_int_equal(
        machine_transition(&council_term_machine, TERM_DRAFT, TERM_ACT_CLOSE, ROLE_STAFF, &to),
        ST_INVALID_STATE);
    assert_int_equal(
        machine_transition(&council_term_machine, TERM_VOTING, TERM_ACT_CLOSE, ROLE_REGISTRAR, &to),
        ST_FORBIDDEN);
    assert_int_equal(
        machine_transition(&council_term_machine, TERM_NOMINATING, TERM_ACT_EDIT, ROLE_STAFF, &to),
        ST_INVALID_STATE);
    struct council_nomination_row n = {.status = NOMINATION_SUBMITTED, .term_status = TERM_VOTING};
    assert_int_equal(council_nomination_ruled_out(&n),
                     MACHINE_BIT(NOMINATION_ACT_ACCEPT) | MACHINE_BIT(NOMINATION_ACT_REJECT));
    n.term_status = TERM_NOMINATING;
    assert_int_equal(council_nomination_ruled_out(&n), 0);
    assert_true(council_nomination_machine.actions[NOMINATION_ACT_REJECT].needs_reason);
}

static void dates(void **state)
{
    (void)state;
    assert_true(council_date_valid("2027-01-31"));
    assert_true(council_date_valid("2028-02-29"));
    assert_false(council_date_valid("2027-02-29"));
    assert_false(council_date_valid("2100-02-29"));
    assert_false(council_date_valid("2027-13-01"));
    assert_false(council_date_valid("2027-1-01"));
    assert_false(council_date_valid("2027-01-01T00:00:00Z"));
    assert_false(council_date_valid(NULL));
}

static void term_check(void **state)
{
    (void)state;
    struct council_term_row t = {.starts_on = "2027-01-01", .ends_on = "2028-12-31"};
    struct field_issue out[COUNCIL_TERM_MAX_ISSUES];
    assert_int_equal(council_term_check(&t, out, COUNCIL_TERM_MAX_ISSUES), 0);
    snprintf(t.ends_on, sizeof t.ends_on, "2027-01-01"); /* the same day is not after */
    assert_int_equal(council_term_check(&t, out, COUNCIL_TERM_MAX_ISSUES), 1);
    assert_string_equal(out[0].pointer, "/ends_on");
    assert_int_equal(out[0].code, ERR_BEFORE_STARTS_ON);
    assert_int_equal(council_term_check(&t, NULL, 0), 0); /* nothing past cap */
}

static void standing(void **state)
{
    (void)state;
    struct council_standing s = {true, true, true};
    assert_null(council_refusal(&s, true));
    s.tenure = false;
    assert_string_equal(council_refusal(&s, true), "tenure");
    assert_null(council_refusal(&s, false)); /* voting needs no tenure */
    s.accredited = false;
    assert_string_equal(council_refusal(&s, true), "accredited");
    assert_string_equal(council_refusal(&s, false), "accredited");
    s.found = false, s.accredited = true;
    assert_string_equal(council_refusal(&s, false), "accredited");
}

static void ballot_hash_vector(void **state)
{
    (void)state;
    unsigned char nonce[COUNCIL_NONCE_BYTES];
    for (int i = 0; i < COUNCIL_NONCE_BYTES; i++)
        nonce[i] = (unsigned char)i;
    struct council_ballot b = {.count = 2};
    strcpy(b.choices[0], B); /* given unsorted: sealing sorts them */
    strcpy(b.choices[1], A);
    /* python3 -c 'import hashlib; T="11111111-2222-4333-8444-555555555555";
     *   print(hashlib.sha256(T.encode() + bytes(range(32)) +
     * b",aaaaaaaa-0000-4000-8000-000000000001"
     *   b",bbbbbbbb-0000-4000-8000-000000000002").hexdigest())' */
    council_ballot_seal(&b, TERM, nonce);
    assert_string_equal(b.hash, "80c04d66db43a6e17e5ff13095ee9b5b0dd546871ece3f0be319b608b71152a3");
    assert_string_equal(b.choices[0], A);
    /* another nonce, another hash for the same choices */
    struct council_ballot again = b;
    nonce[0] = 0xff;
    council_ballot_seal(&again, TERM, nonce);
    assert_string_not_equal(again.hash, b.hash);
}

static void ballots_hash_vector(void **state)
{
    (void)state;
    struct council_ballot bs[2] = {{.count = 1}, {.count = 1}};
    strcpy(bs[0].hash, "80c04d66db43a6e17e5ff13095ee9b5b0dd546871ece3f0be319b608b71152a3");
    memset(bs[1].hash, '0', 64);
    council_ballots_sort(bs, 2);
    assert_int_equal(bs[0].hash[0], '0');
    char out[COUNCIL_HEX];
    /* python3 -c 'import hashlib; print(hashlib.sha256(("0"*64 +
     * "80c0…52a3").encode()).hexdigest())' */
    council_ballots_hash(bs, 2, out);
    assert_string_equal(out, "3961a9da0548f9bed912c0cbd93ca476b73b9584cf165372a0f92ae7b3adc3f8");
    /* python3 -c 'import hashlib; print(hashlib.sha256(b"").hexdigest())' */
    council_ballots_hash(bs, 0, out);
    assert_string_equal(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void tally(void **state)
{
    (void)state;
    struct council_ballot bs[3] = {{.count = 2}, {.count = 1}, {.count = 1}};
    strcpy(bs[0].choices[0], A), strcpy(bs[0].choices[1], B);
    strcpy(bs[1].choices[0], B);
    strcpy(bs[2].choices[0], A);
    struct council_tally t[3] = {0};
    strcpy(t[0].nomination_id, C), strcpy(t[1].nomination_id, A), strcpy(t[2].nomination_id, B);
    const char *all = "3961a9da0548f9bed912c0cbd93ca476b73b9584cf165372a0f92ae7b3adc3f8";
    council_count(t, 3, bs, 3, all, 1);
    /* A and B tie at 2: the lower lot comes first; C has none */
    assert_int_equal(t[0].votes, 2);
    assert_int_equal(t[1].votes, 2);
    assert_string_equal(t[2].nomination_id, C);
    assert_int_equal(t[2].votes, 0);
    assert_true(strcmp(t[0].lot, t[1].lot) < 0);
    assert_true(t[0].elected);
    assert_false(t[1].elected);
    /* more seats than candidates with votes: nobody without a vote is elected */
    council_count(t, 3, bs, 3, all, 3);
    assert_true(t[0].elected && t[1].elected);
    assert_false(t[2].elected);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(machines),
        cmocka_unit_test(dates),
        cmocka_unit_test(term_check),
        cmocka_unit_test(standing),
        cmocka_unit_test(ballot_hash_vector),
        cmocka_unit_test(ballots_hash_vector),
        cmocka_unit_test(tally),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
