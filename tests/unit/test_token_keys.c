/* Key rotation: every token carries its signing key's kid; an issuer holds
 * several verification keys; a kid picks exactly one key and its algorithm,
 * a token without kid gets the primary key only, an unknown kid is a bad
 * signature, and the libjwt traps (alg none, HS/ES confusion) stay closed
 * with a kid present. Keys are made afresh in a temporary folder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four above, which it needs */

#include "config.h"
#include "token.h"
#include "util.h"

#include <jansson.h>
#include <jwt.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NOW 1792054800L
#define SECRET "unit-test-secret-0123456789abcdef0123"
#define SECRET2 "unit-test-second-secret-0123456789abcdef"
#define ISS "https://parceria.dns.pt"
#define AUD "parceria-api"
#define EXT_ISS "https://idp.example.pt"
#define EXT_AUD "parceria"

static char dir[] = "/tmp/parceria-token-keys-XXXXXX";
static char *priv[4], *pub[4]; /* K1..K3 (index 0 unused): file paths */
static char *pub_pem[4], *priv_pem[4];

/* The environment config_load reads, as name/value pairs. */
static const char *env[32];

static const char *lookup(const char *name)
{
    for (size_t i = 0; env[i] != NULL; i += 2)
        if (strcmp(env[i], name) == 0)
            return env[i + 1];
    return NULL;
}

static char *path_of(const char *name)
{
    return xasprintf("%s/%s", dir, name);
}

