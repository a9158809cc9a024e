/* Events' use cases: the kind whose actions (publish, cancel, close) and
 * edits the generic runner takes, creating one, and the calendar feed. */
#ifndef PARCERIA_SERVICE_EVENT_H
#define PARCERIA_SERVICE_EVENT_H

#include "event.h"
#include "service.h"

extern const struct service_kind service_event_kind;

/* Creates e (draft) with its audit event; a program named by its
 * eligibility must exist (else ST_INVALID: /eligibility unknown_program). */
enum status service_event_create(const struct service_call *call, const struct event_row *e,
                                 struct event_row *out,
                                 struct service_outcome *outcome) WARN_UNUSED;

#define SERVICE_EVENT_CALENDAR_MAX 500
/* The calendar feed's events (rows: struct event_row; free with
 * service_page_free(&service_event_kind, out)). */
enum status service_event_calendar(const struct service_call *call,
                                   struct page_result *out) WARN_UNUSED;

#endif
