/* Incident reports (DOMAIN.md section 9): the status machine, the row, the
 * acknowledgement deadline by severity, what TLP:RED means for a change,
 * and the affected .pt names. Pure: no I/O.
 *
 *   action        who               from                                 to
 *   acknowledge   staff             reported                             acknowledged
 *   investigate   staff             acknowledged                         investigating
 *   resolve       staff             investigating                        resolved
 *   close         staff             resolved                             closed
 *   edit (PATCH)  staff, registrar  reported … resolved                  (same)
 *
 * staff: ROLE_STAFF or ROLE_ADMIN; registrar: its own. Outside the table: a
 * registrar edits only while reported (incident_ruled_out_for). The
 * acknowledgement is due 1 h (critical), 4 h (high), 24 h (medium) or 72 h
 * (low) after the report; a reported incident past it is overdue. */
#ifndef PARCERIA_INCIDENT_H
#define PARCERIA_INCIDENT_H

#include "error_code.h"
#include "pt_domain.h"
#include "status.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum incident_status {
    INCIDENT_REPORTED,
    INCIDENT_ACKNOWLEDGED,
    INCIDENT_INVESTIGATING,
    INCIDENT_RESOLVED,
    INCIDENT_CLOSED,
};
#define INCIDENT_STATUS_COUNT 5

enum incident_action {
    INCIDENT_ACT_ACKNOWLEDGE,
    INCIDENT_ACT_INVESTIGATE,
    INCIDENT_ACT_RESOLVE,
    INCIDENT_ACT_CLOSE,
    INCIDENT_ACT_EDIT,
};
#define INCIDENT_ACTION_COUNT 5

struct machine;
extern const struct machine incident_machine;

/* NULL-terminated name lists, for field tables and filters. */
extern const char *const incident_category_names[];
extern const char *const incident_severity_names[];
extern const char *const incident_tlp_names[]; /* FIRST TLP 2.0 */

#define INCIDENT_DOMAINS_MAX 100
#define INCIDENT_TITLE_MAX 801 /* 200 characters of UTF-8, with the NUL */
#define INCIDENT_NAME_MAX 24   /* the longest category, severity or TLP name, with the NUL */

struct incident_row {
    char id[37];
    char registrar_id[37]; /* empty: none */
    char title[INCIDENT_TITLE_MAX];
    char *description; /* owned */
    char category[INCIDENT_NAME_MAX];
    char severity[INCIDENT_NAME_MAX];
    char tlp[INCIDENT_NAME_MAX];
    json_t *affected_domains; /* owned: an array of normalized names */
    char detected_at[32];
    char reported_at[32];
    char acknowledge_due_at[32];
    bool overdue; /* as of the read */
    bool reportable_to_cncs;
    char early_warning_due_at[32]; /* the CNCS deadlines, from detected_at */
    char notification_due_at[32];
    char final_report_due_at[32];
    enum incident_status status;
    int version;
    char created_at[32];
    char updated_at[32];
    char status_changed_at[32];
};
void incident_row_cleanup(struct incident_row *row);

const char *incident_status_name(enum incident_status status);
bool incident_status_parse(const char *name, enum incident_status *out) WARN_UNUSED;

/* The hours from the report to the acknowledgement's deadline for a
 * severity name: 1, 4, 24 or 72; 0 for an unknown name. */
int incident_acknowledge_hours(const char *severity);

/* Whether changes of an incident with this TLP are confidential: TLP:RED
 * never leaves (no change feed, webhook, email or export). */
bool incident_confidential_tlp(const char *tlp);

/* The actions a caller of role may not take now beyond the table: a
 * registrar edits only a reported incident (machine bits). */
unsigned incident_ruled_out_for(enum incident_status status, unsigned role);

/* Normalizes a JSON array of .pt names (pt_domain_parse: A-labels, lower
 * case) into a new array without repeats. On the first bad name returns
 * NULL with *bad its index and *why its code (ERR_REPEATED for a name given
 * twice, in any spelling). */
json_t *incident_domains_normalize(const json_t *names, size_t *bad, enum error_code *why);

#endif
