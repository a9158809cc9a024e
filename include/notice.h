/* What a change tells the world (DOMAIN.md section 7): for each audited
 * change (a resource type and an action, and for some the state it led to),
 * the event integrators see ("voucher.redeemed": the change feed's type and
 * the webhooks' event type) and the email it sends, if any (a template of
 * templates/mail/). One table; the service layer consults it for every
 * audit record it writes (service_record), so no handler can forget one.
 * Pure: no I/O. */
#ifndef PARCERIA_NOTICE_H
#define PARCERIA_NOTICE_H

#include <stdbool.h>
#include <stddef.h>

struct notice {
    const char *resource_type; /* the audit log's: "voucher" */
    const char *action;        /* the audit log's: "redeem" */
    const char *to_status;     /* only a change into this state; NULL: any */
    const char *event;         /* "voucher.redeemed" */
    const char *mail;          /* the email template, or NULL */
};

/* The notice of an audited change, or NULL when it tells nobody. */
const struct notice *notice_find(const char *resource_type, const char *action,
                                 const char *to_status);
/* Every notice, in table order (NULL-terminated by resource_type). */
extern const struct notice notice_table[];
/* Whether name is an event type some change emits ("voucher.redeemed"). */
bool notice_event_known(const char *name);

#endif
