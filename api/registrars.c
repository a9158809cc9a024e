/* Registrars: the public directory (accredited registrars, public fields),
 * the full record for staff and for the registrar itself, edits by merge
 * patch with If-Match (the registrar: contacts and website; staff: more),
 * and suspend / reinstate / terminate with a reason. */
#include "auth.h"
#include "handlers.h"
#include "input.h"
#include "problem.h"
#include "registrar.h"
#include "resource.h"
#include "store_accreditation.h"
#include "util.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STAFF_ONLY (ROLE_STAFF | ROLE_ADMIN)
#define STAFF_OR_OWN (ROLE_STAFF | ROLE_ADMIN | ROLE_REGISTRAR)

static const struct field registrar_fields[] = {
    {.name = "legal_name", .type = FIELD_STRING, .min = 1, .max = 200, .writers = STAFF_ONLY},
    {.name = "trade_name", .type = FIELD_STRING, .min = 1, .max = 100, .writers = STAFF_ONLY},
    {.name = "address", .type = FIELD_OBJECT, .fields = api_address_fields, .writers = STAFF_ONLY},
    {.name = "website",
     .type = FIELD_STRING,
     .flags = FIELD_NULLABLE,
     .max = 2048,
     .check = check_website,
     .writers = STAFF_OR_OWN},
    {.name = "contacts",
     .type = FIELD_ARRAY,
     .item_type = FIELD_OBJECT,
     .fields = api_contact_fields,
     .min = 1,
     .max = 10,
     .writers = STAFF_OR_OWN},
    {0},
};

static const struct page_sort registrar_sorts[] = {{"created_at", 0}, {"handle", 1}};

static json_t *public_json(const struct registrar_row *r)
{
    return json_pack("{s:s, s:s, s:O, s:O, s:[], s:s}", "id", r->id, "handle", r->handle,
                     "trade_name", json_object_get(r->fields, "trade_name"), "website",
                     json_object_get(r->fields, "website"), "programs", "accredited_at",
                     r->accredited_at);
}

static json_t *full_json(const struct registrar_row *r, const struct req_ctx *ctx)
{
    json_t *o = json_deep_copy(r->fields);
    enum registrar_status status = REGISTRAR_ACCREDITED;
    const char *names[REGISTRAR_ACTION_COUNT];
    size_t n = 0;
    if (registrar_status_parse(r->status, &status))
        n = registrar_allowed_actions(status, ctx->who.role, names, REGISTRAR_ACTION_COUNT);
    json_t *meta =
        json_pack("{s:s, s:s, s:[], s:s, s:s, s:s?, s:s, s:s, s:s, s:o}", "id", r->id, "handle",
                  r->handle, "programs", "status", r->status, "accredited_at", r->accredited_at,
                  "application_id", r->application_id[0] ? r->application_id : NULL, "created_at",
                  r->created_at, "updated_at", r->updated_at, "status_changed_at",
                  r->status_changed_at, "allowed_actions", resource_actions(names, n));
    json_object_update(o, meta);
    json_decref(meta);
    return o;
}

/* Staff and the registrar itself see the record; others its public face. */
static bool sees_all(const struct req_ctx *ctx, const char *id)
{
    return auth_owns_registrar(ctx, id);
}

static int send_registrar(struct _u_response *resp, struct req_ctx *ctx, unsigned status,
                          const struct registrar_row *row)
{
    resource_etag(resp, row->version);
    return api_send_json(resp, ctx, status, full_json(row, ctx));
}

struct get_args {
    const char *id;
    struct registrar_row row;
};

static enum status get_tx(PGconn *conn, void *arg)
{
    struct get_args *a = arg;
    return store_registrar_get(conn, a->id, false, &a->row);
}

int api_registrars_get(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)
{
    (void)req;
    struct get_args a = {.id = api_param(ctx, "id")};
    if (!util_is_uuid(a.id))
        return problem_send(resp, ctx, PROBLEM_NOT_FOUND, PROBLEM_NO_DETAIL, NULL);
    enum status st = db_with_conn(ctx->app->pool, get_tx, &a);
    bool full = sees_all(ctx, a.id);
    int rc;
    if (st == ST_OK && !full && strcmp(a.row.status, "accredited") != 0)
        st = ST_NOT_FOUND;
    if (st != ST_OK)
        rc = problem_send_status(resp, ctx, st);
    else if (full)
        rc = send_registrar(resp, ctx, 200, &a.row);
    else
        rc = api_send_json(resp, ctx, 200, public_json(&a.row));
    registrar_row_cleanup(&a.row);
    return rc;
}

