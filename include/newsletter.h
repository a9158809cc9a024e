/* The newsletter (DOMAIN.md section 8): its issues, registrars' topic
 * suggestions and the public's subscriptions (double opt-in). Pure: no I/O.
 *
 * Issues:
 *   action        who    from       to         effects / rules
 *   publish       staff  planned    published  needs an https url (rule "url-required");
 *                                              emails every confirmed subscriber
 *   edit (PATCH)  staff  planned    (same)
 *
 * Suggestions:
 *   action   who    from       to        body / rules
 *   accept   staff  submitted  accepted  {"issue_id"}: a planned issue ("issue-not-planned")
 *   decline  staff  submitted  declined  {"reason"}
 *   use      staff  accepted   used      its issue published ("issue-not-published")
 *
 * Subscriptions (public, by a token only the address's owner has):
 *   action       from                     to            rules
 *   confirm      pending, unsubscribed    confirmed     a confirmation token, unused, unexpired
 *   unsubscribe  confirmed                unsubscribed  the address's unsubscribe token;
 *                                                       again: 200, nothing changes
 * Subscribing never changes the state: it queues a confirmation email
 * (newsletter_confirmation_due) unless the address is confirmed. */
#ifndef PARCERIA_NEWSLETTER_H
#define PARCERIA_NEWSLETTER_H

#include "role.h"
#include "status.h"

#include <stdbool.h>
#include <stddef.h>

/* --- issues --------------------------------------------------------------- */

enum newsletter_issue_status { ISSUE_PLANNED, ISSUE_PUBLISHED };
#define ISSUE_STATUS_COUNT 2
enum newsletter_issue_action { ISSUE_ACT_PUBLISH, ISSUE_ACT_EDIT };
#define ISSUE_ACTION_COUNT 2
enum newsletter_issue_effect { ISSUE_EFFECT_URL = 1u << 0 };

struct machine;
extern const struct machine newsletter_issue_machine;

#define NEWSLETTER_TEXT_MAX 801 /* 200 characters of UTF-8, with the NUL */
#define NEWSLETTER_URL_MAX 2049

struct newsletter_issue_row {
    char id[37];
    int number;
    char title[NEWSLETTER_TEXT_MAX];
    char planned_for[11];         /* YYYY-MM-DD */
    char url[NEWSLETTER_URL_MAX]; /* empty: none */
    enum newsletter_issue_status status;
    char published_at[32]; /* empty: not yet */
    int version;
    char created_at[32];
    char updated_at[32];
    char status_changed_at[32];
};
void newsletter_issue_row_cleanup(struct newsletter_issue_row *row);
const char *newsletter_issue_status_name(enum newsletter_issue_status s);
bool newsletter_issue_status_parse(const char *name, enum newsletter_issue_status *out) WARN_UNUSED;

/* The event publishing an issue emits (notice.c), whose emails go to the
 * confirmed subscribers. */
#define NEWSLETTER_ISSUE_EVENT "newsletter_issue.published"
/* The rule publishing names when an issue has no https url. */
#define NEWSLETTER_RULE_URL_REQUIRED "url-required"
/* Whether the issue may be published: it has an https url. */
bool newsletter_issue_publishable(const struct newsletter_issue_row *row);
/* Whether s is a calendar date YYYY-MM-DD (2000..2100). */
bool newsletter_valid_date(const char *s);

/* --- suggestions ---------------------------------------------------------- */

enum newsletter_suggestion_status {
    SUGGESTION_SUBMITTED,
    SUGGESTION_ACCEPTED,
    SUGGESTION_DECLINED,
    SUGGESTION_USED,
};
#define SUGGESTION_STATUS_COUNT 4
enum newsletter_suggestion_action {
    SUGGESTION_ACT_ACCEPT,
    SUGGESTION_ACT_DECLINE,
    SUGGESTION_ACT_USE
};
#define SUGGESTION_ACTION_COUNT 3
enum newsletter_suggestion_effect {
    SUGGESTION_EFFECT_ISSUE = 1u << 0,     /* accept: link the planned issue of the body */
    SUGGESTION_EFFECT_PUBLISHED = 1u << 1, /* use: its issue is published */
};
extern const struct machine newsletter_suggestion_machine;

#define NEWSLETTER_RULE_ISSUE_NOT_PLANNED "issue-not-planned"
#define NEWSLETTER_RULE_ISSUE_NOT_PUBLISHED "issue-not-published"

struct newsletter_suggestion_row {
    char id[37];
    char registrar_id[37];
    char title[NEWSLETTER_TEXT_MAX];
    char *summary;                 /* owned */
    char link[NEWSLETTER_URL_MAX]; /* empty: none */
    enum newsletter_suggestion_status status;
    char issue_id[37]; /* empty: none */
    char *reason;      /* owned, or NULL */
    int version;
    char created_at[32];
    char updated_at[32];
    char status_changed_at[32];
};
void newsletter_suggestion_row_cleanup(struct newsletter_suggestion_row *row);
const char *newsletter_suggestion_status_name(enum newsletter_suggestion_status s);
bool newsletter_suggestion_status_parse(const char *name,
                                        enum newsletter_suggestion_status *out) WARN_UNUSED;

/* --- subscriptions -------------------------------------------------------- */

enum newsletter_subscription_status {
    SUBSCRIPTION_PENDING,
    SUBSCRIPTION_CONFIRMED,
    SUBSCRIPTION_UNSUBSCRIBED,
};
#define SUBSCRIPTION_STATUS_COUNT 3
enum newsletter_subscription_action { SUBSCRIPTION_ACT_CONFIRM, SUBSCRIPTION_ACT_UNSUBSCRIBE };
#define SUBSCRIPTION_ACTION_COUNT 2
extern const struct machine newsletter_subscription_machine;
/* Who takes a subscription's actions: whoever holds its token, with or
 * without an API token (the machine's role for them). */
#define NEWSLETTER_TOKEN_HOLDER ROLE_SERVED

#define NEWSLETTER_TOKEN_TTL_S (7 * 24 * 3600) /* a confirmation link's life */
#define NEWSLETTER_CONFIRM_EVERY_S 3600        /* at most one confirmation an hour */

const char *newsletter_subscription_status_name(enum newsletter_subscription_status s);
bool newsletter_subscription_status_parse(const char *name,
                                          enum newsletter_subscription_status *out) WARN_UNUSED;

/* Whether a subscribe request queues a confirmation email: never for a
 * confirmed address; otherwise unless one was queued less than
 * NEWSLETTER_CONFIRM_EVERY_S ago (since_last_s < 0: never). */
bool newsletter_confirmation_due(enum newsletter_subscription_status s, long long since_last_s);

/* Whether text is a token as the links carry it: 43 base64url characters. */
bool newsletter_token_valid(const char *text);

#endif