static void write_text(const char *name, const char *text)
{
    char *p = path_of(name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    free(p);
}

static char *pem_of(EVP_PKEY *k, bool private)
{
    BIO *b = BIO_new(BIO_s_mem());
    if (private)
        PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
    else
        PEM_write_bio_PUBKEY(b, k);
    char *data = NULL;
    long n = BIO_get_mem_data(b, &data);
    char *out = xmalloc((size_t)n + 1);
    memcpy(out, data, (size_t)n);
    out[n] = '\0';
    BIO_free(b);
    return out;
}

static int setup(void **state)
{
    (void)state;
    if (mkdtemp(dir) == NULL)
        return -1;
    for (int i = 1; i <= 3; i++) {
        EVP_PKEY *k = EVP_EC_gen("P-256");
        if (k == NULL)
            return -1;
        priv_pem[i] = pem_of(k, true);
        pub_pem[i] = pem_of(k, false);
        EVP_PKEY_free(k);
        char name[16];
        snprintf(name, sizeof name, "k%d.key", i);
        write_text(name, priv_pem[i]);
        priv[i] = path_of(name);
        snprintf(name, sizeof name, "k%d.pub", i);
        write_text(name, pub_pem[i]);
        pub[i] = path_of(name);
    }
    write_text("secret2", SECRET2 "\n");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char *cmd = xasprintf("rm -rf '%s'", dir);
    int rc = system(cmd);
    free(cmd);
    for (int i = 1; i <= 3; i++) {
        free(priv[i]);
        free(pub[i]);
        free(priv_pem[i]);
        free(pub_pem[i]);
    }
    return rc == 0 ? 0 : -1;
}

/* Sets env from a NULL-terminated list of name, value pairs. */
static void set_env(const char *first, ...)
{
    va_list ap;
    va_start(ap, first);
    size_t n = 0;
    for (const char *s = first; s != NULL && n < 30; s = va_arg(ap, const char *))
        env[n++] = s;
    env[n] = NULL;
    va_end(ap);
}

/* The keyring of the current env, or NULL with *error set (caller frees). */
static struct token_keyring *try_keyring(char **error)
{
    struct config cfg;
    char *errors = NULL;
    *error = NULL;
    if (!config_load(&cfg, lookup, &errors)) {
        *error = errors;
        config_cleanup(&cfg);
        return NULL;
    }
    struct token_keyring *kr = token_keyring_load(&cfg, error);
    config_cleanup(&cfg);
    return kr;
}

static struct token_keyring *keyring(void)
{
    char *error = NULL;
    struct token_keyring *kr = try_keyring(&error);
    if (kr == NULL)
        fail_msg("%s", error);
    return kr;
}

/* The start-up error of the current env; it must name var. */
static void refused(const char *var)
{
    char *error = NULL;
    struct token_keyring *kr = try_keyring(&error);
    assert_null(kr);
    assert_non_null(error);
    if (strstr(error, var) == NULL)
        fail_msg("%s does not name %s", error, var);
    free(error);
}

static char *mint_staff(const struct token_keyring *kr)
{
    struct token_claims c = {.sub = "pc_x", .role = ROLE_STAFF, .ttl = 900};
    char *t = token_mint(kr, &c, NOW);
    assert_non_null(t);
    return t;
}

/* The header of a token as JSON. */
static json_t *header_of(const char *token)
{
    const char *dot = strchr(token, '.');
    unsigned char buf[512];
    size_t n = 0;
    assert_int_equal(sodium_base642bin(buf, sizeof buf, token, (size_t)(dot - token), NULL, &n,
                                       NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                     0);
    json_t *h = json_loadb((const char *)buf, n, 0, NULL);
    assert_non_null(h);
    return h;
}

static char *kid_of(const char *token)
{
    json_t *h = header_of(token);
    const char *kid = json_string_value(json_object_get(h, "kid"));
    char *out = kid ? xstrdup(kid) : NULL;
    json_decref(h);
    return out;
}

/* A token signed by anyone: iss/aud given, role in claim, optional kid
 * (kid_json: a raw JSON value for the kid header, e.g. a number). */
static char *forge(jwt_alg_t alg, const char *key, const char *kid, const char *iss,
                   const char *aud, const char *claim)
{
    jwt_t *jwt = NULL;
    assert_int_equal(jwt_new(&jwt), 0);
    jwt_add_grant(jwt, "iss", iss);
    jwt_add_grant(jwt, "aud", aud);
    jwt_add_grant(jwt, "sub", "someone");
    jwt_add_grant(jwt, claim, "staff");
    jwt_add_grant_int(jwt, "iat", NOW);
    jwt_add_grant_int(jwt, "exp", NOW + 600);
    if (kid != NULL)
        assert_int_equal(jwt_add_header(jwt, "kid", kid), 0);
    assert_int_equal(jwt_set_alg(jwt, alg, (const unsigned char *)key, (int)strlen(key)), 0);
    char *t = jwt_encode_str(jwt);
    jwt_free(jwt);
    assert_non_null(t);
    return t;
}

static char *ours(jwt_alg_t alg, const char *key, const char *kid)
{
    return forge(alg, key, kid, ISS, AUD, "role");
}

static char *b64(const char *s)
{
    size_t cap = sodium_base64_encoded_len(strlen(s), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = xmalloc(cap);
    sodium_bin2base64(out, cap, (const unsigned char *)s, strlen(s),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return out;
}

/* A token with a hand-written header over our claims, signature "sig". */
static char *raw(const char *header)
{
    char *h = b64(header);
    char *p = b64("{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\",\"sub\":\"x\",\"role\":\"staff\","
                  "\"iat\":1792054800,\"exp\":1792055400}");
    char *t = xasprintf("%s.%s.c2ln", h, p);
    free(h);
    free(p);
    return t;
}

static enum token_result verify(const struct token_keyring *kr, const char *token)
{
    struct principal who;
    enum token_result r = token_verify(kr, token, NOW + 10, &who);
    if (r != TOKEN_OK)
        assert_int_equal(who.role, 0);
    return r;
}

static char *hex16_sha256(const char *label, const char *data)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)label, strlen(label));
    crypto_hash_sha256_update(&st, (const unsigned char *)data, strlen(data));
    crypto_hash_sha256_final(&st, h);
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    hex[16] = '\0';
    return xstrdup(hex);
}

static void every_token_carries_a_derived_kid(void **state)
{
    (void)state;
    set_env("PARCERIA_JWT_SECRET", SECRET, NULL);
    struct token_keyring *kr = keyring();
    char *t = mint_staff(kr), *kid = kid_of(t);
    char *want = hex16_sha256("parceria-jwt-kid:HS256:", SECRET);
    assert_string_equal(kid, want);
    assert_string_equal(token_keyring_kid(kr), want);
    assert_null(strstr(kid, "unit-test")); /* the secret is not in it */
    assert_int_equal(verify(kr, t), TOKEN_OK);
    free(t);
    free(kid);
    free(want);
    token_keyring_free(kr);

    set_env("PARCERIA_JWT_ALG", "ES256", "PARCERIA_JWT_PRIVATE_KEY_FILE", priv[1],
            "PARCERIA_JWT_PUBLIC_KEY_FILE", pub[1], NULL);
    kr = keyring();
    t = mint_staff(kr);
    kid = kid_of(t);
    want = hex16_sha256("", pub_pem[1]);
    assert_string_equal(kid, want);
    assert_int_equal(verify(kr, t), TOKEN_OK);
    free(t);
    free(kid);
    free(want);
    token_keyring_free(kr);
}

static void a_configured_kid_is_used_and_checked(void **state)
{
    (void)state;
    set_env("PARCERIA_JWT_SECRET", SECRET, "PARCERIA_JWT_KID", "k-2026.1_a", NULL);
    struct token_keyring *kr = keyring();
    char *t = mint_staff(kr), *kid = kid_of(t);
    assert_string_equal(kid, "k-2026.1_a");
    assert_int_equal(verify(kr, t), TOKEN_OK);
    free(t);
    free(kid);
    token_keyring_free(kr);
    const char *bad[] = {"a b", "k/1", "\"x\"",
                         "0123456789012345678901234567890123456789012345678901234567890123456789"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        set_env("PARCERIA_JWT_SECRET", SECRET, "PARCERIA_JWT_KID", bad[i], NULL);
        refused("PARCERIA_JWT_KID");
    }
    assert_true(token_kid_valid("a"));
    assert_false(token_kid_valid(""));
    assert_false(token_kid_valid(NULL));
}

/* tpl with @1, @2 replaced by K1's and K2's public key files, @P by K1's private key file. */
static char *subst(const char *tpl)
{
    char *out = xstrdup("");
    for (const char *p = tpl; *p; p++) {
        const char *put = NULL;
        if (p[0] == '@' && (p[1] == '1' || p[1] == '2' || p[1] == 'P'))
            put = p[1] == '1' ? pub[1] : p[1] == '2' ? pub[2] : priv[1];
        char *next = put ? xasprintf("%s%s", out, put) : xasprintf("%s%c", out, *p);
        p += put ? 1 : 0;
        free(out);
        out = next;
    }
    return out;
}

static char *verify_file(const char *name, const char *json)
{
    write_text(name, json);
    return path_of(name);
}

/* The three steps of a rotation from K1 to K2, ES256, with default kids. */
static void the_three_steps_of_a_rotation(void **state)
{
    (void)state;
    char *empty = verify_file("v-empty.json", "{\"keys\": []}");
    char *both = NULL;
    {
        char *json = xasprintf("{\"keys\": [{\"alg\": \"ES256\", \"public_key_file\": \"%s\"}, "
                               "{\"alg\": \"ES256\", \"public_key_file\": \"%s\"}]}",
                               pub[1], pub[2]);
        both = verify_file("v-both.json", json);
        free(json);
    }
    /* Before: K1 signs alone. */
    set_env("PARCERIA_JWT_ALG", "ES256", "PARCERIA_JWT_PRIVATE_KEY_FILE", priv[1],
            "PARCERIA_JWT_PUBLIC_KEY_FILE", pub[1], NULL);
    struct token_keyring *before = keyring();
    /* Step 1: K1 signs, K1 and K2 verify (the file lists the signing key too). */
    set_env("PARCERIA_JWT_ALG", "ES256", "PARCERIA_JWT_PRIVATE_KEY_FILE", priv[1],
            "PARCERIA_JWT_PUBLIC_KEY_FILE", pub[1], "PARCERIA_JWT_VERIFY_KEYS_FILE", both, NULL);
    struct token_keyring *step1 = keyring();
    assert_int_equal(token_keyring_keys(step1), 2);
    /* Step 2: K2 signs, K1 still verifies. */
    set_env("PARCERIA_JWT_ALG", "ES256", "PARCERIA_JWT_PRIVATE_KEY_FILE", priv[2],
            "PARCERIA_JWT_PUBLIC_KEY_FILE", pub[2], "PARCERIA_JWT_VERIFY_KEYS_FILE", both, NULL);
    struct token_keyring *step2 = keyring();
    /* Step 3: K2 alone. */
    set_env("PARCERIA_JWT_ALG", "ES256", "PARCERIA_JWT_PRIVATE_KEY_FILE", priv[2],
            "PARCERIA_JWT_PUBLIC_KEY_FILE", pub[2], "PARCERIA_JWT_VERIFY_KEYS_FILE", empty, NULL);
    struct token_keyring *step3 = keyring();
    assert_int_equal(token_keyring_keys(step3), 1);

    char *t_before = mint_staff(before), *t1 = mint_staff(step1), *t2 = mint_staff(step2);
    char *kid1 = kid_of(t1), *kid2 = kid_of(t2);
    assert_string_not_equal(kid1, kid2);
    struct token_keyring *all[] = {before, step1, step2};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(verify(all[i], t_before), TOKEN_OK);
        assert_int_equal(verify(all[i], t1), TOKEN_OK);
    }
    /* Replicas before step 1 never see K2 tokens: step 2 starts after step 1 is everywhere. */
    assert_int_equal(verify(step1, t2), TOKEN_OK);
    assert_int_equal(verify(step2, t2), TOKEN_OK);
    assert_int_equal(verify(step3, t2), TOKEN_OK);
    assert_int_equal(verify(step3, t1), TOKEN_BAD_SIGNATURE);
    assert_int_equal(verify(before, t2), TOKEN_BAD_SIGNATURE);

    /* A token of K1 without kid (minted before this release) verifies while K1
     * signs; once K2 signs, a kid-less token is checked with K2 only. */
    char *old = ours(JWT_ALG_ES256, priv_pem[1], NULL);
    assert_int_equal(verify(step1, old), TOKEN_OK);
    assert_int_equal(verify(step2, old), TOKEN_BAD_SIGNATURE);
    char *old2 = ours(JWT_ALG_ES256, priv_pem[2], NULL);
    assert_int_equal(verify(step1, old2), TOKEN_BAD_SIGNATURE);
    assert_int_equal(verify(step2, old2), TOKEN_OK);

    char *objs[] = {empty, both, t_before, t1, t2, kid1, kid2, old, old2};
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++)
        free(objs[i]);
    token_keyring_free(before);
    token_keyring_free(step1);
    token_keyring_free(step2);
    token_keyring_free(step3);
}

