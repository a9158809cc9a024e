/* JWT signing and verification. The unverified header and payload are parsed
 * only to find the issuer; the issuer's algorithm is then pinned before and
 * after libjwt checks the signature, and the claims are checked here. */
#include "token.h"

#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <jwt.h>
#include <limits.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_MAX_LEN 8192
#define TOKEN_SKEW 30 /* seconds of clock skew tolerated on nbf and iat */
#define EXTERNAL_LIFETIME_DEFAULT 3600
#define EXTERNAL_LIFETIME_MAX 86400
#define ISSUER_MAX_KEYS 8 /* verification keys per issuer, the signing key included */
#define KID_MAX 64
#define KID_DERIVED_HEX 16
#define HS256_SECRET_MIN 32
#define VERIFY_KEYS_VAR "PARCERIA_JWT_VERIFY_KEYS_FILE"

/* One verification key: its id, the one algorithm it verifies, the key. */
struct vkey {
    char *kid; /* NULL only for an external issuer's kid-less public_key_file */
    jwt_alg_t alg;
    unsigned char *key; /* HS256 secret or SPKI public key PEM; never NULL, never empty */
    size_t key_len;
};

struct issuer {
    char *iss;
    char *aud;
    struct vkey keys[ISSUER_MAX_KEYS];
    size_t nkeys;
    bool primary;    /* keys[0] checks tokens without kid; false: they are refused */
    bool kids_known; /* a key has a kid: a token's kid must then name one */
    char *role_claim;
    unsigned roles;    /* roles it may grant */
    long max_lifetime; /* seconds a token may live: exp - iat, or exp - now without iat */
    bool ours;
};

/* Tokens verified already: a token is verified once, then each request that
 * shows it again gets its principal from here while its times still pass
 * (a hit re-checks them against now). A token's keyed BLAKE2b-256 (the key is
 * random per process, so no client can aim tokens at one set) picks one of
 * VERIFIED_SETS sets of VERIFIED_WAYS slots, and the hash is compared in full:
 * only the very bytes that were verified match. A new token takes a free
 * slot of its set, else the least recently used. Sets, not one slot per
 * token: 300 registrars' tokens in 4,096 single slots collided in about a
 * dozen pairs, and those tokens were verified again at every use; eight ways
 * over 512 sets overflow one set about once in 10^5 starts. The keyring never
 * changes once loaded, so nothing ever needs dropping; a revoked credential
 * is the guard's (db.h). */
#define VERIFIED_WAYS 8
#define VERIFIED_SETS 512
#define VERIFIED_LOCKS 32
struct verified {
    unsigned char hash[crypto_generichash_BYTES];
    long long from;          /* the first second all time checks pass */
    long long until;         /* exp: the first second they fail again; 0: a free slot */
    unsigned long long used; /* the tick of its last use */
    struct principal who;
};
struct verified_cache {
    unsigned char key[crypto_generichash_KEYBYTES];
    pthread_mutex_t locks[VERIFIED_LOCKS]; /* a set's is locks[set % VERIFIED_LOCKS] */
    unsigned long long tick[VERIFIED_LOCKS];
    _Atomic unsigned long hits, misses;
    struct verified slots[VERIFIED_SETS][VERIFIED_WAYS];
};

struct token_keyring {
    struct verified_cache *verified;
    struct issuer *issuers;
    size_t n;
    jwt_alg_t sign_alg;
    char *sign_kid;
    unsigned char *sign_key;
    size_t sign_key_len;
};

bool token_kid_valid(const char *kid)
{
    size_t n = kid ? strlen(kid) : 0;
    if (n == 0 || n > KID_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)kid[i]) && kid[i] != '.' && kid[i] != '_' && kid[i] != '-')
            return false;
    return true;
}

static bool read_file(const char *path, unsigned char **out, size_t *len)
{
    FILE *f = path ? fopen(path, "rb") : NULL;
    if (f == NULL)
        return false;
    size_t cap = 4096, n = 0;
    unsigned char *buf = xmalloc(cap + 1);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap)
            buf = xrealloc(buf, (cap *= 2) + 1);
    }
    fclose(f);
    buf[n] = '\0';
    if (n == 0) {
        free(buf);
        return false;
    }
    *out = buf;
    *len = n;
    return true;
}

