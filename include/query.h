/* Query strings: strict parsing (repeated keys, bad encoding, invalid UTF-8
 * refused), the list parameters (limit, cursor, sort, filters), and the one
 * answer for a bad parameter. */
#ifndef PARCERIA_QUERY_H
#define PARCERIA_QUERY_H

#include "api.h"
#include "error_code.h"
#include "machine.h"
#include "page.h"

#include <jansson.h>
#include <stdbool.h>

/* Parses a raw query string (after '?') into ctx->query. Refuses repeated
 * keys, bad percent-encoding, invalid UTF-8 and too many keys. Returns the
 * offending key's problem through *bad (a new string) on failure. */
bool query_parse(const char *raw, struct req_ctx *ctx, char **bad);
/* Decodes %XX and '+' in place semantics into a new string; NULL when the
 * encoding or the UTF-8 is invalid. */
char *query_percent_decode(const char *s, size_t len, bool plus_is_space);

/* Answers 400 invalid-request naming one query parameter and the reason
 * code. Returns U_CALLBACK_COMPLETE. */
int query_reject(struct _u_response *resp, struct req_ctx *ctx, const char *name,
                 enum error_code code);

/* Reads limit (1–200, default 50) into *out. Answers 400 and returns false
 * on a bad one. */
bool query_limit(struct _u_response *resp, struct req_ctx *ctx, int *out);
/* Reads limit (1–200, default 50), cursor, sort (one of sorts, '-' prefix for
 * descending; default default_sort, or "-created_at" when NULL, which must
 * be in sorts), updated_since and include_total. Answers 400 and returns
 * false on any bad one. */
bool query_page(struct _u_response *resp, struct req_ctx *ctx, const struct page_sort *sorts,
                size_t nsorts, const char *default_sort, struct page_req *out);

/* The longest filter value, in characters, before it is split. */
#define QUERY_MAX_FILTER 4000

/* Splits a comma-separated filter into its items: each must satisfy ok and
 * be a state of states (each when not NULL). Returns false and answers 400 on
 * a bad item; *out gets a new JSON array of strings (NULL when absent). */
bool query_list(struct _u_response *resp, struct req_ctx *ctx, const char *name,
                bool (*ok)(const char *item), const struct machine *states, json_t **out);

#endif
