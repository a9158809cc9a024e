/* Path matching: every template of the route table (api/routes.c) against an
 * arbitrary path through api_route_match, with and without a context to fill,
 * and api_allowed_methods for the 405 answer. Path parameters are freed as
 * the router frees them. */
#include "fuzz.h"

#include "api.h"

#include <sodium.h>
#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    util_install_allocators();
    return sodium_init() < 0;
}

static void clear(struct req_ctx *ctx)
{
    for (size_t i = 0; i < ctx->nparams; i++) {
        free(ctx->params[i].name);
        free(ctx->params[i].value);
    }
    ctx->nparams = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *path = fuzz_string(data, size);
    static struct req_ctx ctx;
    for (const struct route *r = api_routes; r->method; r++) {
        bool matched = api_route_match(r->path, path, &ctx);
        if (matched != api_route_match(r->path, path, NULL) || (!matched && ctx.nparams != 0))
            abort();
        for (size_t i = 0; i < ctx.nparams; i++)
            if (strchr(ctx.params[i].value, '/') != NULL)
                abort(); /* a parameter is one segment, never a decoded '/' */
        clear(&ctx);
    }
    char allowed[128];
    (void)api_allowed_methods(path, allowed, sizeof allowed);
    free(path);
    return 0;
}
