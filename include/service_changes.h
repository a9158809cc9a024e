/* The change feed (GET /v1/changes): the audit log read as events, for what
 * the caller may read. */
#ifndef PARCERIA_SERVICE_CHANGES_H
#define PARCERIA_SERVICE_CHANGES_H

#include "service.h"
#include "store_changes.h"

/* At most limit events after *after: every one for staff, a registrar's own
 * for a registrar's call (call->registrar_id). Each row's type is its notice's
 * event ("voucher.redeemed"), or "<resource_type>.<action>" when the notice
 * table has none. *rows is a new array of *count rows (free()). */
enum status service_changes_list(const struct service_call *call,
                                 const struct change_position *after, int limit,
                                 struct change_row **rows, int *count) WARN_UNUSED;

#endif
