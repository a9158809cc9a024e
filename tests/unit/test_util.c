/* Identifiers, UTF-8 and time text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four above, which it needs */

#include "util.h"

#include <sodium.h>
#include <string.h>

static void uuids_are_v4_and_strict(void **state)
{
    (void)state;
    char a[UTIL_UUID_LEN + 1], b[UTIL_UUID_LEN + 1];
    util_uuid_v4(a);
    util_uuid_v4(b);
    assert_true(util_is_uuid(a));
    assert_string_not_equal(a, b);
    assert_int_equal(a[14], '4');
    assert_false(util_is_uuid("6F1C1A52-0D5E-4A53-9A57-6D8A4D2F7C10"));
    assert_false(util_is_uuid("999,6f1c1a52-0d5e-4a53-9a57-6d8a4d2f7c10"));
    assert_false(util_is_uuid("6f1c1a52-0d5e-4a53-9a57-6d8a4d2f7c1"));
    assert_false(util_is_uuid("6f1c1a52x0d5e-4a53-9a57-6d8a4d2f7c10"));
    assert_false(util_is_uuid(NULL));
}

static void utf8_validation(void **state)
{
    (void)state;
    assert_true(util_valid_utf8("Évora", strlen("Évora")));
    assert_false(util_valid_utf8("\xc3", 1));
    assert_false(util_valid_utf8("\xc0\xaf", 2));     /* overlong */
    assert_false(util_valid_utf8("\xed\xa0\x80", 3)); /* surrogate */
    assert_false(util_valid_utf8("a\0b", 3));
    assert_true(util_valid_utf8("\xf0\x9f\x98\x80", 4)); /* emoji */
}

static void rfc3339(void **state)
{
    (void)state;
    char out[UTIL_RFC3339_LEN + 1];
    util_rfc3339(1792054800, out);
    assert_string_equal(out, "2026-10-15T09:00:00Z");
}

static void sha256_hex(void **state)
{
    (void)state;
    char out[65];
    util_sha256_hex("abc", 3, out);
    assert_string_equal(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void like_escape(void **state)
{
    (void)state;
    assert_null(util_like_escape(NULL));
    char *e = util_like_escape("50%_off\\x");
    assert_string_equal(e, "50\\%\\_off\\\\x");
    free(e);
    assert_int_equal(util_utf8_length("Águas"), 5);
    e = util_like_escape("Águas");
    assert_string_equal(e, "Águas");
    free(e);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(uuids_are_v4_and_strict),
        cmocka_unit_test(utf8_validation),
        cmocka_unit_test(rfc3339),
        cmocka_unit_test(sha256_hex),
        cmocka_unit_test(like_escape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
