/* Newsletter suggestions over HTTP: a registrar's submission, how one
 * renders, the list (a registrar sees its own), and the bodies of accept
 * ({"issue_id"}) and decline ({"reason"}). Reading, history and the
 * actions are the kit's (resource.h); another registrar's suggestion reads
 * as absent (the kind's owner). */
#include "auth.h"
#include "body.h"
#include "handlers.h"
#include "problem.h"
#include "resource.h"
#include "service_newsletter.h"
#include "store_newsletter.h"
#include "util.h"
#include "validate.h"

#include <stdio.h>
#include <string.h>

static const struct field create_fields[] = {
    FIELD_TEXT("title", FIELD_REQUIRED, 1, 200),
    FIELD_TEXT("summary", FIELD_REQUIRED | FIELD_LINES, 1, 2000),
    FIELD_RULE("link", FIELD_NULL_CREATE, 2048, validate_website, ERR_URL),
    {0},
};

static const struct field accept_fields[] = {
    {.name = "issue_id", .type = FIELD_UUID, .flags = FIELD_REQUIRED},
    {0},
};

static const struct field *action_body(int action)
{
    return action == SUGGESTION_ACT_ACCEPT ? accept_fields : NULL;
}

static json_t *render(const void *row, const struct req_ctx *ctx)
{
    const struct newsletter_suggestion_row *r = row;
    return json_pack(
        "{s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:o, s:s, s:s, s:s, s:o}", "id", r->id, "registrar_id",
        r->registrar_id, "title", r->title, "summary", r->summary, "link", api_json_text(r->link),
        "status", newsletter_suggestion_status_name(r->status), "issue_id",
        api_json_text(r->issue_id), "reason", api_json_text(r->reason), "created_at", r->created_at,
        "updated_at", r->updated_at, "status_changed_at", r->status_changed_at, "allowed_actions",
        resource_actions(&api_newsletter_suggestions, r, ctx));
}

/* Staff see every suggestion; a registrar its own. */
static bool scope(struct _u_response *resp, struct req_ctx *ctx, struct page_query *q)
{
    return resource_scope_own(resp, ctx, q, STORE_SUGGESTION_REGISTRAR);
}

static const struct resource_filter filters[] = {
    [STORE_SUGGESTION_STATUS] = {"status", RESOURCE_FILTER_STATES, NULL},
    [STORE_SUGGESTION_REGISTRAR] = {"registrar_id", RESOURCE_FILTER_LIST, resource_valid_uuid},
    {0},
};

static const struct resource_list list = {
    .sorts = store_suggestion_sorts,
    .nsorts = STORE_SUGGESTION_SORTS,
    .filters = filters,
    .scope = scope,
    .kind = &service_suggestion_kind,
};

const struct resource api_newsletter_suggestions = {
    .kind = &service_suggestion_kind,
    .path = "/v1/newsletter/suggestions",
    .render = render,
    .refused = resource_refused_rule,
    .list = &list,
    .action_body = action_body,
};

struct created {
    struct newsletter_suggestion_row in, row;
};

static enum status create(const struct service_call *call, void *arg,
                          struct service_outcome *outcome)
{
    (void)outcome;
    struct created *c = arg;
    return service_suggestion_create(call, &c->in, &c->row);
}

static void render_created(struct _u_response *resp, struct req_ctx *ctx, void *arg)
{
    struct created *c = arg;
    resource_set_created(resp, ctx, &api_newsletter_suggestions, &c->row, NULL);
}

int api_newsletter_suggestions_create(const struct _u_request *req, struct _u_response *resp,
                                      struct req_ctx *ctx)
{
    json_t *doc = body_read(req, resp, ctx, create_fields, SCHEMA_CREATE, ctx->who.role, false);
    if (doc == NULL)
        return U_CALLBACK_COMPLETE;
    struct created c = {0};
    snprintf(c.in.registrar_id, sizeof c.in.registrar_id, "%.36s", ctx->who.registrar_id);
    snprintf(c.in.title, sizeof c.in.title, "%s", json_string_value(json_object_get(doc, "title")));
    c.in.summary = xstrdup(json_string_value(json_object_get(doc, "summary")));
    snprintf(c.in.link, sizeof c.in.link, "%s",
             json_string_value(json_object_get(doc, "link")) ?: "");
    struct resource_change change = {create, &c, render_created, &c, NULL, NULL, NULL};
    int rc = resource_change(resp, ctx, &api_newsletter_suggestions, &change);
    newsletter_suggestion_row_cleanup(&c.in);
    newsletter_suggestion_row_cleanup(&c.row);
    json_decref(doc);
    return rc;
}
