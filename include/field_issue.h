/* A rule across fields broken, as the domain reports it: the member's JSON
 * Pointer and its error code (api/schema.c turns them into 422 errors,
 * schema_issues). Every domain check writes them through one adder, which
 * formats the pointer and writes nothing past the caller's cap. Pure. */
#ifndef PARCERIA_FIELD_ISSUE_H
#define PARCERIA_FIELD_ISSUE_H

#include "error_code.h"

#include <stddef.h>

struct field_issue {
    char pointer[64]; /* longer pointers are cut */
    enum error_code code;
};

/* The issues a check is writing: out[0..cap), n found so far (it may pass
 * cap: field_issues_count says how many were written). */
struct field_issues {
    struct field_issue *out;
    size_t cap, n;
};

/* Adds an issue at the pointer fmt formats, unless cap is reached. */
void field_issue_add(struct field_issues *is, enum error_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* How many issues were written: n, at most cap. */
size_t field_issues_count(const struct field_issues *is);

#endif
