/* Chores: the steps that come due by the clock rather than by a request
 * (reminders, deadlines, checkpoints, scrubbing what is no longer needed).
 * `parceria worker` runs every chore about once a minute; `parceria tick
 * [--at TIME]` runs them once as of the time given, so a test moves the
 * clock by argument instead of sleeping, and an operator can catch up. Each
 * chore runs in a transaction of its own under an advisory lock (two workers
 * never run one chore at once, the second skips it) and is idempotent: run
 * twice as of one time, the second run changes nothing. */
#ifndef PARCERIA_SERVICE_CHORES_H
#define PARCERIA_SERVICE_CHORES_H

#include "db.h"

#include <stdbool.h>

struct service_chore {
    const char *name; /* "outbox-scrub" */
    /* Acts as of at (RFC 3339) inside the transaction; *count: the rows it
     * changed. */
    enum status (*run)(PGconn *conn, const char *at, long long *count);
};

/* Every chore, in the order they run; ends with a NULL name. */
extern const struct service_chore service_chores[];

/* What one chore did: skipped is true when another process held its lock. */
typedef void (*service_chore_report)(const char *name, enum status st, bool skipped,
                                     long long count, void *arg);

/* Runs every chore as of at (NULL: the database's clock) on conn, a
 * connection the caller holds, reporting each. ST_OK when none failed,
 * else the first failure (the others still run). */
enum status service_chores_run(PGconn *conn, const char *at, service_chore_report report,
                               void *arg) WARN_UNUSED;

#endif
