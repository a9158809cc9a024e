/* The one adder of field_issue.h. */
#include "field_issue.h"

#include <stdarg.h>
#include <stdio.h>

void field_issue_add(struct field_issues *is, enum error_code code, const char *fmt, ...)
{
    if (is->n < is->cap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(is->out[is->n].pointer, sizeof is->out[is->n].pointer, fmt, ap);
        va_end(ap);
        is->out[is->n].code = code;
    }
    is->n++;
}

size_t field_issues_count(const struct field_issues *is)
{
    return is->n < is->cap ? is->n : is->cap;
}
