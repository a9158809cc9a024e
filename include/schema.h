/* The schema validator: a request body against a per-endpoint field table
 * (unknown keys, wrong types, out-of-range values and failed rules refused,
 * every violation reported at once as a JSON Pointer with its error code).
 * Pure: no I/O, no HTTP. */
#ifndef PARCERIA_SCHEMA_H
#define PARCERIA_SCHEMA_H

#include "error_code.h"
#include "field_issue.h"

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
#define FIELD_NULLABLE 2u    /* null is accepted in a PATCH (merge patch: removes the member) */
#define FIELD_LINES 4u       /* text of several lines: newlines allowed (validate_text_lines) */
#define FIELD_NULL_CREATE 8u /* null is accepted in a creation too (it means none) */
/* An OBJECT whose members the caller checks against rules of its own (a
 * survey's answers, keyed by its question ids): only its type is checked. */
#define FIELD_OPEN 16u

/* At most this many violations are reported for one body. */
#define SCHEMA_MAX_ERRORS 100

/* One member of a JSON object. Tables end with an entry whose name is NULL. */
struct field {
    const char *name;
    enum field_type type;
    unsigned flags;
    long long min, max; /* length in characters, integer range or item count; max 0 = none */
    const struct field *fields; /* OBJECT members, or ARRAY items when item_type is OBJECT */
    enum field_type item_type;  /* ARRAY item type */
    /* ARRAY of STRING items: each item's length in characters, as min and
     * max are a string's (item_max 0 = none). */
    long long item_min, item_max;
    const char *const *values; /* ENUM values, NULL-terminated */
    unsigned writers;          /* roles that may write it; 0: any role the route admits */
    /* STRING (and ARRAY of STRING items): an extra rule on the value, and the
     * error code reported when it fails (a string with a NUL byte fails too). */
    bool (*valid)(const char *s);
    enum error_code code;
};

/* Compact entries for the common kinds of field: free text of lo..hi
 * characters; a string of at most hi characters checked by valid, which
 * reports code; a list of at most hi such strings; an object of a table; a
 * list of lo..hi objects of a table.
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
#define FIELD_STRS(n, fl, hi, fn, c, ...)                                                          \
    {                                                                                              \
        .name = (n), .type = FIELD_ARRAY, .flags = (fl), .item_type = FIELD_STRING, .max = (hi),   \
        .valid = (fn), .code = (c), __VA_ARGS__                                                    \
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

enum schema_mode { SCHEMA_CREATE, SCHEMA_PATCH };

/* Validates obj against fields, appending {pointer, code, message} entries
 * to errors (a JSON array). role is the caller's single role bit (0 for the
 * public). A FIELD_STRING without a check is human-readable text
 * (validate_text): its value in obj is replaced by the trimmed NFC form. No
 * I/O. Returns true when nothing was appended. */
bool schema_validate(const json_t *obj, const struct field *fields, enum schema_mode mode,
                     unsigned role, bool lang_pt, json_t *errors);

/* Appends one error to errors: pointer is a JSON Pointer, or parameter names a
 * query parameter (exactly one of them non-NULL). */
void schema_error(json_t *errors, const char *pointer, const char *parameter, enum error_code code,
                  bool lang_pt);

/* Appends the domain's n issues (rules across fields, field_issue.h) to
 * errors. Returns whether there were none. */
bool schema_issues(json_t *errors, const struct field_issue *issues, size_t n, bool lang_pt);

/* True when s is an RFC 3339 UTC timestamp (YYYY-MM-DDTHH:MM:SS[.fff]Z). */
bool schema_is_timestamp(const char *s);

#endif
