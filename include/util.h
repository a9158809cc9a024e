/* Small helpers every module uses: allocation that aborts on failure (so no
 * caller has an out-of-memory branch), random identifiers, hex and time text. */
#ifndef PARCERIA_UTIL_H
#define PARCERIA_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define UTIL_UUID_LEN 36
#define UTIL_RFC3339_LEN 20 /* "2026-10-14T09:00:00Z" */

/* Allocation never fails from the caller's view: on failure the process aborts. */
void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
/* Appends n bytes to a growing text (*buf of *len bytes in *cap, always
 * NUL-terminated; NULL and 0 to start), doubling it as needed. */
void util_append(char **buf, size_t *len, size_t *cap, const char *bytes, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a new string. Returns a new string the caller frees. */
/* Frees a NULL-terminated array of strings and the array. */
void util_strv_free(char **v);

char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Points jansson and orcania at the aborting allocators. */
void util_install_allocators(void);

/* Writes a random (version 4) UUID, lowercase, into out[UTIL_UUID_LEN + 1]. */
void util_uuid_v4(char out[UTIL_UUID_LEN + 1]);
/* True when s is exactly a lowercase or uppercase 8-4-4-4-12 hex UUID. */
bool util_is_uuid(const char *s);
/* Lowercase hex of len bytes into out (2 * len + 1 bytes). */
void util_hex(const unsigned char *bytes, size_t len, char *out);
/* Lowercase hex SHA-256 of data into out[65]. */
void util_sha256_hex(const void *data, size_t len, char out[65]);

/* A new secret of 256 random bits, base64url without padding (43 characters),
 * into out[UTIL_SECRET_LEN + 1]. */
#define UTIL_SECRET_LEN 43
void util_secret(char out[UTIL_SECRET_LEN + 1]);

/* Monotonic clock in nanoseconds, for durations. */
uint64_t util_now_ns(void);
/* RFC 3339 UTC text of t into out[UTIL_RFC3339_LEN + 1]. */
void util_rfc3339(time_t t, char out[UTIL_RFC3339_LEN + 1]);
/* s with LIKE's wildcards and escape character ('%', '_', '\\') each escaped
 * by a backslash (PostgreSQL's default LIKE escape), so a search term
 * matches itself only. Returns a new string, or NULL when s is NULL. */
char *util_like_escape(const char *s);
/* The number of characters (code points) of the UTF-8 string s. */
size_t util_utf8_length(const char *s);
/* True when s is valid UTF-8 of len bytes with no NUL. */
bool util_valid_utf8(const char *s, size_t len);

#endif
