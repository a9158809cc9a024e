/* The resource kit (resource.h): generic handlers for reading, listing,
 * editing, history and state-machine actions of any declared resource. */
#include "resource.h"

#include "auth.h"
#include "body.h"
#include "csv.h"
#include "guard.h"
#include "merge.h"
#include "pagecache.h"
#include "problem.h"
#include "query.h"
#include "store_audit.h"
#include "util.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- one service call per request -------------------------------------- */

struct answer {
    struct _u_response *resp;
    struct req_ctx *ctx;
    resource_render_fn render;
    void *arg;
    db_tx_fn bookkeeping; /* the caller's, before the answer; may be NULL */
    void *bookkeeping_arg;
};

/* Before COMMIT: the caller's last bookkeeping, then, when the request owns
 * an Idempotency-Key, render the answer and record it under the key. */
static enum status before_commit(PGconn *conn, void *arg)
{
    struct answer *a = arg;
    enum status st = a->bookkeeping ? a->bookkeeping(conn, a->bookkeeping_arg) : ST_OK;
    if (st != ST_OK || !a->ctx->idem_owned || a->render == NULL)
        return st;
    a->render(a->resp, a->ctx, a->arg);
    return guard_idem_record(conn, a->resp, a->ctx);
}

enum status resource_read_call(struct req_ctx *ctx, struct service_call *call)
{
    memset(call, 0, sizeof *call);
    enum status st = api_conn(ctx, &call->conn);
    auth_actor(ctx, &call->actor);
    call->role = ctx->who.role;
    call->registrar_id = ctx->who.role == ROLE_REGISTRAR ? ctx->who.registrar_id : NULL;
    return st;
}

bool resource_call(struct _u_response *resp, struct req_ctx *ctx, struct service_call *call,
                   resource_render_fn render, void *arg)
{
    enum status st = resource_read_call(ctx, call);
    if (st != ST_OK)
        return problem_send_status(resp, ctx, st), false;
    struct answer *a = xmalloc(sizeof *a);
    *a = (struct answer){resp, ctx, render, arg, NULL, NULL};
    free(ctx->idem_answer);
    ctx->idem_answer = a; /* freed with the request */
    call->before_commit = before_commit;
    call->before_commit_arg = a;
    return true;
}

/* --- shared answers ---------------------------------------------------- */

static void version_etag(int version, char out[24])
{
    snprintf(out, 24, "\"%d\"", version);
}

void resource_etag(struct _u_response *resp, int version)
{
    char etag[24];
    version_etag(version, etag);
    u_map_put(resp->map_header, "ETag", etag);
}

int resource_change(struct _u_response *resp, struct req_ctx *ctx, const struct resource *res,
                    const struct resource_change *c)
{
    struct service_outcome outcome = {0};
    struct service_call call;
    if (!resource_call(resp, ctx, &call, c->render, c->render_arg))
        return U_CALLBACK_COMPLETE;
    struct answer *a = call.before_commit_arg;
    a->bookkeeping = c->before_commit;
    a->bookkeeping_arg = c->bookkeeping_arg;
    call.after_begin = c->after_begin;
    call.after_begin_arg = c->bookkeeping_arg;
    enum status st = c->fn(&call, c->arg, &outcome);
    if (st == ST_RATE_LIMITED) /* the bookkeeping set Retry-After and the RateLimit headers */
        return problem_send(resp, ctx, PROBLEM_RATE_LIMITED, PROBLEM_NO_DETAIL, NULL);
    if (st != ST_OK)
        return resource_refused(resp, ctx, res, st, &outcome, NULL);
    c->render(resp, ctx, c->render_arg);
    api_finish(ctx, resp);
    return U_CALLBACK_COMPLETE;
}

int resource_create(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx,
                    const struct resource *res, const struct field *fields, resource_build_fn build,
                    void *row, const struct resource_change *c)
{
    json_t *doc = body_read(req, resp, ctx, fields, SCHEMA_CREATE, ctx->who.role, false);
    if (doc == NULL)
        return U_CALLBACK_COMPLETE;
    json_t *errors = json_array();
    int rc;
    if (!(build ? build : res->editable->from_json)(doc, row, ctx->lang_pt, errors))
        rc = problem_send(resp, ctx, PROBLEM_VALIDATION_FAILED, PROBLEM_NO_DETAIL,
                          json_pack("{s:O}", "errors", errors));
    else
        rc = resource_change(resp, ctx, res, c);
    json_decref(errors);
    json_decref(doc);
    return rc;
}

