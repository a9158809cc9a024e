/* Aborting allocators, identifiers, hex and time helpers shared by all layers. */
#include "util.h"

#include <jansson.h>
#include <orcania.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void out_of_memory(void)
{
    fputs("parceria: out of memory\n", stderr);
    abort();
}

void *xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (p == NULL)
        out_of_memory();
    return p;
}

void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (p == NULL)
        out_of_memory();
    return p;
}

void *xrealloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);
    if (p == NULL)
        out_of_memory();
    return p;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *p = xmalloc(len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        out_of_memory();
    char *p = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void util_install_allocators(void)
{
    json_set_alloc_funcs(xmalloc, free);
    o_set_alloc_funcs(xmalloc, xrealloc, free);
}

/* Random bytes for ids, from libsodium's generator 4 KiB at a time: one
 * getrandom(2) per 256 request ids instead of one each. Nothing here forks
 * after start (the bytes would be shared). Secrets take randombytes_buf. */
static void id_random(unsigned char *out, size_t n)
{
    static _Thread_local unsigned char pool[4096];
    static _Thread_local size_t used = sizeof pool;
    if (used + n > sizeof pool) {
        randombytes_buf(pool, sizeof pool);
        used = 0;
    }
    memcpy(out, pool + used, n);
    sodium_memzero(pool + used, n); /* each byte is handed out once */
    used += n;
}

void util_uuid_v4(char out[UTIL_UUID_LEN + 1])
{
    unsigned char b[16];
    id_random(b, sizeof b);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, UTIL_UUID_LEN + 1,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
}

bool util_is_uuid(const char *s)
{
    if (s == NULL || strlen(s) != UTIL_UUID_LEN)
        return false;
    for (size_t i = 0; i < UTIL_UUID_LEN; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    }
    return true;
}

void util_hex(const unsigned char *bytes, size_t len, char *out)
{
    sodium_bin2hex(out, 2 * len + 1, bytes, len);
}

void util_sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, data, len);
    util_hex(digest, sizeof digest, out);
}

void util_secret(char out[UTIL_SECRET_LEN + 1])
{
    unsigned char b[32];
    randombytes_buf(b, sizeof b);
    sodium_bin2base64(out, UTIL_SECRET_LEN + 1, b, sizeof b,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(b, sizeof b);
}

uint64_t util_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void util_rfc3339(time_t t, char out[UTIL_RFC3339_LEN + 1])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, UTIL_RFC3339_LEN + 1, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

char *util_like_escape(const char *s)
{
    if (s == NULL)
        return NULL;
    char *out = xmalloc(2 * strlen(s) + 1), *o = out;
    for (; *s; s++) {
        if (*s == '%' || *s == '_' || *s == '\\')
            *o++ = '\\';
        *o++ = *s;
    }
    *o = '\0';
    return out;
}

size_t util_utf8_length(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80)
            n++;
    return n;
}

bool util_valid_utf8(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned char c = p[i];
        size_t n;
        uint32_t cp;
        if (c == 0)
            return false;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            n = 1;
            cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            n = 2;
            cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            n = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + n >= len)
            return false;
        for (size_t k = 1; k <= n; k++) {
            if ((p[i + k] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i + k] & 0x3f);
        }
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
            cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += n + 1;
    }
    return true;
}

void util_strv_free(char **v)
{
    for (char **p = v; p != NULL && *p != NULL; p++)
        free(*p);
    free(v);
}

void util_append(char **buf, size_t *len, size_t *cap, const char *bytes, size_t n)
{
    if (*len + n + 1 > *cap) {
        size_t c = *cap > 0 ? *cap : 1024;
        while (*len + n + 1 > c)
            c *= 2;
        *buf = xrealloc(*buf, c);
        *cap = c;
    }
    memcpy(*buf + *len, bytes, n);
    *len += n;
    (*buf)[*len] = '\0';
}
