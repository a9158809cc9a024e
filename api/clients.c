/* API clients: admin's clients for staff systems (/v1/clients) and each
 * registrar's own integrations (/v1/registrars/{id}/clients, at most five
 * active). The secret is shown once, in the creation answer, and stored only
 * as its SHA-256. */
#include "audit.h"
#include "auth.h"
#include "handlers.h"
#include "input.h"
#include "problem.h"
#include "store_clients.h"
#include "store_registrars.h"
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

static const struct page_sort client_sorts[] = {{"created_at", 0}};

json_t *api_client_json(const struct client *c)
{
    json_t *actions = json_array();
    if (strcmp(c->status, "active") == 0)
        json_array_append_new(actions, json_string("revoke"));
    return json_pack("{s:s, s:s, s:s, s:s?, s:s, s:s, s:s, s:s, s:s, s:s?, s:o}", "client_id",
                     c->client_id, "name", c->name, "role", c->role, "registrar_id",
                     c->registrar_id[0] ? c->registrar_id : NULL, "status", c->status, "created_by",
                     c->created_by, "created_at", c->created_at, "updated_at", c->updated_at,
                     "status_changed_at", c->status_changed_at, "last_used_at",
                     c->last_used_at[0] ? c->last_used_at : NULL, "allowed_actions", actions);
}

static void null_missing(json_t *o, const char *name)
{
    if (json_object_get(o, name) == NULL)
        json_object_set_new(o, name, json_null());
}

struct create_args {
    const char *name, *role, *registrar_id, *secret_hash;
    struct audit_actor actor;
    struct client out;
};

static enum status create_tx(PGconn *conn, void *arg)
{
    struct create_args *a = arg;
    return store_client_create(conn, a->name, a->role, a->registrar_id, a->secret_hash, &a->actor,
                               &a->out);
}

static int create(struct _u_response *resp, struct req_ctx *ctx, const char *name, const char *role,
                  const char *registrar_id)
{
    char secret[UTIL_SECRET_LEN + 1], hash[65];
    util_secret(secret);
    util_sha256_hex(secret, strlen(secret), hash);
    struct create_args a = {
        .name = name, .role = role, .registrar_id = registrar_id, .secret_hash = hash};
    auth_actor(ctx, &a.actor);
    enum status st = db_transaction(ctx->app->pool, create_tx, &a);
    if (st != ST_OK) {
        sodium_memzero(secret, sizeof secret);
        if (st == ST_FORBIDDEN)
            return problem_send(resp, ctx, PROBLEM_REGISTRAR_SUSPENDED, PROBLEM_NO_DETAIL, NULL);
        return problem_send_status(resp, ctx, st);
    }
    json_t *body = api_client_json(&a.out);
    null_missing(body, "registrar_id");
    null_missing(body, "last_used_at");
    json_object_set_new(body, "client_secret", json_string(secret));
    sodium_memzero(secret, sizeof secret);
    return api_send_json(resp, ctx, 201, body);
}

struct list_args {
    const char *registrar_id;
    json_t *roles, *statuses;
    struct page_req page;
    struct client *items;
    int count;
    char *next;
    long long total;
};

static enum status list_tx(PGconn *conn, void *arg)
{
    struct list_args *a = arg;
    return store_client_list(conn, a->registrar_id, a->roles, a->statuses, &a->page, &a->items,
                             &a->count, &a->next, &a->total);
}

static bool valid_status(const char *s)
{
    return strcmp(s, "active") == 0 || strcmp(s, "revoked") == 0;
}

static bool valid_role(const char *s)
{
    return strcmp(s, "admin") == 0 || strcmp(s, "staff") == 0 || strcmp(s, "registrar") == 0;
}

static int list(struct _u_response *resp, struct req_ctx *ctx, const char *registrar_id)
{
    struct list_args a = {.registrar_id = registrar_id};
    if (!input_page(resp, ctx, client_sorts, 1, &a.page))
        return U_CALLBACK_COMPLETE;
    int rc = U_CALLBACK_COMPLETE;
    if (!input_filter_list(resp, ctx, "status", valid_status, &a.statuses) ||
        !input_filter_list(resp, ctx, "role", valid_role, &a.roles))
        goto out;
    enum status st = db_with_conn(ctx->app->pool, list_tx, &a);
    if (st == ST_INVALID) {
        rc = input_reject_parameter(resp, ctx, "cursor", "format");
        goto out;
    }
    if (st != ST_OK) {
        rc = problem_send_status(resp, ctx, st);
        goto out;
    }
    json_t *items = json_array();
    for (int i = 0; i < a.count; i++) {
        json_t *c = api_client_json(&a.items[i]);
        null_missing(c, "registrar_id");
        null_missing(c, "last_used_at");
        json_array_append_new(items, c);
    }
    rc = api_send_page(resp, ctx, items, a.next, a.page.include_total, a.total);
out:
    free(a.items);
    free(a.next);
    json_decref(a.roles);
    json_decref(a.statuses);
    input_page_cleanup(&a.page);
    return rc;
}

struct revoke_args {
    const char *client_id, *registrar_id;
    struct audit_actor actor;
};

static enum status revoke_tx(PGconn *conn, void *arg)
{
    struct revoke_args *a = arg;
    return store_client_revoke(conn, a->client_id, a->registrar_id, &a->actor);
}

static int revoke_client(struct _u_response *resp, struct req_ctx *ctx, const char *registrar_id)
{
    struct revoke_args a = {.client_id = api_param(ctx, "client_id"), .registrar_id = registrar_id};
    auth_actor(ctx, &a.actor);
    enum status st = db_transaction(ctx->app->pool, revoke_tx, &a);
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

int api_clients_list(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)
{
    (void)req;
    return list(resp, ctx, NULL);
}

int api_clients_create(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)
{
    json_t *body =
        input_body(req, resp, ctx, admin_client_fields, INPUT_CREATE, ctx->who.role, false);
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

int api_registrar_clients_list(const struct _u_request *req, struct _u_response *resp,
                               struct req_ctx *ctx)
{
    (void)req;
    const char *id = own_registrar(resp, ctx);
    if (id == NULL)
        return U_CALLBACK_COMPLETE;
    char status[32];
    enum status st = ST_OK;
    PGconn *conn = NULL;
    st = db_acquire(ctx->app->pool, &conn);
    if (st == ST_OK)
        st = store_registrar_status(conn, id, status, sizeof status);
    db_release(ctx->app->pool, conn);
    if (st != ST_OK)
        return problem_send_status(resp, ctx, st);
    return list(resp, ctx, id);
}

int api_registrar_clients_create(const struct _u_request *req, struct _u_response *resp,
                                 struct req_ctx *ctx)
{
    const char *id = own_registrar(resp, ctx);
    if (id == NULL)
        return U_CALLBACK_COMPLETE;
    json_t *body =
        input_body(req, resp, ctx, registrar_client_fields, INPUT_CREATE, ctx->who.role, false);
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
