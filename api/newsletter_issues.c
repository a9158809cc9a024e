/* Newsletter issues over HTTP: the field tables, how one renders, the
 * creation. Reading (public: published ones only, cacheable), editing
 * while planned, history and publish are the kit's (resource.h). */
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

#define ISSUE_FIELDS(req)                                                                          \
    {.name = "number", .type = FIELD_INTEGER, .flags = (req), .min = 1, .max = 1000000},           \
        FIELD_TEXT("title", (req), 1, 200),                                                        \
        FIELD_RULE("planned_for", (req), 10, newsletter_valid_date, ERR_FORMAT),                   \
        FIELD_RULE("url", FIELD_NULLABLE | FIELD_NULL_CREATE, 2048, validate_website, ERR_URL)

static const struct field create_fields[] = {
    ISSUE_FIELDS(FIELD_REQUIRED),
    {0},
};

static const struct field patch_fields[] = {
    ISSUE_FIELDS(0),
    {0},
};

static json_t *editable_json(const void *row)
{
    const struct newsletter_issue_row *r = row;
    return json_pack("{s:i, s:s, s:s, s:o}", "number", r->number, "title", r->title, "planned_for",
                     r->planned_for, "url", api_json_text(r->url));
}

static json_t *render(const void *row, const struct req_ctx *ctx)
{
    const struct newsletter_issue_row *r = row;
    json_t *o = json_pack("{s:s}", "id", r->id);
    json_t *editable = editable_json(r);
    json_object_update(o, editable);
    json_decref(editable);
    json_t *meta = json_pack("{s:s, s:o, s:s, s:s, s:s, s:o}", "status",
                             newsletter_issue_status_name(r->status), "published_at",
                             api_json_text(r->published_at), "created_at", r->created_at,
                             "updated_at", r->updated_at, "status_changed_at", r->status_changed_at,
                             "allowed_actions", resource_actions(&api_newsletter_issues, r, ctx));
    json_object_update(o, meta);
    json_decref(meta);
    return o;
}

/* Only staff see a planned issue. */
static bool readable(const struct req_ctx *ctx, const void *row)
{
    return principal_is_staff(&ctx->who) ||
           ((const struct newsletter_issue_row *)row)->status == ISSUE_PUBLISHED;
}

/* A validated document into r; there is no rule across its fields. */
static bool from_json(const json_t *doc, void *row, bool pt, json_t *errors)
{
    (void)pt, (void)errors;
    struct newsletter_issue_row *r = row;
    r->number = (int)json_integer_value(json_object_get(doc, "number"));
    snprintf(r->title, sizeof r->title, "%s",
             json_string_value(json_object_get(doc, "title")) ?: "");
    snprintf(r->planned_for, sizeof r->planned_for, "%s",
             json_string_value(json_object_get(doc, "planned_for")) ?: "");
    snprintf(r->url, sizeof r->url, "%s", json_string_value(json_object_get(doc, "url")) ?: "");
    return true;
}

static void keep(const void *current, void *next)
{
    struct newsletter_issue_row *out = next;
    snprintf(out->id, sizeof out->id, "%s", ((const struct newsletter_issue_row *)current)->id);
}

static const struct resource_editable editable = {editable_json, keep, from_json};

static const struct resource_filter filters[] = {
    [STORE_ISSUE_STATUS] = {"status", RESOURCE_FILTER_STATES, NULL},
    {0},
};

static const struct resource_list list = {
    .sorts = store_issue_sorts,
    .nsorts = STORE_ISSUE_SORTS,
    .filters = filters,
    .scope = resource_scope_public, /* published only but for staff */
    .kind = &service_issue_kind,
};

const struct resource api_newsletter_issues = {
    .kind = &service_issue_kind,
    .path = "/v1/newsletter/issues",
    .readable = readable,
    .render = render,
    .patch_fields = patch_fields,
    .editable = &editable,
    .refused = resource_refused_rule,
    .list = &list,
    .public_max_age = 60,
};

struct created {
    struct newsletter_issue_row in, row;
};

static enum status create(const struct service_call *call, void *arg,
                          struct service_outcome *outcome)
{
    (void)outcome;
    struct created *c = arg;
    return service_issue_create(call, &c->in, &c->row);
}

static void render_created(struct _u_response *resp, struct req_ctx *ctx, void *arg)
{
    struct created *c = arg;
    resource_set_created(resp, ctx, &api_newsletter_issues, &c->row, NULL);
}

int api_newsletter_issues_create(const struct _u_request *req, struct _u_response *resp,
                                 struct req_ctx *ctx)
{
    struct created c = {0};
    struct resource_change change = {create, &c, render_created, &c, NULL, NULL, NULL};
    return resource_create(req, resp, ctx, &api_newsletter_issues, create_fields, NULL, &c.in,
                           &change);
}
