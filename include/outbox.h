/* The outbox's delivery rules (DOMAIN.md section 7): how long a worker
 * waits before trying a message again, by channel, and when it stops
 * trying. Pure: no I/O. */
#ifndef PARCERIA_OUTBOX_H
#define PARCERIA_OUTBOX_H

#define OUTBOX_EMAIL "email"
#define OUTBOX_WEBHOOK "webhook"

/* Seconds to wait before the next attempt of a message of channel that has
 * failed attempts times (1 after the first), with jitter drawn from random:
 * email doubles from a minute up to six hours, 12 attempts in all; webhooks
 * follow a schedule from 30 seconds to a day that ends about three days
 * after the first attempt. -1 when the attempts are spent (the message
 * fails). */
int outbox_backoff_s(const char *channel, int attempts, unsigned random);

#endif