/* Step 2 of the brief (K2 signs, K1 verifies) as a keyring. */
static struct token_keyring *k2_signs_k1_verifies(char **kid1)
{
    char *json = xasprintf("{\"keys\": [{\"kid\": \"old-k1\", \"alg\": \"ES256\", "
                           "\"public_key_file\": \"%s\"}, {\"kid\": \"hs\", \"alg\": \"HS256\", "
                           "\"secret_file\": \"%s/secret2\"}]}",
                           pub[1], dir);
    char *file = verify_file("v-step2.json", json);
    free(json);
    set_env("PARCERIA_JWT_ALG", "ES256", "PARCERIA_JWT_PRIVATE_KEY_FILE", priv[2],
            "PARCERIA_JWT_PUBLIC_KEY_FILE", pub[2], "PARCERIA_JWT_KID", "new-k2",
            "PARCERIA_JWT_VERIFY_KEYS_FILE", file, NULL);
    struct token_keyring *kr = keyring();
    free(file);
    *kid1 = xstrdup("old-k1");
    assert_int_equal(token_keyring_keys(kr), 3);
    return kr;
}

static void a_kid_picks_exactly_one_key(void **state)
{
    (void)state;
    char *kid1 = NULL;
    struct token_keyring *kr = k2_signs_k1_verifies(&kid1);
    char *t[] = {
        ours(JWT_ALG_ES256, priv_pem[1], "old-k1"), /* K1 under its kid */
        ours(JWT_ALG_ES256, priv_pem[2], "new-k2"), /* K2 under its kid */
        ours(JWT_ALG_HS256, SECRET2, "hs"),         /* the HS256 verify-only key */
        ours(JWT_ALG_ES256, priv_pem[2], "old-k1"), /* K2 under K1's kid */
        ours(JWT_ALG_ES256, priv_pem[1], "new-k2"), /* K1 under K2's kid */
        ours(JWT_ALG_ES256, priv_pem[1], "nobody"), /* unknown kid, good key */
        ours(JWT_ALG_ES256, priv_pem[3], "nobody"), /* unknown kid, unknown key */
        ours(JWT_ALG_ES256, priv_pem[1], NULL),     /* no kid: the signing key only */
    };
    enum token_result want[] = {TOKEN_OK,
                                TOKEN_OK,
                                TOKEN_OK,
                                TOKEN_BAD_SIGNATURE,
                                TOKEN_BAD_SIGNATURE,
                                TOKEN_BAD_SIGNATURE,
                                TOKEN_BAD_SIGNATURE,
                                TOKEN_BAD_SIGNATURE};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        if (verify(kr, t[i]) != want[i])
            fail_msg("token %zu: %s", i, token_result_text(verify(kr, t[i])));
        free(t[i]);
    }
    free(kid1);
    token_keyring_free(kr);
}