void resource_set_created(struct _u_response *resp, struct req_ctx *ctx, const struct resource *res,
                          const void *row, json_t *extra)
{
    json_t *body = res->render(row, ctx);
    if (extra != NULL)
        json_object_update(body, extra);
    json_decref(extra);
    char *location = xasprintf("%s/%s", res->path, res->kind->id(row));
    u_map_put(resp->map_header, "Location", location);
    free(location);
    resource_etag(resp, res->kind->version(row));
    api_set_json(resp, 201, body);
}

/* Anonymous reads of a public resource may be kept by any cache. */
static bool public_read(const struct resource *res, const struct req_ctx *ctx)
{
    return res->public_max_age > 0 && ctx->who.role == ROLE_PUBLIC;
}

json_t *resource_actions(const struct resource *res, const void *row, const struct req_ctx *ctx)
{
    const struct service_kind *k = res->kind;
    const char *names[32];
    unsigned skip = service_ruled_out(k, row, ctx->who.role);
    size_t n = machine_allowed(k->machine, k->state(row), ctx->who.role, skip, names, 32);
    /* the caller's own question (kind->may): pure, so asked without a connection */
    struct service_call call = {.role = ctx->who.role,
                                .registrar_id =
                                    ctx->who.role == ROLE_REGISTRAR ? ctx->who.registrar_id : NULL};
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        if (k->may == NULL ||
            k->may(&call, row, machine_action(k->machine, names[i]), NULL) == ST_OK)
            json_array_append_new(a, json_string(names[i]));
    return a;
}

int resource_refused(struct _u_response *resp, struct req_ctx *ctx, const struct resource *res,
                     enum status st, const struct service_outcome *outcome, json_t **errors)
{
    if (res->refused != NULL && outcome != NULL) {
        int rc = res->refused(resp, ctx, st, outcome);
        if (rc != RESOURCE_DEFAULT)
            return rc;
    }
    if (st == ST_INVALID_STATE)
        return problem_send(resp, ctx, PROBLEM_INVALID_STATE, PROBLEM_NO_DETAIL,
                            json_pack("{s:s}", "current_status", outcome->current));
    if (st == ST_AGREEMENT_REQUIRED && outcome != NULL) /* trust: agreements */
        return problem_send(
            resp, ctx, PROBLEM_AGREEMENT_REQUIRED, PROBLEM_NO_DETAIL,
            json_pack("{s:s, s:s}", "version", outcome->subject, "accept_by", outcome->due_at));
    if (st == ST_INVALID && outcome != NULL && outcome->field_error != ERR_NONE) {
        json_t *list = json_array();
        schema_error(list, outcome->subject, NULL, outcome->field_error, ctx->lang_pt);
        return problem_send(resp, ctx, PROBLEM_VALIDATION_FAILED, PROBLEM_NO_DETAIL,
                            json_pack("{s:o}", "errors", list));
    }
    if (st == ST_INVALID && errors != NULL && json_array_size(*errors) > 0) {
        json_t *list = *errors;
        *errors = NULL;
        return problem_send(resp, ctx, PROBLEM_VALIDATION_FAILED, PROBLEM_NO_DETAIL,
                            json_pack("{s:o}", "errors", list));
    }
    return problem_send_status(resp, ctx, st);
}

int resource_refused_rule(struct _u_response *resp, struct req_ctx *ctx, enum status st,
                          const struct service_outcome *outcome)
{
    if (st != ST_INVALID_STATE || outcome->conflict == NULL)
        return RESOURCE_DEFAULT;
    return problem_send(
        resp, ctx, PROBLEM_INVALID_STATE, PROBLEM_NO_DETAIL,
        json_pack("{s:s, s:s}", "current_status", outcome->current, "conflict", outcome->conflict));
}

/* The row's key in the path in its canonical form (written to buf), or
 * NULL when it is not well-formed. */
static const char *path_key(const struct resource *res, struct req_ctx *ctx,
                            char buf[RESOURCE_KEY_MAX])
{
    const char *key = api_param(ctx, res->key ? res->key : "id");
    if (key == NULL)
        return NULL;
    if (res->key_canonical != NULL)
        return res->key_canonical(key, buf) ? buf : NULL;
    if (!(res->key_valid ? res->key_valid(key) : util_is_uuid(key)) ||
        strlen(key) >= RESOURCE_KEY_MAX)
        return NULL;
    snprintf(buf, RESOURCE_KEY_MAX, "%s", key);
    return buf;
}

