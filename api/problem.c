/* The catalogue of problem types and the one function that writes an error
 * body. Types are a public contract: never rename a slug. */
#include "problem.h"

#include <string.h>

struct problem_entry {
    const char *slug;
    unsigned status;
    const char *title_en;
    const char *title_pt;
    const char *detail_en;
    const char *detail_pt;
};

static const struct problem_entry catalogue[PROBLEM_KIND_COUNT] = {
#define PROBLEM_ENTRY(name, slug, status, title_en, title_pt, detail_en, detail_pt)                \
    [PROBLEM_##name] = {slug, status, title_en, title_pt, detail_en, detail_pt},
    PROBLEM_TYPES(PROBLEM_ENTRY)
#undef PROBLEM_ENTRY
};

#define PROBLEM_TYPE_BASE "https://parceria.dns.pt/problems/"

const char *problem_slug(enum problem_kind kind)
{
    return catalogue[kind].slug;
}

unsigned problem_status(enum problem_kind kind)
{
    return catalogue[kind].status;
}

const char *problem_title(enum problem_kind kind, bool pt)
{
    return pt ? catalogue[kind].title_pt : catalogue[kind].title_en;
}

json_t *problem_body(const struct req_ctx *ctx, enum problem_kind kind, struct problem_text detail,
                     json_t *extra)
{
    const struct problem_entry *e = &catalogue[kind];
    bool pt = ctx != NULL && ctx->lang_pt;
    const char *text =
        pt ? (detail.pt ? detail.pt : e->detail_pt) : (detail.en ? detail.en : e->detail_en);
    char type[128];
    snprintf(type, sizeof type, PROBLEM_TYPE_BASE "%s", e->slug);
    json_t *body = json_pack("{s:s, s:s, s:i, s:s, s:s}", "type", type, "title",
                             pt ? e->title_pt : e->title_en, "status", (int)e->status, "detail",
                             text, "request_id", ctx ? ctx->request_id : "");
    if (extra != NULL) {
        json_object_update(body, extra);
        json_decref(extra);
    }
    return body;
}

int problem_send(struct _u_response *resp, struct req_ctx *ctx, enum problem_kind kind,
                 struct problem_text detail, json_t *extra)
{
    return problem_send_as(resp, ctx, kind, catalogue[kind].status, detail, extra);
}

int problem_send_as(struct _u_response *resp, struct req_ctx *ctx, enum problem_kind kind,
                    unsigned status, struct problem_text detail, json_t *extra)
{
    json_t *body = problem_body(ctx, kind, detail, extra);
    json_object_set_new(body, "status", json_integer(status));
    if (status == 401 && u_map_get_case(resp->map_header, "WWW-Authenticate") == NULL)
        u_map_put(resp->map_header, "WWW-Authenticate", "Bearer");
    if ((status == 503 || status == 429) && u_map_get_case(resp->map_header, "Retry-After") == NULL)
        u_map_put(resp->map_header, "Retry-After", status == 503 ? "5" : "60");
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    ulfius_set_string_body_response(resp, status, text);
    free(text);
    u_map_put(resp->map_header, "Content-Type", "application/problem+json");
    u_map_put(resp->map_header, "Content-Language", ctx && ctx->lang_pt ? "pt-PT" : "en");
    if (ctx != NULL)
        api_finish(ctx, resp);
    return U_CALLBACK_COMPLETE;
}

/* Each status's problem type, from status.h's table. */
static const enum problem_kind status_problem[] = {
#define STATUS_PROBLEM(name, text, problem) [ST_##name] = PROBLEM_##problem,
    STATUS_LIST(STATUS_PROBLEM)
#undef STATUS_PROBLEM
};

int problem_send_status(struct _u_response *resp, struct req_ctx *ctx, enum status st)
{
    enum problem_kind kind = (unsigned)st < sizeof status_problem / sizeof status_problem[0]
                                 ? status_problem[st]
                                 : PROBLEM_SERVICE_UNAVAILABLE;
    return problem_send(resp, ctx, kind, PROBLEM_NO_DETAIL, NULL);
}