static void the_libjwt_traps_stay_closed_with_a_kid(void **state)
{
    (void)state;
    char *kid1 = NULL;
    struct token_keyring *kr = k2_signs_k1_verifies(&kid1);
    char *t[] = {
        /* HS256 signed with K1's public key, under K1's kid: key confusion. */
        ours(JWT_ALG_HS256, pub_pem[1], "old-k1"),
        ours(JWT_ALG_HS256, pub_pem[2], "new-k2"),
        /* ES256 under the HS256 key's kid. */
        ours(JWT_ALG_ES256, priv_pem[1], "hs"),
        /* HS256 with the HS256 key's secret under an ES256 kid. */
        ours(JWT_ALG_HS256, SECRET2, "old-k1"),
        raw("{\"alg\":\"none\",\"typ\":\"JWT\",\"kid\":\"old-k1\"}"),
        raw("{\"alg\":\"none\",\"typ\":\"JWT\",\"kid\":\"hs\"}"),
        raw("{\"typ\":\"JWT\",\"kid\":\"new-k2\"}"),
        raw("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"new-k2\"}"),
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        if (verify(kr, t[i]) != TOKEN_WRONG_ALG)
            fail_msg("trap %zu: %s", i, token_result_text(verify(kr, t[i])));
        free(t[i]);
    }
    /* A kid that is not a string, or empty, names no key. */
    const char *odd[] = {"{\"alg\":\"ES256\",\"typ\":\"JWT\",\"kid\":5}",
                         "{\"alg\":\"ES256\",\"typ\":\"JWT\",\"kid\":null}",
                         "{\"alg\":\"ES256\",\"typ\":\"JWT\",\"kid\":\"\"}",
                         "{\"alg\":\"none\",\"typ\":\"JWT\",\"kid\":\"nobody\"}"};
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
        char *r = raw(odd[i]);
        assert_int_equal(verify(kr, r), TOKEN_BAD_SIGNATURE);
        free(r);
    }
    free(kid1);
    token_keyring_free(kr);
}

