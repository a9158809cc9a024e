/* The outbox's retry schedule. Pure. */
#include "outbox.h"

#include <string.h>

#define EMAIL_FIRST_S 60
#define EMAIL_CAP_S (6 * 3600)
#define EMAIL_ATTEMPTS 12

/* Webhooks: 30 s, 2 min, 10 min, 1 h, 3 h, 6 h, 12 h, 24 h, 24 h: about
 * three days from the first attempt to the last (Standard Webhooks' advice). */
static const int webhook_schedule[] = {30, 120, 600, 3600, 10800, 21600, 43200, 86400, 86400};
#define WEBHOOK_RETRIES (int)(sizeof webhook_schedule / sizeof *webhook_schedule)

/* "Equal jitter": half the wait fixed, half drawn, so retries spread out
 * and never come sooner than half the schedule. */
static int jitter(int base, unsigned random)
{
    int half = base / 2;
    return half + (int)(random % (unsigned)(base - half + 1));
}

int outbox_backoff_s(const char *channel, int attempts, unsigned random)
{
    if (attempts < 1)
        attempts = 1;
    if (channel != NULL && strcmp(channel, OUTBOX_WEBHOOK) == 0)
        return attempts > WEBHOOK_RETRIES ? -1 : jitter(webhook_schedule[attempts - 1], random);
    if (attempts >= EMAIL_ATTEMPTS)
        return -1;
    long base = EMAIL_FIRST_S;
    for (int i = 1; i < attempts && base < EMAIL_CAP_S; i++)
        base *= 2;
    return jitter(base > EMAIL_CAP_S ? EMAIL_CAP_S : (int)base, random);
}
