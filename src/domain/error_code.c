/* The error-code table of error_code.h. */
#include "error_code.h"

#include <stddef.h>

struct entry {
    const char *name, *en, *pt;
};

static const struct entry table[ERROR_CODE_COUNT] = {
    [ERR_NONE] = {NULL, "is invalid", "é inválido"},
#define ERROR_CODE_ENTRY(name, text, en, pt) [ERR_##name] = {text, en, pt},
    ERROR_CODES(ERROR_CODE_ENTRY)
#undef ERROR_CODE_ENTRY
};

const char *error_code_name(enum error_code code)
{
    return (unsigned)code < ERROR_CODE_COUNT ? table[code].name : NULL;
}

const char *error_code_message(enum error_code code, bool pt)
{
    const struct entry *e = &table[(unsigned)code < ERROR_CODE_COUNT ? code : ERR_NONE];
    return pt ? e->pt : e->en;
}
