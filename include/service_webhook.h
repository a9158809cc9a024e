/* Webhook subscriptions' use cases: the kind whose edits the generic runner
 * takes (PATCH), the creation with its first secret, deletion, secrets
 * added and removed, the delivery log and redelivery; and the secrets'
 * sealing at rest for the delivery (webhook_delivery.h). */
#ifndef PARCERIA_SERVICE_WEBHOOK_H
#define PARCERIA_SERVICE_WEBHOOK_H

#include "service.h"
#include "store_webhook.h"
#include "webhook.h"

extern const struct service_kind service_webhook_kind;

/* Sets the configured part of the secrets' key (PARCERIA_WEBHOOK_KEY, or
 * NULL when not configured) and whether targets may be private addresses
 * over http (PARCERIA_WEBHOOK_ALLOW_PRIVATE, for tests). At start-up,
 * before any other call (webhook_configure does it); every process that
 * reads or writes secrets (serve and worker) needs the same key. */
void service_webhook_configure(const char *key, bool allow_private);
bool service_webhook_allow_private(void);
/* Whether a subscription may target url (webhook_url_check as configured). */
enum error_code service_webhook_url_check(const char *url);

/* A secret as shown once. */
struct webhook_secret_shown {
    char id[37];
    char secret[WEBHOOK_SECRET_TEXT]; /* whsec_… */
    char hint[16];
    char created_at[32];
};

/* Creates the subscription in (registrar_id: the owner, empty for staff's)
 * with its first secret, in one transaction with its audit record; out gets
 * the stored row and secret the secret. ST_INVALID (outcome's field error
 * at /registrar_id) when the owner is no registrar, or a terminated one. */
enum status service_webhook_create(const struct service_call *call, const struct webhook_row *in,
                                   struct webhook_row *out, struct webhook_secret_shown *secret,
                                   struct service_outcome *outcome) WARN_UNUSED;
/* Deletes a subscription the caller may see; its pending deliveries fail. */
enum status service_webhook_delete(const struct service_call *call, const char *id) WARN_UNUSED;
/* Adds a secret (ST_LIMIT at WEBHOOK_MAX_SECRETS live ones); secret gets it. */
enum status service_webhook_secret_add(const struct service_call *call, const char *id,
                                       struct webhook_secret_shown *secret) WARN_UNUSED;
/* Removes a live secret (ST_NOT_FOUND when the subscription has none such;
 * ST_LIMIT when it is the last one). */
enum status service_webhook_secret_remove(const struct service_call *call, const char *id,
                                          const char *secret_id) WARN_UNUSED;
/* A page of a subscription's deliveries (q's STORE_WEBHOOK_DELIVERY_WEBHOOK
 * filter names it; the caller checked it may see it). */
enum status service_webhook_deliveries(const struct service_call *call, const struct page_query *q,
                                       struct page_result *out) WARN_UNUSED;
/* Puts a delivery of a subscription the caller may see back to pending, due
 * now (ST_INVALID_STATE when the subscription is disabled); out gets it. */
enum status service_webhook_redeliver(const struct service_call *call, const char *delivery_id,
                                      struct webhook_delivery *out) WARN_UNUSED;

/* The live secrets' bytes of a subscription, oldest first, for signing:
 * *keys a new array of *count (sodium_memzero and free it). ST_INVALID when
 * a secret cannot be opened (another key configured). */
enum status service_webhook_keys(PGconn *conn, const char *id,
                                 unsigned char (**keys)[WEBHOOK_SECRET_BYTES],
                                 int *count) WARN_UNUSED;
/* Disables a subscription the target said is gone, with its audit record
 * (actor: the worker). */
enum status service_webhook_gone(PGconn *conn, const char *id, const char *reason,
                                 const char *message_id) WARN_UNUSED;

#endif
