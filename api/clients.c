/* API clients: admin's clients for staff systems (/v1/clients) and each
 * registrar's own integrations (/v1/registrars/{id}/clients, at most five
 * active). The secret is shown once, in the creation answer, and stored only
 * as its SHA-256. */
#include "auth.h"
#include "body.h"
#include "handlers.h"
#include "problem.h"
#include "resource.h"
#include "schema.h"
#include "service_client.h"
#include "store_audit.h"
#include "store_client.h"
#include "store_registrar.h"
#include "util.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static const char *const staff_roles[] = {"admin", "staff", NULL};

static const struct field admin_client_fields[] = {
    {.name = "name", .type = FIELD_STRING, .flags = FIELD_REQUIRED, .min = 1, .max = 100},
    {.name = "role", .type = FIELD_ENUM, .flags = FIELD_REQUIRED, .values = staff_roles},
    {0},
};

static const struct field registrar_client_fields[] = {
    {.name = "name", .type = FIELD_STRING, .flags = FIELD_REQUIRED, .min = 1, .max = 100},
    {0},
};

json_t *api_client_json(const struct client *c)
{
    json_t *actions = json_array();
    if (c->active)
        json_array_append_new(actions, json_string("revoke"));
    return json_pack("{s:s, s:s, s:s, s:s?, s:s, s:s, s:s, s:s, s:s, s:s?, s:o}", "client_id",
                     c->client_id, "name", c->name, "role", c->role, "registrar_id",
                     c->registrar_id[0] ? c->registrar_id : NULL, "status",
                     c->active ? "active" : "revoked", "created_by", c->created_by, "created_at",
                     c->created_at, "updated_at", c->updated_at, "status_changed_at",
                     c->status_changed_at, "last_used_at",
                     c->last_used_at[0] ? c->last_used_at : NULL, "allowed_actions", actions);
}

struct created {
    struct client client;
    const char *secret;
};

static void render_created(struct _u_response *resp, struct req_ctx *ctx, void *arg)
{
    (void)ctx;
    struct created *c = arg;
    json_t *body = api_client_json(&c->client);
    json_object_set_new(body, "client_secret", json_string(c->secret));
    api_set_json(resp, 201, body);
}

static int create(struct _u_response *resp, struct req_ctx *ctx, const char *name, const char *role,
                  const char *registrar_id)
{
    char secret[UTIL_SECRET_LEN + 1], hash[65];
    struct created c = {.secret = secret};
    struct service_call call;
    util_secret(secret);
    util_sha256_hex(secret, strlen(secret), hash);
    if (resource_call(resp, ctx, &call, render_created, &c)) {
        enum status st = service_client_create(&call, name, role, registrar_id, hash, &c.client);
        if (st == ST_OK) {
            render_created(resp, ctx, &c);
            api_finish(ctx, resp);
        } else if (st == ST_FORBIDDEN) {
            problem_send(resp, ctx, PROBLEM_REGISTRAR_SUSPENDED, PROBLEM_NO_DETAIL, NULL);
        } else {
            problem_send_status(resp, ctx, st);
        }
    }
    sodium_memzero(secret, sizeof secret);
    return U_CALLBACK_COMPLETE;
}

static bool valid_status(const char *s)
{
    return strcmp(s, "active") == 0 || strcmp(s, "revoked") == 0;
}

static bool valid_role(const char *s)
{
    return strcmp(s, "admin") == 0 || strcmp(s, "staff") == 0 || strcmp(s, "registrar") == 0;
}

static void client_cleanup(void *row)
{
    (void)row; /* a client owns nothing */
}

static json_t *render_item(const void *row, const struct req_ctx *ctx, bool full)
{
    (void)ctx;
    (void)full;
    return api_client_json(row);
}

static int revoke_client(struct _u_response *resp, struct req_ctx *ctx, const char *registrar_id)
{
    struct service_call call;
    if (!resource_call(resp, ctx, &call, NULL, NULL))
        return U_CALLBACK_COMPLETE;
    enum status st = service_client_revoke(&call, api_param(ctx, "client_id"), registrar_id);
    if (st != ST_OK)
        return problem_send_status(resp, ctx, st);
    return api_send_empty(resp, ctx, 204);
}

/* The registrar of the path, when the caller may manage its clients:
 * admin, or the registrar itself; others get 404 so existence does not leak. */
static const char *own_registrar(struct _u_response *resp, struct req_ctx *ctx)
{
    const char *id = api_param(ctx, "id");
    if (!util_is_uuid(id) || !(ctx->who.role == ROLE_ADMIN || auth_owns_registrar(ctx, id))) {
        problem_send(resp, ctx, PROBLEM_NOT_FOUND, PROBLEM_NO_DETAIL, NULL);
        return NULL;
    }
    return id;
}

int api_clients_create(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)
{
    json_t *body =
        body_read(req, resp, ctx, admin_client_fields, SCHEMA_CREATE, ctx->who.role, false);
    if (body == NULL)
        return U_CALLBACK_COMPLETE;
    int rc = create(resp, ctx, json_string_value(json_object_get(body, "name")),
                    json_string_value(json_object_get(body, "role")), NULL);
    json_decref(body);
    return rc;
}

int api_clients_revoke(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)
{
    (void)req;
    return revoke_client(resp, ctx, NULL);
}

/* Under /v1/registrars/{id}/clients, that registrar's own clients: it must
 * exist (a terminated one still lists its revoked clients). */
static bool registrar_scope(struct _u_response *resp, struct req_ctx *ctx, struct page_query *q)
{
    if (api_param(ctx, "id") == NULL)
        return true; /* /v1/clients: every client, for admin */
    const char *id = own_registrar(resp, ctx);
    struct registrar_brief brief;
    PGconn *conn = NULL;
    if (id == NULL)
        return false;
    enum status st = api_conn(ctx, &conn);
    if (st == ST_OK)
        st = store_registrar_brief(conn, id, &brief);
    if (st != ST_OK)
        return problem_send_status(resp, ctx, st), false;
    q->filters[STORE_CLIENT_REGISTRAR] = xstrdup(id);
    return true;
}

static const struct resource_filter filters[] = {
    [STORE_CLIENT_ROLE] = {"role", RESOURCE_FILTER_LIST, valid_role},
    [STORE_CLIENT_STATUS] = {"status", RESOURCE_FILTER_LIST, valid_status},
    {0},
};

static const struct resource_list list = {
    .sorts = store_client_sorts,
    .nsorts = STORE_CLIENT_SORTS,
    .filters = filters,
    .scope = registrar_scope,
    .row_size = sizeof(struct client),
    .cleanup = client_cleanup,
    .fetch = service_client_list,
    .render = render_item,
};
const struct resource api_clients = {.list = &list};

int api_registrar_clients_create(const struct _u_request *req, struct _u_response *resp,
                                 struct req_ctx *ctx)
{
    const char *id = own_registrar(resp, ctx);
    if (id == NULL)
        return U_CALLBACK_COMPLETE;
    json_t *body =
        body_read(req, resp, ctx, registrar_client_fields, SCHEMA_CREATE, ctx->who.role, false);
    if (body == NULL)
        return U_CALLBACK_COMPLETE;
    int rc = create(resp, ctx, json_string_value(json_object_get(body, "name")), "registrar", id);
    json_decref(body);
    return rc;
}

int api_registrar_clients_revoke(const struct _u_request *req, struct _u_response *resp,
                                 struct req_ctx *ctx)
{
    (void)req;
    const char *id = own_registrar(resp, ctx);
    if (id == NULL)
        return U_CALLBACK_COMPLETE;
    return revoke_client(resp, ctx, id);
}
