/* `parceria worker`: delivers the outbox (DOMAIN.md section 7), a process of
 * its own, any number of them beside any number of `serve` replicas. */
#ifndef PARCERIA_WORKER_H
#define PARCERIA_WORKER_H

#include "config.h"

/* Runs until SIGTERM or SIGINT, then finishes the message in hand and
 * returns 0 (1 when it could not start). */
int worker_run(const struct config *cfg);

#endif