/* A public key PEM as libjwt 1.10 takes it (SPKI), or NULL. */
static unsigned char *read_public_key(const char *path, size_t *len)
{
    unsigned char *key = NULL;
    if (!read_file(path, &key, len))
        return NULL;
    if (strstr((char *)key, "BEGIN PUBLIC KEY") == NULL) {
        free(key);
        return NULL;
    }
    return key;
}

/* An HS256 secret from a file, without its trailing newline, or NULL when
 * shorter than HS256_SECRET_MIN. */
static unsigned char *read_secret(const char *path, size_t *len)
{
    unsigned char *key = NULL;
    if (!read_file(path, &key, len))
        return NULL;
    while (*len > 0 && (key[*len - 1] == '\n' || key[*len - 1] == '\r'))
        key[--*len] = '\0';
    if (*len < HS256_SECRET_MIN || strlen((char *)key) != *len) {
        sodium_memzero(key, *len);
        free(key);
        return NULL;
    }
    return key;
}

static jwt_alg_t alg_from(const char *name)
{
    if (name == NULL)
        return JWT_ALG_INVAL;
    if (strcmp(name, "HS256") == 0)
        return JWT_ALG_HS256;
    if (strcmp(name, "ES256") == 0)
        return JWT_ALG_ES256;
    if (strcmp(name, "RS256") == 0)
        return JWT_ALG_RS256;
    return JWT_ALG_INVAL;
}

/* The kid a key has when none is configured: the first 16 hex digits of
 * SHA-256 over the public key PEM, or over a fixed label and the HS256
 * secret (64 bits of a hash of a 256-bit secret reveal nothing of it). */
static char *derived_kid(jwt_alg_t alg, const unsigned char *key, size_t len)
{
    static const char label[] = "parceria-jwt-kid:HS256:";
    unsigned char hash[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    if (alg == JWT_ALG_HS256)
        crypto_hash_sha256_update(&st, (const unsigned char *)label, sizeof label - 1);
    crypto_hash_sha256_update(&st, key, len);
    crypto_hash_sha256_final(&st, hash);
    char hex[2 * sizeof hash + 1];
    sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
    hex[KID_DERIVED_HEX] = '\0';
    return xstrdup(hex);
}

static void free_vkey(struct vkey *k)
{
    free(k->kid);
    if (k->key != NULL)
        sodium_memzero(k->key, k->key_len);
    free(k->key);
    memset(k, 0, sizeof *k);
}

/* Adds a key to an issuer, taking k's strings. A kid already held with the
 * very same key and algorithm is dropped (the signing key may be listed
 * again among the verification keys); with another key, or past
 * ISSUER_MAX_KEYS, it is an error (a message naming var). */
static bool add_key(struct issuer *is, struct vkey *k, const char *var, char **error)
{
    for (size_t i = 0; k->kid != NULL && i < is->nkeys; i++) {
        const struct vkey *o = &is->keys[i];
        if (o->kid == NULL || strcmp(o->kid, k->kid) != 0)
            continue;
        bool same = o->alg == k->alg && o->key_len == k->key_len &&
                    sodium_memcmp(o->key, k->key, k->key_len) == 0;
        if (!same)
            *error =
                xasprintf("%s: issuer %s: kid %s names two different keys", var, is->iss, k->kid);
        free_vkey(k);
        return same;
    }
    if (is->nkeys == ISSUER_MAX_KEYS) {
        *error = xasprintf("%s: issuer %s: more than %d keys", var, is->iss, ISSUER_MAX_KEYS);
        free_vkey(k);
        return false;
    }
    is->kids_known |= k->kid != NULL;
    is->keys[is->nkeys++] = *k;
    memset(k, 0, sizeof *k);
    return true;
}

static void free_issuer(struct issuer *is)
{
    free(is->iss);
    free(is->aud);
    for (size_t i = 0; i < is->nkeys; i++)
        free_vkey(&is->keys[i]);
    free(is->role_claim);
    memset(is, 0, sizeof *is);
}

static void add_issuer(struct token_keyring *kr, struct issuer *is)
{
    kr->issuers = xrealloc(kr->issuers, (kr->n + 1) * sizeof *kr->issuers);
    kr->issuers[kr->n++] = *is;
    memset(is, 0, sizeof *is);
}

/* One entry of our verification keys file: {kid?, alg, public_key_file |
 * secret_file}; the kid defaults to the one the key has when it signs. */
static bool load_verify_key(struct issuer *is, json_t *e, char **error)
{
    const char *kid = NULL, *alg = NULL, *pub = NULL, *secret = NULL;
    struct vkey k = {0};
    if (json_unpack(e, "{s?:s, s:s, s?:s, s?:s !}", "kid", &kid, "alg", &alg, "public_key_file",
                    &pub, "secret_file", &secret) != 0) {
        *error = xstrdup(VERIFY_KEYS_VAR ": each key needs alg and public_key_file or "
                                         "secret_file, and may have kid");
        return false;
    }
    k.alg = alg_from(alg);
    if (kid != NULL && !token_kid_valid(kid))
        *error = xasprintf(VERIFY_KEYS_VAR ": kid %.80s must be 1 to 64 of A-Z a-z 0-9 . _ -", kid);
    else if (k.alg == JWT_ALG_INVAL)
        *error = xstrdup(VERIFY_KEYS_VAR ": alg must be HS256, ES256 or RS256");
    else if (k.alg == JWT_ALG_HS256 && (secret == NULL || pub != NULL))
        *error = xstrdup(VERIFY_KEYS_VAR ": an HS256 key needs secret_file (only)");
    else if (k.alg != JWT_ALG_HS256 && (pub == NULL || secret != NULL))
        *error = xstrdup(VERIFY_KEYS_VAR ": an ES256 or RS256 key needs public_key_file (only)");
    else if (k.alg == JWT_ALG_HS256 && (k.key = read_secret(secret, &k.key_len)) == NULL)
        *error = xasprintf(VERIFY_KEYS_VAR ": %s is not a readable secret of at least %d bytes",
                           secret, HS256_SECRET_MIN);
    else if (k.alg != JWT_ALG_HS256 && (k.key = read_public_key(pub, &k.key_len)) == NULL)
        *error = xasprintf(VERIFY_KEYS_VAR ": %s is not a readable BEGIN PUBLIC KEY PEM", pub);
    if (*error != NULL) {
        free_vkey(&k);
        return false;
    }
    k.kid = kid ? xstrdup(kid) : derived_kid(k.alg, k.key, k.key_len);
    return add_key(is, &k, VERIFY_KEYS_VAR, error);
}

static bool load_verify_keys(struct issuer *is, const char *path, char **error)
{
    json_error_t jerr;
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    json_t *list = json_object_get(doc, "keys");
    bool ok = json_is_array(list) && json_object_size(doc) == 1;
    if (!ok)
        *error = xasprintf(VERIFY_KEYS_VAR ": %s is not a JSON object with a \"keys\" list", path);
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e)
    {
        if (!ok)
            break;
        ok = load_verify_key(is, e, error);
    }
    json_decref(doc);
    return ok;
}

