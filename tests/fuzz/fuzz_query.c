/* Query strings: query_parse on the raw text after '?', each decoded
 * value through the checks list parameters get, and query_percent_decode on
 * the same bytes with and without '+' as a space. Everything is freed, so
 * LeakSanitizer sees any path that drops a key, a value or *bad. */
#include "fuzz.h"

#include "api.h"
#include "query.h"
#include "schema.h"

#include <sodium.h>
#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    util_install_allocators();
    return sodium_init() < 0;
}

static void decode(const uint8_t *data, size_t size, bool plus_is_space)
{
    char *s = query_percent_decode((const char *)data, size, plus_is_space);
    if (s != NULL && !util_valid_utf8(s, strlen(s)))
        abort(); /* the contract: NULL unless valid UTF-8 with no NUL */
    free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    decode(data, size, true);
    decode(data, size, false);

    char *raw = fuzz_string(data, size);
    static struct req_ctx ctx;
    char *bad = NULL;
    if (query_parse(raw, &ctx, &bad)) {
        for (size_t i = 0; i < ctx.nquery; i++) {
            const char *v = ctx.query[i].value;
            (void)schema_is_timestamp(v);
            (void)util_is_uuid(v);
        }
    } else if (bad == NULL) {
        abort(); /* a refusal always names the offending key */
    }
    for (size_t i = 0; i < ctx.nquery; i++) {
        free(ctx.query[i].name);
        free(ctx.query[i].value);
    }
    ctx.nquery = 0;
    free(bad);
    free(raw);
    return 0;
}
