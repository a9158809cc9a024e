/* The change feed's reading of the audit log (migration 0011): records whose
 * transaction is older than every transaction still running, in (txid, seq)
 * order after a position, all of them or one registrar's. Ids only: no
 * reason, no changes. */
#ifndef PARCERIA_STORE_CHANGES_H
#define PARCERIA_STORE_CHANGES_H

#include "db.h"

/* A position in the feed: the last record served (its transaction and
 * sequence number, as decimal text), or "0", "0" before the first. */
struct change_position {
    char txid[24];
    char seq[24];
};

struct change_row {
    char id[37];
    struct change_position at;
    char occurred_at[32];
    char action[64];
    char resource_type[64];
    char resource_id[80];
    char from_status[32]; /* empty when none */
    char to_status[32];
    char registrar_id[37];
    char type[130]; /* the event type: the service names it, not the store */
};

/* At most limit records after *after (registrar_id: that registrar's only;
 * NULL: all), into *rows (a new array of *count rows, free()). A position
 * past what PostgreSQL can read (not a number) is ST_BAD_VALUE. */
enum status store_changes_after(PGconn *conn, const struct change_position *after,
                                const char *registrar_id, int limit, struct change_row **rows,
                                int *count) WARN_UNUSED;

#endif
