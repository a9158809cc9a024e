/* Route matching and dispatch. ulfius calls one handler for every request;
 * this file finds its route in the table (api_route_find: ulfius's own
 * matcher splits and allocates for each of ~230 endpoints a request, a
 * seventh of a registrar's read), matching each template strictly (path
 * parameters come from the path alone, never from the query string that
 * ulfius merges into the same map),
 * checks query keys against the route's list, applies the role rule, and
 * runs the handler. */
#include "api.h"

#include "auth.h"
#include "guard.h"
#include "problem.h"
#include "query.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

const char *api_param(const struct req_ctx *ctx, const char *name)
{
    for (size_t i = 0; i < ctx->nparams; i++)
        if (strcmp(ctx->params[i].name, name) == 0)
            return ctx->params[i].value;
    return NULL;
}

const char *api_query(const struct req_ctx *ctx, const char *name)
{
    for (size_t i = 0; i < ctx->nquery; i++)
        if (strcmp(ctx->query[i].name, name) == 0)
            return ctx->query[i].value;
    return NULL;
}

static void clear_params(struct req_ctx *ctx)
{
    for (size_t i = 0; i < ctx->nparams; i++) {
        free(ctx->params[i].name);
        free(ctx->params[i].value);
    }
    ctx->nparams = 0;
}

/* A decoded path parameter may hold only visible ASCII other than '/', and
 * spaces: a voucher code is typed in groups ("7kq4 m9tx c3hr 26"). Each
 * resource's key check refuses what it does not take. */
static bool plain_segment(const char *s)
{
    if (*s == '\0')
        return false;
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f || *s == '/')
            return false;
    return true;
}

bool api_route_match(const char *tmpl, const char *path, struct req_ctx *ctx)
{
    if (ctx != NULL)
        clear_params(ctx);
    const char *t = tmpl, *p = path;
    while (*t == '/' && *p == '/') {
        t++;
        p++;
        size_t tl = strcspn(t, "/"), pl = strcspn(p, "/");
        if (tl > 2 && t[0] == '{' && t[tl - 1] == '}') {
            char *value = query_percent_decode(p, pl, false);
            bool ok = value != NULL && plain_segment(value);
            if (ok && ctx != NULL && ctx->nparams < API_MAX_PARAMS) {
                ctx->params[ctx->nparams].name = xstrndup(t + 1, tl - 2);
                ctx->params[ctx->nparams].value = value;
                ctx->nparams++;
                value = NULL;
            }
            free(value);
            if (!ok)
                goto fail;
        } else if (tl != pl || strncmp(t, p, tl) != 0) {
            goto fail;
        }
        t += tl;
        p += pl;
    }
    if (*t == '\0' && *p == '\0')
        return true;
fail:
    if (ctx != NULL)
        clear_params(ctx);
    return false;
}

bool api_allowed_methods(const char *path, char *out, size_t size)
{
    bool any = false;
    out[0] = '\0';
    for (const struct route *r = api_routes; r->method; r++) {
        if (!api_route_match(r->path, path, NULL) || strstr(out, r->method) != NULL)
            continue;
        size_t used = strlen(out);
        /* HEAD is served wherever GET is (api/http.c) */
        snprintf(out + used, size - used, "%s%s%s", any ? ", " : "", r->method,
                 strcmp(r->method, "GET") == 0 ? ", HEAD" : "");
        any = true;
    }
    if (any && strstr(out, "OPTIONS") == NULL) {
        size_t used = strlen(out);
        snprintf(out + used, size - used, ", OPTIONS");
    }
    return any;
}

static bool key_allowed(const struct route *r, const char *key)
{
    for (const char *const *q = r->query; q && *q; q++)
        if (strcmp(*q, key) == 0)
            return true;
    return false;
}

/* Refuses query keys the route does not take, and any that shadow a path
 * parameter (ulfius would merge them into the path value). */
