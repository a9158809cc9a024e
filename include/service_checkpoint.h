/* The tamper-evident activity log's use cases (issue 16, part J): making a
 * checkpoint (the hourly chore and on demand), verifying the chain, and a
 * registrar's activity with its proofs. Making a checkpoint is not itself
 * audited: it is an append-only record of its own, and an audit record of
 * it would be a new event for the next one (on demand with nothing new must
 * write nothing). */
#ifndef PARCERIA_SERVICE_CHECKPOINT_H
#define PARCERIA_SERVICE_CHECKPOINT_H

#include "service.h"
#include "store_checkpoint.h"

/* At most this many events per checkpoint (the next one takes the rest), so
 * a proof never reads more than that many records. */
#define CHECKPOINT_MAX_EVENTS 10000

/* The chore `audit-checkpoint`: when none was made less than an hour before
 * at and there are settled events no checkpoint covers, checkpoints of them
 * (one, or as many as the cap needs for a backlog); *count: how many. */
enum status service_checkpoint_chore(PGconn *conn, const char *at, long long *count) WARN_UNUSED;

/* On demand: one new checkpoint (*created; with more than the cap pending,
 * the next call makes the next) or, with nothing new, the newest
 * (ST_NOT_FOUND when there is none and nothing to cover). */
enum status service_checkpoint_create(const struct service_call *call, struct checkpoint *out,
                                      bool *created) WARN_UNUSED;

/* A page of the public list (the kit's resource_list fetch). */
enum status service_checkpoint_list(const struct service_call *call, const struct page_query *q,
                                    struct page_result *out) WARN_UNUSED;
enum status service_checkpoint_get(const struct service_call *call, long long id,
                                   struct checkpoint *out) WARN_UNUSED;

/* Recomputes every checkpoint from the audit records and the chain, in one
 * snapshot. *checked: how many were checked; on the first broken link,
 * *broken is its id and why says what differs (else *broken is 0); *broken
 * is -1 when the log is ahead of the cluster's transaction ids
 * (store_checkpoint_log_ahead), and nothing is checked. */
enum status service_checkpoint_verify(PGconn *conn, long long *checked, long long *broken,
                                      char why[160]) WARN_UNUSED;

/* One record of a registrar's activity: the record, its canonical bytes and
 * leaf, and when checkpointed its checkpoint, index and audit path. */
struct activity_item {
    struct checkpoint_event ev;
    unsigned char *canonical;
    size_t canonical_len;
    char leaf[AUDIT_LOG_HEX + 1];
    bool proved;
    struct checkpoint cp;
    long long index;
    size_t path_len;
    char path[AUDIT_LOG_MAX_PATH][AUDIT_LOG_HEX + 1];
};
/* Up to limit of the registrar's settled records after the position
 * (ST_NOT_FOUND for an unknown registrar). */
enum status service_checkpoint_activity(const struct service_call *call, const char *registrar_id,
                                        const struct change_position *after, int limit,
                                        struct activity_item **out, int *count) WARN_UNUSED;
void service_checkpoint_activity_free(struct activity_item *items, int count);

#endif
