/* Newsletter subscriptions, their confirmation tokens and consent records:
 * all their SQL, no rules. */
#ifndef PARCERIA_STORE_SUBSCRIPTION_H
#define PARCERIA_STORE_SUBSCRIPTION_H

#include "db.h"
#include "newsletter.h"
#include "page.h"

struct subscription_row {
    char id[37];
    char email[256];
    enum newsletter_subscription_status status;
    char consent_text_version[161];
    char source[401];
    char confirmed_at[32];  /* empty: never */
    long long since_mail_s; /* seconds since the last confirmation email; -1: none */
    int version;
    char created_at[32];
    char updated_at[32];
};
void store_subscription_row_cleanup(void *row);

/* The subscription of email (made pending when there is none), locked for
 * the transaction. */
enum status store_subscription_claim(PGconn *conn, const char *email,
                                     struct subscription_row *out) WARN_UNUSED;
/* A confirmation token for the subscription (its SHA-256 as hex), valid
 * NEWSLETTER_TOKEN_TTL_S, with what that request consented to; the
 * subscription's last_mail_at becomes now. */
enum status store_subscription_token(PGconn *conn, const char *id, const char *hash,
                                     const char *version, const char *source) WARN_UNUSED;
/* Uses the confirmation token whose hash is given, when it is unused and
 * unexpired, and locks its subscription (out); ST_NOT_FOUND otherwise.
 * *version and *source get what the request consented to (new strings). */
enum status store_subscription_take_token(PGconn *conn, const char *hash,
                                          struct subscription_row *out, char **version,
                                          char **source) WARN_UNUSED;
/* The subscription whose unsubscribe token is token, locked; ST_NOT_FOUND. */
enum status store_subscription_by_unsubscribe(PGconn *conn, const char *token,
                                              struct subscription_row *out) WARN_UNUSED;
/* Confirms it: status, confirmed_at, the consent's version and source, and
 * its unsubscribe token (kept when it has one already; new_token else). */
enum status store_subscription_confirm(PGconn *conn, struct subscription_row *row,
                                       const char *version, const char *source,
                                       const char *new_token) WARN_UNUSED;
enum status store_subscription_unsubscribe(PGconn *conn, struct subscription_row *row) WARN_UNUSED;
/* A consent record: event ("subscribe", "confirm", "unsubscribe"), the
 * text version and source (may be NULL), the client address's keyed hash. */
enum status store_subscription_consent(PGconn *conn, const char *id, const char *event,
                                       const char *version, const char *source,
                                       const char *client_hash) WARN_UNUSED;

/* The confirmed subscribers, by created_at or confirmed_at. */
#define STORE_SUBSCRIBER_SORTS 2
extern const struct page_sort store_subscriber_sorts[STORE_SUBSCRIBER_SORTS];
enum status store_subscriber_list(PGconn *conn, const struct page_query *q,
                                  struct page_result *out) WARN_UNUSED;

#endif