static bool check_query(const struct route *r, struct _u_response *resp, struct req_ctx *ctx)
{
    for (size_t i = 0; i < ctx->nquery; i++) {
        const char *key = ctx->query[i].name;
        enum error_code code = api_param(ctx, key)   ? ERR_SHADOWS_PATH
                               : key_allowed(r, key) ? ERR_NONE
                                                     : ERR_UNKNOWN_PARAMETER;
        if (code == ERR_NONE)
            continue;
        query_reject(resp, ctx, key, code);
        return false;
    }
    return true;
}

static void print_roles(FILE *out, unsigned roles)
{
    const char *sep = "";
    for (unsigned bit = 1; bit <= ROLE_ANY_TOKEN; bit <<= 1)
        if (roles & bit) {
            fprintf(out, "%s%s", sep, principal_role_name(bit));
            sep = ",";
        }
}

void api_routes_print(FILE *out)
{
    fputs("# served: ", out);
    print_roles(out, ROLE_SERVED);
    fputc('\n', out);
    for (const struct route *r = api_routes; r->method; r++) {
        unsigned roles = r->roles & ROLE_STAFF ? r->roles | ROLE_ADMIN : r->roles;
        fprintf(out, "%s\t%s\t", r->method, r->path);
        if (roles == ROLE_PUBLIC)
            fputs("public", out);
        else
            print_roles(out, roles);
        fprintf(out, "\t%s%s%s\n", r->flags & ROUTE_NO_AUTH ? "no-auth" : "",
                (r->flags & ROUTE_NO_AUTH) && (r->flags & ROUTE_NO_IDEMPOTENCY) ? "," : "",
                r->flags & ROUTE_NO_IDEMPOTENCY ? "no-idempotency"
                : r->flags & ROUTE_NO_AUTH      ? ""
                                                : "-");
    }
}

/* Whether the path has the template's shape: its literal segments equal,
 * a parameter's segment not empty. No allocation: api_route_match then
 * decodes and checks the parameters of the one route that fits. */
static bool route_fits(const char *tmpl, const char *path)
{
    const char *t = tmpl, *p = path;
    while (*t == '/' && *p == '/') {
        t++;
        p++;
        size_t tl = strcspn(t, "/"), pl = strcspn(p, "/");
        bool param = tl > 2 && t[0] == '{' && t[tl - 1] == '}';
        if (param ? pl == 0 : tl != pl || memcmp(t, p, tl) != 0)
            return false;
        t += tl;
        p += pl;
    }
    return *t == '\0' && *p == '\0';
}

const struct route *api_route_find(const char *method, const char *path, struct req_ctx *ctx)
{
    /* HEAD is GET without the body: libmicrohttpd leaves the body out */
    if (strcmp(method, "HEAD") == 0)
        method = "GET";
    for (const struct route *r = api_routes; r->method; r++)
        if (strcmp(r->method, method) == 0 && route_fits(r->path, path) &&
            api_route_match(r->path, path, ctx))
            return r; /* the table's order decides: a literal route comes before {id} */
    return NULL;
}

int api_dispatch(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    (void)user_data;
    struct req_ctx *ctx = api_ctx(resp);
    if (ctx == NULL || ctx->finished)
        return U_CALLBACK_CONTINUE;
    const struct route *r = api_route_find(req->http_verb, req->url_path, ctx);
    if (r == NULL)
        return U_CALLBACK_CONTINUE; /* the fallback answers 404 or 405 */
    ctx->route = r->path;
    ctx->entry = r;
    int rc = U_CALLBACK_COMPLETE;
    if (check_query(r, resp, ctx) &&
        ((r->flags & ROUTE_NO_AUTH) || auth_authorize(req, resp, ctx, r->roles)) &&
        ((r->flags & ROUTE_NO_IDEMPOTENCY) || guard_idem_begin(req, resp, ctx))) {
        rc = r->handler(req, resp, ctx);
        guard_idem_finish(resp, ctx);
    }
    rc = auth_settle(req, resp, ctx, rc); /* a revoked credential's answer is replaced */
    api_conn_release(ctx);                /* the request's one connection: done with it */
    return rc;
}
