/* Webhook subscriptions over HTTP: the field tables, how a subscription
 * and a delivery render, the creation (its first secret shown once),
 * deletion, secrets added (shown once) and removed, the delivery log and
 * redelivery. Reading, listing and editing are the kit's (resource.h).
 * Staff manage every subscription; a registrar its own (another's: 404). */
#include "auth.h"
#include "body.h"
#include "handlers.h"
#include "merge.h"
#include "notice.h"
#include "problem.h"
#include "resource.h"
#include "service_webhook.h"
#include "store_webhook.h"
#include "util.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define STAFF (ROLE_STAFF | ROLE_ADMIN)

#define EDITABLE_FIELDS(req)                                                                       \
    FIELD_RULE("url", (req), WEBHOOK_URL_MAX, webhook_url_syntax, ERR_URL),                        \
        FIELD_STRS("events", 0, WEBHOOK_MAX_EVENTS, notice_event_known, ERR_EVENT_TYPE),           \
        FIELD_TEXT("description", FIELD_NULLABLE | FIELD_NULL_CREATE, 1, WEBHOOK_DESCRIPTION_MAX)

static const struct field create_fields[] = {
    EDITABLE_FIELDS(FIELD_REQUIRED),
    {.name = "registrar_id", .type = FIELD_UUID, .writers = STAFF},
    {0},
};

static const struct field patch_fields[] = {
    EDITABLE_FIELDS(0),
    {.name = "status", .type = FIELD_ENUM, .values = webhook_status_names},
    {0},
};

static const struct field no_fields[] = {{0}};

static json_t *events_json(const struct webhook_row *w)
{
    json_t *a = json_array();
    for (size_t i = 0; i < w->nevents; i++)
        json_array_append_new(a, json_string(w->events[i]));
    return a;
}

/* The editable members, as a merge patch applies to them. */
static json_t *editable_json(const struct webhook_row *w)
{
    return json_pack("{s:s, s:o, s:o, s:s}", "url", w->url, "events", events_json(w), "description",
                     api_json_text(w->description), "status", webhook_status_name(w->status));
}

static json_t *render(const void *row, const struct req_ctx *ctx)
{
    (void)ctx;
    const struct webhook_row *w = row;
    json_t *o =
        json_pack("{s:s, s:o}", "id", w->id, "registrar_id", api_json_text(w->registrar_id));
    json_t *editable = editable_json(w);
    json_object_update(o, editable);
    json_decref(editable);
    json_t *meta = json_pack(
        "{s:o, s:o, s:s, s:s, s:s}", "disabled_reason", api_json_text(w->disabled_reason),
        "secrets", w->secrets ? json_incref(w->secrets) : json_array(), "created_at", w->created_at,
        "updated_at", w->updated_at, "status_changed_at", w->status_changed_at);
    json_object_update(o, meta);
    json_decref(meta);
    return o;
}

/* The url a subscription may target, as this server is configured: a 422
 * error at /url otherwise. */
static bool url_allowed(const char *url, bool pt, json_t *errors)
{
    enum error_code code = service_webhook_url_check(url);
    if (code != ERR_NONE)
        schema_error(errors, "/url", NULL, code, pt);
    return code == ERR_NONE;
}

/* A validated document's editable members into w. */
static void editable_from(const json_t *doc, struct webhook_row *w)
{
    size_t i;
    json_t *v;
    snprintf(w->url, sizeof w->url, "%s", json_string_value(json_object_get(doc, "url")) ?: "");
    w->nevents = 0;
    json_array_foreach(json_object_get(doc, "events"), i, v) if (i < WEBHOOK_MAX_EVENTS)
        snprintf(w->events[w->nevents++], sizeof w->events[0], "%s", json_string_value(v));
    snprintf(w->description, sizeof w->description, "%s",
             json_string_value(json_object_get(doc, "description")) ?: "");
}

static enum status merge(const void *current, const json_t *patch, bool pt, void *next,
                         json_t *errors)
{
    const struct webhook_row *cur = current;
    struct webhook_row *out = next;
    json_t *doc = editable_json(cur);
    merge_patch(doc, patch);
    memcpy(out->id, cur->id, sizeof out->id);
    memcpy(out->registrar_id, cur->registrar_id, sizeof out->registrar_id);
    memcpy(out->disabled_reason, cur->disabled_reason, sizeof out->disabled_reason);
    editable_from(doc, out);
    if (!webhook_status_parse(json_string_value(json_object_get(doc, "status")), &out->status))
        out->status = cur->status; /* the field table checked it */
    if (out->status != cur->status)
        webhook_edit_status(out, cur->status);
    json_decref(doc);
    bool ok = json_object_get(patch, "url") == NULL || url_allowed(out->url, pt, errors);
    return ok ? ST_OK : ST_INVALID;
}

static bool valid_status(const char *s)
{
    enum webhook_status st;
    return webhook_status_parse(s, &st);
}

static bool own_scope(struct _u_response *resp, struct req_ctx *ctx, struct page_query *q)
{
    return resource_scope_own(resp, ctx, q, STORE_WEBHOOK_REGISTRAR);
}