static void a_verify_only_secret_keeps_its_signing_kid(void **state)
{
    (void)state;
    /* SECRET2 signed (default kid); then it moves to the verify file, kid-less. */
    set_env("PARCERIA_JWT_SECRET", SECRET2, NULL);
    struct token_keyring *old = keyring();
    char *t = mint_staff(old);
    char *json =
        xasprintf("{\"keys\": [{\"alg\": \"HS256\", \"secret_file\": \"%s/secret2\"}]}", dir);
    char *file = verify_file("v-hs.json", json);
    set_env("PARCERIA_JWT_SECRET", SECRET, "PARCERIA_JWT_VERIFY_KEYS_FILE", file, NULL);
    struct token_keyring *kr = keyring();
    assert_int_equal(verify(kr, t), TOKEN_OK);
    char *t2 = mint_staff(kr);
    assert_int_equal(verify(old, t2), TOKEN_BAD_SIGNATURE);
    free(t);
    free(t2);
    free(json);
    free(file);
    token_keyring_free(old);
    token_keyring_free(kr);
}

static void bad_verify_keys_files_stop_start_up(void **state)
{
    (void)state;
    const char *files[] = {
        ("{\"keys\": [{\"kid\": \"a\", \"alg\": \"ES256\", \"public_key_file\": \"@1\"}, "
         "{\"kid\": \"a\", \"alg\": \"ES256\", \"public_key_file\": \"@2\"}]}"),
        /* the signing key's kid for another key */
        "{\"keys\": [{\"kid\": \"sign\", \"alg\": \"ES256\", \"public_key_file\": \"@1\"}]}",
        "{\"keys\": [{\"kid\": \"a b\", \"alg\": \"ES256\", \"public_key_file\": \"@1\"}]}",
        "{\"keys\": [{\"alg\": \"none\", \"public_key_file\": \"@1\"}]}",
        "{\"keys\": [{\"alg\": \"HS256\", \"public_key_file\": \"@1\"}]}",
        "{\"keys\": [{\"alg\": \"ES256\", \"secret_file\": \"@1\"}]}",
        "{\"keys\": [{\"alg\": \"ES256\", \"public_key_file\": \"@1\", \"x\": 1}]}",
        "{\"keys\": [{\"alg\": \"ES256\", \"public_key_file\": \"/nonexistent\"}]}",
        "{\"keys\": [{\"alg\": \"ES256\", \"public_key_file\": \"@P\"}]}", /* a private key */
        "{\"keys\": [{\"alg\": \"HS256\", \"secret_file\": \"@P.short\"}]}",
        "{\"keys\": {}}",
        "[]",
    };
    write_text("k1.key.short", "too-short\n");
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char *json = subst(files[i]);
        char *file = verify_file("v-bad.json", json);
        set_env("PARCERIA_JWT_ALG", "ES256", "PARCERIA_JWT_PRIVATE_KEY_FILE", priv[2],
                "PARCERIA_JWT_PUBLIC_KEY_FILE", pub[2], "PARCERIA_JWT_KID", "sign",
                "PARCERIA_JWT_VERIFY_KEYS_FILE", file, NULL);
        refused("PARCERIA_JWT_VERIFY_KEYS_FILE");
        free(json);
        free(file);
    }
    /* At most 8 keys, the signing key included. */
    char *json = xstrdup("{\"keys\": [");
    for (int i = 0; i < 8; i++) {
        char *next = xasprintf("%s%s{\"kid\": \"k%d\", \"alg\": \"HS256\", \"secret_file\": "
                               "\"%s/secret2\"}",
                               json, i ? ", " : "", i, dir);
        free(json);
        json = next;
    }
    char *full = xasprintf("%s]}", json);
    char *file = verify_file("v-many.json", full);
    set_env("PARCERIA_JWT_SECRET", SECRET, "PARCERIA_JWT_VERIFY_KEYS_FILE", file, NULL);
    refused("PARCERIA_JWT_VERIFY_KEYS_FILE");
    free(json);
    free(full);
    free(file);
}