/* The key, or NULL after answering: 404, or 422 naming the parameter when
 * the resource says a malformed key is the caller's typo (key_malformed);
 * 404 too when visible is asked for and the caller may not see the row. */
static const char *row_key(struct _u_response *resp, struct req_ctx *ctx,
                           const struct resource *res, bool visible, char buf[RESOURCE_KEY_MAX])
{
    const char *key = path_key(res, ctx, buf);
    if (key == NULL && res->key_malformed != ERR_NONE) {
        json_t *errors = json_array();
        schema_error(errors, NULL, res->key, res->key_malformed, ctx->lang_pt);
        problem_send(resp, ctx, PROBLEM_VALIDATION_FAILED, PROBLEM_NO_DETAIL,
                     json_pack("{s:o}", "errors", errors));
        return NULL;
    }
    if (key == NULL || (visible && res->visible != NULL && !res->visible(ctx, key))) {
        problem_send(resp, ctx, PROBLEM_NOT_FOUND, PROBLEM_NO_DETAIL, NULL);
        return NULL;
    }
    return key;
}

const char *resource_visible_id(struct _u_response *resp, struct req_ctx *ctx,
                                const struct resource *res, char buf[RESOURCE_KEY_MAX])
{
    return row_key(resp, ctx, res, true, buf);
}

/* The resource's row after a change or a read: 200 with its ETag. */
struct row_answer {
    const struct resource *res;
    void *row;
};

static void render_row(struct _u_response *resp, struct req_ctx *ctx, void *arg)
{
    struct row_answer *a = arg;
    resource_etag(resp, a->res->kind->version(a->row));
    api_set_json(resp, 200, a->res->render(a->row, ctx));
}

static int send_row(struct _u_response *resp, struct req_ctx *ctx, struct row_answer *a)
{
    render_row(resp, ctx, a);
    api_finish(ctx, resp);
    return U_CALLBACK_COMPLETE;
}

static void *row_new(const struct resource *res)
{
    return xcalloc(1, res->kind->row_size);
}

static void row_free(const struct resource *res, void *row)
{
    res->kind->cleanup(row);
    free(row);
}

/* --- handlers ------------------------------------------------------------ */

/* The row's key, checked (row_key), and the request's service call. */
static const char *read_begin(struct _u_response *resp, struct req_ctx *ctx,
                              const struct resource *res, struct service_call *call,
                              char buf[RESOURCE_KEY_MAX])
{
    const char *id = row_key(resp, ctx, res, res->readable == NULL, buf);
    return id != NULL && resource_call(resp, ctx, call, NULL, NULL) ? id : NULL;
}

/* The service's read, then readable. */
static enum status read_row(struct req_ctx *ctx, const struct resource *res,
                            struct service_call *call, const char *id, void *row)
{
    enum status st = service_get(call, res->kind, id, row);
    if (st == ST_OK && res->readable != NULL && !res->readable(ctx, row))
        st = ST_NOT_FOUND;
    return st;
}

bool resource_read(struct _u_response *resp, struct req_ctx *ctx, const struct resource *res,
                   struct service_call *call, void *row)
{
    char buf[RESOURCE_KEY_MAX];
    const char *id = read_begin(resp, ctx, res, call, buf);
    if (id == NULL)
        return false;
    enum status st = read_row(ctx, res, call, id, row);
    if (st != ST_OK)
        problem_send_status(resp, ctx, st);
    return st == ST_OK;
}

bool resource_public_read(const struct resource *res, const struct req_ctx *ctx)
{
    return public_read(res, ctx);
}

/* Whose view a kept single read is: the roles whose view is the role and
 * the registrar id alone (an applicant's or teacher's is their own row). */
static bool view_kept(const struct resource *res, const struct req_ctx *ctx)
{
    return res->version != NULL && (ctx->who.role & (ROLE_PUBLIC | ROLE_REGISTRAR | ROLE_STAFF |
                                                     ROLE_ADMIN)) == ctx->who.role;
}

/* The answer to a GET of one row: from the page cache when the resource's
 * version (a flight's, auth_state) still holds for this view, else read on
 * the request's connection, rendered (and kept). */
