/* Accreditation applications' use cases: submission, and the kind that
 * service_act and service_update run (review actions, approval that creates
 * the registrar, the one-time collection of the first API client). */
#ifndef PARCERIA_SERVICE_APPLICATION_H
#define PARCERIA_SERVICE_APPLICATION_H

#include "application.h"
#include "service.h"
#include "store_client.h"

extern const struct service_kind service_application_kind;

/* Conflicts an application can meet (service_outcome.conflict). */
extern const char SERVICE_CONFLICT_REGISTRAR[];        /* "registrar" */
extern const char SERVICE_CONFLICT_OPEN_APPLICATION[]; /* "open_application" */

/* A new application: doc is validated and normalised (lent); key_hash is
 * the hash of its access key. ST_CONFLICT (outcome->conflict set) when the
 * tax number has an open application or a live registrar. */
enum status service_application_submit(const struct service_call *call,
                                       const struct application *doc, const char *key_hash,
                                       struct application_row *out,
                                       struct service_outcome *outcome) WARN_UNUSED;

/* collect-credentials: in: the new client's secret hash; out: the client. */
struct service_application_credentials {
    char secret_hash[65];
    struct client client;
};

#endif