/* Ours: the signing key verifies first (and checks tokens without kid),
 * then the keys of PARCERIA_JWT_VERIFY_KEYS_FILE. */
static bool load_ours(struct token_keyring *kr, const struct config *cfg, char **error)
{
    struct issuer is = {.iss = xstrdup(cfg->jwt_issuer),
                        .aud = xstrdup(cfg->jwt_audience),
                        .role_claim = xstrdup("role"),
                        .roles = ROLE_SERVED,
                        .max_lifetime = (long)cfg->token_ttl,
                        .ours = true};
    struct vkey k = {.alg = alg_from(cfg->jwt_alg)};
    kr->sign_alg = k.alg;
    if (k.alg == JWT_ALG_HS256) {
        k.key = (unsigned char *)xstrdup(cfg->jwt_secret);
        k.key_len = strlen(cfg->jwt_secret);
        kr->sign_key = (unsigned char *)xstrdup(cfg->jwt_secret);
        kr->sign_key_len = k.key_len;
    } else if (!read_file(cfg->jwt_private_key_file, &kr->sign_key, &kr->sign_key_len)) {
        *error =
            xasprintf("PARCERIA_JWT_PRIVATE_KEY_FILE: cannot read %s", cfg->jwt_private_key_file);
    } else if ((k.key = read_public_key(cfg->jwt_public_key_file, &k.key_len)) == NULL) {
        *error =
            xasprintf("PARCERIA_JWT_PUBLIC_KEY_FILE: %s is not a readable BEGIN PUBLIC KEY PEM",
                      cfg->jwt_public_key_file);
    }
    if (*error == NULL) {
        k.kid = cfg->jwt_kid ? xstrdup(cfg->jwt_kid) : derived_kid(k.alg, k.key, k.key_len);
        kr->sign_kid = xstrdup(k.kid);
        add_key(&is, &k, "PARCERIA_JWT_KID", error);
        is.primary = true;
        if (cfg->jwt_verify_keys_file != NULL)
            load_verify_keys(&is, cfg->jwt_verify_keys_file, error);
    }
    free_vkey(&k);
    add_issuer(kr, &is);
    return *error == NULL;
}

