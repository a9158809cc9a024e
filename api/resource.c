/* Shared pieces of stateful resources: versions as ETags, If-Match, action
 * bodies, invalid-state problems and history pages. */
#include "resource.h"

#include "input.h"
#include "problem.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void resource_etag(struct _u_response *resp, int version)
{
    char etag[24];
    snprintf(etag, sizeof etag, "\"%d\"", version);
    u_map_put(resp->map_header, "ETag", etag);
}

bool resource_if_match(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx,
                       int *version)
{
    const char *h = u_map_get_case(req->map_header, "If-Match");
    if (h == NULL) {
        problem_send(resp, ctx, PROBLEM_PRECONDITION_REQUIRED, PROBLEM_NO_DETAIL, NULL);
        return false;
    }
    char *end = NULL;
    long v = h[0] == '"' ? strtol(h + 1, &end, 10) : -2;
    if (strcmp(h, "*") == 0)
        *version = -1;
    else if (end != NULL && end != h + 1 && strcmp(end, "\"") == 0 && v > 0 && v < 1000000000)
        *version = (int)v;
    else
        *version = -2;
    return true;
}

static const struct field reason_fields[] = {
    {.name = "reason", .type = FIELD_STRING, .min = 1, .max = 1000},
    {0},
};

bool resource_reason(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx,
                     bool needs_reason, char **reason)
{
    *reason = NULL;
    json_t *body = input_body(req, resp, ctx, reason_fields, INPUT_CREATE, ctx->who.role, true);
    if (body == NULL)
        return false;
    const char *r = json_string_value(json_object_get(body, "reason"));
    if (r == NULL && needs_reason) {
        json_t *errors = json_array();
        input_error(errors, "/reason", NULL, "required", ctx->lang_pt);
        problem_send(resp, ctx, PROBLEM_VALIDATION_FAILED, PROBLEM_NO_DETAIL,
                     json_pack("{s:o}", "errors", errors));
        json_decref(body);
        return false;
    }
    *reason = r ? xstrdup(r) : NULL;
    json_decref(body);
    return true;
}

int resource_invalid_state(struct _u_response *resp, struct req_ctx *ctx, const char *current)
{
    return problem_send(resp, ctx, PROBLEM_INVALID_STATE, PROBLEM_NO_DETAIL,
                        json_pack("{s:s}", "current_status", current));
}

int resource_refused(struct _u_response *resp, struct req_ctx *ctx, enum status st,
                     const char *current, json_t **errors)
{
    if (st == ST_INVALID_STATE)
        return resource_invalid_state(resp, ctx, current);
    if (st == ST_INVALID && errors != NULL && json_array_size(*errors) > 0) {
        json_t *list = *errors;
        *errors = NULL;
        return problem_send(resp, ctx, PROBLEM_VALIDATION_FAILED, PROBLEM_NO_DETAIL,
                            json_pack("{s:o}", "errors", list));
    }
    return problem_send_status(resp, ctx, st);
}

struct history_args {
    const char *type, *id;
    struct audit_row *rows;
    int count;
};

static enum status history_tx(PGconn *conn, void *arg)
{
    struct history_args *a = arg;
    return store_audit_history(conn, a->type, a->id, &a->rows, &a->count);
}

int resource_history(struct _u_response *resp, struct req_ctx *ctx, const char *type,
                     const char *id)
{
    struct history_args a = {.type = type, .id = id};
    enum status st = db_with_conn(ctx->app->pool, history_tx, &a);
    if (st != ST_OK)
        return problem_send_status(resp, ctx, st);
    json_t *items = json_array();
    for (int i = 0; i < a.count; i++) {
        const struct audit_row *r = &a.rows[i];
        json_array_append_new(
            items, json_pack("{s:s, s:s, s:{s:s, s:s, s:s?}, s:s?, s:s?, s:s?, s:O, s:s}", "at",
                             r->created_at, "action", r->action, "actor", "sub", r->actor_sub,
                             "role", r->actor_role, "registrar_id",
                             r->actor_registrar_id[0] ? r->actor_registrar_id : NULL, "from_status",
                             r->from_status[0] ? r->from_status : NULL, "to_status",
                             r->to_status[0] ? r->to_status : NULL, "reason", r->reason, "changes",
                             r->changes, "request_id", r->request_id));
    }
    audit_rows_free(a.rows, a.count);
    return api_send_page(resp, ctx, items, NULL, false, 0);
}

json_t *resource_actions(const char *const *names, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(names[i]));
    return a;
}
