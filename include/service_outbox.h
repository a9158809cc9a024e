/* The outbox's use cases for the HTTP side: the staff list and the queue's
 * figures for /metrics. */
#ifndef PARCERIA_SERVICE_OUTBOX_H
#define PARCERIA_SERVICE_OUTBOX_H

#include "service.h"
#include "store_outbox.h"

/* A page of messages (rows: struct outbox_row, store_outbox_row_cleanup). */
enum status service_outbox_list(const struct service_call *call, const struct page_query *q,
                                struct page_result *out) WARN_UNUSED;
/* The queue now, on a connection of pool (for /metrics, which has no request's). */
enum status service_outbox_stats(struct db_pool *pool, struct outbox_stats *out) WARN_UNUSED;

#endif