static unsigned roles_from(const json_t *list)
{
    unsigned roles = 0;
    size_t i;
    const json_t *r;
    json_array_foreach(list, i, r)
    {
        unsigned bit = principal_role_from(json_string_value(r));
        if (bit == 0 || (bit != ROLE_STAFF && bit != ROLE_ADMIN && bit != ROLE_REGISTRAR))
            return 0;
        roles |= bit;
    }
    return roles;
}

/* An external issuer's keys: its kid-less public_key_file and the
 * {kid, public_key_file} entries of keys, all of the issuer's alg. Tokens
 * without kid go to public_key_file, or to the only key. */
static bool load_external_keys(struct issuer *is, jwt_alg_t alg, const char *keyfile,
                               const json_t *keys, char **error)
{
    static const char var[] = "PARCERIA_JWT_ISSUERS_FILE";
    size_t i;
    const json_t *e;
    if (keyfile == NULL && json_array_size(keys) == 0) {
        *error =
            xasprintf("%s: issuer %s needs public_key_file or a non-empty keys list", var, is->iss);
        return false;
    }
    if (keyfile != NULL) {
        struct vkey k = {.alg = alg};
        k.key = read_public_key(keyfile, &k.key_len);
        if (k.key == NULL) {
            *error = xasprintf("%s: issuer %s: %s is not a readable BEGIN PUBLIC KEY PEM", var,
                               is->iss, keyfile);
            return false;
        }
        add_key(is, &k, var, error);
    }
    json_array_foreach(keys, i, e)
    {
        const char *kid = NULL, *path = NULL;
        struct vkey k = {.alg = alg};
        if (json_unpack((json_t *)e, "{s:s, s:s !}", "kid", &kid, "public_key_file", &path) != 0 ||
            !token_kid_valid(kid)) {
            *error = xasprintf("%s: issuer %s: each key needs exactly kid (1 to 64 of A-Z a-z "
                               "0-9 . _ -) and public_key_file",
                               var, is->iss);
            return false;
        }
        if ((k.key = read_public_key(path, &k.key_len)) == NULL) {
            *error = xasprintf("%s: issuer %s: %s is not a readable BEGIN PUBLIC KEY PEM", var,
                               is->iss, path);
            return false;
        }
        k.kid = xstrdup(kid);
        /* Duplicates are refused here even when identical: one entry a kid. */
        for (size_t j = 0; j < is->nkeys; j++)
            if (is->keys[j].kid != NULL && strcmp(is->keys[j].kid, kid) == 0) {
                *error = xasprintf("%s: issuer %s: kid %s is listed twice", var, is->iss, kid);
                free_vkey(&k);
                return false;
            }
        if (!add_key(is, &k, var, error))
            return false;
    }
    if (keyfile != NULL || is->nkeys == 1)
        is->primary = true;
    return *error == NULL;
}

/* One entry of the issuers file: {iss, aud, alg, public_key_file and/or
 * keys, role_claim, roles[, max_lifetime]}. */
