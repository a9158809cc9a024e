/* The change feed's use case: one read of the audit log (no transaction of
 * its own: one statement sees one snapshot), narrowed to the caller's
 * registrar, each record named by the notice table. */
#include "service_changes.h"

#include "notice.h"

#include <stdio.h>

enum status service_changes_list(const struct service_call *call,
                                 const struct change_position *after, int limit,
                                 struct change_row **rows, int *count)
{
    enum status st = store_changes_after(call->conn, after, call->registrar_id, limit, rows, count);
    for (int i = 0; st == ST_OK && i < *count; i++) {
        struct change_row *r = &(*rows)[i];
        const struct notice *n =
            notice_find(r->resource_type, r->action, r->to_status[0] ? r->to_status : NULL);
        if (n != NULL)
            snprintf(r->type, sizeof r->type, "%s", n->event);
        else
            snprintf(r->type, sizeof r->type, "%s.%s", r->resource_type, r->action);
    }
    return st;
}
