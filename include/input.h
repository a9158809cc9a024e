/* Strict input: request bodies against a per-endpoint field table (unknown
 * keys, duplicate keys, wrong types and out-of-range values rejected, every
 * violation reported at once as a JSON Pointer), and list parameters. The
 * "or reply" readers send the 400/413/415/422 themselves and return NULL. */
#ifndef PARCERIA_INPUT_H
#define PARCERIA_INPUT_H

#include "api.h"
#include "error_code.h"
#include "page.h"

#include <jansson.h>
#include <stdbool.h>

enum field_type {
    FIELD_STRING,
    FIELD_INTEGER,
    FIELD_BOOLEAN,
    FIELD_OBJECT,
    FIELD_ARRAY,
    FIELD_UUID,
    FIELD_TIMESTAMP, /* RFC 3339 in UTC */
    FIELD_ENUM,      /* a string from values */
};

#define FIELD_REQUIRED 1u
#define FIELD_NULLABLE 2u /* null is accepted in a PATCH (merge patch: removes the member) */

/* At most this many violations are reported for one body. */
#define INPUT_MAX_ERRORS 100

/* One member of a JSON object. Tables end with an entry whose name is NULL. */
struct field {
    const char *name;
    enum field_type type;
    unsigned flags;
    long long min, max; /* length in characters, integer range or item count; max 0 = none */
    const struct field *fields; /* OBJECT members, or ARRAY items when item_type is OBJECT */
    enum field_type item_type;  /* ARRAY item type */
    const char *const *values;  /* ENUM values, NULL-terminated */
    unsigned writers;           /* roles that may write it; 0: any role the route admits */
    /* STRING (and ARRAY of STRING items): an extra rule on the value, and the
     * error code reported when it fails (a string with a NUL byte fails too). */
    bool (*valid)(const char *s);
    enum error_code code;
};

/* Compact entries for the common kinds of field: free text of lo..hi
 * characters; a string of at most hi characters checked by valid, which
 * reports code; an object of a table; a list of lo..hi objects of a table.
 * More designators (.writers = …) may follow. */
#define FIELD_TEXT(n, fl, lo, hi, ...)                                                             \
    {                                                                                              \
        .name = (n), .type = FIELD_STRING, .flags = (fl), .min = (lo), .max = (hi), __VA_ARGS__    \
    }
#define FIELD_RULE(n, fl, hi, fn, c, ...)                                                          \
    {                                                                                              \
        .name = (n), .type = FIELD_STRING, .flags = (fl), .max = (hi), .valid = (fn), .code = (c), \
        __VA_ARGS__                                                                                \
    }
#define FIELD_OBJ(n, fl, tbl, ...)                                                                 \
    {                                                                                              \
        .name = (n), .type = FIELD_OBJECT, .flags = (fl), .fields = (tbl), __VA_ARGS__             \
    }
#define FIELD_OBJS(n, fl, tbl, lo, hi, ...)                                                        \
    {                                                                                              \
        .name = (n), .type = FIELD_ARRAY, .flags = (fl), .item_type = FIELD_OBJECT,                \
        .fields = (tbl), .min = (lo), .max = (hi), __VA_ARGS__                                     \
    }

enum input_mode { INPUT_CREATE, INPUT_PATCH };

/* Validates obj against fields, appending {pointer, code, message} entries
 * to errors (a JSON array). role is the caller's single role bit (0 for the
 * public). A FIELD_STRING without a check is human-readable text
 * (validate_text): its value in obj is replaced by the trimmed NFC form. No
 * I/O. Returns true when nothing was appended. */
bool input_validate(const json_t *obj, const struct field *fields, enum input_mode mode,
                    unsigned role, bool lang_pt, json_t *errors);

/* Appends one error to errors: pointer is a JSON Pointer, or parameter names a
 * query parameter (exactly one of them non-NULL). */
void input_error(json_t *errors, const char *pointer, const char *parameter, enum error_code code,
                 bool lang_pt);

/* Whether the Content-Type is JSON (or, for a PATCH, a JSON merge patch). */
bool input_json_media(const struct _u_request *req, enum input_mode mode);

/* Reads the body as a JSON object and validates it; on any failure answers
 * 400/413/415/422 and returns NULL. When optional is true an empty body is an
 * empty object. Returns a new reference. */
json_t *input_body(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx,
                   const struct field *fields, enum input_mode mode, unsigned role, bool optional);

/* Parses a raw query string (after '?') into ctx->query. Refuses repeated
 * keys, bad percent-encoding, invalid UTF-8 and too many keys. Returns the
 * offending key's problem through *bad (a new string) on failure. */
bool input_parse_query(const char *raw, struct req_ctx *ctx, char **bad);
/* Decodes %XX and '+' in place semantics into a new string; NULL when the
 * encoding or the UTF-8 is invalid. */
char *input_percent_decode(const char *s, size_t len, bool plus_is_space);

/* Answers 400 invalid-request naming one query parameter and the reason
 * code. Returns U_CALLBACK_COMPLETE. */
int input_reject_parameter(struct _u_response *resp, struct req_ctx *ctx, const char *name,
                           enum error_code code);

/* Reads limit (1–200, default 50), cursor, sort (one of sorts, '-' prefix for
 * descending; default "-created_at" which must be in sorts), updated_since
 * and include_total. Answers 400 and returns false on any bad one. */
bool input_page(struct _u_response *resp, struct req_ctx *ctx, const struct page_sort *sorts,
                size_t nsorts, struct page_req *out);

/* The longest filter value, in characters, before it is split. */
#define INPUT_MAX_FILTER 4000

/* Splits a comma-separated filter into a Postgres text-array literal's items
 * check: each item must satisfy ok (when not NULL). Returns false and answers
 * 400 on a bad item; *out gets a new JSON array of strings (NULL when absent). */
bool input_filter_list(struct _u_response *resp, struct req_ctx *ctx, const char *name,
                       bool (*ok)(const char *item), json_t **out);

/* Applies an RFC 7396 JSON Merge Patch to target in place: null members
 * are removed, objects merge recursively, anything else replaces. */
void input_merge_patch(json_t *target, const json_t *patch);

/* True when s is an RFC 3339 UTC timestamp (YYYY-MM-DDTHH:MM:SS[.fff]Z). */
bool input_is_timestamp(const char *s);

#endif
