/* Incidents' use cases: the kind whose actions (acknowledge, investigate,
 * resolve, close) and edits the generic runner takes, reporting one, and
 * its timeline of updates. Every change of a TLP:RED incident, updates
 * included, is confidential (service_kind.confidential). */
#ifndef PARCERIA_SERVICE_INCIDENT_H
#define PARCERIA_SERVICE_INCIDENT_H

#include "incident.h"
#include "service.h"
#include "store_incident.h"

extern const struct service_kind service_incident_kind;

/* Reports in (registrar_id empty: none; otherwise an existing registrar not
 * terminated, else ST_INVALID /registrar_id unknown_registrar) with its
 * audit event; out gets the stored row. */
enum status service_incident_create(const struct service_call *call, const struct incident_row *in,
                                    struct incident_row *out,
                                    struct service_outcome *outcome) WARN_UNUSED;

/* Appends body to the timeline of incident_id, written by the caller (a
 * registrar's call: its own incident only, else ST_NOT_FOUND; a closed
 * incident: ST_INVALID_STATE), audited as the incident's "post-update". */
enum status service_incident_post_update(const struct service_call *call, const char *incident_id,
                                         const char *body, struct incident_update_row *out,
                                         struct service_outcome *outcome) WARN_UNUSED;

#define SERVICE_INCIDENT_UPDATES_MAX 1000
/* The timeline of an incident the caller may see, oldest first (at most
 * SERVICE_INCIDENT_UPDATES_MAX; free with store's cleanup and free). */
enum status service_incident_updates(const struct service_call *call, const char *incident_id,
                                     struct incident_update_row **rows, int *count) WARN_UNUSED;

#endif