static bool load_external(struct token_keyring *kr, json_t *e, char **error)
{
    const char *iss = NULL, *aud = NULL, *alg = NULL, *keyfile = NULL, *claim = NULL;
    json_t *roles = NULL, *keys = NULL;
    json_int_t lifetime = EXTERNAL_LIFETIME_DEFAULT;
    struct issuer is = {0};
    if (json_unpack(e, "{s:s, s:s, s:s, s?:s, s?:o, s:s, s:o, s?:I !}", "iss", &iss, "aud", &aud,
                    "alg", &alg, "public_key_file", &keyfile, "keys", &keys, "role_claim", &claim,
                    "roles", &roles, "max_lifetime", &lifetime) != 0 ||
        !json_is_array(roles) || (keys != NULL && !json_is_array(keys))) {
        *error = xstrdup("PARCERIA_JWT_ISSUERS_FILE: each issuer needs exactly iss, aud, alg, "
                         "public_key_file or keys (or both), role_claim and roles, and may have "
                         "max_lifetime");
        return false;
    }
    jwt_alg_t a = alg_from(alg);
    is.iss = xstrdup(iss);
    is.roles = roles_from(roles);
    is.max_lifetime = (long)lifetime;
    if (lifetime < 60 || lifetime > EXTERNAL_LIFETIME_MAX)
        *error = xasprintf("PARCERIA_JWT_ISSUERS_FILE: issuer %s: max_lifetime must be 60 to %d "
                           "seconds",
                           iss, EXTERNAL_LIFETIME_MAX);
    else if (a != JWT_ALG_ES256 && a != JWT_ALG_RS256)
        *error = xasprintf("PARCERIA_JWT_ISSUERS_FILE: issuer %s: alg must be ES256 or RS256", iss);
    else if (is.roles == 0)
        *error = xasprintf("PARCERIA_JWT_ISSUERS_FILE: issuer %s: roles must be a non-empty list "
                           "of staff, admin, registrar",
                           iss);
    else
        load_external_keys(&is, a, keyfile, keys, error);
    is.aud = xstrdup(aud);
    is.role_claim = xstrdup(claim);
    add_issuer(kr, &is);
    return *error == NULL;
}

static bool load_externals(struct token_keyring *kr, const char *path, char **error)
{
    json_error_t jerr;
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    json_t *list = json_object_get(doc, "issuers");
    bool ok = json_is_array(list);
    if (!ok)
        *error = xasprintf("PARCERIA_JWT_ISSUERS_FILE: %s is not a JSON object with an "
                           "\"issuers\" list",
                           path);
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e)
    {
        if (!ok)
            break;
        ok = load_external(kr, e, error);
    }
    json_decref(doc);
    return ok;
}

struct token_keyring *token_keyring_load(const struct config *cfg, char **error)
{
    struct token_keyring *kr = xcalloc(1, sizeof *kr);
    kr->verified = xcalloc(1, sizeof *kr->verified);
    crypto_generichash_keygen(kr->verified->key);
    for (size_t i = 0; i < VERIFIED_LOCKS; i++)
        pthread_mutex_init(&kr->verified->locks[i], NULL);
    *error = NULL;
    if (load_ours(kr, cfg, error) &&
        (cfg->jwt_issuers_file == NULL || load_externals(kr, cfg->jwt_issuers_file, error)))
        return kr;
    token_keyring_free(kr);
    return NULL;
}

void token_keyring_free(struct token_keyring *kr)
{
    if (kr == NULL)
        return;
    for (size_t i = 0; i < kr->n; i++)
        free_issuer(&kr->issuers[i]);
    free(kr->issuers);
    if (kr->sign_key != NULL)
        sodium_memzero(kr->sign_key, kr->sign_key_len);
    free(kr->sign_key);
    free(kr->sign_kid);
    for (size_t i = 0; i < VERIFIED_LOCKS; i++)
        pthread_mutex_destroy(&kr->verified->locks[i]);
    sodium_memzero(kr->verified, sizeof *kr->verified);
    free(kr->verified);
    free(kr);
}

const char *token_keyring_kid(const struct token_keyring *kr)
{
    return kr->sign_kid;
}

size_t token_keyring_keys(const struct token_keyring *kr)
{
    return kr->issuers[0].nkeys;
}

/* The id claim a role needs, or NULL. */
static const char *id_claim_of(unsigned role)
{
    switch (role) {
    case ROLE_REGISTRAR:
        return "registrar_id";
    case ROLE_APPLICANT:
        return "application_id";
    case ROLE_TEACHER:
        return "entry_id";
    default:
        return NULL;
    }
}

static const char *id_value_of(const struct token_claims *c)
{
    switch (c->role) {
    case ROLE_REGISTRAR:
        return c->registrar_id;
    case ROLE_APPLICANT:
        return c->application_id;
    case ROLE_TEACHER:
        return c->entry_id;
    default:
        return NULL;
    }
}

