/* The tamper-evident log's SQL (migration 0023): checkpoints, and the audit
 * records they cover read as their canonical columns (audit_log.h). */
#ifndef PARCERIA_STORE_CHECKPOINT_H
#define PARCERIA_STORE_CHECKPOINT_H

#include "audit_log.h"
#include "db.h"
#include "page.h"
#include "store_changes.h"

#include <stdbool.h>

struct checkpoint {
    long long id;
    char previous_hash[AUDIT_LOG_HEX + 1];
    char merkle_root[AUDIT_LOG_HEX + 1];
    char hash[AUDIT_LOG_HEX + 1];
    struct change_position first, last;
    long long count;
    char created_at[32];
};

/* One audit record: its canonical columns' texts (NULL for NULL), and for
 * the activity export its time as RFC 3339 and the id of the checkpoint
 * that covers it (0: none yet). */
struct checkpoint_event {
    char *v[AUDIT_LOG_FIELDS];
    char occurred_at[32];
    long long checkpoint_id;
};
/* Frees the texts of n events and the array. */
void store_checkpoint_events_free(struct checkpoint_event *e, int n);

/* Serialises the making of checkpoints (held to the end of the transaction). */
enum status store_checkpoint_lock(PGconn *conn) WARN_UNUSED;
/* The newest checkpoint (*found false when none). */
enum status store_checkpoint_newest(PGconn *conn, struct checkpoint *out, bool *found) WARN_UNUSED;
/* Whether no checkpoint was made less than an hour before at. */
enum status store_checkpoint_due(PGconn *conn, const char *at, bool *due) WARN_UNUSED;
/* *ahead: the newest record's transaction id is not yet assigned in this
 * cluster (a dump restored into a new cluster whose ids were not moved past
 * the log's: every new record would sort before the restored ones). */
enum status store_checkpoint_log_ahead(PGconn *conn, bool *ahead) WARN_UNUSED;
/* Up to limit settled records after the position (the change feed's rule:
 * txid older than every running transaction), in (txid, seq) order. */
enum status store_checkpoint_pending(PGconn *conn, const struct change_position *after, int limit,
                                     struct checkpoint_event **out, int *count) WARN_UNUSED;
/* Every record after `after` up to and including `last`, in (txid, seq)
 * order, settled or not (what a checkpoint covers, as it is now). */
enum status store_checkpoint_range(PGconn *conn, const struct change_position *after,
                                   const struct change_position *last,
                                   struct checkpoint_event **out, int *count) WARN_UNUSED;
/* Inserts cp (created_at: at, or now() when at is NULL; fills created_at). */
enum status store_checkpoint_insert(PGconn *conn, struct checkpoint *cp,
                                    const char *at) WARN_UNUSED;
/* Checkpoints in chain order after id `after` (0: from the first), at most limit. */
enum status store_checkpoint_after(PGconn *conn, long long after, int limit,
                                   struct checkpoint **out, int *count) WARN_UNUSED;
/* The public list's sorts (the kit's keyset pages; default -created_at). */
#define STORE_CHECKPOINT_SORTS 2
extern const struct page_sort store_checkpoint_sorts[STORE_CHECKPOINT_SORTS];
/* A page of checkpoints (rows: struct checkpoint). */
enum status store_checkpoint_page(PGconn *conn, const struct page_query *q,
                                  struct page_result *out) WARN_UNUSED;
/* One checkpoint; ST_NOT_FOUND when none has that id. */
enum status store_checkpoint_get(PGconn *conn, long long id, struct checkpoint *out) WARN_UNUSED;
/* A registrar's settled records after the position, in (txid, seq) order,
 * with each one's covering checkpoint. */
enum status store_checkpoint_activity(PGconn *conn, const char *registrar_id,
                                      const struct change_position *after, int limit,
                                      struct checkpoint_event **out, int *count) WARN_UNUSED;

#endif