int api_registrars_history(const struct _u_request *req, struct _u_response *resp,
                           struct req_ctx *ctx)
{
    (void)req;
    struct get_args a = {.id = api_param(ctx, "id")};
    if (!util_is_uuid(a.id) || !sees_all(ctx, a.id))
        return problem_send(resp, ctx, PROBLEM_NOT_FOUND, PROBLEM_NO_DETAIL, NULL);
    enum status st = db_with_conn(ctx->app->pool, get_tx, &a);
    registrar_row_cleanup(&a.row);
    if (st != ST_OK)
        return problem_send_status(resp, ctx, st);
    return resource_history(resp, ctx, "registrar", a.id);
}

static bool valid_status(const char *s)
{
    enum registrar_status st;
    return registrar_status_parse(s, &st);
}

static bool valid_program(const char *s)
{
    size_t n = strlen(s);
    if (n < 2 || n > 40)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
            return false;
    return true;
}

struct list_args {
    struct registrar_filter f;
    struct page_req page;
    struct registrar_row *rows;
    int count;
    char *next;
    long long total;
};

static enum status list_tx(PGconn *conn, void *arg)
{
    struct list_args *a = arg;
    return store_registrar_list(conn, &a->f, &a->page, &a->rows, &a->count, &a->next, &a->total);
}

int api_registrars_list(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)
{
    (void)req;
    struct list_args a = {.f.public_only = !principal_is_staff(&ctx->who)};
    json_t *statuses = NULL, *programs = NULL;
    int rc = U_CALLBACK_COMPLETE;
    if (!input_page(resp, ctx, registrar_sorts, 2, &a.page))
        return rc;
    const char *q = api_query(ctx, "q");
    if (q != NULL && (*q == '\0' || util_utf8_length(q) > 100)) {
        rc = input_reject_parameter(resp, ctx, "q", "format");
        goto out;
    }
    a.f.q = util_like_escape(q); /* the store matches it with ILIKE: "%" is a character */
    if (a.f.public_only && api_query(ctx, "status") != NULL) {
        /* the public directory is accredited registrars: only staff filter by status */
        rc = problem_send(resp, ctx, PROBLEM_FORBIDDEN,
                          (struct problem_text){"Only staff may filter registrars by status.",
                                                "Só a equipa do .PT pode filtrar por estado."},
                          NULL);
        goto out;
    }
    if (!input_filter_list(resp, ctx, "status", valid_status, &statuses) ||
        !input_filter_list(resp, ctx, "program", valid_program, &programs))
        goto out;
    a.f.statuses = statuses;
    a.f.programs = programs;
    enum status st = db_with_conn(ctx->app->pool, list_tx, &a);
    if (st != ST_OK) {
        rc = st == ST_INVALID ? input_reject_parameter(resp, ctx, "cursor", "format")
                              : problem_send_status(resp, ctx, st);
        goto out;
    }
    json_t *items = json_array();
    for (int i = 0; i < a.count; i++)
        json_array_append_new(items, a.f.public_only ? public_json(&a.rows[i])
                                                     : full_json(&a.rows[i], ctx));
    rc = api_send_page(resp, ctx, items, a.next, a.page.include_total, a.total);
out:
    registrar_rows_free(a.rows, a.count);
    free(a.next);
    free((char *)a.f.q);
    json_decref(statuses);
    json_decref(programs);
    input_page_cleanup(&a.page);
    return rc;
}

struct change_args {
    const char *id;
    int if_match;
    const json_t *patch;
    enum registrar_action action;
    const char *reason;
    const struct req_ctx *ctx;
    struct audit_actor actor;
    struct registrar_row row;
    json_t *errors;
    char current[16];
};

static enum status allowed(struct change_args *a, enum registrar_status *to)
{
    enum registrar_status from;
    if (!registrar_status_parse(a->row.status, &from))
        return ST_INVALID_STATE;
    enum status st = registrar_transition(from, a->action, a->ctx->who.role, to);
    if (st == ST_INVALID_STATE)
        snprintf(a->current, sizeof a->current, "%s", a->row.status);
    return st;
}

static const struct field merged_fields[] = {
    {.name = "address",
     .type = FIELD_OBJECT,
     .flags = FIELD_REQUIRED,
     .fields = api_address_fields},
    {.name = "contacts",
     .type = FIELD_ARRAY,
     .flags = FIELD_REQUIRED,
     .item_type = FIELD_OBJECT,
     .fields = api_contact_fields,
     .min = 1,
     .max = 10},
    {0},
};

/* The record after a merge patch must still be whole: a complete address
 * whose postal code fits its country, and at least one contact. */
