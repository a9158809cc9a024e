/* The chores' shared SQL: their lock and their clock. */
#ifndef PARCERIA_STORE_CHORE_H
#define PARCERIA_STORE_CHORE_H

#include "db.h"

#include <stdbool.h>

/* Takes the transaction-scoped advisory lock of the chore name without
 * waiting: *got is false when another transaction holds it. */
enum status store_chore_lock(PGconn *conn, const char *name, bool *got) WARN_UNUSED;

/* The database's clock, RFC 3339 in UTC with microseconds. */
enum status store_chore_now(PGconn *conn, char out[40]) WARN_UNUSED;

#endif