static const struct resource_filter filters[] = {
    [STORE_WEBHOOK_STATUS] = {"status", RESOURCE_FILTER_LIST, valid_status},
    [STORE_WEBHOOK_REGISTRAR] = {"registrar_id", RESOURCE_FILTER_LIST, resource_valid_uuid},
    {0},
};

static const struct resource_list list = {
    .sorts = store_webhook_sorts,
    .nsorts = STORE_WEBHOOK_SORTS,
    .filters = filters,
    .scope = own_scope,
    .kind = &service_webhook_kind,
};

const struct resource api_webhooks = {
    .kind = &service_webhook_kind,
    .path = "/v1/webhooks",
    .render = render,
    .patch_fields = patch_fields,
    .merge = merge,
    .list = &list,
};

/* --- creation ------------------------------------------------------------ */

struct created {
    struct webhook_row in, row;
    struct webhook_secret_shown secret;
};

static enum status create(const struct service_call *call, void *arg,
                          struct service_outcome *outcome)
{
    struct created *c = arg;
    return service_webhook_create(call, &c->in, &c->row, &c->secret, outcome);
}

static void render_created(struct _u_response *resp, struct req_ctx *ctx, void *arg)
{
    struct created *c = arg;
    resource_set_created(resp, ctx, &api_webhooks, &c->row,
                         json_pack("{s:s}", "secret", c->secret.secret));
}

int api_webhooks_create(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)
{
    json_t *doc = body_read(req, resp, ctx, create_fields, SCHEMA_CREATE, ctx->who.role, false);
    if (doc == NULL)
        return U_CALLBACK_COMPLETE;
    struct created c = {0};
    editable_from(doc, &c.in);
    const char *owner = ctx->who.role == ROLE_REGISTRAR
                            ? ctx->who.registrar_id
                            : json_string_value(json_object_get(doc, "registrar_id"));
    snprintf(c.in.registrar_id, sizeof c.in.registrar_id, "%.36s", owner ? owner : "");
    json_t *errors = json_array();
    int rc;
    if (!url_allowed(c.in.url, ctx->lang_pt, errors)) {
        rc = problem_send(resp, ctx, PROBLEM_VALIDATION_FAILED, PROBLEM_NO_DETAIL,
                          json_pack("{s:O}", "errors", errors));
    } else {
        struct resource_change change = {create, &c, render_created, &c, NULL, NULL, NULL};
        rc = resource_change(resp, ctx, &api_webhooks, &change);
    }
    sodium_memzero(c.secret.secret, sizeof c.secret.secret);
    json_decref(errors);
    webhook_row_cleanup(&c.in);
    webhook_row_cleanup(&c.row);
    json_decref(doc);
    return rc;
}

/* --- deletion and secrets ---------------------------------------------------- */

int api_webhooks_delete(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)
{
    (void)req;
    char buf[RESOURCE_KEY_MAX];
    struct service_call call;
    const char *id = resource_visible_id(resp, ctx, &api_webhooks, buf);
    if (id == NULL || !resource_call(resp, ctx, &call, NULL, NULL))
        return U_CALLBACK_COMPLETE;
    enum status st = service_webhook_delete(&call, id);
    return st == ST_OK ? api_send_empty(resp, ctx, 204) : problem_send_status(resp, ctx, st);
}

static void render_secret(struct _u_response *resp, struct req_ctx *ctx, void *arg)
{
    (void)ctx;
    const struct webhook_secret_shown *s = arg;
    api_set_json(resp, 201,
                 json_pack("{s:s, s:s, s:s, s:s}", "id", s->id, "secret", s->secret, "hint",
                           s->hint, "created_at", s->created_at));
}

static const struct problem_text too_many = {
    "A subscription has at most five live secrets: remove one first.",
    "Uma subscrição tem no máximo cinco segredos ativos: remova um primeiro."};
static const struct problem_text last_one = {
    "A subscription keeps at least one secret: add another first.",
    "Uma subscrição mantém pelo menos um segredo: acrescente outro primeiro."};

int api_webhooks_secret_add(const struct _u_request *req, struct _u_response *resp,
                            struct req_ctx *ctx)
{
    char buf[RESOURCE_KEY_MAX];
    struct service_call call;
    struct webhook_secret_shown s = {0};
    const char *id = resource_visible_id(resp, ctx, &api_webhooks, buf);
    if (id == NULL)
        return U_CALLBACK_COMPLETE;
    json_t *body = body_read(req, resp, ctx, no_fields, SCHEMA_CREATE, ctx->who.role, true);
    if (body == NULL)
        return U_CALLBACK_COMPLETE;
    json_decref(body);
    if (!resource_call(resp, ctx, &call, render_secret, &s))
        return U_CALLBACK_COMPLETE;
    enum status st = service_webhook_secret_add(&call, id, &s);
    if (st == ST_OK) {
        render_secret(resp, ctx, &s);
        api_finish(ctx, resp);
    } else if (st == ST_LIMIT) {
        problem_send(resp, ctx, PROBLEM_LIMIT_REACHED, too_many, NULL);
    } else {
        problem_send_status(resp, ctx, st);
    }
    sodium_memzero(s.secret, sizeof s.secret);
    return U_CALLBACK_COMPLETE;
}

