/* Voucher codes, pure: the Luhn mod 30 check symbol against vectors worked
 * by hand and against the validation form of the algorithm written out
 * here, the typos it catches, what normalization accepts and refuses, and
 * 10,000 generated codes (valid, distinct, symbols roughly uniform). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four above, which it needs */

#include "voucher_code.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char ALPHA[] = "23456789ABCDEFGHJKMNPQRSTVWXYZ";

static int value_of(char c)
{
    return (int)(strchr(ALPHA, c) - ALPHA);
}

/* Luhn mod N, validation form: from the rightmost symbol (the check symbol)
 * weights 1, 2, 1, …; each product written in base 30 and its digits
 * summed; the whole is valid when the sum is a multiple of 30. */
static bool luhn30_valid(const char code[14])
{
    int sum = 0;
    for (int i = 13, weight = 1; i >= 0; i--, weight = weight == 1 ? 2 : 1) {
        int p = weight * value_of(code[i]);
        sum += p / 30 + p % 30;
    }
    return sum % 30 == 0;
}

/* The check symbol as the one symbol that makes the whole valid. */
static char luhn30_check(const char payload[13])
{
    char code[15];
    memcpy(code, payload, 13);
    code[14] = '\0';
    char found = '\0';
    for (int v = 0; v < 30; v++) {
        code[13] = ALPHA[v];
        if (luhn30_valid(code)) {
            assert_int_equal(found, '\0'); /* exactly one */
            found = ALPHA[v];
        }
    }
    return found;
}

static void make_code(const char payload[13], char out[15])
{
    memcpy(out, payload, 13);
    out[13] = voucher_code_check_symbol(payload);
    out[14] = '\0';
}

static void random_payload(char payload[13])
{
    for (int i = 0; i < 13; i++)
        payload[i] = ALPHA[randombytes_uniform(30)];
}

static bool accepted(const char *input)
{
    char out[VOUCHER_CODE_LEN + 1] = "x";
    bool ok = voucher_code_normalize(input, out);
    if (!ok)
        assert_string_equal(out, "");
    return ok;
}

static void known_vectors(void **state)
{
    (void)state;
    /* Worked by hand. All 0s: sum 0, check 0 ('2'). All 1s ('3'): seven
     * weights of 2 and six of 1, sum 20, check 10 ('C'). All 29s ('Z'):
     * 2 × 29 = 58 = "1S" in base 30, digits 1 + 28 = 29, as 29 itself;
     * sum 13 × 29 = 377, 377 mod 30 = 17, check 13 ('F'). A..P (values 8..20):
     * from the right 11 + 19 + 7 + 17 + 3 + 15 + 28 + 13 + 24 + 11 + 20 + 9
     * + 16 = 193, mod 30 = 13, check 17 ('K'). */
    static const struct {
        const char *payload;
        char check;
    } vectors[] = {
        {"2222222222222", '2'},
        {"3333333333333", 'C'},
        {"ZZZZZZZZZZZZZ", 'F'},
        {"ABCDEFGHJKMNP", 'K'},
    };
    for (size_t i = 0; i < sizeof vectors / sizeof *vectors; i++) {
        assert_int_equal(voucher_code_check_symbol(vectors[i].payload), vectors[i].check);
        assert_int_equal(luhn30_check(vectors[i].payload), vectors[i].check);
    }
    for (int i = 0; i < 2000; i++) {
        char payload[13];
        random_payload(payload);
        assert_int_equal(voucher_code_check_symbol(payload), luhn30_check(payload));
    }
}

static void check_symbol_refuses(void **state)
{
    (void)state;
    assert_int_equal(voucher_code_check_symbol(NULL), '\0');
    assert_int_equal(voucher_code_check_symbol(""), '\0');
    assert_int_equal(voucher_code_check_symbol("ABCDEFGHJKMN"), '\0'); /* 12 */
    assert_int_equal(voucher_code_check_symbol("abcdefghjkmnp"), '\0');
    assert_int_equal(voucher_code_check_symbol("ABCDEFGHJKMNO"), '\0');
    assert_int_equal(voucher_code_check_symbol("ABCD-EFGHJKMN"), '\0');
    /* Only 13 are read: a 14th character does not matter. */
    assert_int_equal(voucher_code_check_symbol("ABCDEFGHJKMNPQ"), 'K');
}