/* An issuers file with one external issuer whose keys part is given. */
static void external_env(const char *keys_part)
{
    char *json = xasprintf("{\"issuers\": [{\"iss\": \"" EXT_ISS "\", \"aud\": \"" EXT_AUD
                           "\", \"alg\": \"ES256\", %s, \"role_claim\": \"idp_role\", "
                           "\"roles\": [\"staff\"]}]}",
                           keys_part);
    write_text("issuers.json", json);
    free(json);
    static char file[512];
    snprintf(file, sizeof file, "%s/issuers.json", dir);
    set_env("PARCERIA_JWT_SECRET", SECRET, "PARCERIA_JWT_ISSUERS_FILE", file, NULL);
}

static char *ext(int k, const char *kid)
{
    return forge(JWT_ALG_ES256, priv_pem[k], kid, EXT_ISS, EXT_AUD, "idp_role");
}

static void check_external(struct token_keyring *kr, char **t, const enum token_result *want,
                           size_t n)
{
    for (size_t i = 0; i < n; i++) {
        enum token_result r = verify(kr, t[i]);
        if (r != want[i])
            fail_msg("external token %zu: %s", i, token_result_text(r));
        free(t[i]);
    }
    token_keyring_free(kr);
}

static void external_issuers_hold_keys_by_kid(void **state)
{
    (void)state;
    /* keys only: a kid picks its key; no kid has no primary (two keys). */
    char *part = xasprintf("\"keys\": [{\"kid\": \"a\", \"public_key_file\": \"%s\"}, "
                           "{\"kid\": \"b\", \"public_key_file\": \"%s\"}]",
                           pub[1], pub[2]);
    external_env(part);
    free(part);
    char *t1[] = {ext(1, "a"),
                  ext(2, "b"),
                  ext(2, "a"),
                  ext(1, "c"),
                  ext(1, NULL),
                  forge(JWT_ALG_HS256, pub_pem[1], "a", EXT_ISS, EXT_AUD, "idp_role"),
                  forge(JWT_ALG_ES256, priv_pem[1], "a", EXT_ISS, EXT_AUD, "role")};
    enum token_result w1[] = {TOKEN_OK,
                              TOKEN_OK,
                              TOKEN_BAD_SIGNATURE,
                              TOKEN_BAD_SIGNATURE,
                              TOKEN_BAD_SIGNATURE,
                              TOKEN_WRONG_ALG,
                              TOKEN_BAD_CLAIMS};
    check_external(keyring(), t1, w1, 7);

    /* public_key_file beside keys: it checks tokens without kid. */
    part = xasprintf("\"public_key_file\": \"%s\", \"keys\": [{\"kid\": \"a\", "
                     "\"public_key_file\": \"%s\"}]",
                     pub[3], pub[1]);
    external_env(part);
    free(part);
    char *t2[] = {ext(3, NULL), ext(1, "a"), ext(1, NULL), ext(3, "a"), ext(3, "z")};
    enum token_result w2[] = {TOKEN_OK, TOKEN_OK, TOKEN_BAD_SIGNATURE, TOKEN_BAD_SIGNATURE,
                              TOKEN_BAD_SIGNATURE};
    check_external(keyring(), t2, w2, 5);

    /* One key in keys: it is the primary too. */
    part = xasprintf("\"keys\": [{\"kid\": \"a\", \"public_key_file\": \"%s\"}]", pub[1]);
    external_env(part);
    free(part);
    char *t3[] = {ext(1, NULL), ext(1, "a"), ext(1, "b"), ext(2, NULL)};
    enum token_result w3[] = {TOKEN_OK, TOKEN_OK, TOKEN_BAD_SIGNATURE, TOKEN_BAD_SIGNATURE};
    check_external(keyring(), t3, w3, 4);

    /* Only public_key_file, as before kids: whatever kid the issuer sends,
     * its one key and algorithm check the token. */
    part = xasprintf("\"public_key_file\": \"%s\"", pub[1]);
    external_env(part);
    free(part);
    char *t4[] = {ext(1, NULL), ext(1, "rotated-2026"), ext(2, "rotated-2026"),
                  forge(JWT_ALG_HS256, pub_pem[1], "x", EXT_ISS, EXT_AUD, "idp_role")};
    enum token_result w4[] = {TOKEN_OK, TOKEN_OK, TOKEN_BAD_SIGNATURE, TOKEN_WRONG_ALG};
    check_external(keyring(), t4, w4, 4);
}