static bool merged_valid(const json_t *fields, bool pt, json_t *errors)
{
    json_t *address = json_object_get(fields, "address"),
           *contacts = json_object_get(fields, "contacts");
    json_t *whole = json_object();
    if (address != NULL)
        json_object_set(whole, "address", address);
    if (contacts != NULL)
        json_object_set(whole, "contacts", contacts);
    input_validate(whole, merged_fields, INPUT_CREATE, ROLE_STAFF, pt, errors);
    json_decref(whole);
    const char *country = json_string_value(json_object_get(address, "country"));
    const char *code = json_string_value(json_object_get(address, "postal_code"));
    if (json_array_size(errors) == 0 && country && code && !validate_postal_code(country, code))
        input_error(errors, "/address/postal_code", NULL, "postal_code", pt);
    return json_array_size(errors) == 0;
}

static enum status patch_tx(PGconn *conn, void *arg)
{
    struct change_args *a = arg;
    enum registrar_status to;
    enum status st = store_registrar_get(conn, a->id, true, &a->row);
    if (st != ST_OK)
        return st;
    if (a->if_match != -1 && a->if_match != a->row.version)
        return ST_STALE;
    if ((st = allowed(a, &to)) != ST_OK)
        return st;
    json_t *fields = json_deep_copy(a->row.fields);
    input_merge_patch(fields, a->patch);
    if (!merged_valid(fields, a->ctx->lang_pt, a->errors)) {
        json_decref(fields);
        return ST_INVALID;
    }
    st = store_registrar_update(conn, &a->row, fields, a->patch, &a->actor);
    json_decref(fields);
    return st;
}

static enum status action_tx(PGconn *conn, void *arg)
{
    struct change_args *a = arg;
    enum registrar_status to;
    enum status st = store_registrar_get(conn, a->id, true, &a->row);
    if (st == ST_OK)
        st = allowed(a, &to);
    return st == ST_OK ? store_registrar_transition(conn, &a->row, registrar_action_name(a->action),
                                                    registrar_status_name(to), a->reason, &a->actor)
                       : st;
}

static int finish_change(struct _u_response *resp, struct req_ctx *ctx, struct change_args *a,
                         enum status st)
{
    if (st == ST_OK)
        return send_registrar(resp, ctx, 200, &a->row);
    return resource_refused(resp, ctx, st, a->current, &a->errors);
}

int api_registrars_update(const struct _u_request *req, struct _u_response *resp,
                          struct req_ctx *ctx)
{
    struct change_args a = {.id = api_param(ctx, "id"), .action = REGISTRAR_ACT_EDIT, .ctx = ctx};
    if (!util_is_uuid(a.id) || !sees_all(ctx, a.id))
        return problem_send(resp, ctx, PROBLEM_NOT_FOUND, PROBLEM_NO_DETAIL, NULL);
    if (!resource_if_match(req, resp, ctx, &a.if_match))
        return U_CALLBACK_COMPLETE;
    json_t *patch = input_body(req, resp, ctx, registrar_fields, INPUT_PATCH, ctx->who.role, false);
    if (patch == NULL)
        return U_CALLBACK_COMPLETE;
    a.patch = patch;
    a.errors = json_array();
    auth_actor(ctx, &a.actor);
    enum status st = db_transaction(ctx->app->pool, patch_tx, &a);
    int rc = finish_change(resp, ctx, &a, st);
    json_decref(a.errors);
    json_decref(patch);
    registrar_row_cleanup(&a.row);
    return rc;
}

static int act(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx,
               enum registrar_action action)
{
    struct change_args a = {.id = api_param(ctx, "id"), .action = action, .ctx = ctx};
    char *reason = NULL;
    if (!util_is_uuid(a.id))
        return problem_send(resp, ctx, PROBLEM_NOT_FOUND, PROBLEM_NO_DETAIL, NULL);
    if (!resource_reason(req, resp, ctx, registrar_action_needs_reason(action), &reason))
        return U_CALLBACK_COMPLETE;
    a.reason = reason;
    auth_actor(ctx, &a.actor);
    enum status st = db_transaction(ctx->app->pool, action_tx, &a);
    int rc = finish_change(resp, ctx, &a, st);
    registrar_row_cleanup(&a.row);
    free(reason);
    return rc;
}

int api_registrars_suspend(const struct _u_request *req, struct _u_response *resp,
                           struct req_ctx *ctx)
{
    return act(req, resp, ctx, REGISTRAR_ACT_SUSPEND);
}

int api_registrars_reinstate(const struct _u_request *req, struct _u_response *resp,
                             struct req_ctx *ctx)
{
    return act(req, resp, ctx, REGISTRAR_ACT_REINSTATE);
}

int api_registrars_terminate(const struct _u_request *req, struct _u_response *resp,
                             struct req_ctx *ctx)
{
    return act(req, resp, ctx, REGISTRAR_ACT_TERMINATE);
}
