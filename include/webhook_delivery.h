/* Delivering one webhook message (Standard Webhooks) for the outbox worker:
 * the subscription and its live secrets are read, the target's host is
 * resolved and every address it resolves to must be public (unless
 * PARCERIA_WEBHOOK_ALLOW_PRIVATE), the connection is pinned to the address
 * checked (CURLOPT_RESOLVE: no second lookup, so no DNS rebinding), and
 * the envelope is POSTed signed by every live secret. */
#ifndef PARCERIA_WEBHOOK_DELIVERY_H
#define PARCERIA_WEBHOOK_DELIVERY_H

#include "config.h"
#include "db.h"
#include "store_outbox.h"

#include <stdbool.h>

/* Once per process, before threads and any delivery (serve and worker):
 * the secrets' configured key and PARCERIA_WEBHOOK_ALLOW_PRIVATE. A process
 * that delivers has called curl_global_init first (the worker does). */
void webhook_configure(const struct config *cfg);

/* Delivers row (channel 'webhook'; recipient: the subscription's id) on
 * conn (no transaction open). ST_OK: the target answered 2xx; ST_RETRY:
 * try again later (network failure, timeout, any other answer, a name that
 * does not resolve now); ST_INVALID: fail the message now (the subscription
 * is deleted or disabled, has no readable secret, its target resolves to an
 * address that is refused, or answered 410). error gets a line for the
 * attempt's log (no secret in it). *gone is set when the target answered
 * 410 Gone: the subscription is then disabled, in its own transaction. */
enum status webhook_deliver(PGconn *conn, const struct outbox_row *row, char error[256],
                            bool *gone) WARN_UNUSED;

#endif
