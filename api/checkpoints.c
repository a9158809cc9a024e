/* The tamper-evident activity log over HTTP (issue 16, part J):
 * GET /v1/audit-checkpoints (the kit's list, public) and …/{id} [public],
 * POST /v1/audit-checkpoints [staff], GET /v1/registrars/{id}/activity
 * [staff; own]. The activity's cursor holds the last record's (txid, seq),
 * as the change feed's. */
#include "auth.h"
#include "handlers.h"
#include "page.h"
#include "problem.h"
#include "query.h"
#include "resource.h"
#include "service_checkpoint.h"
#include "util.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CHECKPOINT_ID 999999999999999LL

/* A checkpoint id: 1 to 15 decimal digits, not starting with 0. */
static long long parse_id(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 15 || s[0] == '0')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return atoll(s);
}

static json_t *position_json(const struct change_position *p)
{
    return json_pack("{s:I, s:I}", "txid", (json_int_t)strtoll(p->txid, NULL, 10), "seq",
                     (json_int_t)strtoll(p->seq, NULL, 10));
}

static json_t *checkpoint_json(const struct checkpoint *c)
{
    return json_pack("{s:I, s:s, s:s, s:o, s:o, s:I, s:s, s:s}", "id", (json_int_t)c->id,
                     "previous_hash", c->previous_hash, "merkle_root", c->merkle_root, "first",
                     position_json(&c->first), "last", position_json(&c->last), "event_count",
                     (json_int_t)c->count, "hash", c->hash, "created_at", c->created_at);
}

/* A public read: anonymous answers are cacheable, each with its ETag. */
static int send_public(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx,
                       json_t *body)
{
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    char etag[API_ETAG_MAX];
    api_body_etag(text, strlen(text), etag);
    if (ctx->who.role == 0)
        api_cache_public(resp, 60);
    int rc = api_send_tagged(req, resp, ctx, text, strlen(text), etag);
    free(text);
    return rc;
}

static void checkpoint_cleanup(void *row)
{
    (void)row; /* a checkpoint owns nothing */
}

static json_t *render_item(const void *row, const struct req_ctx *ctx, bool full)
{
    (void)ctx;
    (void)full;
    return checkpoint_json(row);
}

static const struct resource_filter no_filters[] = {{0}};

static const struct resource_list list = {
    .sorts = store_checkpoint_sorts,
    .nsorts = STORE_CHECKPOINT_SORTS,
    .filters = no_filters,
    .row_size = sizeof(struct checkpoint),
    .cleanup = checkpoint_cleanup,
    .fetch = service_checkpoint_list,
    .render = render_item,
};
const struct resource api_audit_checkpoints = {
    .path = "/v1/audit-checkpoints",
    .list = &list,
    .public_max_age = 60,
};

int api_checkpoints_get(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)
{
    long long id = parse_id(api_param(ctx, "id"));
    struct service_call call;
    if (id <= 0 || id > MAX_CHECKPOINT_ID)
        return problem_send(resp, ctx, PROBLEM_NOT_FOUND, PROBLEM_NO_DETAIL, NULL);
    if (!resource_call(resp, ctx, &call, NULL, NULL))
        return U_CALLBACK_COMPLETE;
    struct checkpoint cp;
    enum status st = service_checkpoint_get(&call, id, &cp);
    if (st != ST_OK)
        return problem_send_status(resp, ctx, st);
    return send_public(req, resp, ctx, checkpoint_json(&cp));
}

struct made {
    struct checkpoint cp;
    bool created;
};

/* 201 with Location for a new checkpoint, 200 the newest when nothing was new. */
static void render_made(struct _u_response *resp, struct req_ctx *ctx, void *arg)
{
    (void)ctx;
    struct made *m = arg;
    api_set_json(resp, m->created ? 201 : 200, checkpoint_json(&m->cp));
    if (m->created) {
        char location[64];
        snprintf(location, sizeof location, "/v1/audit-checkpoints/%lld", m->cp.id);
        u_map_put(resp->map_header, "Location", location);
    }
}

int api_checkpoints_create(const struct _u_request *req, struct _u_response *resp,
                           struct req_ctx *ctx)
{
    (void)req;
    struct made m = {0};
    struct service_call call;
    if (!resource_call(resp, ctx, &call, render_made, &m))
        return U_CALLBACK_COMPLETE;
    enum status st = service_checkpoint_create(&call, &m.cp, &m.created);
    if (st != ST_OK)
        return problem_send_status(resp, ctx, st);
    render_made(resp, ctx, &m);
    api_finish(ctx, resp);
    return U_CALLBACK_COMPLETE;
}

