/* Bearer tokens through token_verify against an HS256 keyring built from a
 * configuration (as tests/unit/test_token.c builds it). Inputs whose first
 * byte is odd are the token itself; the others are a header and a payload
 * (the rest, split at the first newline) signed with the keyring's secret,
 * so the claim checks behind libjwt's signature check are reached too. */
#include "fuzz.h"

#include "config.h"
#include "token.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>

#define NOW 1792054800L
#define SECRET "fuzz-test-secret-0123456789abcdef01234"

static struct token_keyring *keyring;

static const char *lookup(const char *name)
{
    if (strcmp(name, "PARCERIA_JWT_SECRET") == 0)
        return SECRET;
    return NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    util_install_allocators();
    json_object_seed(1); /* not random: the same inputs on every run */
    if (sodium_init() < 0)
        abort();
    struct config cfg;
    char *errors = NULL, *error = NULL;
    if (!config_load(&cfg, lookup, &errors))
        abort();
    keyring = token_keyring_load(&cfg, &error);
    config_cleanup(&cfg);
    if (keyring == NULL)
        abort();
    return 0;
}

/* Appends the base64url (no padding) of len bytes to out at *at. */
static void put_b64(char *out, size_t *at, const void *bytes, size_t len)
{
    size_t cap = sodium_base64_encoded_len(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_bin2base64(out + *at, cap, bytes, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    *at += strlen(out + *at);
}

/* header "." payload "." HMAC-SHA256 of both with the secret. Returns a new string. */
static char *sign(const uint8_t *data, size_t size)
{
    static const char standard[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
    const uint8_t *nl = memchr(data, '\n', size);
    const void *header = standard, *payload = data;
    size_t hlen = sizeof standard - 1, plen = size;
    if (nl != NULL) {
        header = data;
        hlen = (size_t)(nl - data);
        payload = nl + 1;
        plen = size - hlen - 1;
    }
    char *out = xmalloc(2 * size + 256); /* base64 is 4/3 of the bytes */
    size_t at = 0;
    put_b64(out, &at, header, hlen);
    out[at++] = '.';
    put_b64(out, &at, payload, plen);
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)SECRET, strlen(SECRET));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)out, at);
    crypto_auth_hmacsha256_final(&st, mac);
    out[at++] = '.';
    put_b64(out, &at, mac, sizeof mac);
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    char *token = data[0] & 1 ? fuzz_string(data + 1, size - 1) : sign(data + 1, size - 1);
    struct principal who;
    enum token_result r = token_verify(keyring, token, NOW, &who);
    if (token_result_text(r) == NULL || (r != TOKEN_OK && who.role != 0))
        abort(); /* a refused token leaves no principal behind */
    free(token);
    return 0;
}
