/* GET /v1/changes: the change feed. The cursor `after` is opaque to the
 * caller: page.h's cursor (base64url JSON) holding the last record's
 * transaction and sequence number. next_cursor is always present and stays
 * where it was while nothing new has settled. */
#include "handlers.h"
#include "page.h"
#include "problem.h"
#include "query.h"
#include "service_changes.h"

#include <stdlib.h>
#include <string.h>

/* 1 to 19 decimal digits: a bigint or an xid8 PostgreSQL reads. */
static bool position_part(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 19)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

/* The position `after` names, or (0, 0) without one. False on a cursor that
 * is not one of the feed's. */
static bool read_after(const struct req_ctx *ctx, struct change_position *out)
{
    const char *after = api_query(ctx, "after");
    struct page_req page = {0};
    snprintf(out->txid, sizeof out->txid, "0");
    snprintf(out->seq, sizeof out->seq, "0");
    if (after == NULL)
        return true;
    bool ok = page_cursor_decode(after, &page) && position_part(page.after_value) &&
              position_part(page.after_id);
    if (ok) {
        snprintf(out->txid, sizeof out->txid, "%s", page.after_value);
        snprintf(out->seq, sizeof out->seq, "%s", page.after_id);
    }
    page_req_cleanup(&page);
    return ok;
}

static char *cursor_of(const struct change_position *at)
{
    struct page_req page = {0};
    return page_cursor_encode(&page, at->txid, at->seq);
}

static json_t *change_json(const struct change_row *r)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:s}", "id", r->id, "type", r->type,
                     "resource_type", r->resource_type, "resource_id", r->resource_id, "action",
                     r->action, "from_status", api_json_text(r->from_status), "to_status",
                     api_json_text(r->to_status), "registrar_id", api_json_text(r->registrar_id),
                     "occurred_at", r->occurred_at);
}

int api_changes_list(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)
{
    (void)req;
    int limit;
    struct change_position after;
    struct service_call call;
    if (!query_limit(resp, ctx, &limit))
        return U_CALLBACK_COMPLETE;
    if (!read_after(ctx, &after))
        return query_reject(resp, ctx, "after", ERR_FORMAT);
    if (!resource_call(resp, ctx, &call, NULL, NULL))
        return U_CALLBACK_COMPLETE;
    struct change_row *rows = NULL;
    int count = 0;
    enum status st = service_changes_list(&call, &after, limit, &rows, &count);
    if (st == ST_BAD_VALUE)
        return free(rows), query_reject(resp, ctx, "after", ERR_FORMAT);
    if (st != ST_OK)
        return free(rows), problem_send_status(resp, ctx, st);
    json_t *items = json_array();
    for (int i = 0; i < count; i++)
        json_array_append_new(items, change_json(&rows[i]));
    char *next = cursor_of(count > 0 ? &rows[count - 1].at : &after);
    free(rows);
    int rc = api_send_page(resp, ctx, items, next, false, 0);
    free(next);
    return rc;
}
