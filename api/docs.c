/* The documentation page: /docs and the few assets it loads, all compiled
 * into the binary (Swagger UI from the pinned swagger-ui-dist, and our own
 * page and start-up script). The Content-Security-Policy keeps the browser
 * on this origin, so the page never reaches a CDN. */
#include "embed.h"
#include "handlers.h"
#include "problem.h"

#include <string.h>

static const char DOCS_CSP[] =
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'";

/* What /docs/{asset} may serve: nothing else of the embedded files. */
static const struct {
    const char *name;
    const char *content_type;
} assets[] = {
    {"swagger-ui-bundle.js", "text/javascript; charset=utf-8"},
    {"swagger-ui.css", "text/css; charset=utf-8"},
    {"docs.js", "text/javascript; charset=utf-8"},
};

static int send_embedded(struct _u_response *resp, struct req_ctx *ctx, const char *name,
                         const char *content_type, const char *cache)
{
    const struct embed_file *f = embed_asset(name);
    if (f == NULL)
        return problem_send(resp, ctx, PROBLEM_NOT_FOUND, PROBLEM_NO_DETAIL, NULL);
    u_map_put(resp->map_header, "Cache-Control", cache);
    u_map_put(resp->map_header, "X-Content-Type-Options", "nosniff");
    return api_send_text(resp, ctx, 200, content_type, f->data, f->size);
}

int api_docs_page(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)
{
    (void)req;
    u_map_put(resp->map_header, "Content-Security-Policy", DOCS_CSP);
    return send_embedded(resp, ctx, "docs.html", "text/html; charset=utf-8", "public, max-age=300");
}

int api_docs_asset(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)
{
    (void)req;
    const char *name = api_param(ctx, "asset");
    for (size_t i = 0; name != NULL && i < sizeof assets / sizeof assets[0]; i++)
        if (strcmp(assets[i].name, name) == 0)
            return send_embedded(resp, ctx, name, assets[i].content_type, "public, max-age=3600");
    return problem_send(resp, ctx, PROBLEM_NOT_FOUND, PROBLEM_NO_DETAIL, NULL);
}
