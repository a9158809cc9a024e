/* Data-subject requests as a kind for the generic runner (extend, fulfil,
 * reject), their creation, the access export and retention. */
#ifndef PARCERIA_SERVICE_DATA_REQUEST_H
#define PARCERIA_SERVICE_DATA_REQUEST_H

#include "data_request.h"
#include "service.h"
#include "store_personal_data.h"

extern const struct service_kind service_data_request_kind;

/* Creates r (open, due one month after received_at; empty: now), with its
 * audit event (the email hashed). A received_at in the future is refused
 * (ST_INVALID: /received_at future). */
enum status service_data_request_create(const struct service_call *call,
                                        const struct data_request_row *r,
                                        struct data_request_row *out,
                                        struct service_outcome *outcome) WARN_UNUSED;

/* The access export of request id: *doc gets {request, email, generated_at,
 * locations} (store_personal_data_export). ST_NOT_FOUND when absent;
 * ST_INVALID_STATE (outcome: current status, conflict "not-access") for a
 * request of another kind. */
enum status service_data_request_export(const struct service_call *call, const char *id,
                                        json_t **doc, struct service_outcome *outcome) WARN_UNUSED;

/* Retention (DOMAIN.md): counts, or with apply erases, what is past its
 * period as of at (RFC 3339; NULL: now), in one transaction; each erased row
 * is audited (action "retention-erase", actor the retention command). */
enum status service_retention_run(PGconn *conn, const char *at, bool apply,
                                  store_retention_report report, void *arg) WARN_UNUSED;

#endif