static void format_and_normalize(void **state)
{
    (void)state;
    char text[VOUCHER_CODE_TEXT_LEN + 1], out[VOUCHER_CODE_LEN + 1];
    voucher_code_format("ABCDEFGHJKMNPK", text);
    assert_string_equal(text, "ABCD-EFGH-JKMN-PK");
    static const char *const same[] = {
        "ABCD-EFGH-JKMN-PK",   "ABCDEFGHJKMNPK",        "abcd-efgh-jkmn-pk",
        "aBcD eFgH jKmN pK",   "  ABCD EFGH JKMN PK  ", "A-B-C-D-E-F-G-H-J-K-M-N-P-K",
        "--ABCDEFGH--JKMNPK-", "abcdefghjkmnpk",
    };
    for (size_t i = 0; i < sizeof same / sizeof *same; i++) {
        assert_true(voucher_code_normalize(same[i], out));
        assert_string_equal(out, "ABCDEFGHJKMNPK");
    }
    /* Exactly VOUCHER_CODE_INPUT_MAX characters, then one more. */
    char padded[VOUCHER_CODE_INPUT_MAX + 2];
    memset(padded, ' ', sizeof padded - 1);
    padded[sizeof padded - 1] = '\0';
    memcpy(padded, "ABCDEFGHJKMNPK", 14);
    padded[VOUCHER_CODE_INPUT_MAX] = '\0';
    assert_true(accepted(padded));
    padded[VOUCHER_CODE_INPUT_MAX] = ' ';
    assert_false(accepted(padded));
}

static void normalize_refuses(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "ABCD-EFGH-JKMN-P",      /* 13 symbols */
        "ABCD-EFGH-JKMN-PKK",    /* 15 */
        "ABCD-EFGH-JKMN-PKABCD", /* 18 */
        "ABCD-EFGH-JKMN-P2",     /* wrong check symbol */
        "ABCD\tEFGH-JKMN-PK",
        "ABCD_EFGH-JKMN-PK",
        "ABCD.EFGH.JKMN.PK",
        "ÁBCD-EFGH-JKMN-PK",
        "ABCD-EFGH-JKMN-PK\n",
        "ABCD-EFGH-JKMN-PK\xff",
        "------------------",
        "                 ",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_false(accepted(bad[i]));
    assert_false(accepted(NULL));
    /* A NUL inside ends the string: what follows is never read. */
    static const char nul_inside[] = "ABCDEFG\0HJKMNPK";
    assert_false(accepted(nul_inside));
    /* The look-alikes the alphabet leaves out, in either case, anywhere. */
    char code[15], payload[13];
    for (int k = 0; k < 20; k++) {
        random_payload(payload);
        make_code(payload, code);
        assert_true(accepted(code));
        for (const char *a = "0O1ILUoilu"; *a; a++)
            for (int pos = 0; pos < 14; pos++) {
                char typo[15];
                memcpy(typo, code, sizeof typo);
                typo[pos] = *a;
                assert_false(accepted(typo));
            }
    }
}

static void substitutions_caught(void **state)
{
    (void)state;
    for (int k = 0; k < 50; k++) {
        char payload[13], code[15];
        random_payload(payload);
        make_code(payload, code);
        assert_true(accepted(code));
        for (int pos = 0; pos < 14; pos++)
            for (int v = 0; v < 30; v++) {
                if (ALPHA[v] == code[pos])
                    continue;
                char typo[15];
                memcpy(typo, code, sizeof typo);
                typo[pos] = ALPHA[v];
                assert_false(accepted(typo));
                typo[pos] = (char)(ALPHA[v] | 0x20); /* lower case: the same symbol */
                if (ALPHA[v] >= 'A')
                    assert_false(accepted(typo));
            }
    }
}

