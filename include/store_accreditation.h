/* Accreditation applications and registrar records: all their SQL. The
 * callers (api/applications.c, api/registrars.c) lock a row, ask the domain
 * whether the action is allowed, then call the change here, all in one
 * transaction; every change writes its audit event. */
#ifndef PARCERIA_STORE_ACCREDITATION_H
#define PARCERIA_STORE_ACCREDITATION_H

#include "audit.h"
#include "db.h"
#include "input.h"

#include <jansson.h>
#include <stdbool.h>

/* Members whose values are personal: hashed in the audit log. */
extern const char *const store_personal_fields[];

struct application_row {
    char id[37];
    char status[24];
    json_t *document; /* owned */
    char *reason;     /* owned, NULL when none */
    char registrar_id[37];
    bool credentials_collected;
    int version;
    char submitted_at[32];
    char created_at[32];
    char updated_at[32];
    char status_changed_at[32];
};
void application_row_cleanup(struct application_row *row);
void application_rows_free(struct application_row *rows, int count);

enum duplicate_kind { DUPLICATE_NONE, DUPLICATE_OPEN_APPLICATION, DUPLICATE_REGISTRAR };

/* Inserts a submitted application and its access key (hash). ST_CONFLICT with
 * *dup set when the tax id has an open application or a live registrar. Runs
 * serializable, so a concurrent approval cannot slip a duplicate through. */
enum status store_application_create(PGconn *conn, const json_t *doc, const char *tax_id,
                                     const char *contact_email, const char *key_hash,
                                     const struct audit_actor *actor, struct application_row *out,
                                     enum duplicate_kind *dup) WARN_UNUSED;
/* Reads one application; lock takes FOR UPDATE. ST_NOT_FOUND when absent. */
enum status store_application_get(PGconn *conn, const char *id, bool lock,
                                  struct application_row *out) WARN_UNUSED;
/* Replaces the document (a validated merge result); version must match. */
enum status store_application_update(PGconn *conn, struct application_row *row, const json_t *doc,
                                     const char *tax_id, const char *contact_email,
                                     const json_t *changes, const struct audit_actor *actor,
                                     enum duplicate_kind *dup) WARN_UNUSED;
/* Moves the application to status to (the domain has allowed it), records
 * reason, and audits action. resubmission refreshes submitted_at. Revokes the
 * access key for rejected and withdrawn. */
enum status store_application_transition(PGconn *conn, struct application_row *row,
                                         const char *action, const char *to, const char *reason,
                                         const struct audit_actor *actor) WARN_UNUSED;
/* Approves: creates the registrar (unique handle from the trade name, the
 * contacts copied), links it, and gives the access key 30 more days. */
enum status store_application_approve(PGconn *conn, struct application_row *row, const char *reason,
                                      const struct audit_actor *actor,
                                      enum duplicate_kind *dup) WARN_UNUSED;
/* Marks the credentials collected and stops the access key minting tokens. */
enum status store_application_mark_collected(PGconn *conn, struct application_row *row,
                                             const struct audit_actor *actor) WARN_UNUSED;

struct application_filter {
    const json_t *statuses;
    const char *q;
    const char *submitted_from;
    const char *submitted_to;
};
enum status store_application_list(PGconn *conn, const struct application_filter *f,
                                   const struct page_req *page, struct application_row **rows,
                                   int *count, char **next, long long *total) WARN_UNUSED;

struct registrar_row {
    char id[37];
    char handle[64];
    json_t
        *fields; /* legal_name, trade_name, nif, vat_number, country, website, address, contacts */
    char status[16];
    char accredited_at[32];
    char application_id[37];
    int version;
    char created_at[32];
    char updated_at[32];
    char status_changed_at[32];
};
void registrar_row_cleanup(struct registrar_row *row);
void registrar_rows_free(struct registrar_row *rows, int count);

enum status store_registrar_get(PGconn *conn, const char *id, bool lock,
                                struct registrar_row *out) WARN_UNUSED;
/* Writes the editable fields of row->fields (after a validated merge); version must match. */
enum status store_registrar_update(PGconn *conn, struct registrar_row *row, const json_t *fields,
                                   const json_t *changes,
                                   const struct audit_actor *actor) WARN_UNUSED;
/* Changes status (the domain has allowed it), audits; terminating also
 * revokes every API client of the registrar. */
enum status store_registrar_transition(PGconn *conn, struct registrar_row *row, const char *action,
                                       const char *to, const char *reason,
                                       const struct audit_actor *actor) WARN_UNUSED;

struct registrar_filter {
    bool public_only; /* accredited only */
    const json_t *statuses;
    const json_t *programs;
    const char *q;
};
enum status store_registrar_list(PGconn *conn, const struct registrar_filter *f,
                                 const struct page_req *page, struct registrar_row **rows,
                                 int *count, char **next, long long *total) WARN_UNUSED;

#endif
