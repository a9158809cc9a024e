/* Webhook subscriptions, their secrets, their deliveries (the outbox rows
 * of channel 'webhook') and the fan-out of an event to them: all their SQL,
 * no rules. */
#ifndef PARCERIA_STORE_WEBHOOK_H
#define PARCERIA_STORE_WEBHOOK_H

#include "db.h"
#include "page.h"
#include "store_outbox.h"
#include "webhook.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Reads one subscription with its live secrets; lock takes FOR UPDATE.
 * ST_NOT_FOUND when absent. */
enum status store_webhook_get(PGconn *conn, const char *id, bool lock,
                              struct webhook_row *out) WARN_UNUSED;
/* Inserts in (registrar_id, url, events, description; active); out gets the
 * stored row. */
enum status store_webhook_insert(PGconn *conn, const struct webhook_row *in,
                                 struct webhook_row *out) WARN_UNUSED;
/* Writes next's url, events, description, status and disabled_reason over
 * row when row->version is current (ST_STALE otherwise); row gets the
 * stored row. */
enum status store_webhook_update(PGconn *conn, struct webhook_row *row,
                                 const struct webhook_row *next) WARN_UNUSED;
/* Deletes a subscription (its secrets go with it) and fails its pending
 * deliveries with error. */
enum status store_webhook_delete(PGconn *conn, const char *id, const char *error) WARN_UNUSED;
/* Disables an active subscription with reason; *changed when it was active. */
enum status store_webhook_disable(PGconn *conn, const char *id, const char *reason,
                                  bool *changed) WARN_UNUSED;

/* The list's sort keys, and its filters' positions in page_query.filters. */
#define STORE_WEBHOOK_SORTS 1
extern const struct page_sort store_webhook_sorts[STORE_WEBHOOK_SORTS];
enum {
    STORE_WEBHOOK_STATUS,    /* JSON array of statuses */
    STORE_WEBHOOK_REGISTRAR, /* JSON array of registrar ids */
};
/* A page of subscriptions (rows: struct webhook_row). */
enum status store_webhook_list(PGconn *conn, const struct page_query *q,
                               struct page_result *out) WARN_UNUSED;

/* --- secrets --------------------------------------------------------------- */

/* Adds a secret, sealed (its bytes, as the service sealed them) with a hint
 * of its text; id and created_at get the new row's. */
enum status store_webhook_secret_add(PGconn *conn, const char *webhook_id,
                                     const unsigned char *sealed, size_t len, const char *hint,
                                     char id[37], char created_at[32]) WARN_UNUSED;
/* How many live secrets a subscription has. */
enum status store_webhook_secret_count(PGconn *conn, const char *webhook_id,
                                       int *count) WARN_UNUSED;
/* Revokes a live secret of the subscription; ST_NOT_FOUND when it has no
 * such live secret. */
enum status store_webhook_secret_revoke(PGconn *conn, const char *webhook_id,
                                        const char *secret_id) WARN_UNUSED;
/* A sealed secret as stored. */
struct webhook_sealed {
    unsigned char bytes[128];
    size_t len;
};
/* The live secrets' sealed bytes, oldest first: *out a new array of *count
 * (free it). */
enum status store_webhook_secrets_sealed(PGconn *conn, const char *webhook_id,
                                         struct webhook_sealed **out, int *count) WARN_UNUSED;
/* The per-database part of the secrets' key (service_keys). */
enum status store_webhook_db_key(PGconn *conn, unsigned char key[32]) WARN_UNUSED;

/* --- fan-out and deliveries -------------------------------------------------- */

/* Queues the event c to every active subscription that takes it (staff's:
 * every event; a registrar's: events whose audit record concerns that
 * registrar; and only the types its events list, when it lists any), once
 * per subscription: the payload is the envelope {id: the row's message_id,
 * type, occurred_at, data: {resource_type, resource_id, action,
 * from_status, to_status, registrar_id}} read from the audit record. Held
 * back to travel with the transaction's next statement (db_exec_later). */
enum status store_webhook_fanout(PGconn *conn, const struct outbox_cause *c) WARN_UNUSED;

/* One delivery: an outbox row of channel 'webhook' and its attempts. */
struct webhook_delivery {
    char id[37]; /* the message id: webhook-id */
    char webhook_id[37];
    char event[64];
    char event_id[37];
    char status[16];
    int attempts;
    char next_attempt_at[32];
    char *last_error;
    char created_at[32];
    char updated_at[32];
    char sent_at[32]; /* empty: not yet */
    json_t *payload;
    json_t *log; /* [{at, outcome, error}], oldest first */
};
void store_webhook_delivery_cleanup(void *row);

#define STORE_WEBHOOK_DELIVERY_SORTS 1
extern const struct page_sort store_webhook_delivery_sorts[STORE_WEBHOOK_DELIVERY_SORTS];
enum {
    STORE_WEBHOOK_DELIVERY_STATUS,  /* JSON array of statuses */
    STORE_WEBHOOK_DELIVERY_WEBHOOK, /* the subscription's id (required; not a query filter) */
};
/* A page of a subscription's deliveries (rows: struct webhook_delivery). */
enum status store_webhook_deliveries(PGconn *conn, const struct page_query *q,
                                     struct page_result *out) WARN_UNUSED;
/* Reads one delivery by its message id; lock takes FOR UPDATE. */
enum status store_webhook_delivery_get(PGconn *conn, const char *id, bool lock,
                                       struct webhook_delivery *out) WARN_UNUSED;
/* Puts a delivery back to pending, due now, with a fresh count of attempts,
 * unless a worker holds it now; out gets the row as it is after. */
enum status store_webhook_redeliver(PGconn *conn, const char *id,
                                    struct webhook_delivery *out) WARN_UNUSED;

#endif
