/* The newsletter's use cases: issues and suggestions as kinds for the
 * generic runner (publish, accept, decline, use, edits), their creations,
 * and the subscriptions' double opt-in (subscribe, confirm, unsubscribe)
 * with their consent records. */
#ifndef PARCERIA_SERVICE_NEWSLETTER_H
#define PARCERIA_SERVICE_NEWSLETTER_H

#include "newsletter.h"
#include "service.h"
#include "store_subscription.h"
#include "util.h"

extern const struct service_kind service_issue_kind;
extern const struct service_kind service_suggestion_kind;

/* Creates a planned issue; ST_CONFLICT when its number is taken. */
enum status service_issue_create(const struct service_call *call,
                                 const struct newsletter_issue_row *in,
                                 struct newsletter_issue_row *out) WARN_UNUSED;
/* Records a registrar's suggestion (submitted). */
enum status service_suggestion_create(const struct service_call *call,
                                      const struct newsletter_suggestion_row *in,
                                      struct newsletter_suggestion_row *out) WARN_UNUSED;

/* A subscribe request: the address's subscription (made when new), a
 * consent record, and, when due (newsletter_confirmation_due), a new
 * confirmation token whose email is queued through the outbox. A confirmed
 * address: nothing at all. client is the caller's address (kept as its
 * keyed hash). The answer never depends on the address's state. */
struct subscribe_request {
    const char *email, *consent_text_version, *source, *client;
};
enum status service_subscription_subscribe(const struct service_call *call,
                                           const struct subscribe_request *in) WARN_UNUSED;
/* Confirms the subscription a confirmation token names (used once, within
 * its 7 days). An unknown, expired or used token alike is ST_OK with *found
 * false and nothing changed: the transaction still commits, so the caller's
 * before-commit hook (the public limit) counts a miss as well. A
 * subscription confirmed already stays as it is (the token is spent). */
enum status service_subscription_confirm(const struct service_call *call, const char *token,
                                         const char *client, bool *found) WARN_UNUSED;
/* Unsubscribes the address an unsubscribe token names; again: ST_OK and
 * nothing changes. An unknown token: ST_OK with *found false, as above. */
enum status service_subscription_unsubscribe(const struct service_call *call, const char *token,
                                             const char *client, bool *found) WARN_UNUSED;
/* A page of confirmed subscribers (rows: struct subscription_row). */
enum status service_subscriber_list(const struct service_call *call, const struct page_query *q,
                                    struct page_result *out) WARN_UNUSED;

#endif