static bool position_part(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 18)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

static json_t *text_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *activity_json(const struct activity_item *it)
{
    char *const *v = it->ev.v;
    size_t b64len = sodium_base64_encoded_len(it->canonical_len, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = xmalloc(b64len);
    sodium_bin2base64(b64, b64len, it->canonical, it->canonical_len,
                      sodium_base64_VARIANT_ORIGINAL);
    json_t *changes = json_loads(v[14] ? v[14] : "{}", 0, NULL);
    json_t *proof = json_null();
    if (it->proved) {
        json_t *path = json_array();
        for (size_t k = 0; k < it->path_len; k++)
            json_array_append_new(path, json_string(it->path[k]));
        proof =
            json_pack("{s:I, s:I, s:I, s:o, s:s}", "checkpoint_id", (json_int_t)it->cp.id,
                      "leaf_index", (json_int_t)it->index, "tree_size", (json_int_t)it->cp.count,
                      "audit_path", path, "merkle_root", it->cp.merkle_root);
    }
    json_t *o = json_pack(
        "{s:s, s:I, s:I, s:s, s:{s:s, s:s, s:o}, s:o, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, "
        "s:s, s:s, s:o}",
        "id", v[0], "seq", (json_int_t)strtoll(v[1], NULL, 10), "txid",
        (json_int_t)strtoll(v[2], NULL, 10), "occurred_at", it->ev.occurred_at, "actor", "sub",
        v[4], "role", v[5], "registrar_id", text_or_null(v[6]), "registrar_id", text_or_null(v[7]),
        "action", v[8], "resource_type", v[9], "resource_id", v[10], "from_status",
        text_or_null(v[11]), "to_status", text_or_null(v[12]), "reason", text_or_null(v[13]),
        "changes", changes ? changes : json_object(), "request_id", text_or_null(v[15]),
        "canonical", b64, "leaf_hash", it->leaf, "proof", proof);
    free(b64);
    return o;
}

int api_registrar_activity(const struct _u_request *req, struct _u_response *resp,
                           struct req_ctx *ctx)
{
    (void)req;
    const char *id = api_param(ctx, "id");
    int limit;
    struct change_position after = {"0", "0"};
    struct service_call call;
    if (!util_is_uuid(id) ||
        !(ctx->who.role & ROLE_STAFF || ctx->who.role & ROLE_ADMIN || auth_owns_registrar(ctx, id)))
        return problem_send(resp, ctx, PROBLEM_NOT_FOUND, PROBLEM_NO_DETAIL, NULL);
    if (!query_limit(resp, ctx, &limit))
        return U_CALLBACK_COMPLETE;
    const char *cursor = api_query(ctx, "after");
    if (cursor != NULL) {
        struct page_req page = {0};
        bool ok = page_cursor_decode(cursor, &page) && position_part(page.after_value) &&
                  position_part(page.after_id);
        if (ok) {
            snprintf(after.txid, sizeof after.txid, "%s", page.after_value);
            snprintf(after.seq, sizeof after.seq, "%s", page.after_id);
        }
        page_req_cleanup(&page);
        if (!ok)
            return query_reject(resp, ctx, "after", ERR_FORMAT);
    }
    if (!resource_call(resp, ctx, &call, NULL, NULL))
        return U_CALLBACK_COMPLETE;
    struct activity_item *items = NULL;
    int count = 0;
    enum status st = service_checkpoint_activity(&call, id, &after, limit, &items, &count);
    if (st != ST_OK)
        return problem_send_status(resp, ctx, st);
    json_t *arr = json_array();
    for (int i = 0; i < count; i++)
        json_array_append_new(arr, activity_json(&items[i]));
    if (count > 0) {
        snprintf(after.txid, sizeof after.txid, "%s", items[count - 1].ev.v[2]);
        snprintf(after.seq, sizeof after.seq, "%s", items[count - 1].ev.v[1]);
    }
    service_checkpoint_activity_free(items, count);
    struct page_req page = {0};
    char *next = page_cursor_encode(&page, after.txid, after.seq);
    int rc = api_send_page(resp, ctx, arr, next, false, 0);
    free(next);
    return rc;
}