char *token_mint(const struct token_keyring *kr, const struct token_claims *c, long now)
{
    const char *role = principal_role_name(c->role);
    const char *id_claim = id_claim_of(c->role), *id = id_value_of(c);
    const struct issuer *ours = &kr->issuers[0];
    if (c->sub == NULL || *c->sub == '\0' || strlen(c->sub) > 255 || role == NULL ||
        (c->role & ROLE_SERVED) == 0 || c->ttl < 1 || c->ttl > ours->max_lifetime ||
        (id_claim != NULL && !util_is_uuid(id)))
        return NULL;
    char jti[UTIL_UUID_LEN + 1];
    util_uuid_v4(jti);
    jwt_t *jwt = NULL;
    char *out = NULL;
    if (jwt_new(&jwt) != 0)
        goto out;
    jwt_add_grant(jwt, "iss", ours->iss);
    jwt_add_grant(jwt, "aud", ours->aud);
    jwt_add_grant(jwt, "sub", c->sub);
    jwt_add_grant(jwt, "jti", jti);
    jwt_add_grant(jwt, "role", role);
    jwt_add_grant_int(jwt, "iat", now);
    jwt_add_grant_int(jwt, "nbf", now);
    jwt_add_grant_int(jwt, "exp", now + c->ttl);
    if (id_claim != NULL)
        jwt_add_grant(jwt, id_claim, id);
    if (jwt_add_header(jwt, "kid", kr->sign_kid) == 0 &&
        jwt_set_alg(jwt, kr->sign_alg, kr->sign_key, (int)kr->sign_key_len) == 0)
        out = jwt_encode_str(jwt);
out:
    jwt_free(jwt);
    return out;
}

