/* The outbox: all its SQL, no rules. */
#ifndef PARCERIA_STORE_OUTBOX_H
#define PARCERIA_STORE_OUTBOX_H

#include "db.h"
#include "page.h"

#include <jansson.h>
#include <stdbool.h>

/* What caused a message: the audit record and its notice. */
struct outbox_cause {
    const char *event_id;      /* the audit record's id */
    const char *event;         /* "voucher.redeemed" */
    const char *resource_type; /* "voucher" */
    const char *resource_id;
    const char *registrar_id; /* the registrar it concerns, or NULL */
    const json_t *vars;       /* merged into every email's vars (audit_entry.mail_vars), or NULL */
};

/* Queues template's email to each of its recipients (the template's own
 * query finds them and the values it shows), once per recipient. Held back
 * to travel with the transaction's next statement (db_exec_later). */
enum status store_outbox_mail(PGconn *conn, const struct outbox_cause *c,
                              const char *template_name) WARN_UNUSED;

/* Withdraws the pending email messages of event to recipient (one who
 * unsubscribed after they were queued) that no worker holds: they become
 * failed with reason as their last error, never sent. */
enum status store_outbox_withdraw(PGconn *conn, const char *event, const char *recipient,
                                  const char *reason) WARN_UNUSED;

/* One message as a worker holds it. */
struct outbox_row {
    long long id;
    char message_id[37];
    char event_id[37];
    char event[64];
    char channel[16];
    char *recipient;
    char resource_type[64];
    char resource_id[80];
    char registrar_id[37]; /* empty: none */
    json_t *payload;
    char status[16];
    int attempts;
    char next_attempt_at[32];
    char *last_error;
    char created_at[32];
    char updated_at[32];
    char sent_at[32]; /* empty: not yet */
};
void store_outbox_row_cleanup(void *row);

/* Claims the oldest due pending message of channel for lease_s seconds
 * (FOR UPDATE SKIP LOCKED: two workers never claim one) and counts the
 * attempt. ST_NOT_FOUND when none is due. */
enum status store_outbox_claim(PGconn *conn, const char *channel, int lease_s,
                               struct outbox_row *out) WARN_UNUSED;
/* Records an attempt by worker: sent; or failed (final); or retried after
 * retry_s seconds. error may be NULL. */
enum status store_outbox_sent(PGconn *conn, long long id, const char *worker) WARN_UNUSED;
enum status store_outbox_retry(PGconn *conn, long long id, int retry_s, const char *error,
                               const char *worker) WARN_UNUSED;
enum status store_outbox_failed(PGconn *conn, long long id, const char *error,
                                const char *worker) WARN_UNUSED;

/* Removes the values (vars) of emails sent or failed more than 7 days
 * before at: the chore "outbox-scrub". *count: the messages scrubbed. */
enum status store_outbox_scrub(PGconn *conn, const char *at, long long *count) WARN_UNUSED;

/* The queue for /metrics: pending messages, the oldest pending one's age in
 * seconds (0 when none), and messages by status. */
struct outbox_stats {
    long long pending, sent, failed;
    double oldest_pending_s;
};
enum status store_outbox_stats(PGconn *conn, struct outbox_stats *out) WARN_UNUSED;

#define STORE_OUTBOX_SORTS 1
extern const struct page_sort store_outbox_sorts[STORE_OUTBOX_SORTS];
enum {
    STORE_OUTBOX_STATUS,  /* JSON array of statuses */
    STORE_OUTBOX_CHANNEL, /* JSON array of channels */
    STORE_OUTBOX_EVENT,   /* JSON array of event types */
};
/* A page of messages (rows: struct outbox_row). */
enum status store_outbox_list(PGconn *conn, const struct page_query *q,
                              struct page_result *out) WARN_UNUSED;

#endif
