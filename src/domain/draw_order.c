/* The draw's arithmetic of draw_order.h through libsodium's SHA-256 and
 * HMAC-SHA-256 (its init/update/final API takes a key of any length, hashing
 * one longer than a block as RFC 2104 says). */
#include "draw_order.h"

#include "util.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(crypto_hash_sha256_BYTES * 2 == DRAW_HEX_LEN, "a SHA-256 is 64 hex digits");
_Static_assert(crypto_auth_hmacsha256_BYTES * 2 == DRAW_HEX_LEN, "an HMAC is 64 hex digits");

bool draw_commitment_valid(const char *text)
{
    if (text == NULL)
        return false;
    size_t i = 0;
    for (; text[i] != '\0'; i++) {
        char c = text[i];
        if (i == DRAW_HEX_LEN || !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return i == DRAW_HEX_LEN;
}

void draw_commitment(const char *seed, char out[DRAW_HEX_LEN + 1])
{
    util_sha256_hex(seed, strlen(seed), out);
}

bool draw_seed_matches(const char *seed, const char *commitment)
{
    if (seed == NULL || !draw_commitment_valid(commitment))
        return false;
    char mine[DRAW_HEX_LEN + 1];
    draw_commitment(seed, mine);
    return sodium_memcmp(mine, commitment, DRAW_HEX_LEN) == 0;
}

/* The HMAC state keyed with seed ":" public_entropy, ready for a message. */
static void keyed(const char *seed, const char *public_entropy, crypto_auth_hmacsha256_state *state)
{
    size_t ls = strlen(seed), le = strlen(public_entropy);
    unsigned char *key = xmalloc(ls + 1 + le);
    memcpy(key, seed, ls);
    key[ls] = ':';
    memcpy(key + ls + 1, public_entropy, le);
    crypto_auth_hmacsha256_init(state, key, ls + 1 + le);
    sodium_memzero(key, ls + 1 + le);
    free(key);
}

/* The hex MAC of message under a copy of the keyed state. */
static void mac_hex(const crypto_auth_hmacsha256_state *state, const char *message,
                    char out[DRAW_HEX_LEN + 1])
{
    crypto_auth_hmacsha256_state s = *state;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_update(&s, (const unsigned char *)message, strlen(message));
    crypto_auth_hmacsha256_final(&s, mac);
    util_hex(mac, sizeof mac, out);
}

void draw_entry_hmac(const char *seed, const char *public_entropy, const char *registrar_id,
                     char out[DRAW_HEX_LEN + 1])
{
    crypto_auth_hmacsha256_state state;
    keyed(seed, public_entropy, &state);
    mac_hex(&state, registrar_id, out);
    sodium_memzero(&state, sizeof state);
}

struct entry {
    char mac[DRAW_HEX_LEN + 1];
    char id[DRAW_ID_SIZE];
};

static int by_mac_then_id(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    int c = strcmp(x->mac, y->mac);
    return c != 0 ? c : strcmp(x->id, y->id);
}

void draw_order(const char *seed, const char *public_entropy, char (*ids)[DRAW_ID_SIZE], size_t n)
{
    if (n == 0)
        return;
    crypto_auth_hmacsha256_state state;
    keyed(seed, public_entropy, &state);
    struct entry *entries = xcalloc(n, sizeof *entries);
    for (size_t i = 0; i < n; i++) {
        memcpy(entries[i].id, ids[i], DRAW_ID_SIZE);
        entries[i].id[DRAW_ID_SIZE - 1] = '\0';
        mac_hex(&state, entries[i].id, entries[i].mac);
    }
    sodium_memzero(&state, sizeof state);
    qsort(entries, n, sizeof *entries, by_mac_then_id);
    for (size_t i = 0; i < n; i++)
        memcpy(ids[i], entries[i].id, DRAW_ID_SIZE);
    free(entries);
}
