/* Registrations' use cases: the kind whose actions (cancel, check-in) and
 * edits the generic runner takes; registering, which judges eligibility
 * with the function GET /v1/events/{id}/eligibility explains; and what
 * other use cases do to an event's registrations inside their own
 * transaction (each with the event's row locked first). */
#ifndef PARCERIA_SERVICE_REGISTRATION_H
#define PARCERIA_SERVICE_REGISTRATION_H

#include "eligibility.h"
#include "event.h"
#include "service.h"
#include "store_registration.h"

extern const struct service_kind service_registration_kind;

/* Whether registrar_id may register for the event now, every check
 * explained, and where one attendee would land (placement; meaningful when
 * eligible). No lock: an answer for a person. ST_NOT_FOUND when the event
 * or the registrar does not exist. */
enum status service_registration_eligibility(const struct service_call *call, const char *event_id,
                                             const char *registrar_id, struct eligibility *out,
                                             enum registration_status *placement) WARN_UNUSED;

/* Registers in->registrar_id for in->event_id with its attendees, in one
 * transaction: the event's row locked, eligibility judged, placed
 * (confirmed when the seats fit and nobody waits, else waitlisted when the
 * event has a waitlist), inserted, audited. A refusal names its check in
 * outcome (conflict: eligibility_code_name; subject: the program required)
 * with the status eligibility_status gives; more attendees than the event
 * allows: ST_INVALID (/attendees too_many). */
enum status service_registration_create(const struct service_call *call,
                                        const struct registration_new *in,
                                        struct registration_row *out,
                                        struct service_outcome *outcome) WARN_UNUSED;

/* Inside a transaction that holds the event's lock: */
/* Confirms the head of the event's waitlist while its seats fit. */
enum status service_registration_promote(const struct service_call *call,
                                         const char *event_id) WARN_UNUSED;
/* Cancels every confirmed and waitlisted registration of the event. */
enum status service_registration_cancel_all(const struct service_call *call, const char *event_id,
                                            const char *reason) WARN_UNUSED;
/* Registers registrar_id for the event with its expenses covered by
 * draw_id, outside the window and eligibility, with no attendees; a live
 * registration it has is covered instead. Locks the event. */
enum status service_registration_cover(const struct service_call *call, const char *event_id,
                                       const char *registrar_id, const char *draw_id) WARN_UNUSED;
/* Cancels registrar_id's live registration at the event (reason given)
 * and promotes the waitlist. Locks the event. */
enum status service_registration_withdraw(const struct service_call *call, const char *event_id,
                                          const char *registrar_id, const char *reason) WARN_UNUSED;

#endif
