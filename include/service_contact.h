/* Contacts' use cases: the mailboxes' kind (edits by the generic runner)
 * and their creation; the contact requests' kind (answer, close) and their
 * creation, which routes the request to its topic's mailbox through the
 * outbox (notice.h: contact_request.created, template contact-request). */
#ifndef PARCERIA_SERVICE_CONTACT_H
#define PARCERIA_SERVICE_CONTACT_H

#include "contact.h"
#include "service.h"

extern const struct service_kind service_contact_mailbox_kind;
extern const struct service_kind service_contact_request_kind;

/* Creates the mailbox m with its audit event; ST_CONFLICT when its topic
 * exists. */
enum status service_contact_mailbox_create(const struct service_call *call,
                                           const struct contact_mailbox_row *m,
                                           struct contact_mailbox_row *out) WARN_UNUSED;

/* Creates the request r (open) with its audit event and its email to the
 * topic's mailbox; a topic that is no active mailbox is refused
 * (ST_INVALID: /topic unknown_topic). r's registrar_id is the caller's
 * registrar or empty (a registrar the registry does not know: ST_FORBIDDEN);
 * an empty name or email is its admin contact's. */
enum status service_contact_request_create(const struct service_call *call,
                                           const struct contact_request_row *r,
                                           struct contact_request_row *out,
                                           struct service_outcome *outcome) WARN_UNUSED;

#endif