int api_webhooks_secret_remove(const struct _u_request *req, struct _u_response *resp,
                               struct req_ctx *ctx)
{
    (void)req;
    char buf[RESOURCE_KEY_MAX];
    struct service_call call;
    const char *id = resource_visible_id(resp, ctx, &api_webhooks, buf);
    const char *secret_id = api_param(ctx, "secret_id");
    if (id == NULL)
        return U_CALLBACK_COMPLETE;
    if (!util_is_uuid(secret_id))
        return problem_send(resp, ctx, PROBLEM_NOT_FOUND, PROBLEM_NO_DETAIL, NULL);
    if (!resource_call(resp, ctx, &call, NULL, NULL))
        return U_CALLBACK_COMPLETE;
    enum status st = service_webhook_secret_remove(&call, id, secret_id);
    if (st == ST_LIMIT)
        return problem_send(resp, ctx, PROBLEM_LIMIT_REACHED, last_one, NULL);
    return st == ST_OK ? api_send_empty(resp, ctx, 204) : problem_send_status(resp, ctx, st);
}

/* --- deliveries ------------------------------------------------------------------ */

static json_t *delivery_json(const struct webhook_delivery *d)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s?, s:s, s:s, s:o, s:O, s:O}", "id",
                     d->id, "webhook_id", d->webhook_id, "event", d->event, "event_id", d->event_id,
                     "status", d->status, "attempts", d->attempts, "next_attempt_at",
                     d->next_attempt_at, "last_error", d->last_error, "created_at", d->created_at,
                     "updated_at", d->updated_at, "sent_at", api_json_text(d->sent_at), "payload",
                     d->payload ? d->payload : json_null(), "attempt_log",
                     d->log ? d->log : json_null());
}

static json_t *render_delivery(const void *row, const struct req_ctx *ctx, bool full)
{
    (void)ctx;
    (void)full;
    return delivery_json(row);
}

static bool valid_delivery_status(const char *s)
{
    return strcmp(s, "pending") == 0 || strcmp(s, "sent") == 0 || strcmp(s, "failed") == 0;
}

/* The path's subscription, which the caller must see: its deliveries only. */
static bool deliveries_scope(struct _u_response *resp, struct req_ctx *ctx, struct page_query *q)
{
    struct service_call call;
    struct webhook_row w = {0};
    bool ok = resource_read(resp, ctx, &api_webhooks, &call, &w);
    if (ok)
        q->filters[STORE_WEBHOOK_DELIVERY_WEBHOOK] = xstrdup(w.id);
    webhook_row_cleanup(&w);
    return ok;
}

static const struct resource_filter delivery_filters[] = {
    [STORE_WEBHOOK_DELIVERY_STATUS] = {"status", RESOURCE_FILTER_LIST, valid_delivery_status},
    {0},
};

static const struct resource_list deliveries = {
    .sorts = store_webhook_delivery_sorts,
    .nsorts = STORE_WEBHOOK_DELIVERY_SORTS,
    .filters = delivery_filters,
    .scope = deliveries_scope,
    .row_size = sizeof(struct webhook_delivery),
    .cleanup = store_webhook_delivery_cleanup,
    .fetch = service_webhook_deliveries,
    .render = render_delivery,
};
const struct resource api_webhook_deliveries = {.list = &deliveries};

static void render_redelivered(struct _u_response *resp, struct req_ctx *ctx, void *arg)
{
    (void)ctx;
    api_set_json(resp, 202, delivery_json(arg));
}

int api_webhook_deliveries_redeliver(const struct _u_request *req, struct _u_response *resp,
                                     struct req_ctx *ctx)
{
    const char *id = api_param(ctx, "id");
    struct service_call call;
    struct webhook_delivery d = {0};
    if (!util_is_uuid(id))
        return problem_send(resp, ctx, PROBLEM_NOT_FOUND, PROBLEM_NO_DETAIL, NULL);
    json_t *body = body_read(req, resp, ctx, no_fields, SCHEMA_CREATE, ctx->who.role, true);
    if (body == NULL)
        return U_CALLBACK_COMPLETE;
    json_decref(body);
    if (resource_call(resp, ctx, &call, render_redelivered, &d)) {
        enum status st = service_webhook_redeliver(&call, id, &d);
        if (st == ST_OK) {
            render_redelivered(resp, ctx, &d);
            api_finish(ctx, resp);
        } else if (st == ST_INVALID_STATE) {
            problem_send(resp, ctx, PROBLEM_INVALID_STATE, PROBLEM_NO_DETAIL,
                         json_pack("{s:s}", "current_status", "disabled"));
        } else {
            problem_send_status(resp, ctx, st);
        }
    }
    store_webhook_delivery_cleanup(&d);
    return U_CALLBACK_COMPLETE;
}