static enum status get_answer(struct req_ctx *ctx, const struct resource *res, const char *id,
                              struct pagecache_page *out)
{
    long long version = 0;
    char *key = NULL;
    enum status st = ST_OK;
    if (view_kept(res, ctx)) {
        struct store_state state;
        st = auth_state(ctx, &state);
        if (st != ST_OK)
            return st;
        version = res->version(&state);
        key = xasprintf("%s|%zu:%s|%u|%s|%d", ctx->route, strlen(id), id, ctx->who.role,
                        ctx->who.registrar_id, ctx->lang_pt);
        if (pagecache_get(key, version, out)) {
            free(key);
            return ST_OK;
        }
    }
    struct service_call call;
    st = resource_read_call(ctx, &call);
    if (st != ST_OK) {
        free(key);
        return st;
    }
    void *row = row_new(res);
    st = read_row(ctx, res, &call, id, row);
    if (st == ST_OK) {
        json_t *body = res->render(row, ctx);
        out->body = json_dumps(body, JSON_COMPACT);
        json_decref(body);
        out->len = strlen(out->body);
        version_etag(res->kind->version(row), out->etag);
        if (key != NULL)
            pagecache_put(key, version, out->body, out->len, out->etag);
    }
    row_free(res, row);
    free(key);
    return st;
}

int resource_get(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)
{
    const struct resource *res = ctx->entry->resource;
    char buf[RESOURCE_KEY_MAX];
    const char *id = row_key(resp, ctx, res, res->readable == NULL, buf);
    if (id == NULL)
        return U_CALLBACK_COMPLETE;
    struct pagecache_page page = {0};
    enum status st = get_answer(ctx, res, id, &page);
    int rc;
    if (st != ST_OK) {
        rc = problem_send_status(resp, ctx, st);
    } else {
        if (public_read(res, ctx))
            api_cache_public(resp, res->public_max_age);
        rc = api_send_tagged(req, resp, ctx, page.body, page.len, page.etag);
    }
    pagecache_page_cleanup(&page);
    return rc;
}

static json_t *history_json(const struct audit_row *r)
{
    return json_pack("{s:s, s:s, s:{s:s, s:s, s:s?}, s:s?, s:s?, s:s?, s:O, s:s}", "at",
                     r->created_at, "action", r->action, "actor", "sub", r->actor_sub, "role",
                     r->actor_role, "registrar_id",
                     r->actor_registrar_id[0] ? r->actor_registrar_id : NULL, "from_status",
                     r->from_status[0] ? r->from_status : NULL, "to_status",
                     r->to_status[0] ? r->to_status : NULL, "reason", r->reason, "changes",
                     r->changes, "request_id", r->request_id);
}

int resource_history(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)
{
    (void)req;
    const struct resource *res = ctx->entry->resource;
    char buf[RESOURCE_KEY_MAX];
    const char *id = resource_visible_id(resp, ctx, res, buf);
    struct service_call call;
    if (id == NULL || !resource_call(resp, ctx, &call, NULL, NULL))
        return U_CALLBACK_COMPLETE;
    struct audit_row *rows = NULL;
    int count = 0;
    enum status st = service_history(&call, res->kind, id, &rows, &count);
    if (st != ST_OK)
        return problem_send_status(resp, ctx, st);
    json_t *items = json_array();
    for (int i = 0; i < count; i++)
        json_array_append_new(items, history_json(&rows[i]));
    store_audit_rows_free(rows, count);
    return api_send_page(resp, ctx, items, NULL, false, 0);
}

/* PATCH: If-Match required, a merge patch, the merged row validated inside
 * the transaction. */
struct merge {
    const struct resource *res;
    const json_t *patch;
    bool lang_pt;
    json_t *errors;
};

static enum status merge(void *arg, const void *current, void *next)
{
    struct merge *m = arg;
    json_array_clear(m->errors); /* a retried transaction starts afresh */
    if (m->res->merge != NULL)
        return m->res->merge(current, m->patch, m->lang_pt, next, m->errors);
    const struct resource_editable *e = m->res->editable;
    json_t *doc = e->to_json(current);
    merge_patch(doc, m->patch);
    if (e->keep != NULL)
        e->keep(current, next);
    bool ok = e->from_json(doc, next, m->lang_pt, m->errors);
    json_decref(doc);
    return ok ? ST_OK : ST_INVALID;
}