/* Luhn mod N's one blind spot among adjacent transpositions: the values 0
 * and N - 1, here '2' and 'Z' (as 09 <-> 90 in decimal Luhn). */
static bool blind_pair(char a, char b)
{
    return (a == '2' && b == 'Z') || (a == 'Z' && b == '2');
}

static void swap_and_check(const char code[15], int pos)
{
    char typo[15];
    memcpy(typo, code, sizeof typo);
    typo[pos] = code[pos + 1];
    typo[pos + 1] = code[pos];
    if (code[pos] == code[pos + 1])
        return;
    if (blind_pair(code[pos], code[pos + 1]))
        assert_true(accepted(typo));
    else
        assert_false(accepted(typo));
}

static void transpositions_caught(void **state)
{
    (void)state;
    char payload[13], code[15];
    /* Every ordered pair of symbols at every payload position. */
    for (int pos = 0; pos < 12; pos++)
        for (int a = 0; a < 30; a++)
            for (int b = 0; b < 30; b++) {
                random_payload(payload);
                payload[pos] = ALPHA[a];
                payload[pos + 1] = ALPHA[b];
                make_code(payload, code);
                swap_and_check(code, pos);
            }
    /* The last payload symbol and the check symbol: many of each pair. */
    for (int i = 0; i < 20000; i++) {
        random_payload(payload);
        make_code(payload, code);
        swap_and_check(code, 12);
    }
    /* The blind spot is real: say so rather than pretend. */
    make_code("ABCDEFGHJK2ZM", code);
    swap_and_check(code, 10);
    char swapped[15];
    memcpy(swapped, code, sizeof swapped);
    swapped[10] = 'Z';
    swapped[11] = '2';
    assert_true(accepted(swapped));
}

static int compare(const void *a, const void *b)
{
    return strcmp(a, b);
}

static void generated_codes(void **state)
{
    (void)state;
    enum { N = 10000 };
    static char codes[N][VOUCHER_CODE_TEXT_LEN + 1];
    long counts[30] = {0};
    for (int i = 0; i < N; i++) {
        voucher_code_new(codes[i]);
        const char *c = codes[i];
        assert_int_equal(strlen(c), VOUCHER_CODE_TEXT_LEN);
        assert_true(c[4] == '-' && c[9] == '-' && c[14] == '-');
        char canonical[VOUCHER_CODE_LEN + 1], text[VOUCHER_CODE_TEXT_LEN + 1];
        assert_true(voucher_code_normalize(c, canonical));
        assert_true(luhn30_valid(canonical));
        voucher_code_format(canonical, text);
        assert_string_equal(text, c);
        for (int j = 0; j < 13; j++)
            counts[value_of(canonical[j])]++;
    }
    qsort(codes, N, sizeof *codes, compare);
    for (int i = 1; i < N; i++)
        assert_int_not_equal(strcmp(codes[i - 1], codes[i]), 0);
    /* 130,000 symbols, 4,333 expected each (sd about 65): each count within
     * 10%, and Pearson's chi-square (29 degrees of freedom) below 80, which
     * a uniform source exceeds about once in a million runs. */
    double expected = N * 13 / 30.0, chi2 = 0;
    for (int v = 0; v < 30; v++) {
        assert_true(counts[v] > expected * 0.9 && counts[v] < expected * 1.1);
        chi2 += (counts[v] - expected) * (counts[v] - expected) / expected;
    }
    assert_true(chi2 < 80);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(known_vectors),        cmocka_unit_test(check_symbol_refuses),
        cmocka_unit_test(format_and_normalize), cmocka_unit_test(normalize_refuses),
        cmocka_unit_test(substitutions_caught), cmocka_unit_test(transpositions_caught),
        cmocka_unit_test(generated_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
