/* Contact requests over HTTP: the field table, how one renders, the list
 * (staff all, a registrar its own), the creation (public, rate-limited, or
 * by a registrar) and answer's body. Reading, history, answer and close
 * are the kit's (resource.h); another registrar's request reads as absent
 * (the kind's owner, service.h), and a public one is staff's only. */
#include "auth.h"
#include "body.h"
#include "guard.h"
#include "handlers.h"
#include "problem.h"
#include "resource.h"
#include "service_contact.h"
#include "store_contact_request.h"
#include "util.h"
#include "validate.h"

#include <stdio.h>
#include <string.h>

static const struct field create_fields[] = {
    FIELD_RULE("topic", FIELD_REQUIRED, CONTACT_TOPIC_MAX, contact_topic_valid, ERR_UNKNOWN_TOPIC),
    FIELD_TEXT("subject", FIELD_REQUIRED, 1, 200),
    FIELD_TEXT("message", FIELD_REQUIRED | FIELD_LINES, 1, 5000),
    FIELD_TEXT("name", 0, 1, 200),
    FIELD_RULE("email", 0, 254, validate_email, ERR_EMAIL),
    {0},
};

static const struct field answer_fields[] = {
    FIELD_TEXT("note", FIELD_LINES, 1, 2000),
    {0},
};

static json_t *render(const void *row, const struct req_ctx *ctx)
{
    const struct contact_request_row *r = row;
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:s, s:s, s:s, s:o}", "id",
                     r->id, "topic", r->topic, "subject", r->subject, "message", r->message, "name",
                     r->name, "email", r->email, "registrar_id", api_json_text(r->registrar_id),
                     "status", contact_request_status_name(r->status), "note",
                     api_json_text(r->note), "created_at", r->created_at, "updated_at",
                     r->updated_at, "status_changed_at", r->status_changed_at, "allowed_actions",
                     resource_actions(&api_contact_requests, r, ctx));
}

static bool scope(struct _u_response *resp, struct req_ctx *ctx, struct page_query *q)
{
    return resource_scope_own(resp, ctx, q, STORE_CONTACT_REQUEST_REGISTRAR);
}

static const struct resource_filter filters[] = {
    [STORE_CONTACT_REQUEST_STATUS] = {"status", RESOURCE_FILTER_STATES, NULL},
    [STORE_CONTACT_REQUEST_TOPIC] = {"topic", RESOURCE_FILTER_LIST, contact_topic_valid},
    [STORE_CONTACT_REQUEST_REGISTRAR] = {"registrar_id", RESOURCE_FILTER_LIST, resource_valid_uuid},
    {0},
};

static const struct resource_list list = {
    .sorts = store_contact_request_sorts,
    .nsorts = STORE_CONTACT_REQUEST_SORTS,
    .filters = filters,
    .scope = scope,
    .kind = &service_contact_request_kind,
};

/* answer takes {"note"}; close the kit's {"reason"}. */
static const struct field *action_body(int action)
{
    return action == CONTACT_REQUEST_ACT_ANSWER ? answer_fields : NULL;
}

const struct resource api_contact_requests = {
    .kind = &service_contact_request_kind,
    .path = "/v1/contact-requests",
    .render = render,
    .list = &list,
    .action_body = action_body,
};

/* --- creation ------------------------------------------------------------ */

struct created {
    struct contact_request_row in, row;
    struct _u_response *resp;
    struct req_ctx *ctx;
};

/* A public request's limits per address and per email (a registrar's are
 * its client's): looked at first in its transaction, counted last. */
static enum status limits(PGconn *conn, struct created *c, bool hit)
{
    if (c->ctx->who.role == ROLE_REGISTRAR)
        return ST_OK;
    const char *kinds[] = {"ip", "email"}, *values[] = {c->ctx->client_ip, c->in.email};
    return guard_public_limits(conn, hit, c->resp, c->ctx, "contact_request", kinds, values, 2);
}

static enum status look_at_limits(PGconn *conn, void *arg)
{
    return limits(conn, arg, false);
}

static enum status count_request(PGconn *conn, void *arg)
{
    return limits(conn, arg, true);
}

static enum status create(const struct service_call *call, void *arg,
                          struct service_outcome *outcome)
{
    struct created *c = arg;
    return service_contact_request_create(call, &c->in, &c->row, outcome);
}

static void render_created(struct _u_response *resp, struct req_ctx *ctx, void *arg)
{
    struct created *c = arg;
    resource_set_created(resp, ctx, &api_contact_requests, &c->row, NULL);
}

static void text_into(char *out, size_t cap, const json_t *doc, const char *name)
{
    snprintf(out, cap, "%s", json_string_value(json_object_get(doc, name)) ?: "");
}

/* Who writes: a registrar's token names its registrar (its admin contact
 * answers for a name or an email it leaves out); anyone else gives both. */
static bool requester(const json_t *doc, struct req_ctx *ctx, json_t *errors)
{
    if (ctx->who.role == ROLE_REGISTRAR)
        return true;
    const char *members[] = {"name", "email"};
    for (size_t i = 0; i < 2; i++)
        if (json_object_get(doc, members[i]) == NULL) {
            char pointer[8];
            snprintf(pointer, sizeof pointer, "/%s", members[i]);
            schema_error(errors, pointer, NULL, ERR_REQUIRED, ctx->lang_pt);
        }
    return json_array_size(errors) == 0;
}

int api_contact_requests_create(const struct _u_request *req, struct _u_response *resp,
                                struct req_ctx *ctx)
{
    json_t *doc = body_read(req, resp, ctx, create_fields, SCHEMA_CREATE, ctx->who.role, false);
    if (doc == NULL)
        return U_CALLBACK_COMPLETE;
    json_t *errors = json_array();
    struct created c = {.resp = resp, .ctx = ctx};
    int rc;
    if (!requester(doc, ctx, errors)) {
        rc = problem_send(resp, ctx, PROBLEM_VALIDATION_FAILED, PROBLEM_NO_DETAIL,
                          json_pack("{s:O}", "errors", errors));
        goto out;
    }
    text_into(c.in.topic, sizeof c.in.topic, doc, "topic");
    text_into(c.in.subject, sizeof c.in.subject, doc, "subject");
    c.in.message = xstrdup(json_string_value(json_object_get(doc, "message")));
    text_into(c.in.name, sizeof c.in.name, doc, "name");
    text_into(c.in.email, sizeof c.in.email, doc, "email");
    if (ctx->who.role == ROLE_REGISTRAR)
        snprintf(c.in.registrar_id, sizeof c.in.registrar_id, "%.36s", ctx->who.registrar_id);
    struct resource_change change = {create,        &c, render_created, &c, look_at_limits,
                                     count_request, &c};
    rc = resource_change(resp, ctx, &api_contact_requests, &change);
out:
    contact_request_row_cleanup(&c.in);
    contact_request_row_cleanup(&c.row);
    json_decref(errors);
    json_decref(doc);
    return rc;
}