static bool if_match(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx,
                     bool required, int *version)
{
    const char *h = u_map_get_case(req->map_header, "If-Match");
    *version = -1;
    if (h == NULL && required)
        return problem_send(resp, ctx, PROBLEM_PRECONDITION_REQUIRED, PROBLEM_NO_DETAIL, NULL),
               false;
    if (h == NULL || strcmp(h, "*") == 0)
        return true;
    char *end = NULL;
    long v = h[0] == '"' ? strtol(h + 1, &end, 10) : -2;
    bool ours = end != NULL && end != h + 1 && strcmp(end, "\"") == 0 && v > 0 && v < 1000000000;
    *version = ours ? (int)v : -2; /* not ours: never matches, a 412 later */
    return true;
}

int resource_patch(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)
{
    const struct resource *res = ctx->entry->resource;
    int version;
    char buf[RESOURCE_KEY_MAX];
    const char *id = resource_visible_id(resp, ctx, res, buf);
    if (id == NULL || !if_match(req, resp, ctx, true, &version))
        return U_CALLBACK_COMPLETE;
    json_t *patch =
        body_read(req, resp, ctx, res->patch_fields, SCHEMA_PATCH, ctx->who.role, false);
    if (patch == NULL)
        return U_CALLBACK_COMPLETE;
    struct merge m = {res, patch, ctx->lang_pt, json_array()};
    struct row_answer a = {res, row_new(res)};
    struct service_outcome outcome = {0};
    struct service_call call;
    int rc = U_CALLBACK_COMPLETE;
    if (resource_call(resp, ctx, &call, render_row, &a)) {
        enum status st =
            service_update(&call, res->kind, id, version, merge, &m, patch, a.row, &outcome);
        rc = st == ST_OK ? send_row(resp, ctx, &a)
                         : resource_refused(resp, ctx, res, st, &outcome, &m.errors);
    }
    json_decref(m.errors);
    json_decref(patch);
    row_free(res, a.row);
    return rc;
}

static const struct field reason_fields[] = {
    {.name = "reason", .type = FIELD_STRING, .min = 1, .max = 1000},
    {0},
};

/* The action's optional body {"reason": "…"}, required by some actions.
 * Returns false after answering. *reason is a new string or NULL. */
static bool read_reason(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx,
                        bool needs_reason, char **reason)
{
    *reason = NULL;
    json_t *body = body_read(req, resp, ctx, reason_fields, SCHEMA_CREATE, ctx->who.role, true);
    if (body == NULL)
        return false;
    const char *r = json_string_value(json_object_get(body, "reason"));
    if (r == NULL && needs_reason) {
        json_t *errors = json_array();
        schema_error(errors, "/reason", NULL, ERR_REQUIRED, ctx->lang_pt);
        problem_send(resp, ctx, PROBLEM_VALIDATION_FAILED, PROBLEM_NO_DETAIL,
                     json_pack("{s:o}", "errors", errors));
        json_decref(body);
        return false;
    }
    *reason = r ? xstrdup(r) : NULL;
    json_decref(body);
    return true;
}

int resource_route_action(const struct route *r)
{
    const char *last = strrchr(r->path, '/');
    if (r->resource == NULL || last == NULL)
        return -1;
    return machine_action(r->resource->kind->machine, last + 1);
}

int resource_act_with(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx,
                      int action, void *extra, resource_render_fn render, void *arg)
{
    const struct resource *res = ctx->entry->resource;
    const struct machine *m = res->kind->machine;
    const struct field *fields = res->action_body ? res->action_body(action) : NULL;
    char *reason = NULL;
    json_t *body = NULL;
    int version;
    char buf[RESOURCE_KEY_MAX];
    const char *id = resource_visible_id(resp, ctx, res, buf);
    if (id == NULL || !if_match(req, resp, ctx, false, &version))
        return U_CALLBACK_COMPLETE;
    if (fields != NULL) {
        body = body_read(req, resp, ctx, fields, SCHEMA_CREATE, ctx->who.role, true);
        if (body == NULL)
            return U_CALLBACK_COMPLETE;
        if (extra == NULL)
            extra = body;
    } else if (!read_reason(req, resp, ctx, m->actions[action].needs_reason, &reason)) {
        return U_CALLBACK_COMPLETE;
    }
    struct row_answer a = {res, row_new(res)};
    struct service_outcome outcome = {0};
    struct service_call call;
    int rc = U_CALLBACK_COMPLETE;
    if (render == NULL) {
        render = render_row;
        arg = &a;
    }
    if (resource_call(resp, ctx, &call, render, arg)) {
        enum status st =
            service_act(&call, res->kind, id, action, version, reason, extra, a.row, &outcome);
        if (st == ST_OK) {
            render(resp, ctx, arg);
            api_finish(ctx, resp);
        } else {
            rc = resource_refused(resp, ctx, res, st, &outcome, NULL);
        }
    }
    free(reason);
    json_decref(body);
    row_free(res, a.row);
    return rc;
}

