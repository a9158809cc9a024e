/* The outbox's use cases for the HTTP side. Messages are queued by
 * service_record (service.c) and delivered by the worker (worker.c). */
#include "service_outbox.h"

enum status service_outbox_list(const struct service_call *call, const struct page_query *q,
                                struct page_result *out)
{
    return store_outbox_list(call->conn, q, out);
}

static enum status stats(PGconn *conn, void *arg)
{
    return store_outbox_stats(conn, arg);
}

enum status service_outbox_stats(struct db_pool *pool, struct outbox_stats *out)
{
    return db_with_conn(pool, stats, out);
}
