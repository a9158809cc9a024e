/* Data-subject requests over HTTP [staff]: the field table, how one renders,
 * the list, the creation and the access export. Reading, history and the
 * actions (extend {"reason"}, fulfil, reject {"reason"}) are the kit's. */
#include "body.h"
#include "handlers.h"
#include "problem.h"
#include "resource.h"
#include "service_data_request.h"
#include "store_data_request.h"
#include "util.h"
#include "validate.h"

#include <stdio.h>
#include <string.h>

static const char *const kind_names[] = {"access", "erasure", "rectification", NULL};

static const struct field create_fields[] = {
    {.name = "kind", .type = FIELD_ENUM, .flags = FIELD_REQUIRED, .values = kind_names},
    FIELD_RULE("email", FIELD_REQUIRED, 254, validate_email, ERR_EMAIL),
    {.name = "received_at", .type = FIELD_TIMESTAMP},
    {0},
};

static const struct field extend_fields[] = {
    FIELD_TEXT("reason", FIELD_REQUIRED | FIELD_LINES, 1, 2000),
    {0},
};

static json_t *render(const void *row, const struct req_ctx *ctx)
{
    const struct data_request_row *r = row;
    return json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:b, s:o, s:s, s:o, s:O*, s:b, s:s, s:s, s:s, s:o}", "id", r->id,
        "kind", data_request_kind_name(r->kind), "email", r->email, "received_at", r->received_at,
        "due_at", r->due_at, "extended", r->extended, "extension_reason",
        api_json_text(r->extension_reason), "status", data_request_status_name(r->status), "reason",
        api_json_text(r->reason), "report", r->report ? r->report : json_null(), "overdue",
        r->overdue, "created_at", r->created_at, "updated_at", r->updated_at, "status_changed_at",
        r->status_changed_at, "allowed_actions", resource_actions(&api_data_requests, r, ctx));
}

static const struct resource_filter filters[] = {
    [STORE_DATA_REQUEST_STATUS] = {"status", RESOURCE_FILTER_STATES, NULL},
    [STORE_DATA_REQUEST_KIND] = {"kind", RESOURCE_FILTER_LIST, data_request_kind_valid},
    {0},
};

static const struct resource_list list = {
    .sorts = store_data_request_sorts,
    .nsorts = STORE_DATA_REQUEST_SORTS,
    .filters = filters,
    .kind = &service_data_request_kind,
};

/* extend takes {"reason"} as its effect's input; reject the kit's reason. */
static const struct field *action_body(int action)
{
    return action == DATA_REQUEST_ACT_EXTEND ? extend_fields : NULL;
}

const struct resource api_data_requests = {
    .kind = &service_data_request_kind,
    .path = "/v1/data-requests",
    .render = render,
    .list = &list,
    .refused = resource_refused_rule,
    .action_body = action_body,
};

/* --- creation ------------------------------------------------------------ */

struct created {
    struct data_request_row in, row;
};

static enum status create(const struct service_call *call, void *arg,
                          struct service_outcome *outcome)
{
    struct created *c = arg;
    return service_data_request_create(call, &c->in, &c->row, outcome);
}

static void render_created(struct _u_response *resp, struct req_ctx *ctx, void *arg)
{
    struct created *c = arg;
    resource_set_created(resp, ctx, &api_data_requests, &c->row, NULL);
}

int api_data_requests_create(const struct _u_request *req, struct _u_response *resp,
                             struct req_ctx *ctx)
{
    json_t *doc = body_read(req, resp, ctx, create_fields, SCHEMA_CREATE, ctx->who.role, false);
    if (doc == NULL)
        return U_CALLBACK_COMPLETE;
    struct created c = {0};
    if (!data_request_kind_parse(json_string_value(json_object_get(doc, "kind")), &c.in.kind))
        c.in.kind = DATA_REQUEST_ACCESS; /* the field table allows no other value */
    snprintf(c.in.email, sizeof c.in.email, "%s",
             json_string_value(json_object_get(doc, "email")) ?: "");
    snprintf(c.in.received_at, sizeof c.in.received_at, "%s",
             json_string_value(json_object_get(doc, "received_at")) ?: "");
    struct resource_change change = {create, &c, render_created, &c, NULL, NULL, NULL};
    int rc = resource_change(resp, ctx, &api_data_requests, &change);
    data_request_row_cleanup(&c.in);
    data_request_row_cleanup(&c.row);
    json_decref(doc);
    return rc;
}

/* --- the access export --------------------------------------------------- */

int api_data_requests_export(const struct _u_request *req, struct _u_response *resp,
                             struct req_ctx *ctx)
{
    (void)req;
    char buf[RESOURCE_KEY_MAX];
    const char *id = resource_visible_id(resp, ctx, &api_data_requests, buf);
    struct service_call call;
    if (id == NULL || !resource_call(resp, ctx, &call, NULL, NULL))
        return U_CALLBACK_COMPLETE;
    json_t *doc = NULL;
    struct service_outcome outcome = {0};
    enum status st = service_data_request_export(&call, id, &doc, &outcome);
    if (st != ST_OK)
        return resource_refused(resp, ctx, &api_data_requests, st, &outcome, NULL);
    return api_send_json(resp, ctx, 200, doc);
}