int resource_act(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)
{
    int action = resource_route_action(ctx->entry);
    if (action < 0) /* a route table mistake: the unit test of routes rules it out */
        return problem_send_status(resp, ctx, ST_UNAVAILABLE);
    return resource_act_with(req, resp, ctx, action, NULL, NULL, NULL);
}

/* --- lists --------------------------------------------------------------- */

static bool read_filter(struct _u_response *resp, struct req_ctx *ctx,
                        const struct resource_filter *f, char **out)
{
    const char *v = api_query(ctx, f->name);
    if (v == NULL)
        return true;
    if (f->type == RESOURCE_FILTER_LIST || f->type == RESOURCE_FILTER_STATES) {
        json_t *list = NULL;
        const struct service_kind *kind = ctx->entry->resource->list->kind;
        const struct machine *states =
            f->type == RESOURCE_FILTER_STATES && kind != NULL ? kind->machine : NULL;
        if (!query_list(resp, ctx, f->name, f->valid, states, &list))
            return false;
        *out = json_dumps(list, JSON_COMPACT);
        json_decref(list);
        return true;
    }
    bool ok = f->type == RESOURCE_FILTER_TIMESTAMP ? schema_is_timestamp(v)
                                                   : *v != '\0' && util_utf8_length(v) <= 100;
    if (!ok)
        return query_reject(resp, ctx, f->name, ERR_FORMAT), false;
    /* the store matches a search text with ILIKE: "%" and "_" are characters */
    *out = f->type == RESOURCE_FILTER_TEXT ? util_like_escape(v) : xstrdup(v);
    return true;
}

bool resource_scope_public(struct _u_response *resp, struct req_ctx *ctx, struct page_query *q)
{
    (void)resp;
    q->full = principal_is_staff(&ctx->who);
    return true;
}

bool resource_valid_uuid(const char *item)
{
    return util_is_uuid(item);
}

bool resource_scope_own(struct _u_response *resp, struct req_ctx *ctx, struct page_query *q,
                        int filter)
{
    if (ctx->who.role != ROLE_REGISTRAR)
        return true;
    const char *own = ctx->who.registrar_id;
    json_t *asked = q->filters[filter] ? json_loads(q->filters[filter], 0, NULL) : NULL;
    size_t i;
    json_t *v;
    bool others = false;
    json_array_foreach(asked, i, v) others = others || strcmp(json_string_value(v), own) != 0;
    json_decref(asked);
    if (others) {
        problem_send(resp, ctx, PROBLEM_FORBIDDEN,
                     (struct problem_text){"A registrar sees its own only.",
                                           "Um registrar só vê o que é seu."},
                     NULL);
        return false;
    }
    free(q->filters[filter]);
    json_t *mine = json_pack("[s]", own);
    q->filters[filter] = json_dumps(mine, JSON_COMPACT);
    json_decref(mine);
    return true;
}

/* The page cache's key: the route and the normalized query (each part
 * length-prefixed, so no search text can imitate another query). */
static char *page_key(const struct req_ctx *ctx, const struct page_query *q)
{
    const struct page_req *p = &q->page;
    const char *parts[3 + PAGE_MAX_FILTERS] = {p->after_value, p->after_id, p->updated_since};
    for (size_t i = 0; i < PAGE_MAX_FILTERS; i++)
        parts[3 + i] = q->filters[i];
    char *key = xasprintf("%s|%d|%d|%d|%d|%d", ctx->route, p->sort_index, p->descending, p->limit,
                          p->include_total, q->full);
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
        char *next = parts[i] ? xasprintf("%s|%zu:%s", key, strlen(parts[i]), parts[i])
                              : xasprintf("%s|-", key);
        free(key);
        key = next;
    }
    return key;
}