static void bad_external_keys_stop_start_up(void **state)
{
    (void)state;
    const char *parts[] = {
        ("\"keys\": [{\"kid\": \"a\", \"public_key_file\": \"@1\"}, "
         "{\"kid\": \"a\", \"public_key_file\": \"@1\"}]"),
        "\"keys\": [{\"kid\": \"a b\", \"public_key_file\": \"@1\"}]",
        "\"keys\": [{\"public_key_file\": \"@1\"}]",
        "\"keys\": [{\"kid\": \"a\", \"public_key_file\": \"@1\", \"alg\": \"HS256\"}]",
        "\"keys\": [{\"kid\": \"a\", \"public_key_file\": \"@P\"}]",
        "\"keys\": []",
        "\"keys\": {}",
        ("\"public_key_file\": \"@1\", \"keys\": [{\"kid\": \"1\", \"public_key_file\": "
         "\"@1\"}, {\"kid\": \"2\", \"public_key_file\": \"@1\"}, {\"kid\": \"3\", "
         "\"public_key_file\": \"@1\"}, {\"kid\": \"4\", \"public_key_file\": \"@1\"}, "
         "{\"kid\": \"5\", \"public_key_file\": \"@1\"}, {\"kid\": \"6\", \"public_key_file\": "
         "\"@1\"}, {\"kid\": \"7\", \"public_key_file\": \"@1\"}, {\"kid\": \"8\", "
         "\"public_key_file\": \"@1\"}]"),
    };
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        char *part = subst(parts[i]);
        external_env(part);
        free(part);
        refused("PARCERIA_JWT_ISSUERS_FILE");
    }
    external_env("\"role_claim_x\": 1");
    refused("PARCERIA_JWT_ISSUERS_FILE");
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    util_install_allocators();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_token_carries_a_derived_kid),
        cmocka_unit_test(a_configured_kid_is_used_and_checked),
        cmocka_unit_test(the_three_steps_of_a_rotation),
        cmocka_unit_test(a_kid_picks_exactly_one_key),
        cmocka_unit_test(the_libjwt_traps_stay_closed_with_a_kid),
        cmocka_unit_test(a_verify_only_secret_keeps_its_signing_kid),
        cmocka_unit_test(bad_verify_keys_files_stop_start_up),
        cmocka_unit_test(external_issuers_hold_keys_by_kid),
        cmocka_unit_test(bad_external_keys_stop_start_up),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
