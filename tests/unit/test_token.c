/* Token signing and verification with HS256: the claims we check ourselves
 * and the libjwt traps (alg none, another algorithm) refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four above, which it needs */

#include "config.h"
#include "token.h"
#include "util.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOW 1792054800L
#define REGISTRAR "6f1c1a52-0d5e-4a53-9a57-6d8a4d2f7c10"

static const char *lookup(const char *name)
{
    if (strcmp(name, "PARCERIA_JWT_SECRET") == 0)
        return "unit-test-secret-0123456789abcdef0123";
    return NULL;
}

static struct token_keyring *keyring(void)
{
    struct config cfg;
    char *errors = NULL;
    assert_true(config_load(&cfg, lookup, &errors));
    char *error = NULL;
    struct token_keyring *kr = token_keyring_load(&cfg, &error);
    assert_non_null(kr);
    config_cleanup(&cfg);
    return kr;
}

static void round_trip(void **state)
{
    (void)state;
    struct token_keyring *kr = keyring();
    struct token_claims c = {
        .sub = "pc_x", .role = ROLE_REGISTRAR, .registrar_id = REGISTRAR, .ttl = 900};
    char *t = token_mint(kr, &c, NOW);
    assert_non_null(t);
    struct principal who;
    assert_int_equal(token_verify(kr, t, NOW + 10, &who), TOKEN_OK);
    assert_int_equal(who.role, ROLE_REGISTRAR);
    assert_string_equal(who.registrar_id, REGISTRAR);
    assert_string_equal(who.sub, "pc_x");
    assert_true(who.ours);
    assert_int_equal(who.expires_at, NOW + 900);
    assert_int_equal(token_verify(kr, t, NOW + 900, &who), TOKEN_EXPIRED);
    assert_int_equal(token_verify(kr, t, NOW - 60, &who), TOKEN_NOT_YET_VALID);
    free(t);
    token_keyring_free(kr);
}

static void minting_needs_the_roles_id(void **state)
{
    (void)state;
    struct token_keyring *kr = keyring();
    struct token_claims c = {.sub = "x", .role = ROLE_APPLICANT, .ttl = 60};
    assert_null(token_mint(kr, &c, NOW));
    c.role = 0;
    assert_null(token_mint(kr, &c, NOW));
    token_keyring_free(kr);
}

static char *b64(const char *s)
{
    size_t cap = sodium_base64_encoded_len(strlen(s), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = malloc(cap);
    sodium_bin2base64(out, cap, (const unsigned char *)s, strlen(s),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return out;
}

static void alg_none_and_other_algorithms_are_refused(void **state)
{
    (void)state;
    struct token_keyring *kr = keyring();
    const char *payload = "{\"iss\":\"https://parceria.dns.pt\",\"aud\":\"parceria-api\","
                          "\"sub\":\"x\",\"role\":\"admin\",\"exp\":1792058400}";
    const char *headers[] = {"{\"alg\":\"none\",\"typ\":\"JWT\"}",
                             "{\"alg\":\"RS256\",\"typ\":\"JWT\"}", "{\"typ\":\"JWT\"}"};
    for (size_t i = 0; i < 3; i++) {
        char *h = b64(headers[i]), *p = b64(payload);
        char *t = xasprintf("%s.%s.c2ln", h, p);
        struct principal who;
        assert_int_equal(token_verify(kr, t, NOW, &who), TOKEN_WRONG_ALG);
        assert_int_equal(who.role, 0);
        free(h);
        free(p);
        free(t);
    }
    token_keyring_free(kr);
}

/* A token verified once is answered from the cache of verified tokens: the
 * same principal, its times still checked against now, and only the very
 * same bytes match (a signature changed after the first use is refused). */
static void a_verified_token_is_remembered_exactly(void **state)
{
    (void)state;
    struct token_keyring *kr = keyring();
    struct token_claims c = {.sub = "pc_y", .role = ROLE_STAFF, .ttl = 600};
    char *t = token_mint(kr, &c, NOW);
    assert_non_null(t);
    struct principal first, again;
    assert_int_equal(token_verify(kr, t, NOW, &first), TOKEN_OK);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(token_verify(kr, t, NOW + 1 + i, &again), TOKEN_OK);
        assert_memory_equal(&first, &again, sizeof first);
    }
    assert_int_equal(token_verify(kr, t, NOW + 599, &again), TOKEN_OK);
    assert_int_equal(token_verify(kr, t, NOW + 600, &again), TOKEN_EXPIRED);
    assert_int_equal(again.role, 0);
    assert_int_equal(token_verify(kr, t, NOW - 31, &again), TOKEN_NOT_YET_VALID);
    assert_int_equal(token_verify(kr, t, NOW - 30, &again), TOKEN_OK);
    char *forged = xstrdup(t);
    size_t n = strlen(forged);
    forged[n - 2] = forged[n - 2] == 'A' ? 'B' : 'A';
    assert_int_equal(token_verify(kr, forged, NOW, &again), TOKEN_BAD_SIGNATURE);
    assert_int_equal(token_verify(kr, t, NOW, &again), TOKEN_OK);
    free(forged);
    free(t);
    token_keyring_free(kr);
}

/* The tokens of 300 registrars' clients, each used again and again, are all
 * kept: the second use of each is answered from the cache. */
static void three_hundred_tokens_are_kept_side_by_side(void **state)
{
    (void)state;
    struct token_keyring *kr = keyring();
    enum { N = 300 };
    char *tokens[N];
    for (int i = 0; i < N; i++) {
        char sub[32], id[40];
        snprintf(sub, sizeof sub, "pc_bench_%d", i);
        snprintf(id, sizeof id, "00000000-0000-4000-8000-%012d", i);
        struct token_claims c = {
            .sub = sub, .role = ROLE_REGISTRAR, .registrar_id = id, .ttl = 600};
        tokens[i] = token_mint(kr, &c, NOW);
        assert_non_null(tokens[i]);
    }
    struct principal who;
    unsigned long hits, misses;
    for (int round = 0; round < 3; round++)
        for (int i = 0; i < N; i++)
            assert_int_equal(token_verify(kr, tokens[i], NOW + round, &who), TOKEN_OK);
    token_cache_stats(kr, &hits, &misses);
    assert_int_equal(misses, N);
    assert_int_equal(hits, 2 * N);
    for (int i = 0; i < N; i++)
        free(tokens[i]);
    token_keyring_free(kr);
}

static void malformed_tokens(void **state)
{
    (void)state;
    struct token_keyring *kr = keyring();
    struct principal who;
    const char *bad[] = {"", "a", "a.b", "a.b.c.d", "....", "e30.e30.", "!!.??.xx"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(token_verify(kr, bad[i], NOW, &who), TOKEN_MALFORMED);
    token_keyring_free(kr);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    util_install_allocators();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip),
        cmocka_unit_test(minting_needs_the_roles_id),
        cmocka_unit_test(alg_none_and_other_algorithms_are_refused),
        cmocka_unit_test(malformed_tokens),
        cmocka_unit_test(a_verified_token_is_remembered_exactly),
        cmocka_unit_test(three_hundred_tokens_are_kept_side_by_side),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