/* One row of a list as its item (a new reference). */
static json_t *list_item(const struct resource_list *spec, const void *row,
                         const struct req_ctx *ctx, bool full)
{
    return spec->render ? spec->render(row, ctx, full) : ctx->entry->resource->render(row, ctx);
}

/* The page's body: {"items": [...], "next_cursor": …[, "total": n]}. */
static char *page_body(const struct resource_list *spec, const struct page_result *page,
                       const struct req_ctx *ctx, const struct page_query *q, size_t row_size)
{
    json_t *items = json_array();
    for (int i = 0; i < page->count; i++) {
        const void *row = (char *)page->rows + (size_t)i * row_size;
        json_array_append_new(items, list_item(spec, row, ctx, q->full));
    }
    json_t *body = json_pack("{s:o, s:s?}", "items", items, "next_cursor", page->next);
    if (json_object_get(body, "next_cursor") == NULL)
        json_object_set_new(body, "next_cursor", json_null());
    if (q->page.include_total)
        json_object_set_new(body, "total", json_integer(page->total));
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    return text;
}

/* The page from the cache when the rows' version (a flight's, auth_state)
 * still holds, or read on the request's connection, rendered and kept.
 * ST_OK fills out. */
static enum status page_read(const struct resource_list *spec, struct req_ctx *ctx,
                             struct page_query *q, bool cached, struct pagecache_page *out)
{
    long long version = 0;
    char *key = NULL;
    struct page_result page = {0};
    size_t row_size = spec->kind != NULL ? spec->kind->row_size : spec->row_size;
    void (*cleanup)(void *) = spec->kind != NULL ? spec->kind->cleanup : spec->cleanup;
    enum status st = ST_OK;
    if (cached) {
        struct store_state state;
        st = auth_state(ctx, &state);
        if (st != ST_OK)
            goto out;
        version = spec->version(&state);
        key = page_key(ctx, q);
        if (pagecache_get(key, version, out))
            goto out;
    }
    struct service_call call;
    st = resource_read_call(ctx, &call);
    if (st != ST_OK)
        goto out;
    st = spec->kind != NULL ? service_list(&call, spec->kind, q, &page)
                            : spec->fetch(&call, q, &page);
    if (st != ST_OK)
        goto out;
    out->body = page_body(spec, &page, ctx, q, row_size);
    out->len = strlen(out->body);
    api_body_etag(out->body, out->len, out->etag);
    if (cached)
        pagecache_put(key, version, out->body, out->len, out->etag);
out:
    for (int i = 0; page.rows != NULL && i < page.count; i++)
        cleanup((char *)page.rows + (size_t)i * row_size);
    free(page.rows);
    free(page.next);
    free(key);
    return st;
}

/* --- CSV exports ----------------------------------------------------------- */

/* The most rows one export holds. It is built in memory, page by page: the
 * request's connection goes back to the pool when the handler returns
 * (api_dispatch), so the answer cannot stream from the database after it.
 * Past the cap the answer is 409 limit-reached: narrow the filters. */
#define RESOURCE_CSV_MAX_ROWS 100000

struct export_run {
    const struct resource_list *spec;
    struct req_ctx *ctx;
    struct page_query *q;
    struct csv csv;
};

/* One page of the export: its rows appended, the cursor moved past them.
 * *more says whether another page follows. */
static enum status export_page(const struct service_call *call, struct export_run *e, bool *more)
{
    const struct resource_list *spec = e->spec;
    size_t row_size = spec->kind != NULL ? spec->kind->row_size : spec->row_size;
    void (*cleanup)(void *) = spec->kind != NULL ? spec->kind->cleanup : spec->cleanup;
    struct page_result page = {0};
    enum status st = spec->kind != NULL ? service_list(call, spec->kind, e->q, &page)
                                        : spec->fetch(call, e->q, &page);
    for (int i = 0; st == ST_OK && i < page.count; i++) {
        const void *row = (char *)page.rows + (size_t)i * row_size;
        if (spec->exportable != NULL && !spec->exportable(row))
            continue;
        json_t *item = list_item(spec, row, e->ctx, e->q->full);
        csv_add(&e->csv, item);
        json_decref(item);
    }
    for (int i = 0; page.rows != NULL && i < page.count; i++)
        cleanup((char *)page.rows + (size_t)i * row_size);
    free(e->q->page.after_value);
    free(e->q->page.after_id);
    e->q->page.after_value = e->q->page.after_id = NULL;
    *more = st == ST_OK && page.next != NULL;
    if (*more && !page_cursor_decode(page.next, &e->q->page))
        st = ST_UNAVAILABLE; /* a cursor of our own always decodes */
    if (st == ST_OK && e->csv.rows > RESOURCE_CSV_MAX_ROWS)
        st = ST_LIMIT;
    free(page.rows);
    free(page.next);
    return st;
}

