/* GET /v1/outbox: the messages the service queued, for staff, filtered and
 * paginated. A message shows its template, never the values it carries
 * (names and emails: the recipient is enough to follow it). */
#include "handlers.h"
#include "notice.h"
#include "outbox.h"
#include "resource.h"
#include "service_outbox.h"

#include <string.h>

static json_t *render_item(const void *row, const struct req_ctx *ctx, bool full)
{
    (void)ctx, (void)full;
    const struct outbox_row *r = row;
    const char *template = json_string_value(json_object_get(r->payload, "template"));
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:o, s:s, s:i, s:s, s:o, s:s, "
                     "s:s, s:o}",
                     "id", r->message_id, "event_id", r->event_id, "event", r->event, "channel",
                     r->channel, "recipient", r->recipient, "template", api_json_text(template),
                     "resource_type", r->resource_type, "resource_id", r->resource_id,
                     "registrar_id", api_json_text(r->registrar_id), "status", r->status,
                     "attempts", r->attempts, "next_attempt_at", r->next_attempt_at,
                     "last_error", api_json_text(r->last_error), "created_at", r->created_at,
                     "updated_at", r->updated_at, "sent_at", api_json_text(r->sent_at));
}

static bool valid_status(const char *s)
{
    return strcmp(s, "pending") == 0 || strcmp(s, "sent") == 0 || strcmp(s, "failed") == 0;
}

static bool valid_channel(const char *s)
{
    return strcmp(s, OUTBOX_EMAIL) == 0 || strcmp(s, OUTBOX_WEBHOOK) == 0;
}

static const struct resource_filter filters[] = {
    [STORE_OUTBOX_STATUS] = {"status", RESOURCE_FILTER_LIST, valid_status},
    [STORE_OUTBOX_CHANNEL] = {"channel", RESOURCE_FILTER_LIST, valid_channel},
    [STORE_OUTBOX_EVENT] = {"event", RESOURCE_FILTER_LIST, notice_event_known},
    {0},
};

static const struct resource_list list = {
    .sorts = store_outbox_sorts,
    .nsorts = STORE_OUTBOX_SORTS,
    .filters = filters,
    .row_size = sizeof(struct outbox_row),
    .cleanup = store_outbox_row_cleanup,
    .fetch = service_outbox_list,
    .render = render_item,
};

const struct resource api_outbox = {.list = &list};
