/* Signing and verifying JWTs through one wrapper around libjwt 1.10, which
 * accepts `alg: none` with a NULL key and confuses HS256 with RSA public keys:
 * here a key is never NULL, the algorithm must be exactly the key's, and
 * every claim (exp, nbf, iss, aud, role) is checked by us. Each issuer holds
 * up to 8 verification keys by `kid`; a token's kid picks exactly one (an
 * unknown kid is a bad signature), a token without kid gets the primary. */
#ifndef PARCERIA_TOKEN_H
#define PARCERIA_TOKEN_H

#include "config.h"
#include "principal.h"

#include <stdbool.h>
#include <stddef.h>

struct token_keyring;

/* Loads our signing and verification keys and the trusted issuers file.
 * Returns a new keyring, or NULL with a message naming the variable in
 * *error (a new string). */
struct token_keyring *token_keyring_load(const struct config *cfg, char **error);
void token_keyring_free(struct token_keyring *kr);
/* Our signing key's id, the `kid` of every token we mint; and how many keys
 * verify our tokens (the signing key and PARCERIA_JWT_VERIFY_KEYS_FILE's). */
const char *token_keyring_kid(const struct token_keyring *kr);
size_t token_keyring_keys(const struct token_keyring *kr);
/* A kid we accept in configuration: 1 to 64 of A-Z a-z 0-9 . _ - */
bool token_kid_valid(const char *kid);

/* What a new token of ours says. Empty strings are left out. */
struct token_claims {
    const char *sub;
    unsigned role;
    const char *registrar_id;
    const char *application_id;
    const char *entry_id;
    long ttl; /* seconds */
};

/* Signs a token of ours. Returns a new string, or NULL when the claims are
 * incomplete (no sub, unknown or unserved role, a missing id the role needs)
 * or ttl is over PARCERIA_TOKEN_TTL. */
char *token_mint(const struct token_keyring *kr, const struct token_claims *claims, long now);

enum token_result {
    TOKEN_OK,
    TOKEN_MALFORMED, /* not three base64url parts of JSON */
    TOKEN_UNKNOWN_ISSUER,
    TOKEN_WRONG_ALG, /* not exactly the issuer's algorithm, `none` included */
    TOKEN_BAD_SIGNATURE,
    TOKEN_EXPIRED,
    TOKEN_NOT_YET_VALID,
    TOKEN_WRONG_AUDIENCE,
    TOKEN_BAD_CLAIMS,       /* sub, role or the role's id missing or malformed */
    TOKEN_ROLE_NOT_GRANTED, /* a role the issuer may not grant */
    TOKEN_TOO_LONG,         /* exp - iat (or exp - now) over the issuer's max lifetime */
};

/* Verifies token at time now; fills *who on TOKEN_OK. Pure but for libjwt. */
enum token_result token_verify(const struct token_keyring *kr, const char *token, long now,
                               struct principal *who);
/* How many verifications the cache of verified tokens answered, and how
 * many it did not (the token was then verified in full). */
void token_cache_stats(const struct token_keyring *kr, unsigned long *hits, unsigned long *misses);
/* A short English reason for a result, safe to show (no token content). */
const char *token_result_text(enum token_result r);

#endif