/* Every page of the filtered set, from the first, in one snapshot. */
static enum status export_pages(const struct service_call *call, void *arg)
{
    struct export_run *e = arg;
    csv_cleanup(&e->csv); /* a transaction run again starts afresh */
    csv_init(&e->csv);
    free(e->q->page.after_value);
    free(e->q->page.after_id);
    e->q->page.after_value = e->q->page.after_id = NULL;
    e->q->page.limit = PAGE_MAX_LIMIT;
    e->q->page.include_total = false;
    enum status st;
    bool more = true;
    do
        st = export_page(call, e, &more);
    while (st == ST_OK && more);
    return st;
}

/* Answers the whole filtered set as CSV (csv.h): limit, cursor and
 * include_total do not apply; the filters and the sort do. */
static int list_csv(struct _u_response *resp, struct req_ctx *ctx, const struct service_call *call,
                    struct page_query *q)
{
    struct export_run e = {ctx->entry->resource->list, ctx, q, {0}};
    csv_init(&e.csv);
    enum status st = service_snapshot(call, export_pages, &e);
    int rc;
    if (st == ST_LIMIT) {
        rc = problem_send(
            resp, ctx, PROBLEM_LIMIT_REACHED,
            (struct problem_text){"The export is over 100000 rows: narrow the filters.",
                                  "A exportação excede 100000 linhas: restrinja os "
                                  "filtros."},
            NULL);
    } else if (st != ST_OK) {
        rc = problem_send_status(resp, ctx, st);
    } else {
        const char *name = strrchr(ctx->route, '/'); /* the template's: no caller's text */
        char *disposition = xasprintf("attachment; filename=\"%s.csv\"", name + 1);
        u_map_put(resp->map_header, "Content-Disposition", disposition);
        free(disposition);
        rc = api_send_text(resp, ctx, 200, CSV_CONTENT_TYPE, e.csv.text, e.csv.len);
    }
    csv_cleanup(&e.csv);
    return rc;
}

/* A staff caller whose Accept prefers text/csv gets the export; anyone else
 * gets JSON (Accept is a preference, and other callers' lists are pages). */
static bool wants_csv(const struct _u_request *req, const struct req_ctx *ctx)
{
    return principal_is_staff(&ctx->who) &&
           csv_preferred(u_map_get_case(req->map_header, "Accept"));
}

int resource_list(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)
{
    const struct resource *res = ctx->entry->resource;
    const struct resource_list *spec = res->list;
    struct page_query q = {.full = true};
    struct pagecache_page page = {0};
    struct service_call call;
    int rc = U_CALLBACK_COMPLETE;
    if (!query_page(resp, ctx, spec->sorts, spec->nsorts, spec->default_sort, &q.page))
        return rc;
    for (size_t i = 0; spec->filters != NULL && spec->filters[i].name != NULL; i++)
        if (!read_filter(resp, ctx, &spec->filters[i], &q.filters[i]))
            goto out;
    if (spec->scope != NULL && !spec->scope(resp, ctx, &q))
        goto out;
    if (wants_csv(req, ctx)) {
        if (resource_call(resp, ctx, &call, NULL, NULL))
            rc = list_csv(resp, ctx, &call, &q);
        goto out;
    }
    bool shared = public_read(res, ctx);
    enum status st = page_read(spec, ctx, &q, shared && spec->version != NULL, &page);
    if (st == ST_BAD_VALUE)
        rc = query_reject(resp, ctx, "cursor", ERR_FORMAT);
    else if (st != ST_OK)
        rc = problem_send_status(resp, ctx, st);
    if (st != ST_OK)
        goto out;
    if (shared)
        api_cache_public(resp, res->public_max_age);
    rc = api_send_tagged(req, resp, ctx, page.body, page.len, page.etag);
out:
    pagecache_page_cleanup(&page);
    page_query_cleanup(&q);
    return rc;
}
