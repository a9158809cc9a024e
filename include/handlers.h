/* Every handler the route table names, grouped by resource file in api/. */
#ifndef PARCERIA_HANDLERS_H
#define PARCERIA_HANDLERS_H

#include "api.h"
#include "audit.h"
#include "input.h"

#define HANDLER(name)                                                                              \
    int name(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)

/* api/health.c */
HANDLER(api_health_live);
HANDLER(api_health_ready);
HANDLER(api_openapi_document);

/* api/token.c */
HANDLER(api_token_issue);

/* api/me.c */
HANDLER(api_me);

/* api/clients.c */
HANDLER(api_clients_list);
HANDLER(api_clients_create);
HANDLER(api_clients_revoke);
HANDLER(api_registrar_clients_list);
HANDLER(api_registrar_clients_create);
HANDLER(api_registrar_clients_revoke);

/* One API client as JSON (a new reference), without its secret. */
struct client;
json_t *api_client_json(const struct client *c);

/* api/applications.c */
HANDLER(api_applications_create);
HANDLER(api_applications_list);
HANDLER(api_applications_get);
HANDLER(api_applications_update);
HANDLER(api_applications_history);
HANDLER(api_applications_start_review);
HANDLER(api_applications_request_changes);
HANDLER(api_applications_resubmit);
HANDLER(api_applications_approve);
HANDLER(api_applications_reject);
HANDLER(api_applications_withdraw);
HANDLER(api_applications_credentials);
/* The contact fields (type, name, email, phone) and the address fields
 * (street, postal_code, city, country), shared with registrars. */
extern const struct field api_contact_fields[];
extern const struct field api_address_fields[];
/* An accreditation application's fields (the body of POST, and of PATCH as a merge patch). */
extern const struct field api_application_fields[];

/* api/registrars.c */
HANDLER(api_registrars_list);
HANDLER(api_registrars_get);
HANDLER(api_registrars_update);
HANDLER(api_registrars_history);
HANDLER(api_registrars_suspend);
HANDLER(api_registrars_reinstate);
HANDLER(api_registrars_terminate);

/* api/audit.c */
HANDLER(api_audit_list);
/* One audit row as JSON (a new reference); also used by every …/history. */
json_t *api_audit_row_json(const struct audit_row *r);

/* api/metrics.c */
int api_metrics_get(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx);

/* api/docs.c */
int api_docs_page(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx);
int api_docs_asset(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx);

#endif
