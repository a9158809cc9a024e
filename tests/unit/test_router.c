/* Path templates: strict matching and path parameters read from the path alone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four above, which it needs */

#include "api.h"

#include <stdlib.h>
#include <string.h>

static void clear(struct req_ctx *ctx)
{
    for (size_t i = 0; i < ctx->nparams; i++) {
        free(ctx->params[i].name);
        free(ctx->params[i].value);
    }
    memset(ctx, 0, sizeof *ctx);
}

static void literal_paths(void **state)
{
    (void)state;
    assert_true(api_route_match("/healthz", "/healthz", NULL));
    assert_false(api_route_match("/healthz", "/healthz/", NULL));
    assert_false(api_route_match("/healthz", "//healthz", NULL));
    assert_false(api_route_match("/v1/me", "/v1/m", NULL));
    assert_false(api_route_match("/v1/me", "/v1/me/x", NULL));
}

static void parameters_come_from_the_path(void **state)
{
    (void)state;
    struct req_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    assert_true(api_route_match("/v1/registrars/{id}/clients/{client_id}",
                                "/v1/registrars/abc/clients/def", &ctx));
    assert_int_equal(ctx.nparams, 2);
    assert_string_equal(api_param(&ctx, "id"), "abc");
    assert_string_equal(api_param(&ctx, "client_id"), "def");
    clear(&ctx);
}

static void encoded_slash_and_empty_segments_never_match(void **state)
{
    (void)state;
    struct req_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    assert_false(api_route_match("/v1/things/{id}", "/v1/things/a%2F..%2Fb", &ctx));
    assert_int_equal(ctx.nparams, 0);
    assert_false(api_route_match("/v1/things/{id}", "/v1/things/", &ctx));
    assert_false(api_route_match("/v1/things/{id}", "/v1/things/%zz", &ctx));
    assert_true(api_route_match("/v1/things/{id}", "/v1/things/A%41", &ctx));
    assert_string_equal(api_param(&ctx, "id"), "AA");
    clear(&ctx);
    /* spaces pass (a voucher code typed in groups); other controls do not */
    assert_true(api_route_match("/v1/things/{id}", "/v1/things/7kq4%20m9tx", &ctx));
    assert_string_equal(api_param(&ctx, "id"), "7kq4 m9tx");
    clear(&ctx);
    assert_false(api_route_match("/v1/things/{id}", "/v1/things/a%09b", &ctx));
    assert_false(api_route_match("/v1/things/{id}", "/v1/things/a%00b", &ctx));
    assert_false(api_route_match("/v1/things/{id}", "/v1/things/a%7Fb", &ctx));
}

static void allowed_methods_come_from_the_table(void **state)
{
    (void)state;
    char allow[128];
    assert_true(api_allowed_methods("/healthz", allow, sizeof allow));
    assert_string_equal(allow, "GET, HEAD, OPTIONS");
    assert_false(api_allowed_methods("/nowhere", allow, sizeof allow));
}

static void a_route_is_found_by_method_and_path(void **state)
{
    (void)state;
    struct req_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    const struct route *r = api_route_find("GET", "/v1/registrars/abc", &ctx);
    assert_non_null(r);
    assert_string_equal(r->path, "/v1/registrars/{id}");
    assert_string_equal(api_param(&ctx, "id"), "abc");
    clear(&ctx);
    /* HEAD is served by GET's route */
    r = api_route_find("HEAD", "/healthz", NULL);
    assert_non_null(r);
    assert_string_equal(r->method, "GET");
    /* a literal segment wins over a parameter that comes after it in the table */
    r = api_route_find("GET", "/v1/events/calendar.ics", NULL);
    assert_non_null(r);
    assert_string_equal(r->path, "/v1/events/calendar.ics");
    assert_null(api_route_find("DELETE", "/healthz", NULL));
    assert_null(api_route_find("GET", "/v1/registrars/abc/", NULL));
    assert_null(api_route_find("GET", "/v1/registrars/a%2Fb", NULL));
    assert_null(api_route_find("GET", "/nowhere", NULL));
}

/* Every route is reachable: no template is shadowed by an identical or
 * wider one of the same method earlier in the table. */
static void no_route_is_shadowed(void **state)
{
    (void)state;
    for (const struct route *r = api_routes; r->method; r++) {
        /* the template with each parameter filled: its first match must be itself */
        char path[256];
        size_t n = 0;
        for (const char *t = r->path; *t && n + 2 < sizeof path;) {
            if (*t == '{') {
                path[n++] = '~';
                t = strchr(t, '}') + 1;
            } else {
                path[n++] = *t++;
            }
        }
        path[n] = '\0';
        const struct route *found = api_route_find(r->method, path, NULL);
        if (found != r)
            fail_msg("%s %s is shadowed by %s", r->method, r->path, found ? found->path : "none");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(literal_paths),
        cmocka_unit_test(parameters_come_from_the_path),
        cmocka_unit_test(encoded_slash_and_empty_segments_never_match),
        cmocka_unit_test(allowed_methods_come_from_the_table),
        cmocka_unit_test(a_route_is_found_by_method_and_path),
        cmocka_unit_test(no_route_is_shadowed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
