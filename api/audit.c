/* GET /v1/audit-events: the audit log for staff, filtered and paginated. */
#include "audit.h"
#include "handlers.h"
#include "input.h"
#include "problem.h"

#include <stdlib.h>
#include <string.h>

static const struct page_sort audit_sorts[] = {{"created_at", 0}};

json_t *api_audit_row_json(const struct audit_row *r)
{
    return json_pack(
        "{s:s, s:s, s:{s:s, s:s, s:s?}, s:s, s:s, s:s, s:s?, s:s?, s:s?, s:o, s:s}", "id", r->id,
        "created_at", r->created_at, "actor", "sub", r->actor_sub, "role", r->actor_role,
        "registrar_id", r->actor_registrar_id[0] ? r->actor_registrar_id : NULL, "action",
        r->action, "resource_type", r->resource_type, "resource_id", r->resource_id, "from_status",
        r->from_status[0] ? r->from_status : NULL, "to_status",
        r->to_status[0] ? r->to_status : NULL, "reason", r->reason, "changes",
        r->changes ? json_incref(r->changes) : json_object(), "request_id", r->request_id);
}

struct list_args {
    struct audit_filter f;
    struct page_req page;
    struct audit_row *rows;
    int count;
    char *next;
    long long total;
};

static enum status list_tx(PGconn *conn, void *arg)
{
    struct list_args *a = arg;
    return store_audit_list(conn, &a->f, &a->page, &a->rows, &a->count, &a->next, &a->total);
}

static bool short_text(const char *s)
{
    return strlen(s) <= 255;
}

int api_audit_list(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)
{
    (void)req;
    struct list_args a = {0};
    json_t *types = NULL, *ids = NULL, *actors = NULL;
    int rc = U_CALLBACK_COMPLETE;
    if (!input_page(resp, ctx, audit_sorts, 1, &a.page))
        return rc;
    a.f.since = api_query(ctx, "since");
    if (a.f.since != NULL && !input_is_timestamp(a.f.since)) {
        rc = input_reject_parameter(resp, ctx, "since", "format");
        goto out;
    }
    if (!input_filter_list(resp, ctx, "resource_type", short_text, &types) ||
        !input_filter_list(resp, ctx, "resource_id", short_text, &ids) ||
        !input_filter_list(resp, ctx, "actor", short_text, &actors))
        goto out;
    a.f.resource_types = types;
    a.f.resource_ids = ids;
    a.f.actors = actors;
    enum status st = db_with_conn(ctx->app->pool, list_tx, &a);
    if (st != ST_OK) {
        rc = st == ST_INVALID ? input_reject_parameter(resp, ctx, "cursor", "format")
                              : problem_send_status(resp, ctx, st);
        goto out;
    }
    json_t *items = json_array();
    for (int i = 0; i < a.count; i++)
        json_array_append_new(items, api_audit_row_json(&a.rows[i]));
    rc = api_send_page(resp, ctx, items, a.next, a.page.include_total, a.total);
out:
    audit_rows_free(a.rows, a.count);
    free(a.next);
    json_decref(types);
    json_decref(ids);
    json_decref(actors);
    input_page_cleanup(&a.page);
    return rc;
}
