/* The audit log: one append-only record per change, written inside the
 * caller's transaction so that a change and its record commit together.
 * Personal values are stored as keyed hashes (HMAC-SHA-256), so erasing a
 * person never rewrites history. */
#ifndef PARCERIA_STORE_AUDIT_H
#define PARCERIA_STORE_AUDIT_H

#include "db.h"
#include "page.h"

#include <jansson.h>
#include <stdbool.h>

struct audit_actor {
    const char *sub;
    const char *role;
    const char *registrar_id; /* NULL unless a registrar */
    const char *request_id;
};

struct audit_entry {
    const char *action;        /* "create", "approve", … */
    const char *resource_type; /* "api_client", "accreditation_application", … */
    const char *resource_id;
    const char *from_status; /* NULL when not a transition */
    const char *to_status;
    const char *reason;
    const json_t *changes;       /* changed fields (lent); may be NULL */
    const char *const *personal; /* member names, anywhere in changes, to hash; NULL-terminated */
    const char *registrar_id;    /* the registrar the change concerns (the change feed's and
                                    webhooks' filter), or NULL */
    /* Values the change's email shows beyond what its recipients query
     * reads (a one-time link's token, which the database keeps only as a
     * hash): merged into each recipient's vars, never audited. May be NULL. */
    const json_t *mail_vars;
    bool confidential; /* never leaves the audit log: no change feed, webhook or email */
};

/* The keyed hash the audit log writes for a personal value,
 * "hmac-sha256:<64 hex>", into out (for other records of personal values
 * that must never hold them raw, such as a client address). */
#define STORE_AUDIT_HASH_LEN 76
enum status store_audit_hash(PGconn *conn, const char *value,
                             char out[STORE_AUDIT_HASH_LEN + 1]) WARN_UNUSED;

enum status store_audit_record(PGconn *conn, const struct audit_actor *actor,
                               const struct audit_entry *e) WARN_UNUSED;
/* The same, writing the new record's id to id. The record is held back
 * (db_exec_later) to travel with the transaction's next statement: a
 * failure to write it fails that statement, at the latest the COMMIT. */
enum status store_audit_record_id(PGconn *conn, const struct audit_actor *actor,
                                  const struct audit_entry *e, char id[37]) WARN_UNUSED;

struct audit_row {
    char id[37];
    char created_at[32];
    char actor_sub[256];
    char actor_role[16];
    char actor_registrar_id[37];
    char action[64];
    char resource_type[64];
    char resource_id[80];
    char from_status[32];
    char to_status[32];
    char *reason; /* NULL when none */
    json_t *changes;
    char request_id[130];
    bool confidential; /* kept here, never exported (see audit_entry) */
};

void store_audit_row_cleanup(void *row);
void store_audit_rows_free(struct audit_row *rows, int count);

/* The list's sort keys, and its filters' positions in page_query.filters. */
#define STORE_AUDIT_SORTS 1
extern const struct page_sort store_audit_sorts[STORE_AUDIT_SORTS];
enum {
    STORE_AUDIT_RESOURCE_TYPE, /* JSON arrays of strings */
    STORE_AUDIT_RESOURCE_ID,
    STORE_AUDIT_ACTOR,
    STORE_AUDIT_SINCE, /* a timestamp */
};
/* A page of audit events (rows: struct audit_row). */
enum status store_audit_list(PGconn *conn, const struct page_query *q,
                             struct page_result *out) WARN_UNUSED;

/* The history of one resource, oldest first (at most 1000 entries). */
enum status store_audit_history(PGconn *conn, const char *resource_type, const char *resource_id,
                                struct audit_row **rows, int *count) WARN_UNUSED;

#endif
