/* The draw's arithmetic against vectors computed independently with
 * Python's hashlib and hmac (each one-liner is beside its vector): the
 * commitment, its check, the entry HMAC (a non-ASCII seed and a key longer
 * than a SHA-256 block included) and the order of a pool of five. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four above, which it needs */

#include "draw_order.h"

#include <sodium.h>
#include <string.h>

static const char SEED[] = "parceria-2027";
static const char ENTROPY[] = "btc:00000000000000000002a7c4";
static const char SEED_UTF8[] = "sé€d"; /* UTF-8: 73 c3a9 e282ac 64 */
static const char ENTROPY_UTF8[] = "ñ"; /* UTF-8: c3b1 */
static const char ID0[] = "0b3c3f7e-6a51-4b0e-9b53-1f0e2d6a9c01";

static void commitment_vectors(void **state)
{
    (void)state;
    char out[DRAW_HEX_LEN + 1];
    /* python3 -c 'import hashlib; print(hashlib.sha256("parceria-2027".encode()).hexdigest())' */
    draw_commitment(SEED, out);
    assert_string_equal(out, "5f7864cfa26d34078fba4e0ae4d5dc4cf2a8da53ced13cdff3fbbb2548281150");
    /* python3 -c 'import hashlib; print(hashlib.sha256("sé€d".encode()).hexdigest())' */
    draw_commitment(SEED_UTF8, out);
    assert_string_equal(out, "94dd946fb8fcbfea0b33deac1938aad71068e380525944059039838b92eac1bd");
    /* python3 -c 'import hashlib; print(hashlib.sha256(b"").hexdigest())' */
    draw_commitment("", out);
    assert_string_equal(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_true(draw_commitment_valid(out));
}

static void commitment_validity(void **state)
{
    (void)state;
    const char *good = "5f7864cfa26d34078fba4e0ae4d5dc4cf2a8da53ced13cdff3fbbb2548281150";
    assert_true(draw_commitment_valid(good));
    assert_true(
        draw_commitment_valid("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
    assert_false(draw_commitment_valid(NULL));
    assert_false(draw_commitment_valid(""));
    /* upper case */
    assert_false(
        draw_commitment_valid("5F7864CFA26D34078FBA4E0AE4D5DC4CF2A8DA53CED13CDFF3FBBB2548281150"));
    assert_false(
        draw_commitment_valid("5f7864cfa26d34078fba4e0ae4d5dc4cf2a8da53ced13cdff3fbbb254828115A"));
    /* 63 and 65 digits */
    assert_false(
        draw_commitment_valid("5f7864cfa26d34078fba4e0ae4d5dc4cf2a8da53ced13cdff3fbbb254828115"));
    assert_false(
        draw_commitment_valid("5f7864cfa26d34078fba4e0ae4d5dc4cf2a8da53ced13cdff3fbbb25482811500"));
    /* not hex: g, a space, a non-ASCII letter */
    assert_false(
        draw_commitment_valid("5f7864cfa26d34078fba4e0ae4d5dc4cf2a8da53ced13cdff3fbbb254828115g"));
    assert_false(
        draw_commitment_valid("5f7864cfa26d34078fba4e0ae4d5dc4cf2a8da53ced13cdff3fbbb254828115 "));
    assert_false(draw_commitment_valid(
        "5f7864cfa26d34078fba4e0ae4d5dc4cf2a8da53ced13cdff3fbbb2548281\xc3\xa9"));
}

static void seed_matches(void **state)
{
    (void)state;
    const char *c = "5f7864cfa26d34078fba4e0ae4d5dc4cf2a8da53ced13cdff3fbbb2548281150";
    assert_true(draw_seed_matches(SEED, c));
    assert_false(draw_seed_matches("parceria-2028", c));
    assert_false(draw_seed_matches("parceria-2027 ", c));
    assert_false(draw_seed_matches("", c));
    assert_false(draw_seed_matches(NULL, c));
    assert_false(draw_seed_matches(SEED, NULL));
    /* the right digest in upper case is not a commitment */
    assert_false(draw_seed_matches(
        SEED, "5F7864CFA26D34078FBA4E0AE4D5DC4CF2A8DA53CED13CDFF3FBBB2548281150"));
    assert_true(draw_seed_matches(
        SEED_UTF8, "94dd946fb8fcbfea0b33deac1938aad71068e380525944059039838b92eac1bd"));
    assert_false(draw_seed_matches(
        "sed", "94dd946fb8fcbfea0b33deac1938aad71068e380525944059039838b92eac1bd"));
}

static void entry_hmac_vectors(void **state)
{
    (void)state;
    char out[DRAW_HEX_LEN + 1];
    /* python3 -c 'import hmac, hashlib;
     * print(hmac.new(b"parceria-2027:btc:00000000000000000002a7c4",
     *   b"0b3c3f7e-6a51-4b0e-9b53-1f0e2d6a9c01", hashlib.sha256).hexdigest())' */
    draw_entry_hmac(SEED, ENTROPY, ID0, out);
    assert_string_equal(out, "fb7648f7a58baaf340e80b005189902f7d3f06dbccff7a47228c50834d132bdd");
    /* python3 -c 'import hmac, hashlib; print(hmac.new("sé€d:ñ".encode(),
     *   b"0b3c3f7e-6a51-4b0e-9b53-1f0e2d6a9c01", hashlib.sha256).hexdigest())' */
    draw_entry_hmac(SEED_UTF8, ENTROPY_UTF8, ID0, out);
    assert_string_equal(out, "b9a96d4eeb3b5f0a0a8172bb87307b249df8d53feb9cb573273368bdfaaea25b");
    /* A key longer than SHA-256's 64-byte block (HMAC hashes it first):
     * python3 -c 'import hmac, hashlib; print(hmac.new(("x" * 100 + ":entropy").encode(),
     *   b"0b3c3f7e-6a51-4b0e-9b53-1f0e2d6a9c01", hashlib.sha256).hexdigest())' */
    char seed[101];
    memset(seed, 'x', 100);
    seed[100] = '\0';
    draw_entry_hmac(seed, "entropy", ID0, out);
    assert_string_equal(out, "f88890706b6eb0a3376b54bfa8d6f03345c23978d9dcce0732f7ddc80059b368");
}

static void order_of_five(void **state)
{
    (void)state;
    char ids[5][DRAW_ID_SIZE] = {
        "0b3c3f7e-6a51-4b0e-9b53-1f0e2d6a9c01", "1c4d4a8f-7b62-4c1f-8c64-2a1f3e7bad12",
        "2d5e5b9a-8c73-4d2a-9d75-3b2a4f8cbe23", "3e6f6cab-9d84-4e3b-ae86-4c3b5a9dcf34",
        "4f707dbc-ae95-4f4c-bf97-5d4c6bae0045",
    };
    char again[5][DRAW_ID_SIZE];
    memcpy(again, ids, sizeof ids);
    /* python3 -c 'import hmac, hashlib; k = b"parceria-2027:btc:00000000000000000002a7c4";
     *   ids = ["0b3c3f7e-6a51-4b0e-9b53-1f0e2d6a9c01", "1c4d4a8f-7b62-4c1f-8c64-2a1f3e7bad12",
     *   "2d5e5b9a-8c73-4d2a-9d75-3b2a4f8cbe23", "3e6f6cab-9d84-4e3b-ae86-4c3b5a9dcf34",
     *   "4f707dbc-ae95-4f4c-bf97-5d4c6bae0045"];
     *   print(sorted(ids, key=lambda i: (hmac.new(k, i.encode(), hashlib.sha256).hexdigest(), i)))'
     */
    const char *expected[5] = {
        "2d5e5b9a-8c73-4d2a-9d75-3b2a4f8cbe23", "3e6f6cab-9d84-4e3b-ae86-4c3b5a9dcf34",
        "4f707dbc-ae95-4f4c-bf97-5d4c6bae0045", "1c4d4a8f-7b62-4c1f-8c64-2a1f3e7bad12",
        "0b3c3f7e-6a51-4b0e-9b53-1f0e2d6a9c01",
    };
    draw_order(SEED, ENTROPY, ids, 5);
    for (int i = 0; i < 5; i++)
        assert_string_equal(ids[i], expected[i]);
    /* the same from another starting order: the order is the pool's, not the input's */
    char reversed[5][DRAW_ID_SIZE];
    for (int i = 0; i < 5; i++)
        memcpy(reversed[i], again[4 - i], DRAW_ID_SIZE);
    draw_order(SEED, ENTROPY, reversed, 5);
    for (int i = 0; i < 5; i++)
        assert_string_equal(reversed[i], expected[i]);
    /* the same five under "sé€d" and "ñ": the same one-liner with k = "sé€d:ñ".encode() */
    const char *expected_utf8[5] = {
        "2d5e5b9a-8c73-4d2a-9d75-3b2a4f8cbe23", "3e6f6cab-9d84-4e3b-ae86-4c3b5a9dcf34",
        "0b3c3f7e-6a51-4b0e-9b53-1f0e2d6a9c01", "4f707dbc-ae95-4f4c-bf97-5d4c6bae0045",
        "1c4d4a8f-7b62-4c1f-8c64-2a1f3e7bad12",
    };
    draw_order(SEED_UTF8, ENTROPY_UTF8, again, 5);
    for (int i = 0; i < 5; i++)
        assert_string_equal(again[i], expected_utf8[i]);
}

static void order_edges(void **state)
{
    (void)state;
    draw_order(SEED, ENTROPY, NULL, 0); /* an empty pool: nothing to do */
    char one[1][DRAW_ID_SIZE] = {"0b3c3f7e-6a51-4b0e-9b53-1f0e2d6a9c01"};
    draw_order(SEED, ENTROPY, one, 1);
    assert_string_equal(one[0], ID0);
    /* the same id twice (equal HMACs): both kept */
    char two[2][DRAW_ID_SIZE] = {"0b3c3f7e-6a51-4b0e-9b53-1f0e2d6a9c01",
                                 "0b3c3f7e-6a51-4b0e-9b53-1f0e2d6a9c01"};
    draw_order(SEED, ENTROPY, two, 2);
    assert_string_equal(two[0], ID0);
    assert_string_equal(two[1], ID0);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(commitment_vectors), cmocka_unit_test(commitment_validity),
        cmocka_unit_test(seed_matches),       cmocka_unit_test(entry_hmac_vectors),
        cmocka_unit_test(order_of_five),      cmocka_unit_test(order_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