/* Decodes one base64url part into JSON (an object), or NULL. */
static json_t *decode_part(const char *part, size_t len)
{
    unsigned char *buf = xmalloc(len + 1);
    size_t n = 0;
    json_t *obj = NULL;
    if (sodium_base642bin(buf, len + 1, part, len, NULL, &n, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0)
        obj = json_loadb((const char *)buf, n, JSON_REJECT_DUPLICATES, NULL);
    free(buf);
    if (obj != NULL && !json_is_object(obj)) {
        json_decref(obj);
        obj = NULL;
    }
    return obj;
}

static bool split(const char *token, json_t **header, json_t **payload)
{
    *header = *payload = NULL;
    size_t len = strlen(token);
    const char *dot1 = strchr(token, '.');
    const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
    if (len == 0 || len > TOKEN_MAX_LEN || dot2 == NULL || strchr(dot2 + 1, '.') != NULL ||
        dot2[1] == '\0')
        return false;
    *header = decode_part(token, (size_t)(dot1 - token));
    *payload = decode_part(dot1 + 1, (size_t)(dot2 - dot1 - 1));
    return *header != NULL && *payload != NULL;
}

static const struct issuer *find_issuer(const struct token_keyring *kr, const char *iss)
{
    for (size_t i = 0; iss != NULL && i < kr->n; i++)
        if (strcmp(kr->issuers[i].iss, iss) == 0)
            return &kr->issuers[i];
    return NULL;
}

/* The key a token's kid names, each with its one algorithm. A token without
 * kid is checked with the primary key only; an issuer none of whose keys has
 * a kid (an external issuer with only public_key_file) checks every token
 * with that one key, as before keys had ids. */
static const struct vkey *find_key(const struct issuer *is, const json_t *kid)
{
    if (kid == NULL || (!is->kids_known && json_is_string(kid)))
        return is->primary ? &is->keys[0] : NULL;
    for (size_t i = 0; json_is_string(kid) && i < is->nkeys; i++)
        if (is->keys[i].kid != NULL && strcmp(is->keys[i].kid, json_string_value(kid)) == 0)
            return &is->keys[i];
    return NULL;
}

static bool audience_ok(const json_t *aud, const char *want)
{
    if (json_is_string(aud))
        return strcmp(json_string_value(aud), want) == 0;
    size_t i;
    const json_t *a;
    json_array_foreach(aud, i, a) if (json_is_string(a) &&
                                      strcmp(json_string_value(a), want) == 0) return true;
    return false;
}

static bool copy_claim(const json_t *payload, const char *name, char *out, size_t size, bool uuid)
{
    const char *v = json_string_value(json_object_get(payload, name));
    if (v == NULL || *v == '\0' || strlen(v) >= size || (uuid && !util_is_uuid(v)))
        return false;
    snprintf(out, size, "%s", v);
    return true;
}

static enum token_result check_times(const json_t *payload, long now, long max_lifetime)
{
    const json_t *exp = json_object_get(payload, "exp"), *nbf = json_object_get(payload, "nbf");
    const json_t *iat = json_object_get(payload, "iat");
    if (!json_is_integer(exp) || (nbf && !json_is_integer(nbf)) || (iat && !json_is_integer(iat)))
        return TOKEN_BAD_CLAIMS;
    if (json_integer_value(exp) <= now)
        return TOKEN_EXPIRED;
    if ((nbf && json_integer_value(nbf) > now + TOKEN_SKEW) ||
        (iat && json_integer_value(iat) > now + TOKEN_SKEW))
        return TOKEN_NOT_YET_VALID;
    /* A far exp is a token that cannot be taken back: refuse what the issuer would not mint. */
    long long from = iat ? json_integer_value(iat) : now - TOKEN_SKEW;
    if (json_integer_value(exp) - from > max_lifetime)
        return TOKEN_TOO_LONG;
    return TOKEN_OK;
}

/* The seconds in which check_times passes: [*from, *until). */
static void valid_window(const json_t *payload, long max_lifetime, long long *from,
                         long long *until)
{
    const json_t *nbf = json_object_get(payload, "nbf"), *iat = json_object_get(payload, "iat");
    long long exp = json_integer_value(json_object_get(payload, "exp"));
    *until = exp;
    *from = LLONG_MIN;
    if (nbf && json_integer_value(nbf) - TOKEN_SKEW > *from)
        *from = json_integer_value(nbf) - TOKEN_SKEW;
    if (iat && json_integer_value(iat) - TOKEN_SKEW > *from)
        *from = json_integer_value(iat) - TOKEN_SKEW;
    if (!iat && exp + TOKEN_SKEW - max_lifetime > *from) /* check_times' TOKEN_TOO_LONG */
        *from = exp + TOKEN_SKEW - max_lifetime;
}

static size_t verified_set(const struct verified_cache *c, const char *token,
                           unsigned char hash[crypto_generichash_BYTES])
{
    crypto_generichash(hash, crypto_generichash_BYTES, (const unsigned char *)token, strlen(token),
                       c->key, sizeof c->key);
    size_t set;
    memcpy(&set, hash, sizeof set);
    return set % VERIFIED_SETS;
}

/* The slot of set holding hash, or NULL. Under the set's lock. */
static struct verified *verified_find(struct verified *set,
                                      const unsigned char hash[crypto_generichash_BYTES])
{
    for (size_t i = 0; i < VERIFIED_WAYS; i++)
        if (set[i].until != 0 && sodium_memcmp(set[i].hash, hash, crypto_generichash_BYTES) == 0)
            return &set[i];
    return NULL;
}

static bool verified_get(struct verified_cache *c, const char *token, long now,
                         struct principal *who)
{
    unsigned char hash[crypto_generichash_BYTES];
    size_t set = verified_set(c, token, hash);
    pthread_mutex_t *lock = &c->locks[set % VERIFIED_LOCKS];
    pthread_mutex_lock(lock);
    struct verified *v = verified_find(c->slots[set], hash);
    bool hit = v != NULL && v->from <= now && now < v->until;
    if (hit) {
        *who = v->who;
        v->used = ++c->tick[set % VERIFIED_LOCKS];
    }
    pthread_mutex_unlock(lock);
    atomic_fetch_add(hit ? &c->hits : &c->misses, 1);
    return hit;
}

static void verified_put(struct verified_cache *c, const char *token, const json_t *payload,
                         long max_lifetime, const struct principal *who)
{
    struct verified v = {.who = *who};
    size_t set = verified_set(c, token, v.hash);
    valid_window(payload, max_lifetime, &v.from, &v.until);
    if (v.until == 0) /* 0 marks a free slot: such a token is simply not kept */
        return;
    pthread_mutex_t *lock = &c->locks[set % VERIFIED_LOCKS];
    pthread_mutex_lock(lock);
    struct verified *slot = verified_find(c->slots[set], v.hash);
    for (size_t i = 0; slot == NULL && i < VERIFIED_WAYS; i++)
        if (c->slots[set][i].until == 0)
            slot = &c->slots[set][i];
    if (slot == NULL) {
        slot = &c->slots[set][0];
        for (size_t i = 1; i < VERIFIED_WAYS; i++)
            if (c->slots[set][i].used < slot->used)
                slot = &c->slots[set][i];
    }
    v.used = ++c->tick[set % VERIFIED_LOCKS];
    *slot = v;
    pthread_mutex_unlock(lock);
}

void token_cache_stats(const struct token_keyring *kr, unsigned long *hits, unsigned long *misses)
{
    *hits = atomic_load(&kr->verified->hits);
    *misses = atomic_load(&kr->verified->misses);
}

static enum token_result check_claims(const struct issuer *is, const json_t *payload, long now,
                                      struct principal *who)
{
    enum token_result r = check_times(payload, now, is->max_lifetime);
    if (r != TOKEN_OK)
        return r;
    if (!audience_ok(json_object_get(payload, "aud"), is->aud))
        return TOKEN_WRONG_AUDIENCE;
    memset(who, 0, sizeof *who);
    who->role = principal_role_from(json_string_value(json_object_get(payload, is->role_claim)));
    if ((who->role & ROLE_SERVED) == 0 ||
        !copy_claim(payload, "sub", who->sub, sizeof who->sub, false))
        return TOKEN_BAD_CLAIMS;
    if ((who->role & is->roles) == 0)
        return TOKEN_ROLE_NOT_GRANTED;
    bool ids_ok =
        (who->role != ROLE_REGISTRAR ||
         copy_claim(payload, "registrar_id", who->registrar_id, sizeof who->registrar_id, true)) &&
        (who->role != ROLE_APPLICANT || copy_claim(payload, "application_id", who->application_id,
                                                   sizeof who->application_id, true)) &&
        (who->role != ROLE_TEACHER ||
         copy_claim(payload, "entry_id", who->entry_id, sizeof who->entry_id, true));
    if (!ids_ok)
        return TOKEN_BAD_CLAIMS;
    who->ours = is->ours;
    snprintf(who->iss, sizeof who->iss, "%s", is->iss);
    who->expires_at = json_integer_value(json_object_get(payload, "exp"));
    return TOKEN_OK;
}

enum token_result token_verify(const struct token_keyring *kr, const char *token, long now,
                               struct principal *who)
{
    if (strlen(token) <= TOKEN_MAX_LEN && verified_get(kr->verified, token, now, who))
        return TOKEN_OK;
    json_t *header = NULL, *payload = NULL;
    jwt_t *jwt = NULL;
    enum token_result r = TOKEN_MALFORMED;
    if (!split(token, &header, &payload))
        goto out;
    r = TOKEN_UNKNOWN_ISSUER;
    const struct issuer *is = find_issuer(kr, json_string_value(json_object_get(payload, "iss")));
    if (is == NULL)
        goto out;
    /* An unknown kid is answered as a bad signature: no oracle for which kids exist. */
    r = TOKEN_BAD_SIGNATURE;
    const struct vkey *k = find_key(is, json_object_get(header, "kid"));
    if (k == NULL)
        goto out;
    r = TOKEN_WRONG_ALG;
    if (alg_from(json_string_value(json_object_get(header, "alg"))) != k->alg)
        goto out;
    r = TOKEN_BAD_SIGNATURE;
    if (jwt_decode(&jwt, token, k->key, (int)k->key_len) != 0 || jwt == NULL)
        goto out;
    r = TOKEN_WRONG_ALG;
    if (jwt_get_alg(jwt) != k->alg)
        goto out;
    r = check_claims(is, payload, now, who);
    if (r == TOKEN_OK)
        verified_put(kr->verified, token, payload, is->max_lifetime, who);
out:
    jwt_free(jwt);
    json_decref(header);
    json_decref(payload);
    if (r != TOKEN_OK)
        memset(who, 0, sizeof *who);
    return r;
}

const char *token_result_text(enum token_result r)
{
    switch (r) {
    case TOKEN_OK:
        return "valid";
    case TOKEN_MALFORMED:
        return "the token is malformed";
    case TOKEN_UNKNOWN_ISSUER:
        return "the token's issuer is not trusted";
    case TOKEN_WRONG_ALG:
        return "the token's algorithm is not its issuer's";
    case TOKEN_BAD_SIGNATURE:
        return "the token's signature is invalid";
    case TOKEN_EXPIRED:
        return "the token has expired";
    case TOKEN_NOT_YET_VALID:
        return "the token is not valid yet";
    case TOKEN_WRONG_AUDIENCE:
        return "the token is for another audience";
    case TOKEN_ROLE_NOT_GRANTED:
        return "the token's issuer may not grant its role";
    case TOKEN_TOO_LONG:
        return "the token lives longer than its issuer allows";
    default:
        return "the token's claims are incomplete or invalid";
    }
}
