/* Incidents and their timeline updates: all their SQL, no rules. */
#ifndef PARCERIA_STORE_INCIDENT_H
#define PARCERIA_STORE_INCIDENT_H

#include "db.h"
#include "incident.h"
#include "page.h"

#include <stdbool.h>

/* The list's sort keys, and its filters' positions in page_query.filters. */
#define STORE_INCIDENT_SORTS 1
extern const struct page_sort store_incident_sorts[STORE_INCIDENT_SORTS];
enum {
    STORE_INCIDENT_STATUS, /* JSON arrays of strings */
    STORE_INCIDENT_SEVERITY,
    STORE_INCIDENT_TLP,
    STORE_INCIDENT_REGISTRAR,
    STORE_INCIDENT_OVERDUE, /* ["true"] and/or ["false"] */
};

/* Reads one incident; lock takes FOR UPDATE. ST_NOT_FOUND when absent. */
enum status store_incident_get(PGconn *conn, const char *id, bool lock,
                               struct incident_row *out) WARN_UNUSED;
/* Inserts in (status reported, reported now, due in ack_hours); out gets
 * the stored row. */
enum status store_incident_insert(PGconn *conn, const struct incident_row *in, int ack_hours,
                                  struct incident_row *out) WARN_UNUSED;
/* Writes next's fields over row when row->version is current (ST_STALE
 * otherwise); the due time follows the severity (ack_hours after the
 * report). row gets the stored row. */
enum status store_incident_update(PGconn *conn, struct incident_row *row,
                                  const struct incident_row *next, int ack_hours) WARN_UNUSED;
/* Sets the status (a name the domain gave). */
enum status store_incident_move(PGconn *conn, struct incident_row *row, const char *to) WARN_UNUSED;
/* A page of incidents (rows: struct incident_row). */
enum status store_incident_list(PGconn *conn, const struct page_query *q,
                                struct page_result *out) WARN_UNUSED;

/* One timeline update. */
struct incident_update_row {
    char id[37];
    char incident_id[37];
    char registrar_id[37]; /* empty: staff wrote it */
    char *body;            /* owned */
    char created_at[32];
};
void incident_update_row_cleanup(struct incident_update_row *row);

/* Appends an update (registrar_id NULL: staff); out gets the stored row. */
enum status store_incident_update_insert(PGconn *conn, const char *incident_id,
                                         const char *registrar_id, const char *body,
                                         struct incident_update_row *out) WARN_UNUSED;
/* An incident's updates, oldest first (at most limit; rows: struct
 * incident_update_row). */
enum status store_incident_updates(PGconn *conn, const char *incident_id, int limit,
                                   struct incident_update_row **rows, int *count) WARN_UNUSED;

#endif
