/* Accreditation applications: all their SQL, no rules. The service
 * (src/service/application.c) locks, asks the domain, then calls these in
 * one transaction. */
#ifndef PARCERIA_STORE_APPLICATION_H
#define PARCERIA_STORE_APPLICATION_H

#include "application.h"
#include "db.h"
#include "page.h"

#include <jansson.h>
#include <stdbool.h>

/* The list's sort keys, and its filters' positions in page_query.filters. */
#define STORE_APPLICATION_SORTS 2
extern const struct page_sort store_application_sorts[STORE_APPLICATION_SORTS];
enum {
    STORE_APPLICATION_STATUS,         /* JSON array of status names */
    STORE_APPLICATION_Q,              /* text in names or tax id */
    STORE_APPLICATION_SUBMITTED_FROM, /* timestamps */
    STORE_APPLICATION_SUBMITTED_TO,
};

/* Holds, until the transaction ends, the lock that every change touching
 * tax_id takes first (applications and approvals). Held back to travel
 * with the next statement (db_exec_later), which runs after the lock is
 * taken. */
enum status store_application_lock_tax(PGconn *conn, const char *tax_id) WARN_UNUSED;
/* Who uses tax_id: a live registrar, or an open application other than self
 * (self may be NULL). */
enum status store_application_tax_users(PGconn *conn, const char *tax_id, const char *self,
                                        bool *live_registrar, bool *open_application) WARN_UNUSED;
/* Inserts a submitted application. ST_CONFLICT: an open twin (unique index). */
enum status store_application_insert(PGconn *conn, const struct application *doc,
                                     const char *tax_id, const char *contact_email,
                                     struct application_row *out) WARN_UNUSED;
/* Reads one application; lock takes FOR UPDATE. ST_NOT_FOUND when absent. */
enum status store_application_get(PGconn *conn, const char *id, bool lock,
                                  struct application_row *out) WARN_UNUSED;
/* Replaces the document when row->version is current (ST_STALE otherwise). */
enum status store_application_update(PGconn *conn, struct application_row *row,
                                     const struct application *doc, const char *tax_id,
                                     const char *contact_email) WARN_UNUSED;
/* Sets the status (a name the domain gave) and, when not NULL, the reason. */
enum status store_application_move(PGconn *conn, struct application_row *row, const char *to,
                                   const char *reason) WARN_UNUSED;
/* submitted_at = now. */
enum status store_application_restamp(PGconn *conn, struct application_row *row) WARN_UNUSED;
/* Links the registrar created from the application. */
enum status store_application_link(PGconn *conn, struct application_row *row,
                                   const char *registrar_id) WARN_UNUSED;
/* Records that the credentials were collected. */
enum status store_application_mark_collected(PGconn *conn, struct application_row *row) WARN_UNUSED;
/* A page of applications (rows: struct application_row). */
enum status store_application_list(PGconn *conn, const struct page_query *q,
                                   struct page_result *out) WARN_UNUSED;

#endif
