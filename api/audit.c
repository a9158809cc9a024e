/* GET /v1/audit-events: the audit log for staff, filtered and paginated. */
#include "handlers.h"
#include "problem.h"
#include "resource.h"
#include "schema.h"
#include "service_client.h"
#include "store_audit.h"

#include <stdlib.h>
#include <string.h>

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

static bool short_text(const char *s)
{
    return strlen(s) <= 255;
}

static void audit_cleanup(void *row)
{
    store_audit_row_cleanup(row);
}

static json_t *render_item(const void *row, const struct req_ctx *ctx, bool full)
{
    (void)ctx;
    (void)full;
    return api_audit_row_json(row);
}

static const struct resource_filter filters[] = {
    [STORE_AUDIT_RESOURCE_TYPE] = {"resource_type", RESOURCE_FILTER_LIST, short_text},
    [STORE_AUDIT_RESOURCE_ID] = {"resource_id", RESOURCE_FILTER_LIST, short_text},
    [STORE_AUDIT_ACTOR] = {"actor", RESOURCE_FILTER_LIST, short_text},
    [STORE_AUDIT_SINCE] = {"since", RESOURCE_FILTER_TIMESTAMP, NULL},
    {0},
};

/* A confidential event (a TLP:RED incident's) is never exported. */
static bool exportable(const void *row)
{
    return !((const struct audit_row *)row)->confidential;
}

static const struct resource_list list = {
    .sorts = store_audit_sorts,
    .nsorts = STORE_AUDIT_SORTS,
    .filters = filters,
    .row_size = sizeof(struct audit_row),
    .cleanup = audit_cleanup,
    .fetch = service_client_audit_list,
    .render = render_item,
    .exportable = exportable,
};
const struct resource api_audit = {.list = &list};
