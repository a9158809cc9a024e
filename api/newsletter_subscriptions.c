/* Newsletter subscriptions over HTTP: the public subscribe request (always
 * 202 with one body, whatever the address's state: nothing tells whether
 * it was subscribed), confirm and unsubscribe by token (JSON, or RFC 8058's
 * one-click form POST with the token in the query), and staff's list of
 * confirmed subscribers (JSON, and the kit's CSV). */
#include "auth.h"
#include "body.h"
#include "guard.h"
#include "handlers.h"
#include "problem.h"
#include "query.h"
#include "resource.h"
#include "service_newsletter.h"
#include "util.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FORM_TYPE "application/x-www-form-urlencoded"

static const struct field subscribe_fields[] = {
    FIELD_RULE("email", FIELD_REQUIRED, 254, validate_email, ERR_EMAIL),
    FIELD_TEXT("consent_text_version", FIELD_REQUIRED, 1, 40),
    FIELD_TEXT("source", 0, 1, 100),
    {0},
};

static const struct field token_fields[] = {
    FIELD_RULE("token", FIELD_REQUIRED, 43, newsletter_token_valid, ERR_FORMAT),
    {0},
};

/* A subscriber as staff's list shows it. */
static json_t *render_item(const void *row, const struct req_ctx *ctx, bool full)
{
    (void)ctx, (void)full;
    const struct subscription_row *r = row;
    return json_pack("{s:s, s:s, s:o, s:o}", "email", r->email, "confirmed_at", r->confirmed_at,
                     "consent_text_version", api_json_text(r->consent_text_version), "source",
                     api_json_text(r->source));
}

/* Unknown, expired or used: one answer that does not say which. */
static int refused(struct _u_response *resp, struct req_ctx *ctx, enum status st,
                   const struct service_outcome *outcome)
{
    (void)outcome;
    if (st != ST_NOT_FOUND)
        return RESOURCE_DEFAULT;
    return problem_send(resp, ctx, PROBLEM_NOT_FOUND,
                        (struct problem_text){"This link is unknown, has expired or was used.",
                                              "Esta ligação é desconhecida, expirou ou já foi "
                                              "usada."},
                        NULL);
}

static const struct resource_list subscribers = {
    .sorts = store_subscriber_sorts,
    .nsorts = STORE_SUBSCRIBER_SORTS,
    .row_size = sizeof(struct subscription_row),
    .cleanup = store_subscription_row_cleanup,
    .fetch = service_subscriber_list,
    .render = render_item,
};

const struct resource api_newsletter_subscriptions = {
    .path = "/v1/newsletter/subscriptions",
    .refused = refused,
    .list = &subscribers,
};

/* --- subscribe ----------------------------------------------------------- */

struct subscribed {
    struct subscribe_request in;
    struct _u_response *resp;
    struct req_ctx *ctx;
};

/* The public limits per address and per email: a look first in the
 * transaction, the count last (guard_public_limits). */
static enum status limits(PGconn *conn, struct subscribed *s, bool hit)
{
    const char *kinds[] = {"ip", "email"}, *values[] = {s->ctx->client_ip, s->in.email};
    return guard_public_limits(conn, hit, s->resp, s->ctx, "newsletter", kinds, values, 2);
}

static enum status look_at_limits(PGconn *conn, void *arg)
{
    return limits(conn, arg, false);
}

static enum status count_request(PGconn *conn, void *arg)
{
    return limits(conn, arg, true);
}

static enum status subscribe(const struct service_call *call, void *arg,
                             struct service_outcome *outcome)
{
    (void)outcome;
    struct subscribed *s = arg;
    return service_subscription_subscribe(call, &s->in);
}

/* The same answer for every address. */
static void render_accepted(struct _u_response *resp, struct req_ctx *ctx, void *arg)
{
    (void)arg;
    api_set_json(resp, 202,
                 json_pack("{s:s, s:s}", "status", "accepted", "detail",
                           ctx->lang_pt ? "Se o endereço ainda não estiver confirmado, enviámos "
                                          "uma mensagem para confirmar a subscrição."
                                        : "If the address is not confirmed yet, we sent a "
                                          "message to confirm the subscription."));
}

int api_newsletter_subscribe(const struct _u_request *req, struct _u_response *resp,
                             struct req_ctx *ctx)
{
    json_t *doc = body_read(req, resp, ctx, subscribe_fields, SCHEMA_CREATE, ctx->who.role, false);
    if (doc == NULL)
        return U_CALLBACK_COMPLETE;
    struct subscribed s = {.in = {json_string_value(json_object_get(doc, "email")),
                                  json_string_value(json_object_get(doc, "consent_text_version")),
                                  json_string_value(json_object_get(doc, "source")),
                                  ctx->client_ip},
                           .resp = resp,
                           .ctx = ctx};
    struct resource_change change = {subscribe,     &s, render_accepted, &s, look_at_limits,
                                     count_request, &s};
    int rc = resource_change(resp, ctx, &api_newsletter_subscriptions, &change);
    json_decref(doc);
    return rc;
}

