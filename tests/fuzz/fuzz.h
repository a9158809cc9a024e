/* What every libFuzzer target shares: the two entry points libFuzzer calls
 * (declared here for -Wmissing-prototypes) and a NUL-terminated copy of the
 * input for the functions that take C strings. */
#ifndef PARCERIA_FUZZ_H
#define PARCERIA_FUZZ_H

#include "util.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a C string (cut at its first NUL, if any). Returns a new string. */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
    char *s = xmalloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

#endif