/* --- confirm and unsubscribe ---------------------------------------------- */

struct by_token {
    const char *token;
    bool unsubscribe;
    bool found;
    struct _u_response *resp;
    struct req_ctx *ctx;
};

/* Every attempt counts against the address's public limit, the misses too:
 * guessing tokens does not pay (the PTSOC confirmation does the same). */
static enum status token_limits(PGconn *conn, struct by_token *b, bool hit)
{
    const char *kinds[] = {"ip"}, *values[] = {b->ctx->client_ip};
    return guard_public_limits(conn, hit, b->resp, b->ctx, "newsletter-token", kinds, values, 1);
}

static enum status look_at_token_limits(PGconn *conn, void *arg)
{
    return token_limits(conn, arg, false);
}

static enum status count_token_request(PGconn *conn, void *arg)
{
    return token_limits(conn, arg, true);
}

static enum status by_token(const struct service_call *call, void *arg,
                            struct service_outcome *outcome)
{
    (void)outcome;
    struct by_token *b = arg;
    const char *client = b->ctx->client_ip;
    return b->unsubscribe ? service_subscription_unsubscribe(call, b->token, client, &b->found)
                          : service_subscription_confirm(call, b->token, client, &b->found);
}

static void render_done(struct _u_response *resp, struct req_ctx *ctx, void *arg)
{
    struct by_token *b = arg;
    if (!b->found) { /* unknown, expired or used: one answer that does not say which */
        problem_send_status(resp, ctx, ST_NOT_FOUND);
        return;
    }
    api_set_json(resp, 200,
                 json_pack("{s:s}", "status", b->unsubscribe ? "unsubscribed" : "confirmed"));
}

static int run_token(struct _u_response *resp, struct req_ctx *ctx, const char *token,
                     bool unsubscribe)
{
    struct by_token b = {token, unsubscribe, false, resp, ctx};
    struct resource_change change = {
        by_token, &b, render_done, &b, look_at_token_limits, count_token_request, &b};
    return resource_change(resp, ctx, &api_newsletter_subscriptions, &change);
}

int api_newsletter_confirm(const struct _u_request *req, struct _u_response *resp,
                           struct req_ctx *ctx)
{
    json_t *doc = body_read(req, resp, ctx, token_fields, SCHEMA_CREATE, ctx->who.role, false);
    if (doc == NULL)
        return U_CALLBACK_COMPLETE;
    int rc = run_token(resp, ctx, json_string_value(json_object_get(doc, "token")), false);
    json_decref(doc);
    return rc;
}

/* RFC 8058: the body is exactly the one pair List-Unsubscribe=One-Click. */
static bool one_click_body(const struct _u_request *req)
{
    size_t len = req->binary_body_length;
    char *body = len > 0 ? xstrndup(req->binary_body, len) : xstrdup("");
    char *eq = strlen(body) == len ? strchr(body, '=') : NULL;
    char *name = eq ? query_percent_decode(body, (size_t)(eq - body), true) : NULL;
    char *value = eq ? query_percent_decode(eq + 1, strlen(eq + 1), true) : NULL;
    bool ok =
        name && value && strcmp(name, "List-Unsubscribe") == 0 && strcmp(value, "One-Click") == 0;
    free(name);
    free(value);
    free(body);
    return ok;
}

static int form_refused(struct _u_response *resp, struct req_ctx *ctx, const char *pointer,
                        const char *parameter, enum error_code code)
{
    json_t *errors = json_array();
    schema_error(errors, pointer, parameter, code, ctx->lang_pt);
    return problem_send(resp, ctx, PROBLEM_VALIDATION_FAILED, PROBLEM_NO_DETAIL,
                        json_pack("{s:o}", "errors", errors));
}

int api_newsletter_unsubscribe(const struct _u_request *req, struct _u_response *resp,
                               struct req_ctx *ctx)
{
    const char *type = u_map_get_case(req->map_header, "Content-Type");
    const char *query_token = api_query(ctx, "token");
    if (type != NULL && strncasecmp(type, FORM_TYPE, strlen(FORM_TYPE)) == 0) {
        if (!one_click_body(req))
            return form_refused(resp, ctx, "/List-Unsubscribe", NULL, ERR_FORMAT);
        if (query_token == NULL)
            return form_refused(resp, ctx, NULL, "token", ERR_REQUIRED);
        if (!newsletter_token_valid(query_token))
            return form_refused(resp, ctx, NULL, "token", ERR_FORMAT);
        return run_token(resp, ctx, query_token, true);
    }
    if (query_token != NULL) /* a JSON body carries its token itself */
        return form_refused(resp, ctx, NULL, "token", ERR_UNKNOWN_PARAMETER);
    json_t *doc = body_read(req, resp, ctx, token_fields, SCHEMA_CREATE, ctx->who.role, false);
    if (doc == NULL)
        return U_CALLBACK_COMPLETE;
    int rc = run_token(resp, ctx, json_string_value(json_object_get(doc, "token")), true);
    json_decref(doc);
    return rc;
}
